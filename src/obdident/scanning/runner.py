"""The scan's order of steps: adapter set-up, protocol search, service 09, physical addresses, sweep, and
a last check that the vehicle still answers.

:class:`Runner` calls the step functions (:mod:`~obdident.scanning.obd09`, :mod:`~obdident.scanning.physical`,
:mod:`~obdident.scanning.sweep`) over one :class:`~obdident.scanning.state.ScanState`. It owns the reset
recovery (a step the adapter's own reset cut short is repeated once), the one deadline (the driver's: no
command waits past it, and the runner checks it between steps), and the events: ``progress`` before each
long step and ``on_step`` after each. It does no I/O of its own beyond the driver.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from obdident.elm327.driver import ELM327, Clock
from obdident.errors import (
    AdapterError,
    AdapterReplyError,
    AdapterResetError,
    IsoTpTruncatedError,
    LinkLostError,
    ProtocolError,
    ScanCancelled,
    ScanDeadline,
    ScanTimeoutError,
    TransportError,
    UnableToConnectError,
)
from obdident.i18n import T
from obdident.scanning import adapter_flaws, assess, obd09, physical, second_can
from obdident.scanning.kline import identify_kline
from obdident.scanning.not_probed import not_probed
from obdident.scanning.state import MAX_COUNT_DIGIT, ScanState, UnitResult
from obdident.scanning.stopped import file_stop
from obdident.scanning.sweep import sweep
from obdident.vehicles.families import Found
from obdident.vehicles.nissan import Unit

__all__ = ["Progress", "Runner"]

log = logging.getLogger(__name__)

#: Called with a short description (a :class:`~obdident.i18n.Text`) before each long step.
Progress = Callable[[str], None]

_NO_VEHICLE = T(
    "No unit of the vehicle answered. Switch the ignition on (the engine may stay off) and check the "
    "adapter sits firmly in the OBD-II socket."
)
_NO_VEHICLE_DETAIL = (
    "no ECU answered the generic OBD-II request (UNABLE TO CONNECT), nor any known unit on its physical "
    "address"
)


class Runner:
    """Runs a scan's steps in order over one state.

    Attributes:
        driver: the adapter's driver; its ``deadline`` is the scan's one overall deadline.
        state: what was read so far.
        progress: called before each long step.
        clock: monotonic seconds (the driver's clock).
        on_step: called after each step (the checkpoint).
    """

    def __init__(
        self, driver: ELM327, state: ScanState, progress: Progress, clock: Clock, on_step: Callable[[], None]
    ) -> None:
        self.driver = driver
        self.state = state
        self.progress = progress
        self.clock = clock
        self.on_step = on_step

    # --- the one deadline, the recovery -------------------------------------------------------------
    def _expired(self) -> bool:
        return self.driver.deadline is not None and self.clock() >= self.driver.deadline

    def _check_cancel(self) -> None:
        cancel = self.driver.cancel
        if cancel is not None and cancel.cancelled:
            raise ScanCancelled(f"the scan was cancelled ({cancel.reason}) between two steps")

    def _check_deadline(self) -> None:
        self._check_cancel()
        if self.driver.deadline is not None and self.clock() > self.driver.deadline:
            raise ScanDeadline("the scan's overall time limit ran out")

    def _announce(self, label: str) -> None:
        self._check_deadline()
        self.progress(label)

    def _step(self, step: Callable[[], None]) -> None:
        """Run one step; when the adapter resets itself, set it up again once and repeat the step."""
        self._check_cancel()  # a cancel that came during the step before is not run past
        try:
            step()
        except IsoTpTruncatedError as err:
            if not err.after_first_frame:
                self._garbled(err)
            else:
                adapter_flaws.first_frame_only(self.state, self.driver, err)
        except ProtocolError as err:
            self._garbled(err)
        except AdapterReplyError as err:
            if err.status not in adapter_flaws.DROPPING_STATUS:
                raise
            adapter_flaws.dropped(self.state, err)
        except AdapterResetError as err:
            if self.state.recovered:
                raise
            self.state.recovered = True
            self.state.problem(
                "adapter-reset",
                T(
                    "The adapter reset itself during the scan; obdident set it up again and repeated that "
                    "step. Check its power and that it sits firmly in the socket."
                ),
                detail=f"it reset while answering {err.request}",
            )
            self.driver.recover()
            step()
        self._derive()
        self.on_step()

    def _garbled(self, err: ProtocolError) -> None:
        self.state.problem(
            "garbled-answer",
            T("An answer could not be read; that step was skipped and the scan went on."),
            detail=str(err),
        )

    # --- steps --------------------------------------------------------------------------------------
    def run(self) -> bool:
        """Run every step; return True when all ran to their end.

        Raises:
            AdapterError, TransportError: only while setting up the adapter (nothing read yet); an expired
                ``--timeout`` there is the problem ``scan-timeout`` instead, as everywhere else.
        """
        self.progress(T("Setting up the adapter"))
        try:
            self.state.info = self.driver.initialize()  # raises: nothing read yet
        except (ScanTimeoutError, ScanDeadline) as err:  # the limit ran out, not the adapter: say so
            self._stopped(err)
            return False
        self.progress(T("Searching for the vehicle's OBD-II protocol (ignition must be on)"))
        try:
            first = self.driver.connect_vehicle()
        except UnableToConnectError as err:
            log.info("generic OBD search failed: %s", err)
            return self._without_obd()
        except ScanTimeoutError as err:
            self._stopped(err)
            return False
        except (AdapterError, ProtocolError) as err:
            self.state.problem(
                "no-vehicle-response",
                T(
                    "The adapter could not reach the vehicle. Switch the ignition on (the engine may stay "
                    "off) "
                    "and check the adapter sits firmly in the OBD-II socket."
                ),
                detail=str(err),
            )
            return False
        except TransportError as err:
            self._stopped(err)
            return False
        self.state.record(first)
        self.state.first_responders = len(first.messages)
        try:
            self._service_09()
            self._physical()
            self._second_can()
            self._step(self._still_there)
        except (TransportError, AdapterError, ProtocolError, ScanDeadline) as err:
            self._stopped(err)
            return False
        return True

    def _service_09(self) -> None:
        driver, state = self.driver, self.state
        assert driver.protocol is not None
        legacy = not driver.protocol.can
        self._announce(T("Reading which vehicle information each ECU offers (service 09)"))
        answered = len(state.ecus)
        count = answered if (not legacy and answered <= MAX_COUNT_DIGIT) else None
        self._step(functools.partial(obd09.read_supported, driver, state, count))
        if not any(s.supported for s in state.ecus.values()):
            state.problem(
                "service-09-not-supported",
                T(
                    "No unit offers the vehicle information where the VIN is kept. {read_vin}",
                    read_vin=assess.VIN_ELSEWHERE,
                ),
                detail="no ECU supports SAE J1979 service 09",
            )
            return
        for info_type, count_type, label in obd09.READS:
            holders = [s for s in state.ecus.values() if info_type in s.supported]
            if holders:
                self._announce(label)
                read = obd09.read_infotype
                self._step(functools.partial(read, driver, state, info_type, count_type, holders, legacy))

    def _derive(self) -> None:
        """Derive the VIN, make and family once from everything read so far (:func:`assess.derive`), and
        tell the guard once the vehicle is established as a Nissan (it admits ``10 C0`` then)."""
        facts = self.state.facts = assess.derive(self.state)
        if facts.make_basis is not None and self.state.nissan_basis is None:
            self.state.nissan_basis = facts.make_basis
            self.driver.guard.establish_nissan(facts.make_basis)

    def _physical(self) -> None:
        protocol = self.driver.protocol
        if not self.state.options.physical or protocol is None:
            return
        if not protocol.can:
            if protocol.number in ("4", "5"):
                self._announce(T("Reading the engine ECU's identification over K-line (1A 81)"))
                self.state.merge(identify_kline(self.driver))
                self._derive()
            return
        self._derive()
        skipped: list[tuple[Unit, str, Found]] = []
        not_obd: list[Unit] = []
        units = assess.probe_order(assess.candidate_units(self.state), self.state.facts.family)
        for unit in units:
            if not assess.probe_now(unit, self.state):
                continue
            found = self.state.facts.family
            why = None if self.state.options.full else assess.not_on_family(unit, found)
            if why is not None and found is not None:
                skipped.append((unit, why, found))
                continue
            if not self.state.options.full and self._silent_obd_pair(unit):
                not_obd.append(unit)
                continue
            self._announce(
                T("Looking for the {unit} ({address})", unit=unit.description, address=unit.request_id)
            )
            self.state.probed.append(unit)
            self._step(functools.partial(self._identify, unit, found))
        if skipped or not_obd:
            self.state.problem("units-not-probed", *not_probed(skipped, not_obd))
        if self.state.options.sweep:
            self._announce(T("Sweeping every physical id 700-7F7 (--sweep)"))
            self.driver.use_header_bits(11)
            known = {u.request_id for u in self.state.probed}
            self.state.unknown.extend(sweep(self.driver, known))

    def _silent_obd_pair(self, unit: Unit) -> bool:
        """Whether ``unit`` sits on an ISO 15765-4 OBD address pair (request 7E0-7E7, response + 8) yet
        stayed silent to the generic ``0100`` the vehicle answered on 11-bit ids: every ECU on those
        addresses is a legislated OBD ECU and answers it (ISO 15765-4 §6.3.2; SAE J1979 service 01 PID 00).
        Never with ``--sweep``, which probes every id."""
        state, protocol = self.state, self.driver.vehicle_protocol
        if state.options.sweep or protocol is None or protocol.header_bits != 11:
            return False  # the sweep probes every id anyway; 29-bit OBD ECUs answer on other ids
        return (
            bool(state.first_responders)
            and assess.automatic_flow_control(unit)
            and (unit.response_id not in state.ecus)
        )

    def _second_can(self) -> None:
        """On a family whose AV bus is on other socket pins (its record's ``second_can``),
        probe the head unit there through an STN adapter (:mod:`~obdident.scanning.second_can`)."""
        state, protocol = self.state, self.driver.vehicle_protocol
        if not state.options.physical or protocol is None or not protocol.can:
            return
        physicals = [s.physical for s in state.ecus.values() if s.physical]
        if any(p.unit.head_unit and p.fields for p in physicals):
            return  # already read on the main CAN
        found = state.facts.family
        route = found[0].second_can if found else None
        if found is None or route is None:
            return
        self._announce(
            T("Looking for the head unit on OBD-II pins {pins} (second CAN, STN adapters)", pins=route.pins)
        )
        family = found[0]

        def probe() -> None:
            second_can.use_second_can(self.driver, state, family, route, assess.second_can_units(found))

        self._step(probe)

    def _identify(self, unit: Unit, found: Found | None = None) -> None:
        result = UnitResult(unit)
        nissan = self.state.nissan_basis is not None
        session = nissan and found is not None and unit.name in found[0].session_units
        try:
            physical.identify(
                self.driver,
                unit,
                nissan=nissan,
                result=result,
                session_first=session,
                presence_first=not (
                    self.state.options.full
                    or assess.automatic_flow_control(unit)
                    or assess.captured_on_family(unit, found)
                ),
            )
        except AdapterResetError:
            raise  # the step is repeated from the start: what this try gave is read again
        except BaseException:
            self.state.merge(result)  # keep what the unit gave before the failure
            raise
        finally:
            adapter_flaws.truncated(self.state, result)
        self.state.merge(result)

    def _still_there(self) -> None:
        """Ask once more what answered first: silence now means the vehicle went quiet during the scan
        (ignition switched off), so units probed late may be missing though they exist. Not asked when the
        vehicle answered the scan's last request: no silence since then can be the vehicle's."""
        driver, state = self.driver, self.state
        if driver.vehicle_protocol is None or not driver.vehicle_protocol.can:
            return
        if driver.unanswered == 0:
            return  # the vehicle answered the last request: nothing since can have gone unheard
        if state.first_responders:
            driver.functional()
            count = state.first_responders if state.first_responders <= MAX_COUNT_DIGIT else None
            answered = bool(driver.request(b"\x01\x00", expected_frames=count).messages)
        else:
            first = next((s.physical for s in state.ecus.values() if s.physical), None)
            asked = first.asked if first else []
            payload = next((a.payload for a in asked if a.payload[:1] == b"\x21"), None)
            if first is None or payload is None:
                return
            driver.use_protocol(driver.vehicle_protocol.number)
            driver.address(first.unit.request_id, first.unit.response_id)
            response = driver.request(payload)
            answered = any(m.response_id == first.unit.response_id for m in response.messages)
        if not answered:
            state.problem(
                "vehicle-went-quiet",
                T(
                    "The vehicle stopped answering during the scan (was the ignition switched off?): units "
                    "probed after that may be missing from this report though they exist. Scan again with "
                    "the "
                    "ignition on."
                ),
            )

    def _without_obd(self) -> bool:
        """No ECU answered the generic OBD request: try CAN 11-bit 500k, physical addressing (the Leaf)."""
        state = self.state
        if not state.options.physical:
            state.problem("no-vehicle-response", _NO_VEHICLE, detail=_NO_VEHICLE_DETAIL)
            return False
        self.progress(T("No generic OBD-II answer: trying physical addresses on CAN 11-bit 500k"))
        try:
            self.driver.use_protocol("6")
            self._physical()
            self._second_can()
            self._step(self._still_there)
        except (TransportError, AdapterError, ProtocolError, ScanDeadline) as err:
            timed_out = isinstance(err, (ScanTimeoutError, ScanDeadline)) or self._expired()
            cut = timed_out or isinstance(err, (ScanCancelled, LinkLostError))
            if not state.ecus and not cut:
                state.problem("no-vehicle-response", _NO_VEHICLE, detail=_NO_VEHICLE_DETAIL)
                return False
            self._stopped(err)
            return False
        if not state.ecus:
            state.problem("no-vehicle-response", _NO_VEHICLE, detail=_NO_VEHICLE_DETAIL)
            return False
        state.problem(
            "no-generic-obd",
            T(
                "No unit answered the generic OBD-II request (normal for an electric Nissan Leaf); the units "
                "below were read on their own addresses."
            ),
        )
        return True

    def _stopped(self, err: Exception) -> None:
        self.state.facts = assess.derive(self.state)  # what the step cut short gave counts too
        cancel = self.driver.cancel
        file_stop(self.state, err, expired=self._expired(), cancelled_by=cancel.reason if cancel else None)
