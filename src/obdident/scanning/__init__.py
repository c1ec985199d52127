"""The identification scan: adapter set-up, protocol search, service 09, physical addresses, report.

:func:`scan` is the library's entry point and what ``obdident scan`` runs; :func:`scan_port` scans over a
port already open. Once the port is open, a scan always returns a :class:`~obdident.model.Report`: a
failure part-way (link lost, adapter reset, overall deadline) becomes a problem and ``complete: false``, and
everything read before it stays in the report.

The package, by composition: :mod:`~obdident.scanning.runner` orders the steps over a
:class:`~obdident.scanning.state.ScanState`; :mod:`~obdident.scanning.obd09`,
:mod:`~obdident.scanning.physical` and :mod:`~obdident.scanning.sweep` are the steps;
:mod:`~obdident.scanning.ask` holds the one retry policy; :mod:`~obdident.scanning.assess` and
:mod:`~obdident.scanning.outcome` turn what was read into conclusions and the report.

It is named ``scanning``, not ``scan``: Python binds a submodule as an attribute of its parent package when
it is imported, so a ``obdident.scan`` package would replace the ``obdident.scan()`` function.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from obdident.elm327.driver import ELM327, Clock, Exchange
from obdident.interrupt import CancelToken
from obdident.model import Report
from obdident.recording.protocol_replay import Serial as ReplayPort
from obdident.scanning.outcome import build_report
from obdident.scanning.runner import Progress, Runner
from obdident.scanning.state import ScanOptions, ScanState
from obdident.transports import DEFAULT_BAUDRATE, open_port
from obdident.transports.links import describe

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient

__all__ = ["DEMO_PORT", "CancelToken", "PortOpener", "Progress", "ScanOptions", "scan", "scan_port"]

log = logging.getLogger(__name__)

#: The built-in demonstration vehicle (a synthesised Nissan X-Trail T32 profile; no hardware needed).
DEMO_PORT = "sim://nissan-xtrail-t32"


class PortOpener(Protocol):
    """How :func:`scan` opens its port: :func:`obdident.transports.open_port`'s signature (tests pass a fake
    that wraps it, or opens something else)."""

    def __call__(self, url: str, *, baudrate: int, ble_backend: type[BaseBleakClient] | None) -> Any:
        """Open ``url``; raise :class:`~obdident.errors.TransportError` when it cannot be opened."""
        ...


def _utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def scan_port(
    link: object,
    port: str,
    *,
    options: ScanOptions | None = None,
    timeout_s: float = 120.0,
    progress: Progress | None = None,
    clock: Clock = time.monotonic,
    on_exchange: Callable[[Exchange], None] | None = None,
    checkpoint: Callable[[Report], None] | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Scan over a port that is already open.

    Args:
        link: an open pyserial-like port (see :class:`~obdident.elm327.driver.SerialLike`). A ``replay://``
            port's recorded start time, duration, port and link kind go into the report, so a replayed
            session gives the same report as the recorded scan.
        port: its name or URL, for the report.
        options: make, physical discovery, sweep (:class:`ScanOptions`).
        timeout_s: overall limit in seconds: checked between steps, and no command waits past it.
        progress: called with a short description before each long step.
        clock: monotonic seconds.
        on_exchange: called with every exchange with the adapter, masked (the recorder's hook).
        checkpoint: called with a partial report (``complete`` False) after each step, so a caller can keep
            the last good report if the process dies.
        cancel: polled before each line, after every read and between steps; once cancelled, the scan
            stops there with the problem ``interrupted`` and returns what it read.

    Returns:
        The report; ``complete`` is False when a step failed or the scan was cancelled, and its problems
        say which.

    Raises:
        ScanCancelled: the scan was cancelled while setting up the adapter (nothing read yet).
        AdapterError: the adapter could not be set up (nothing was read from the vehicle).
        TransportError: the link failed during set-up.
        GuardRefusal: a line was refused by the read-only guard (a defect; nothing was sent).
    """
    replay = link.replay_meta if isinstance(link, ReplayPort) else None
    started_at, started = (replay.started_at if replay else _utc_now()), clock()
    driver = ELM327(link, clock=clock, on_exchange=on_exchange, cancel=cancel)  # type: ignore[arg-type]
    driver.deadline = started + timeout_s  # the scan's one deadline: the runner reads it from the driver
    state = ScanState(options or ScanOptions(), port, describe(link, port), timeout_s)
    if replay is not None:
        state.port, state.transport = replay.port, replay.transport

    def duration() -> float:
        return replay.duration_s if replay is not None else max(0.0, clock() - started)

    def report(complete: bool) -> Report:
        return build_report(state, driver, complete=complete, started_at=started_at, duration_s=duration())

    on_step = (lambda: checkpoint(report(False))) if checkpoint is not None else (lambda: None)
    complete = Runner(driver, state, progress or (lambda _msg: None), clock, on_step).run()
    result = report(complete)
    log.info(
        "scan finished: complete=%s, %d ECUs, %d problems", complete, len(result.ecus), len(result.problems)
    )
    return result


def scan(
    port: str,
    *,
    baudrate: int = DEFAULT_BAUDRATE,
    make: str | None = None,
    sweep: bool = False,
    full: bool = False,
    timeout_s: float = 120.0,
    progress: Progress | None = None,
    on_exchange: Callable[[Exchange], None] | None = None,
    checkpoint: Callable[[Report], None] | None = None,
    clock: Clock = time.monotonic,
    opener: PortOpener = open_port,
    ble_backend: type[BaseBleakClient] | None = None,
    cancel: CancelToken | None = None,
) -> Report:
    """Open ``port``, scan the vehicle read-only, close the port, and return the report.

    Args:
        port: ``/dev/ttyUSB0``, ``COM5``, ``socket://192.168.0.10:35000``, ``sim://PROFILE`` ...
        baudrate: serial speed in baud (38400 for most adapters).
        make: ``nissan`` to treat the vehicle as a Nissan when it does not show it (see :class:`ScanOptions`).
        sweep: also probe every 11-bit physical id 700-7F7.
        full: also probe the units the vehicle's family does not have by the public record and the OBD
            addresses silent to ``0100``, each asked its identification at once (see :class:`ScanOptions`).
        timeout_s: overall limit in seconds.
        on_exchange: called with every (masked) exchange with the adapter, for recording.
        checkpoint: called with a partial report after each step (see :func:`scan_port`).
        progress: called with a short description before each long step.
        clock: monotonic seconds (tests pass a virtual clock).
        opener: opens the port (:func:`obdident.transports.open_port`; tests pass a fake).
        ble_backend: the bleak client backend for a ``ble://`` port (a fake device in tests); None: the
            platform's.
        cancel: the scan's cancel token (see :func:`scan_port`).

    Returns:
        The report; see :func:`scan_port`.

    Raises:
        TransportError: the port could not be opened (subclasses say why).
        ScanCancelled: cancelled before anything was read.
        AdapterError: the adapter is silent or is not an ELM327.
        GuardRefusal: a defect tried to send a line off the allowlist; nothing was sent.
    """
    link = opener(port, baudrate=baudrate, ble_backend=ble_backend)
    try:
        options = ScanOptions(make=make, sweep=sweep, full=full)
        return scan_port(
            link,
            port,
            options=options,
            timeout_s=timeout_s,
            progress=progress,
            clock=clock,
            on_exchange=on_exchange,
            checkpoint=checkpoint,
            cancel=cancel,
        )
    finally:
        link.close()
