"""Checking an adapter before a scan: which commands the scan needs it supports, the protocol, the voltage,
the round trip, and whether it can read the head unit (``obdident check-adapter``).

Read-only like the scan: only AT commands the guard admits and the generic ``0100`` (with its
response-count digit once) go out, every line through the driver's one guarded wire. The adapter is set up
as for a scan (:meth:`~obdident.elm327.driver.ELM327.initialize`), the vehicle's protocol found with ``0100``,
then each command is tried once and judged by its answer: ``OK`` supported, ``?`` not (ELM327 datasheet,
"AT Commands"). AT D returns the adapter to its defaults at the end. The words for the owner are in
:mod:`obdident.report.adapter_check`; this module only measures.
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass

from obdident.elm327.driver import ELM327, Clock
from obdident.errors import AdapterError, GuardRefusal, ProtocolError, TransportError
from obdident.i18n import T

log = logging.getLogger(__name__)

__all__ = ["NEEDS", "AdapterCheck", "Capability", "check_adapter"]


@dataclass(frozen=True)
class Need:
    """One command the scan relies on.

    Attributes:
        key: a short stable key (``flow-control-header``) for JSON and tests.
        line: the line sent to try it (canonical, no spaces).
        head_unit: the head unit (a unit outside the OBD pairs 7E0-7E7, with long answers) cannot be read
            without it.
        alternative: the key of another need that stands in for this one when it is missing (AT CF + AT CM
            for AT CRA), or None.
    """

    key: str
    line: str
    head_unit: bool
    alternative: str | None = None


#: The commands a scan needs, in the order they are tried (after set-up and ``0100``). Flow control set by
#: hand (AT FC SH/SD/SM, ELM327 v1.1+) is what units outside 7E8-7EF need to send long answers (ELM327
#: datasheet, "Altering Flow Control Messages"); AT SH and a receive filter address one unit.
NEEDS: tuple[Need, ...] = (
    Need("header", "ATSH7E0", True),
    Need("receive-address", "ATCRA7E8", False, alternative="filter"),
    Need("filter", "ATCF7E8", False, alternative="receive-address"),
    Need("mask", "ATCM7FF", False, alternative="receive-address"),
    Need("flow-control-header", "ATFCSH7E0", True),
    Need("flow-control-data", "ATFCSD300000", True),
    Need("flow-control-mode", "ATFCSM1", True),
    Need("receive-timeout", "ATST0E", False),
    Need("adaptive-timing", "ATAT1", False),
)


@dataclass(frozen=True)
class Capability:
    """How the adapter took one command.

    Attributes:
        key: the :class:`Need`'s key, or ``spaces-off`` / ``headers-on`` / ``response-count`` for what
            set-up and ``0100`` tried.
        line: the line sent.
        supported: True (``OK``), False (``?``), or None (neither, or not tried: the guard did not admit it
            in this state, or the link failed).
        head_unit: the head unit cannot be read without it (nor its alternative).
        answer: the adapter's lines.
    """

    key: str
    line: str
    supported: bool | None
    head_unit: bool
    answer: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdapterCheck:
    """What the check found.

    Attributes:
        port: the port or URL checked.
        version: the adapter's AT I answer.
        voltage_v: AT RV in volts, or None.
        protocol: the vehicle's protocol name, or None when no vehicle answered ``0100``.
        round_trip_ms: the median time from writing an AT command to its prompt, in milliseconds (the link
            and the adapter, without the vehicle), or None.
        vehicle_ms: how long the vehicle took to answer ``0100``, in milliseconds, or None.
        capabilities: each command tried, in order.
        error: why the check stopped early (a :class:`~obdident.i18n.Text`; the error itself goes to the
            log), or None.
    """

    port: str
    version: str | None
    voltage_v: float | None
    protocol: str | None
    round_trip_ms: float | None
    vehicle_ms: float | None
    capabilities: tuple[Capability, ...]
    error: str | None = None

    def missing_for_head_unit(self) -> tuple[Capability, ...]:
        """The commands the head unit needs that the adapter answered ``?`` (no alternative supported)."""
        supported = {c.key for c in self.capabilities if c.supported}
        return tuple(
            c
            for c in self.capabilities
            if c.head_unit and c.supported is False and not _alternative_supported(c.key, supported)
        )

    @property
    def can_read_head_unit(self) -> bool:
        """True when every command the head unit needs was answered ``OK`` and the check ran to its end."""
        tried = {c.key: c.supported for c in self.capabilities}
        needed = [n.key for n in NEEDS if n.head_unit]
        return self.error is None and all(tried.get(key) is True for key in needed)


def _alternative_supported(key: str, supported: set[str]) -> bool:
    need = next((n for n in NEEDS if n.key == key), None)
    return need is not None and need.alternative is not None and need.alternative in supported


def _judge(lines: tuple[str, ...]) -> bool | None:
    cleaned = [line.strip().upper() for line in lines]
    if "OK" in cleaned:
        return True
    return False if cleaned == ["?"] else None


def check_adapter(link: object, port: str, *, clock: Clock = time.monotonic) -> AdapterCheck:
    """Set the adapter up, find the vehicle's protocol, and try each command of :data:`NEEDS` once.

    Args:
        link: an open pyserial-like port.
        port: its name or URL, for the result.
        clock: monotonic seconds.

    Returns:
        What was found; ``error`` says why the check stopped early, if it did.

    Raises:
        AdapterError, TransportError: the adapter could not be set up (silent, not an ELM327, the link).
        GuardRefusal: a defect: a line off the allowlist (nothing was sent).
    """
    driver = ELM327(link, clock=clock)  # type: ignore[arg-type]
    info = driver.initialize()
    found: list[Capability] = [
        Capability("spaces-off", "ATS0", "ATS0" not in info.unsupported, False),
        Capability("headers-on", "ATH1", True, True),  # initialize() requires it
    ]
    protocol: str | None = None
    vehicle_ms: float | None = None
    error: str | None = None
    try:
        response = driver.connect_vehicle()
        protocol = driver.protocol.name if driver.protocol else None
        vehicle_ms = response.exchange.elapsed_s * 1000
        expected = max(1, min(15, len(response.messages)))
        driver.request(b"\x01\x00", expected_frames=expected)
        counted = "response-count digit" not in driver.unsupported
        found.append(Capability("response-count", f"0100{expected:X}", counted, False))
    except (AdapterError, ProtocolError) as err:
        log.info("adapter check: no vehicle answered 0100: %s", err)
        error = T("no vehicle answered 0100")
    try:
        for need in NEEDS:
            try:
                exchange = driver.command(need.line, timeout_s=1.0)
            except GuardRefusal:
                found.append(Capability(need.key, need.line, None, need.head_unit))
                continue
            found.append(
                Capability(need.key, need.line, _judge(exchange.lines), need.head_unit, exchange.lines)
            )
        driver.command("ATD", timeout_s=1.0)  # back to the defaults: nothing set here outlives the check
    except (AdapterError, TransportError) as err:
        log.info("adapter check: the adapter stopped answering: %s", err)
        error = error or T("the adapter stopped answering")
    times = [
        x.elapsed_s * 1000 for x in driver.transcript if x.request.startswith("AT") and x.outcome == "ok"
    ]
    return AdapterCheck(
        port=port,
        version=info.version,
        voltage_v=info.voltage_v,
        protocol=protocol,
        round_trip_ms=statistics.median(times) if times else None,
        vehicle_ms=vehicle_ms,
        capabilities=tuple(found),
        error=error,
    )
