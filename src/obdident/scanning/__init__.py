"""The identification scan: adapter set-up, protocol search, service 09, VIN cross-check, report.

:func:`scan` is the library's entry point and what ``obdident scan`` runs. Once the port is open, a scan
always returns a :class:`~obdident.model.Report`: a failure part-way (link lost, adapter reset,
overall deadline) becomes a problem and ``complete: false``, and everything read before it stays in the
report.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import replace

from obdident import __version__, assess
from obdident.discovery import UnitResult, identify, identify_kline, sweep
from obdident.elm327.driver import ELM327, Clock, Exchange
from obdident.errors import (
    AdapterError,
    AdapterResetError,
    ProtocolError,
    ReplayDivergedError,
    ScanTimeoutError,
    TransportError,
    UnableToConnectError,
)
from obdident.model import (
    AdapterSummary,
    Report,
    UnknownUnit,
)
from obdident.scan09 import Service09Steps
from obdident.scanstate import MAX_COUNT_DIGIT, Progress, ScanDeadline, ScanOptions
from obdident.transports import DEFAULT_BAUDRATE, open_port
from obdident.vehicles import addresses, nissan
from obdident.vehicles.nissan import Unit
from obdident.vehicles.vin import VinInfo, decode_vin

__all__ = ["DEMO_PORT", "Progress", "ScanOptions", "scan", "scan_port"]

log = logging.getLogger(__name__)

#: The built-in demonstration vehicle (a synthesised Nissan X-Trail T32 profile; no hardware needed).
DEMO_PORT = "sim://nissan-xtrail-t32"

#: Problems that mean a planned step did not run to its end for some ECU (it stopped answering, its answer
#: was garbled so the step was skipped, it never got past busy / pending): the report is not complete. An
#: answer that arrived whole but could not be decoded (``undecodable-answer``) is not among them: its step
#: ran to its end, and the problem says which value is missing.
INCOMPLETE_CODES = frozenset(
    {
        "no-answer",
        "stopped-answering",
        "garbled-answer",
        "response-pending-storm",
        "busy",
        "vehicle-went-quiet",
    }
)


class _Scanner(Service09Steps):
    # --- steps --------------------------------------------------------------------------------------
    def run(self) -> bool:
        """Run every step; return True when all ran to their end. Raises only before the vehicle answered."""
        self.progress("Setting up the adapter")
        self.info = self.driver.initialize()  # raises: nothing read yet (a limit that ran out says so)
        self.progress("Searching for the vehicle's OBD-II protocol (ignition must be on)")
        try:
            first = self.driver.connect_vehicle()
        except UnableToConnectError as err:
            log.info("generic OBD search failed: %s", err)
            return self._without_obd()
        except ScanTimeoutError as err:
            self._stopped(err)
            return False
        except (AdapterError, ProtocolError) as err:
            self._problem("no-vehicle-response", f"The adapter could not reach the vehicle: {err}")
            return False
        except TransportError as err:
            self._stopped(err)
            return False
        self._record(first)
        self.first_responders = len(first.messages)
        try:
            self._service_09()
            self._physical()
            self._step(self._still_there)
        except (TransportError, AdapterError, ProtocolError, ScanDeadline) as err:
            self._stopped(err)
            return False
        return True

    def _still_there(self) -> None:
        """Ask once more what answered first: silence now means the vehicle went quiet during the scan
        (ignition switched off), so units probed late may be missing though they exist."""
        driver = self.driver
        if driver.vehicle_protocol is None or not driver.vehicle_protocol.can:
            return
        if self.first_responders:
            driver.functional()
            count = self.first_responders if self.first_responders <= MAX_COUNT_DIGIT else None
            answered = bool(driver.request(b"\x01\x00", expected_frames=count).messages)
        else:
            first = next((s.physical for s in self.ecus.values() if s.physical), None)
            request = (
                next((e.request for e in first.evidence if e.request.startswith("21")), None)
                if first
                else None
            )
            if first is None or request is None:
                return
            driver.use_protocol(driver.vehicle_protocol.number)
            driver.address(first.unit.request_id, first.unit.response_id)
            response = driver.request(bytes.fromhex(request[:4]))
            answered = any(m.response_id == first.unit.response_id for m in response.messages)
        if not answered:
            self._problem(
                "vehicle-went-quiet",
                "The vehicle stopped answering during the scan (was the ignition switched off?): units "
                "probed after that may be missing from this report though they exist. Scan again with the "
                "ignition on.",
            )

    def _stopped(self, err: Exception) -> None:
        if isinstance(err, (ScanTimeoutError, ScanDeadline)) or self.clock() >= self.deadline:
            limit = f" of {self.limit_s:g} s" if self.limit_s is not None else ""
            self._problem(
                "scan-timeout",
                f"The scan's time limit{limit} ran out ({err}); the scan stopped there and what was read is "
                "kept. Allow more time with --timeout SECONDS (timeout_s in Python).",
            )
            return
        self._problem(_failure_code(err), f"The scan stopped early: {err}. What was read is kept.")

    def _without_obd(self) -> bool:
        """No ECU answered the generic OBD request: try CAN 11-bit 500k, physical addressing (the Leaf)."""
        no_vehicle = (
            "No ECU answered the generic OBD-II request (UNABLE TO CONNECT), nor any known unit on its "
            "physical address. Switch the ignition on (the engine may stay off) and check the adapter sits "
            "firmly in the OBD-II socket."
        )
        if not self.options.physical:
            self._problem("no-vehicle-response", no_vehicle)
            return False
        self.progress("No generic OBD-II answer: trying physical addresses on CAN 11-bit 500k")
        try:
            self.driver.use_protocol("6")
            self._physical()
            self._step(self._still_there)
        except (TransportError, AdapterError, ProtocolError, ScanDeadline) as err:
            timed_out = isinstance(err, (ScanTimeoutError, ScanDeadline)) or self.clock() >= self.deadline
            if not self.ecus and not timed_out:
                self._problem("no-vehicle-response", no_vehicle)
                return False
            self._stopped(err)
            return False
        if not self.ecus:
            self._problem("no-vehicle-response", no_vehicle)
            return False
        self._problem(
            "no-generic-obd",
            "No ECU answered the generic OBD-II request (normal for an electric Nissan Leaf); the units "
            "below were read on their physical addresses.",
        )
        return True

    # --- physical addresses -------------------------------------------------------------------------
    def _vin_info(self) -> VinInfo | None:
        """The first usable VIN read so far, decoded."""
        vin = next((s.value for s in self.vin_sources if s.value), None)
        return decode_vin(vin) if vin else None

    def nissan_basis(self) -> str | None:
        if self.options.make == "nissan":
            return "--make nissan (given by the user)"
        vin_info = self._vin_info()
        calids = [c for state in self.ecus.values() for c in state.calibration_ids]
        return nissan.nissan_basis(
            vin_info.manufacturer if vin_info else None, vin_info.wmi if vin_info else None, calids
        )

    def _units(self) -> list[Unit]:
        """The candidates: the Nissan table unless the vehicle is shown to be another make."""
        basis = self.nissan_basis()
        other_make = False
        if basis is None:
            info = self._vin_info()
            other_make = info is not None and info.manufacturer is not None
        if not other_make and self.options.make in (None, "nissan"):
            return list(nissan.UNITS)
        # another make: only the legislated OBD ECUs that answered, read with generic UDS identification
        return [
            Unit(addresses.name_for(rid) or f"ECU {rid}", "OBD-II ECU", req, rid, "uds", "confirmed",
                 "ISO 15765-4 legislated OBD ids")
            for rid, req in ((r, addresses.request_id_for(r)) for r in self.ecus)
            if req is not None and len(req) == 3
        ]  # fmt: skip

    def _physical(self) -> None:
        protocol = self.driver.protocol
        if not self.options.physical or protocol is None:
            return
        if not protocol.can:
            if protocol.number in ("4", "5"):
                self._check_deadline()
                self.progress("Reading the engine ECU's identification over K-line (1A 81)")
                self._merge(identify_kline(self.driver))
            return
        basis = self.nissan_basis()
        if basis is not None:
            self.driver.guard.establish_nissan(basis)
        for unit in self._units():
            self._check_deadline()
            self.progress(f"Looking for the {unit.description} ({unit.request_id})")
            self.probed.append(unit)
            self._step(functools.partial(self._identify, unit))
            if not self._nissan() and self.vin_sources:
                basis = self.nissan_basis()
                if basis is not None:
                    self.driver.guard.establish_nissan(basis)
        if self.options.sweep:
            self._check_deadline()
            self.progress("Sweeping every physical id 700-7F7 (--sweep)")
            self.driver.use_protocol(
                {"7": "6", "9": "8"}.get(self.driver.protocol.number, self.driver.protocol.number)
                if self.driver.protocol
                else "6"
            )
            known = {u.request_id for u in self.probed}
            for found in sweep(self.driver, known):
                self.unknown.append(
                    UnknownUnit(found.request_id, found.response_id, found.answer, found.evidence)
                )

    def _identify(self, unit: Unit) -> None:
        result = UnitResult(unit)
        try:
            identify(self.driver, unit, nissan=self._nissan(), result=result)
        except AdapterResetError:
            raise  # the step is repeated from the start: what this try gave is read again
        except BaseException:
            self._merge(result)  # keep what the unit gave before the failure
            raise
        self._merge(result)

    def _nissan(self) -> bool:
        return self.driver.guard.context.nissan_basis is not None

    def _merge(self, result: UnitResult) -> None:
        self.problems.extend(result.problems)
        self.vin_sources.extend(result.vin_sources)
        if result.present:
            state = self._ecu(result.unit.response_id)
            state.physical = result
            state.vin = state.vin or next((s.value for s in result.vin_sources if s.value), None)

    # --- result -------------------------------------------------------------------------------------
    def report(self, complete: bool, started_at: str, duration_s: float) -> Report:
        """Build the report from what was read so far (callable at any step: nothing here mutates)."""
        problems = list(self.problems)
        vehicle = assess.vehicle(self.vin_sources, bool(self.ecus), problems)
        physical = [s.physical for s in self.ecus.values() if s.physical]
        family = assess.family(vehicle.vin, physical)
        vehicle = replace(
            vehicle,
            family=family[0].name if family else None,
            family_basis=family[1] if family else None,
            make_basis=self.driver.guard.context.nissan_basis or self.nissan_basis(),
        )
        head_unit = None
        if self.ecus and self.options.physical:
            head_unit = assess.head_unit(
                self.probed,
                physical,
                family[0] if family else None,
                nissan_table=any(u.head_unit for u in self.probed),
            )
        lost = any(p.code in INCOMPLETE_CODES for p in problems)
        return Report(
            complete=complete and not lost,
            vehicle=vehicle,
            adapter=self.adapter(),
            ecus=tuple(state.build() for state in self.ecus.values()),
            problems=tuple(problems),
            head_unit=head_unit,
            unknown_units=tuple(self.unknown),
            tool={"name": "obdident", "version": __version__},
            started_at=started_at,
            duration_s=duration_s,
        )

    def adapter(self) -> AdapterSummary:
        protocol = self.driver.vehicle_protocol
        info = self.info
        return AdapterSummary(
            port=self.port,
            transport=self.transport,
            version=info.version if info else None,
            description=info.description if info else None,
            protocol=protocol.name if protocol else None,
            protocol_number=protocol.number if protocol else None,
            voltage_v=info.voltage_v if info else None,
            unsupported_commands=self.driver.unsupported,
        )


def _failure_code(err: Exception) -> str:
    if isinstance(err, ScanDeadline):
        return "scan-timeout"
    if isinstance(err, ReplayDivergedError):
        return "replay-diverged"
    if isinstance(err, TransportError):
        return "link-lost"
    if isinstance(err, ProtocolError):
        return "garbled-answer"
    return "adapter-error"


def describe_link(port: str, link: object) -> str:
    """Name the kind of link: serial, WiFi (TCP), Bluetooth LE with the adapter family, RFCOMM, simulated."""
    scheme = port.split("://", 1)[0].lower() if "://" in port else ""
    if scheme == "ble":
        return f"Bluetooth LE ({getattr(link, 'family', None) or 'unknown'} family)"
    return {
        "socket": "TCP (WiFi adapter)",
        "rfcomm": "Bluetooth Classic (RFCOMM socket)",
        "sim": "simulated adapter and vehicle",
        "replay": "recorded session",
    }.get(scheme, "serial port")


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

    Returns:
        The report; ``complete`` is False when a step failed, and its problems say which.

    Raises:
        AdapterError: the adapter could not be set up (nothing was read from the vehicle).
        TransportError: the link failed during set-up.
        GuardRefusal: a line was refused by the read-only guard (a defect; nothing was sent).
    """
    replay = getattr(link, "replay_meta", None)
    started_at, started = (replay.started_at if replay else _utc_now()), clock()
    driver = ELM327(link, clock=clock, on_exchange=on_exchange)  # type: ignore[arg-type]
    driver.deadline = started + timeout_s
    scanner = _Scanner(
        driver, port, progress or (lambda _msg: None), started + timeout_s, clock, options or ScanOptions()
    )
    scanner.limit_s = timeout_s
    scanner.transport = describe_link(port, link)
    if replay is not None:
        scanner.port, scanner.transport = replay.port, replay.transport

    def duration() -> float:
        return replay.duration_s if replay is not None else max(0.0, clock() - started)

    if checkpoint is not None:
        scanner.on_step = lambda: checkpoint(scanner.report(False, started_at, duration()))
    complete = scanner.run()
    report = scanner.report(complete, started_at, duration())
    log.info(
        "scan finished: complete=%s, %d ECUs, %d problems", complete, len(report.ecus), len(report.problems)
    )
    return report


def scan(
    port: str,
    *,
    baudrate: int = DEFAULT_BAUDRATE,
    make: str | None = None,
    sweep: bool = False,
    timeout_s: float = 120.0,
    progress: Progress | None = None,
    on_exchange: Callable[[Exchange], None] | None = None,
    checkpoint: Callable[[Report], None] | None = None,
) -> Report:
    """Open ``port``, scan the vehicle read-only, close the port, and return the report.

    Args:
        port: ``/dev/ttyUSB0``, ``COM5``, ``socket://192.168.0.10:35000``, ``sim://PROFILE`` ...
        baudrate: serial speed in baud (38400 for most adapters).
        make: ``nissan`` to treat the vehicle as a Nissan when it does not show it (see :class:`ScanOptions`).
        sweep: also probe every 11-bit physical id 700-7F7.
        timeout_s: overall limit in seconds.
        on_exchange: called with every (masked) exchange with the adapter, for recording.
        checkpoint: called with a partial report after each step (see :func:`scan_port`).
        progress: called with a short description before each long step.

    Returns:
        The report; see :func:`scan_port`.

    Raises:
        TransportError: the port could not be opened (subclasses say why).
        AdapterError: the adapter is silent or is not an ELM327.
        GuardRefusal: a defect tried to send a line off the allowlist; nothing was sent.
    """
    link = open_port(port, baudrate=baudrate)
    try:
        options = ScanOptions(make=make, sweep=sweep)
        return scan_port(
            link,
            port,
            options=options,
            timeout_s=timeout_s,
            progress=progress,
            on_exchange=on_exchange,
            checkpoint=checkpoint,
        )
    finally:
        link.close()
