"""The ELM327 dialogue: write one command, read until the ``>`` prompt under a deadline, parse the answer.

Every line goes through the read-only :class:`~obdident.guard.Guard` first, inside :meth:`ELM327.command`,
the only method that writes. No fixed sleeps: the driver waits for the prompt, bounded by a per-command
deadline measured on an injectable clock (ELM327 datasheet, "Talking to the Vehicle").
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal
from typing import Protocol as TypingProtocol

from obdident.elm327.isotp import can_frames
from obdident.elm327.lines import (
    PROTOCOLS,
    EcuMessage,
    Protocol,
    is_info,
    looks_like_banner,
    parse_frames,
    raise_for_status,
    split_lines,
    status_of,
    strip_echo,
)
from obdident.elm327.masking import MaskedAnswer, mask_answer
from obdident.errors import (
    AdapterError,
    AdapterNotELM327Error,
    AdapterReplyError,
    AdapterResetError,
    AdapterTimeoutError,
    AnswerTooLongError,
    IsoTpTruncatedError,
    LinkLostError,
    NoDataError,
    ProtocolError,
    ScanTimeoutError,
)
from obdident.guard import Guard, canonical

__all__ = ["ELM327", "MAX_ANSWER_BYTES", "AdapterInfo", "Exchange", "Response", "SerialLike"]

log = logging.getLogger(__name__)

Clock = Callable[[], float]

#: Default receive timeout while probing for answers on CAN: 0x19 x 4.096 ms = 102 ms, twice the
#: ISO 15765-4 P2(CAN) of 50 ms (ELM327 datasheet, AT ST; ISO 15765-4 §6.3.2).
CAN_RECEIVE_TIMEOUT_HEX = "19"
_SEARCH_TIMEOUT_S = 20.0  # the automatic search tries every protocol; K-line inits take seconds each
#: The most bytes one answer may bring before the driver calls it garbled and stops reading: 256 KiB.
#: The longest legitimate answer: ISO 15765-2 first frames declare at most 4095 bytes (12-bit FF_DL, the
#: most the ELM327 reassembles: ELM327 datasheet, "Multiline Responses"), i.e. a first frame and 585
#: consecutive frames; printed with 29-bit headers and spaces (``18 DA F1 10 21 11 22 33 44 55 66 77``
#: and CR LF) that is 586 x 37 = 21,682 bytes per ECU, and at most 8 ECUs answer a functional request
#: (7E8-7EF, ISO 15765-4 §6.3.2): 173,456 bytes. The cap adds half again for echo, status lines and NULs.
MAX_ANSWER_BYTES = 256 * 1024
_VOLTAGE = re.compile(r"(\d+(?:\.\d+)?)\s*V", re.IGNORECASE)


class SerialLike(TypingProtocol):
    """What the driver needs of a port: the subset of ``serial.SerialBase`` it uses."""

    @property
    def in_waiting(self) -> int:
        """Bytes waiting to be read."""
        ...

    def read(self, size: int = 1) -> bytes:
        """Read up to ``size`` bytes, waiting at most the port's timeout."""
        ...

    def write(self, data: bytes, /) -> int | None:
        """Write all of ``data``."""
        ...

    def reset_input_buffer(self) -> None:
        """Drop bytes received and not yet read."""
        ...


@dataclass(frozen=True)
class Exchange:
    """One command and the adapter's answer.

    Attributes:
        request: the canonical line written (without CR).
        lines: the answer's lines as printed, echo and prompt removed.
        started_s: clock reading when the line was written, in seconds.
        elapsed_s: seconds from writing the line to reading the prompt (or to the failure).
        outcome: ``ok`` (the prompt came), ``timeout`` (no prompt before the deadline), ``link-lost``, or
            ``oversize`` (more than :data:`MAX_ANSWER_BYTES` without a prompt; the lines kept are its start).
    """

    request: str
    lines: tuple[str, ...]
    started_s: float
    elapsed_s: float
    outcome: str = "ok"


@dataclass(frozen=True)
class Response:
    """The answer to one request to the vehicle.

    Attributes:
        exchange: the command and the raw lines.
        messages: complete messages, one or more per answering ECU; empty for ``NO DATA``.
    """

    exchange: Exchange
    messages: tuple[EcuMessage, ...]


@dataclass(frozen=True)
class AdapterInfo:
    """What the adapter says about itself.

    Attributes:
        version: the AT I answer (``ELM327 v1.5``); clones often claim a version they do not implement.
        description: the AT @1 answer, or None when the adapter answers ``?``.
        voltage_v: the AT RV reading in volts, or None when unreadable.
        unsupported: AT commands the adapter answered with ``?`` (clone quirks), in canonical form.
    """

    version: str | None
    description: str | None
    voltage_v: float | None
    unsupported: tuple[str, ...]


def _baud_hint(port: object, text: str) -> str:
    """``text`` for a serial device (pyserial's ``serial.Serial``), whose baud rate may be wrong; "" for a
    network, Bluetooth LE or simulated port, which has no baud rate to get wrong."""
    import serial

    return text if isinstance(port, serial.Serial) else ""


class ELM327:
    """A read-only ELM327 driver over any pyserial-like port.

    Args:
        port: an open port (``serial.serial_for_url(...)``) whose read timeout is short (tens of ms).
        guard: the allowlist every line passes; a fresh :class:`Guard` when omitted.
        clock: monotonic seconds; tests pass a virtual clock.
        on_exchange: called with every exchange, failed ones included, as it is kept (masked): the
            recorder's hook.

    Attributes:
        deadline: an overall clock limit no command may pass (the scan's ``--timeout``), or None.
        transcript: every exchange so far, in order (masked data only).
        protocol: the protocol in use: found by :meth:`connect_vehicle`, or set by :meth:`use_protocol`.
        vehicle_protocol: the vehicle's own protocol: the first one that worked (the adapter may switch to
            29-bit CAN later to reach a gateway).
        search_lines: the lines the protocol search printed, for evidence.
    """

    def __init__(
        self,
        port: SerialLike,
        *,
        guard: Guard | None = None,
        clock: Clock = time.monotonic,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self._port = port
        self.guard = guard or Guard()
        self._clock = clock
        self._on_exchange = on_exchange
        self.deadline: float | None = None
        self.transcript: list[Exchange] = []
        self.protocol: Protocol | None = None
        self.vehicle_protocol: Protocol | None = None
        self._unsupported: list[str] = []
        self._settings: dict[str, str] = {}
        self._cra_works = True
        self._fc_works = True
        self._fc_id: str | None = None  # the id AT FC SH last set (kept across AT TP, cleared by AT D)
        self._pinned = False  # the adapter confirmed AT TP for self.protocol since the last reset
        self._count_works = True

    # --- the only writer --------------------------------------------------------------------------
    def command(self, line: str, *, timeout_s: float = 2.0) -> Exchange:
        """Send one line and read the answer up to the ``>`` prompt.

        Args:
            line: one command without CR (``ATI``, ``0902``).
            timeout_s: deadline for the prompt, in seconds.

        Returns:
            The exchange, echo removed, security-bearing bytes masked.

        Raises:
            GuardRefusal: the line is not on the allowlist; nothing was written.
            LinkLostError: the port failed while writing or reading.
            AdapterTimeoutError: no prompt before the deadline; the (masked) lines read so far are attached.
            ScanTimeoutError: the same, when the overall :attr:`deadline` cut the command's own short.
            AnswerTooLongError: more than :data:`MAX_ANSWER_BYTES` came without a prompt (a flood).
        """
        return self._transact(line, timeout_s)[0]

    def _keep(self, exchange: Exchange) -> None:
        self.transcript.append(exchange)
        log.debug(
            "%s -> %s (%.0f ms%s)",
            exchange.request,
            list(exchange.lines),
            exchange.elapsed_s * 1000,
            "" if exchange.outcome == "ok" else ", " + exchange.outcome,
        )
        if self._on_exchange is not None:
            self._on_exchange(exchange)

    def _transact(self, line: str, timeout_s: float) -> tuple[Exchange, MaskedAnswer]:
        text = self.guard.check(line)
        started = self._clock()
        deadline = started + timeout_s
        overall = self.deadline is not None and self.deadline < deadline
        if overall and self.deadline is not None:
            deadline = max(self.deadline, started)
        try:
            self._port.reset_input_buffer()
            self._port.write(text.encode("ascii") + b"\r")
        except OSError as err:
            self._keep(Exchange(text, (), started, self._clock() - started, "link-lost"))
            message = f"the link to the adapter failed while sending {text}: {err}"
            raise LinkLostError(message, request=text) from err
        try:
            raw = self._read_until_prompt(text, deadline, overall=overall)
        except (AdapterTimeoutError, LinkLostError, AnswerTooLongError) as err:
            self.guard.settle("unknown")  # the command may or may not have taken effect
            outcome = (
                "timeout"
                if isinstance(err, AdapterTimeoutError)
                else "oversize"
                if isinstance(err, AnswerTooLongError)
                else "link-lost"
            )
            self._keep(Exchange(text, err.response, started, self._clock() - started, outcome))
            raise
        answer = mask_answer(strip_echo(split_lines(raw), text), self.protocol)
        del raw  # only the masked lines are kept
        self.guard.settle(_outcome(text, answer.lines))
        exchange = Exchange(text, answer.lines, started, self._clock() - started)
        self._keep(exchange)
        return exchange, answer

    def _partial(self, buf: bytearray, text: str) -> tuple[str, ...]:
        return mask_answer(strip_echo(split_lines(bytes(buf)), text), self.protocol).lines

    def _read_until_prompt(self, text: str, deadline: float, *, overall: bool) -> bytes:
        """Read until the ``>`` prompt, checking the clock after every read, data or not, and the size.

        A read returns within the port's own timeout (tens of ms: ``READ_SLICE_S``), so the deadline is
        passed by at most one read; a device that streams bytes and never prompts is stopped there too.

        Raises:
            LinkLostError: the port failed.
            AdapterTimeoutError: the command's deadline passed (:class:`ScanTimeoutError` when it was the
                overall deadline).
            AnswerTooLongError: more than :data:`MAX_ANSWER_BYTES` without a prompt.
        """
        buf = bytearray()
        while True:
            try:
                waiting = self._port.in_waiting
                chunk = self._port.read(waiting or 1)
            except OSError as err:
                raise LinkLostError(
                    f"the link to the adapter failed while waiting for the answer to {text}: {err}",
                    request=text,
                    response=self._partial(buf, text),
                ) from err
            if chunk:
                buf += chunk
                if b">" in chunk:
                    return bytes(buf[: buf.rindex(b">") + 1])
                if len(buf) > MAX_ANSWER_BYTES:
                    del buf[MAX_ANSWER_BYTES:]
                    raise AnswerTooLongError(
                        f"the answer to {text} ran past {MAX_ANSWER_BYTES} bytes without a prompt: garbled",
                        request=text,
                        response=self._partial(buf, text),
                    )
            if self._clock() < deadline:
                continue
            if overall:
                raise ScanTimeoutError(
                    f"the scan's overall time limit ran out while waiting for the answer to {text}",
                    request=text,
                    response=self._partial(buf, text),
                    hint="raise the time limit (obdident scan --timeout SECONDS) if the vehicle is slow",
                )
            raise AdapterTimeoutError(
                f"the adapter did not finish answering {text} in time",
                request=text,
                response=self._partial(buf, text),
                hint="check that the adapter is powered and that nothing else uses the port",
            )

    # --- AT commands ------------------------------------------------------------------------------
    def at(self, line: str, *, timeout_s: float = 1.0, required: bool = True) -> list[str]:
        """Send an AT/ST command and return its answer lines.

        Args:
            line: the command (``ATH1``).
            timeout_s: deadline for the prompt, in seconds.
            required: when False, a ``?`` answer (a clone without the command) is recorded and tolerated.

        Returns:
            The answer lines; empty when a non-required command was answered ``?``.

        Raises:
            AdapterReplyError: the adapter answered ``?`` to a required command.
            AdapterError: the adapter reset itself (its banner appeared) in answer to something other than a
                reset, or its answer ran past :data:`MAX_ANSWER_BYTES` (an AT answer is a few bytes).
        """
        try:
            exchange = self.command(line, timeout_s=timeout_s)
        except AnswerTooLongError as err:
            raise AdapterError(
                f"the adapter's answer to {err.request} never ended "
                f"(over {MAX_ANSWER_BYTES} bytes, no prompt)",
                request=err.request,
                response=err.response[:20],
                hint="unplug the adapter for a few seconds and try again; check nothing else uses the port",
            ) from err
        lines = list(exchange.lines)
        if "?" in lines:
            if required:
                raise AdapterReplyError(
                    f"the adapter does not support {exchange.request}",
                    status="?",
                    request=exchange.request,
                    response=lines,
                )
            self._unsupported.append(exchange.request)
            return []
        if exchange.request not in ("ATZ", "ATWS", "ATI"):
            self._raise_for_reset(exchange)
        return lines

    def _raise_for_reset(self, exchange: Exchange) -> None:
        """Raise :class:`AdapterResetError` when the answer shows the adapter rebooted (banner, LV RESET)."""
        if any(looks_like_banner(x) or x.strip().upper() == "LV RESET" for x in exchange.lines):
            raise AdapterResetError(
                "the adapter reset itself (its start-up banner appeared): its settings are lost",
                request=exchange.request,
                response=exchange.lines,
                hint="check the adapter's power and that it sits firmly in the socket",
            )

    def recover(self) -> None:
        """Set the adapter up again after it reset itself, on the protocol the vehicle was found on.

        Raises:
            AdapterError, TransportError: it does not come back.
        """
        protocol = self.vehicle_protocol
        self.initialize()
        self.protocol = None
        if protocol is not None:
            self.use_protocol(protocol.number)
            if protocol.can:
                self.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)

    def initialize(self) -> AdapterInfo:
        """Bring the adapter into the state the driver relies on and read its identity.

        Settings: defaults (AT D, or AT Z when the adapter does not answer it), echo off, spaces off (saves a
        third of the bytes), headers on (each frame names its ECU). Only what differs from the defaults is
        sent: AT D restores adaptive timing AT1 and CAN automatic formatting (ELM327 datasheet, AT D), which
        the driver relies on, and the line parser takes CR or CR LF, so AT L0 would buy nothing. The receive
        timeout is set on purpose once the protocol is known (AT ST). Reads AT I, AT @1 and AT RV.

        Returns:
            What the adapter says about itself.

        Raises:
            AdapterTimeoutError: the adapter stayed silent (or flooded) even after AT Z;
                :class:`ScanTimeoutError` when the scan's overall limit ran out first.
            AdapterNotELM327Error: the device answers, but not like an ELM327.
            LinkLostError: the port failed.
        """
        try:
            first = self.command("ATD", timeout_s=1.0).lines
        except (AdapterTimeoutError, AnswerTooLongError):
            try:
                first = self.command("ATZ", timeout_s=5.0).lines
            except (AdapterTimeoutError, AnswerTooLongError) as err:
                if isinstance(err, ScanTimeoutError):
                    raise ScanTimeoutError(
                        "the adapter did not answer AT D or AT Z before the scan's time limit ran out",
                        request="ATZ",
                        response=err.response,
                        hint="check that the adapter is plugged into the car and the baud rate is right; "
                        "allow more time with --timeout SECONDS",
                    ) from err
                raise AdapterTimeoutError(
                    "the adapter did not answer AT D or AT Z",
                    request="ATZ",
                    response=err.response,
                    hint="check that the adapter is plugged into the car (it takes power from the OBD "
                    "connector)"
                    + _baud_hint(
                        self._port,
                        " and that the baud rate is right (38400 for most; some use 9600 or 115200)",
                    ),
                ) from err
        self._settings.clear()
        self._fc_id = None
        self._pinned = False
        if not any(x.upper() == "OK" or looks_like_banner(x) for x in first):
            raise AdapterNotELM327Error(
                "the device on this port does not answer like an ELM327",
                request="ATD",
                response=first,
                hint="check that the port is the OBD-II adapter's"
                + _baud_hint(self._port, " and that the baud rate is right"),
            )
        self.at("ATE0")
        self.at("ATS0", required=False)
        self.at("ATH1")
        version = _first(self.at("ATI"))
        description = _first(self.at("AT@1", required=False))
        voltage = _parse_voltage(self.at("ATRV", required=False))
        return AdapterInfo(version, description, voltage, tuple(self._unsupported))

    @property
    def flow_control_supported(self) -> bool:
        """False once the adapter answered ``?`` to AT FC SH/SD/SM (a pre-v1.1 chip or a clone)."""
        return self._fc_works

    @property
    def unsupported(self) -> tuple[str, ...]:
        """Commands the adapter answered ``?`` to so far (clone quirks), canonical form."""
        return tuple(self._unsupported)

    # --- settings and addressing, sent only when they change -----------------------------------------
    def _setting(self, key: str, line: str, *, required: bool = True) -> bool:
        """Send ``line`` unless setting ``key`` already has that value; False when answered ``?``."""
        if self._settings.get(key) == line:
            return True
        self._settings.pop(key, None)  # unknown until the adapter confirms the new value
        lines = self.at(line, required=required)
        if not lines and not required:
            return False  # answered ``?``: not supported (recorded), the setting unchanged
        if not _confirmed(line, lines):
            # Neither OK nor ``?``: the setting may or may not have changed. The guard judges later lines for
            # both (Guard.settle); the step fails here, and the next use sends the line again.
            raise AdapterReplyError(
                f"the adapter did not confirm {canonical(line)}",
                status=_first(lines) or "",
                request=canonical(line),
                response=lines,
            )
        self._settings[key] = line
        return True

    def set_receive_timeout(self, value_hex: str) -> None:
        """Set the receive timeout, AT ST hh, in 4.096 ms steps (ELM327 datasheet, AT ST).

        Args:
            value_hex: two hex digits: ``10`` is 65.5 ms, ``19`` 102 ms, ``FF`` 1.04 s.
        """
        self._setting("ST", f"ATST{value_hex}")

    def use_protocol(self, number: str) -> None:
        """Switch protocol without a search and without saving it (AT TP h).

        Used to reach 29-bit units on an 11-bit vehicle's bus (TP 7 and back to TP 6), and to talk to a
        vehicle whose generic OBD search failed (TP 6 with physical addressing: the Nissan Leaf).

        Args:
            number: ELM327 protocol number, ``1``-``C``.
        """
        if self.protocol is not None and self.protocol.number == number and self._pinned:
            return
        self._pin(number)
        self.protocol = PROTOCOLS[number]
        self.vehicle_protocol = self.vehicle_protocol or self.protocol
        for key in ("SH", "CRA", "FCSH"):
            self._settings.pop(key, None)

    def _flow_control_fits(self, protocol: Protocol) -> None:
        """Drop hand-set flow control naming a unit of the other id width (left by a 29-bit gateway probe).

        On this protocol that id would be cut or widened into a non-diagnostic one (ELM327 datasheet, AT SH),
        and the guard refuses the request. Automatic flow control (AT FC SM 0) names no id and suits the OBD
        responders (ISO 15765-4 §6.3.2); the next :meth:`address` sets it by hand again. Checked before each
        request, so a unit addressed right after AT TP costs no extra line.
        """
        if not protocol.can or self._fc_id is None or self._settings.get("FCSM") != "ATFCSM1":
            return
        if (len(self._fc_id) == 3) != (protocol.header_bits == 11):
            self._setting("FCSM", "ATFCSM0")

    def _pin(self, number: str) -> None:
        """Send AT TP ``number``; remember whether the adapter confirmed it.

        Raises:
            AdapterReplyError: the adapter answered neither ``OK`` nor in time: the protocol is unknown.
        """
        self._pinned = False
        lines = self.at(f"ATTP{number}")
        if not _confirmed("ATTP", lines):
            raise AdapterReplyError(
                f"the adapter did not confirm ATTP{number}",
                status=_first(lines) or "",
                request=f"ATTP{number}",
                response=lines,
            )
        self._pinned = True

    def functional(self) -> None:
        """Back to functional addressing on the vehicle's protocol: the OBD functional header (7DF, or
        18DB33F1 on 29-bit CAN) and no receive filter but the OBD responders' (ISO 15765-4 §6.3.2)."""
        protocol = self.vehicle_protocol
        if protocol is None or not protocol.can:
            return
        self.use_protocol(protocol.number)
        eleven = protocol.header_bits == 11
        self._setting("SH", "ATSH7DF" if eleven else "ATSH18DB33F1")
        if self._cra_works:
            self._setting("CRA", "ATCRA")
        else:
            self._setting("CF", "ATCF7E8" if eleven else "ATCF18DAF100")
            self._setting("CM", "ATCM7F8" if eleven else "ATCM1FFFFF00")

    def address(self, request_id: str, response_id: str | None, *, flow_control: bool = True) -> None:
        """Address one unit physically: header, receive filter and flow control.

        AT SH sets the request id. On CAN, AT CRA keeps only the unit's frames (clones that answer ``?``
        get AT CF + AT CM instead), and flow control is set by hand (AT FC SM 1, AT FC SD 30 00 00, AT FC SH
        request id), because the ELM327's automatic flow control only suits 7E8-7EF responders (ELM327
        datasheet, "Altering Flow Control Messages"; evidence: wican-fw issue #288).

        Args:
            request_id: the unit's request id (``745``, ``18DAD0F1``) or, on K-line, a 3-byte header
                (``8110FC``).
            response_id: the id it answers on (``7XX``: any 7xx id, for a sweep), or None for no filter.
            flow_control: set flow control for multi-frame answers (a sweep's probes need none).
        """
        self._setting("SH", f"ATSH{request_id}")
        if self.protocol is None or not self.protocol.can:
            return
        if response_id is not None:
            if self._cra_works:
                self._cra_works = self._setting("CRA", f"ATCRA{response_id}", required=False)
            if not self._cra_works:
                wildcard = "X" in response_id
                mask = "700" if wildcard else "7FF" if len(response_id) == 3 else "1FFFFFFF"
                self._setting("CF", f"ATCF{response_id.replace('X', '0')}")
                self._setting("CM", f"ATCM{mask}")
        else:
            self._setting("CRA", "ATCRA")
        if not flow_control:
            return
        # FC SH and FC SD first: AT FC SM 1 is an error until both are set (ELM327 datasheet,
        # "Altering Flow Control Messages"). Chips older than v1.1 (and clones claiming more) lack them:
        # then only single-frame answers and 7E8-7EF responders come through whole.
        if self._fc_works:
            self._fc_works = (
                self._setting("FCSH", f"ATFCSH{request_id}", required=False)
                and self._setting("FCSD", "ATFCSD300000", required=False)
                and self._setting("FCSM", "ATFCSM1", required=False)
            )
            self._fc_id = request_id if self._fc_works else None
            if not self._fc_works and self._settings.get("FCSM") == "ATFCSM1":
                # The adapter refused part of the set-up: its flow control may still name the previous unit.
                # Automatic flow control (mode 0) names no id, so nothing stale can go out (obdident.guard).
                self._setting("FCSM", "ATFCSM0", required=False)

    # --- talking to the vehicle -------------------------------------------------------------------
    def connect_vehicle(self, *, timeout_s: float = _SEARCH_TIMEOUT_S) -> Response:
        """Find the vehicle's protocol, trying ISO 15765-4 CAN 11-bit 500k first.

        Sends AT TP A6 (try protocol 6, fall back to the automatic search: nothing is saved, unlike AT SP)
        and then service 01 PID 00, which every OBD-II ECU answers, so the search completes. Then reads the
        protocol with AT DPN, pins it with AT TP h and, on CAN, sets the receive timeout (AT ST) to twice
        P2(CAN).

        Args:
            timeout_s: deadline for the search, in seconds.

        Returns:
            The answer to ``0100``: which ECUs are present.

        Raises:
            UnableToConnectError: no protocol found (ignition off, or a vehicle without OBD emissions ECUs).
            AdapterReplyError: ``CAN ERROR``, ``BUS INIT: ...ERROR`` and the like.
        """
        self.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)  # P2(CAN) x 2 (J1850's P2 is 100 ms, still within)
        self.at("ATTPA6")
        exchange = self.command("0100", timeout_s=timeout_s)
        raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
        number = (_first(self.at("ATDPN")) or "").upper().lstrip("A")
        protocol = PROTOCOLS.get(number)
        if protocol is None:
            raise AdapterError(
                f"the adapter reports an unknown protocol {number!r}", request="ATDPN", response=[number]
            )
        # Pin what the search found (AT TP h saves nothing): the guard judges a header by the protocol's id
        # width and family, which the wire shows only once pinned (obdident.guard).
        with contextlib.suppress(AdapterReplyError):  # unpinned: use_protocol sends it again before a header
            self._pin(protocol.number)
        self.protocol = self.vehicle_protocol = protocol
        if protocol.can:
            self.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
        answer = mask_answer(exchange.lines, protocol)
        if answer.error is not None:
            raise answer.error
        return Response(exchange, answer.messages or ())

    def request(
        self, payload: bytes, *, expected_frames: int | None = None, timeout_s: float = 2.0
    ) -> Response:
        """Send a request to the vehicle and collect every ECU's answer.

        Args:
            payload: the request bytes (``09 02``), without the ISO-TP PCI: the adapter adds it.
            expected_frames: the number of frames (lines) expected, 1-15: the response-count digit. The
                adapter then returns as soon as that many arrived instead of waiting out AT ST (ELM327
                v1.3+). It may be a guess: when it cut a multi-frame answer short, the request is sent again
                without it; a chip that answers ``?`` to it never gets it again.
            timeout_s: deadline for the prompt, in seconds.

        Returns:
            The exchange and the reassembled messages; no messages on ``NO DATA``.

        Raises:
            AdapterError: called before :meth:`connect_vehicle`.
            AdapterReplyError: a status line other than ``NO DATA`` (``CAN ERROR``, ``BUFFER FULL`` ...).
            ProtocolError: lines that are not frames, or frames that do not reassemble.
        """
        if self.protocol is None:
            raise AdapterError("no vehicle protocol yet: connect_vehicle() first")
        self._flow_control_fits(self.protocol)
        line = payload.hex().upper()
        if self._count_works and expected_frames is not None and 1 <= expected_frames <= 15:
            exchange, answer = self._transact(line + f"{expected_frames:X}", timeout_s)
            if [x.strip() for x in exchange.lines] == ["?"]:
                # a chip before v1.3 (or a clone claiming more) does not take the response-count digit
                self._count_works = False
                self._unsupported.append("response-count digit")
                exchange, answer = self._transact(line, timeout_s)
            elif isinstance(answer.error, IsoTpTruncatedError):
                # the guess was short: the adapter stopped mid-message. The first frames it did show declare
                # each message's length: ask again for exactly that many frames (or wait out AT ST).
                needed = _frames_declared(exchange.lines, self.protocol)
                retry = f"{needed:X}" if needed is not None and needed <= 15 else ""
                exchange, answer = self._transact(line + retry, timeout_s)
        else:
            exchange, answer = self._transact(line, timeout_s)
        self._raise_for_reset(exchange)
        try:
            raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
        except NoDataError:
            return Response(exchange, ())
        if answer.error is not None:
            raise answer.error
        return Response(exchange, answer.messages or ())


def _frames_declared(lines: Sequence[str], protocol: Protocol) -> int | None:
    """Frames the answer needs, from its single and first frames' declared lengths (ISO 15765-2 §9.6)."""
    try:
        frames = parse_frames([x for x in lines if status_of(x) is None and not is_info(x)], protocol)
    except ProtocolError:
        return None
    total = 0
    for frame in frames:
        kind = frame.data[0] >> 4 if frame.data else -1
        if kind == 0:
            total += 1
        elif kind == 1 and len(frame.data) >= 2:
            total += can_frames(((frame.data[0] & 0x0F) << 8) | frame.data[1])
    return total or None


def _confirmed(text: str, lines: Sequence[str]) -> bool:
    """Whether the adapter confirmed an AT command: ``OK``, or for a reset its banner (ELM327 datasheet)."""
    if any(line.strip().upper() == "OK" for line in lines):
        return True
    return text in ("ATZ", "ATWS", "ATD") and any(looks_like_banner(line) for line in lines)


def _outcome(text: str, lines: Sequence[str]) -> Literal["confirmed", "refused", "unknown"]:
    """How the adapter answered an AT command, for :meth:`Guard.settle`: ``?`` means not carried out."""
    if _confirmed(text, lines):
        return "confirmed"
    return "refused" if [line.strip() for line in lines] == ["?"] else "unknown"


def _first(lines: list[str]) -> str | None:
    return lines[0] if lines else None


def _parse_voltage(lines: list[str]) -> float | None:
    for line in lines:
        match = _VOLTAGE.fullmatch(line.strip())
        if match:
            return float(match.group(1))
    return None
