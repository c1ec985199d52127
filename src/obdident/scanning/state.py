"""What a scan has read so far: plain dataclasses, no I/O.

:class:`ScanState` holds the whole scan's findings; :class:`EcuState` one ECU's (what service 09 gave and,
when it was probed on its physical address, its :class:`UnitResult`). The step modules
(:mod:`~obdident.scanning.obd09`, :mod:`~obdident.scanning.physical`, :mod:`~obdident.scanning.sweep`) fill
them; :mod:`~obdident.scanning.outcome` turns them into the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from obdident.elm327.driver import AdapterInfo, Response
from obdident.elm327.lines import EcuMessage
from obdident.i18n import Text
from obdident.model import Evidence, Problem, UnknownUnit, VinSource
from obdident.vehicles.families import Found
from obdident.vehicles.nissan import Unit

__all__ = ["MAX_COUNT_DIGIT", "Asked", "EcuState", "Facts", "ScanOptions", "ScanState", "UnitResult"]

MAX_COUNT_DIGIT = 15  # the response-count digit is one hex digit (ELM327 datasheet, "Talking to the Vehicle")


@dataclass(frozen=True)
class ScanOptions:
    """What to scan beyond the defaults.

    Attributes:
        make: ``nissan`` to establish the make when the vehicle does not show it (no VIN, no Nissan CALID);
            it admits Nissan's session 10 C0 to Nissan physical addresses.
        physical: probe the physical-address units of the Nissan table (and the OBD ECUs that answered).
        sweep: also probe every 11-bit physical id 700-7F7 and list unknown responders.
        full: probe every unit of the table, also those the established family does not have by the public
            record (:mod:`obdident.vehicles.families`) and OBD addresses silent to ``0100``,
            otherwise listed as not probed; and ask each unit its identification at once, without
            TesterPresent ``3E 00`` first (for a unit that would ignore it).
    """

    make: str | None = None
    physical: bool = True
    sweep: bool = False
    full: bool = False


@dataclass(frozen=True)
class Asked:
    """One request to a unit on its physical address, kept with its evidence.

    Attributes:
        payload: the request's bytes as asked (without the adapter's response-count digit).
        evidence: the line written and the unit's lines.
    """

    payload: bytes
    evidence: Evidence


@dataclass
class UnitResult:
    """What one unit gave on its physical address.

    Attributes:
        unit: the candidate.
        present: it answered anything at all.
        presence_only: its one answer so far is to the presence request (TesterPresent ``3E 00``): silence
            to the next request is then that request's answer (a unit without the service), not a unit that
            stopped answering.
        dialect: ``kwp2000`` or ``uds`` once known.
        fields: identification key -> value as shown (:func:`obdident.services.common.render`).
        field_requests: identification key -> the request payload it came from (see :attr:`asked`).
        asked: each request and the unit's lines, in order.
        vin_sources: VINs it gave (21 81, 22 F190).
        problems: what went wrong with this unit.
        session: ``10 C0`` when Nissan's session was opened to read it.
        bus: where it answered when not on the diagnostic CAN (pins 6/14): ``MS-CAN, OBD-II pins 3/11 ...``.
        truncated: requests of 3 bytes or more it refused as too short (``7F xx 13``): the adapter sent only
            their start (:mod:`~obdident.scanning.adapter_flaws`).
        two_byte_answered: it gave a positive answer to a 2-byte request (``21 83``, ``3E 00`` ...).
    """

    unit: Unit
    present: bool = False
    presence_only: bool = False
    dialect: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    field_requests: dict[str, bytes] = field(default_factory=dict)
    asked: list[Asked] = field(default_factory=list)
    vin_sources: list[VinSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    session: str | None = None
    bus: str | None = None
    truncated: list[bytes] = field(default_factory=list)
    two_byte_answered: bool = False

    def problem(self, code: str, text: Text, detail: str | None = None) -> None:
        """File a problem about this unit: ``text`` for the owner, ``detail`` (English) for engineers."""
        self.problems.append(Problem.of(code, text, detail, self.unit.response_id))

    def set_field(self, key: str, value: str, payload: bytes) -> None:
        """Keep an identification value with the request it came from."""
        self.fields[key] = value
        self.field_requests[key] = payload

    def evidence(self) -> list[Evidence]:
        """Each exchange's evidence, naming the identification fields its request gave."""
        by_payload: dict[bytes, list[str]] = {}
        for key, payload in self.field_requests.items():
            by_payload.setdefault(payload, []).append(key)
        return [
            Evidence(a.evidence.request, a.evidence.response, tuple(by_payload.get(a.payload, ())))
            for a in self.asked
        ]


@dataclass
class EcuState:
    """One ECU's findings.

    Attributes:
        response_id: the id it answers on (upper-case hex).
        evidence: the functional requests it answered and its lines.
        supported: the service 09 InfoTypes it declares.
        calibration_ids: CALIDs (InfoType 04), in order.
        cvns: CVNs (InfoType 06), as hex.
        ecu_name: InfoType 0A, as read.
        vin: the VIN it gave, when usable.
        physical: what it gave on its physical address, when probed there.
    """

    response_id: str
    evidence: list[Evidence] = field(default_factory=list)
    supported: frozenset[int] = frozenset()
    calibration_ids: list[str] = field(default_factory=list)
    cvns: list[str] = field(default_factory=list)
    ecu_name: str | None = None
    vin: str | None = None
    physical: UnitResult | None = None


@dataclass(frozen=True)
class Facts:
    """What the scan concludes about the vehicle, derived once from every basis read so far
    (:func:`obdident.scanning.assess.derive`); the probe's pruning, the head-unit assessment, the second-CAN
    choice and the report all read this one result.

    Attributes:
        vin: the VIN every usable source agrees on (service 09, ``22 F190``, ``21 81``), or None.
        make_basis: why the vehicle counts as a Nissan (``--make nissan``, its WMI, a CALID, its family), or
            None while nothing shows it.
        family: the model family and what established it (the VIN's model code, a part-number suffix or a
            CALID seen on that family), or None while unknown.
    """

    vin: str | None = None
    make_basis: str | None = None
    family: Found | None = None


@dataclass
class ScanState:
    """Everything the scan found so far.

    Attributes:
        options: what to scan (:class:`ScanOptions`).
        port: the port's name or URL, for the report.
        transport: the kind of link (:func:`obdident.transports.links.describe`), for the report.
        limit_s: the overall time limit in seconds, for the scan-timeout problem.
        ecus: response id -> the ECU's findings, in the order they first answered.
        problems: what went wrong, in order.
        vin_sources: every VIN source read.
        info: the adapter's identity, once set up.
        probed: every unit probed on its physical address, in order.
        unknown: units a ``--sweep`` found that the tables do not name.
        nissan_basis: why the vehicle counts as a Nissan, once established (the guard is told, never asked).
        recovered: the adapter was set up again once after it reset itself.
        first_responders: how many ECUs answered the first functional request.
        second_can: the second CAN the head-unit candidates were also probed on (an STN adapter's MS-CAN,
            :mod:`obdident.scanning.second_can`), or None.
        facts: the VIN, make and family derived from everything read so far (:class:`Facts`).
    """

    options: ScanOptions
    port: str
    transport: str | None = None
    limit_s: float | None = None
    ecus: dict[str, EcuState] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    vin_sources: list[VinSource] = field(default_factory=list)
    info: AdapterInfo | None = None
    probed: list[Unit] = field(default_factory=list)
    unknown: list[UnknownUnit] = field(default_factory=list)
    nissan_basis: str | None = None
    recovered: bool = False
    first_responders: int = 0
    second_can: str | None = None
    facts: Facts = field(default_factory=Facts)

    def ecu(self, response_id: str) -> EcuState:
        """The ECU answering on ``response_id``, added when new."""
        return self.ecus.setdefault(response_id, EcuState(response_id))

    def problem(
        self, code: str, text: Text, detail: str | None = None, response_id: str | None = None
    ) -> None:
        """File a problem: ``text`` for the owner, ``detail`` (English) for engineers."""
        self.problems.append(Problem.of(code, text, detail, response_id))

    def record(self, response: Response) -> dict[str, list[EcuMessage]]:
        """File each ECU's lines of a functional request as its evidence.

        Returns:
            Response id -> that ECU's messages, in order.
        """
        by_ecu: dict[str, list[EcuMessage]] = {}
        for message in response.messages:
            by_ecu.setdefault(message.response_id, []).append(message)
        for rid, messages in by_ecu.items():
            lines: list[str] = []
            for message in messages:
                lines.extend(x for x in message.lines if x not in lines)
            self.ecu(rid).evidence.append(Evidence(response.exchange.request, tuple(lines)))
        return by_ecu

    def merge(self, result: UnitResult) -> None:
        """Take in what one unit gave on its physical address."""
        self.problems.extend(result.problems)
        self.vin_sources.extend(result.vin_sources)
        if result.present:
            state = self.ecu(result.unit.response_id)
            state.physical = result
            state.vin = state.vin or next((s.value for s in result.vin_sources if s.value), None)
