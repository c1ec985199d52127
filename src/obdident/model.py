"""The identification report: frozen dataclasses, their JSON form and the schema that JSON follows.

The JSON form is the contract with dealer systems: ``schema_version`` says which version of
``obdident/report-v1.schema.json`` it follows; fields are only ever added within a major version.
Every value carries its evidence: the request and the raw lines it was decoded from.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources
from typing import Any, Literal

from obdident.i18n import text_to_json, texts_json
from obdident.problems import PROBLEM_DETAILS, Problem

__all__ = [
    "HEAD_UNIT_FIELDS",
    "PROBLEM_DETAILS",
    "SCHEMA_VERSION",
    "AdapterSummary",
    "Advice",
    "Ecu",
    "EnteredField",
    "EnteredValue",
    "Evidence",
    "HeadUnit",
    "Identification",
    "OwnerField",
    "Problem",
    "Report",
    "UnknownUnit",
    "Vehicle",
    "VinSource",
    "load_schema",
]

#: The report format's version: major.minor; the major is the schema file's.
SCHEMA_VERSION = "1.3"

CheckDigit = Literal["valid", "invalid", "not-required", "unknown"]
#: The head-unit identifiers an owner can type in.
EnteredField = Literal["part_number", "serial_number", "software_version", "hardware_version"]
#: Every value an owner can type in: the head unit's, and the vehicle's (``--vin``, ``--model-year``).
OwnerField = EnteredField | Literal["vin", "model_year"]


@dataclass(frozen=True)
class Evidence:
    """A request and the raw lines that answered it.

    Attributes:
        request: the line sent to the adapter (``0902``).
        response: the lines the adapter printed for this ECU, as printed; security-bearing bytes read ``XX``.
        fields: the identification keys decoded from this answer.
    """

    request: str
    response: tuple[str, ...]
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class VinSource:
    """One place the VIN was read from.

    Attributes:
        source: the service and identifier (``SAE J1979 service 09 InfoType 02``).
        response_id: the ECU that answered, upper-case hex.
        value: the VIN it gave, or None when it gave none (see ``problem``).
        problem: why ``value`` is None, or None.
    """

    source: str
    response_id: str
    value: str | None
    problem: str | None = None


@dataclass(frozen=True)
class Vehicle:
    """What the scan established about the vehicle.

    Attributes:
        vin: the VIN, or None when no ECU gave a usable one or sources disagree.
        vin_check_digit: position 9 judged per 49 CFR 565.15.
        vin_sources: every source consulted, with what each gave.
        wmi: world manufacturer identifier, VIN positions 1-3 (ISO 3780).
        manufacturer: from the WMI, or None when the WMI is not in obdident's table.
        country: from the WMI (ISO 3780), or None.
        model_year: from VIN position 10 where 49 CFR 565 makes it one, else None.
        model_year_note: how ``model_year`` was determined, or why it is None.
        family: the model family (``Qashqai (J10)``), or None when not established.
        family_basis: what established the family (a VIN model code, a part number seen on it).
        make_basis: why the vehicle counts as a Nissan (gates Nissan's session 10 C0), or None.
        entered: the VIN and model year the owner typed in (``--vin`` ...), never read; in the JSON if any.
    """

    vin: str | None = None
    vin_check_digit: CheckDigit = "unknown"
    vin_sources: tuple[VinSource, ...] = ()
    wmi: str | None = None
    manufacturer: str | None = None
    country: str | None = None
    model_year: int | None = None
    model_year_note: str | None = None
    family: str | None = None
    family_basis: str | None = None
    make_basis: str | None = None
    entered: tuple[EnteredValue, ...] = ()

    @property
    def nissan_from_ecm(self) -> bool:
        """The VIN gave no manufacturer, but an ECM part number (CALID 23710/23701) shows a Nissan: the
        outputs say "Nissan (from the ECM part number)" rather than "not available"."""
        return self.manufacturer is None and str(self.make_basis or "").startswith("CALID")


@dataclass(frozen=True)
class AdapterSummary:
    """The adapter and the link.

    Attributes:
        port: the port or URL used.
        transport: the kind of link (serial port, TCP, Bluetooth LE with the adapter family ...).
        version: the AT I answer.
        description: the AT @1 answer; None: obdident no longer asks it (a fixed text, not worth a round
            trip over Bluetooth). Kept for report schema 1.x.
        protocol: the protocol's name (AT DPN, ELM327 numbering), or None when no vehicle answered.
        protocol_number: the ELM327 protocol number ("6"), or None.
        voltage_v: AT RV, volts, or None.
        unsupported_commands: AT commands the adapter answered ``?`` to.
    """

    port: str
    transport: str | None = None
    version: str | None = None
    description: str | None = None
    protocol: str | None = None
    protocol_number: str | None = None
    voltage_v: float | None = None
    unsupported_commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Identification:
    """Identification an ECU gave.

    Attributes:
        calibration_ids: CALIDs (SAE J1979 InfoType 04), trailing 0x00 removed.
        cvns: CVNs (InfoType 06), 8 upper-case hex digits each.
        ecu_name: the ECU name (InfoType 0A), ``ECM-EngineControl``.
        vin: the VIN this ECU gave, when it gave a usable one.
        supported_infotypes: service 09 InfoTypes the ECU declares (InfoType 00), two hex digits each.
        fields: identification read on the physical address, by key: UDS DID names in snake_case
            (``spare_part_number``, ``ecu_serial_number`` ...), Nissan ``21 83`` fields
            (``part_number_suffix``, ``diag_id``, ``supplier_code``, ``hardware_id``, ``software_id``,
            ``edition``, ``calibration_id``), ``product_number``, ``hardware_number``, ``ecu_id``. Text, or
            upper-case hex where the bytes are not text; masked security bytes read ``**``. In JSON these
            keys sit directly in ``identification``.
    """

    calibration_ids: tuple[str, ...] = ()
    cvns: tuple[str, ...] = ()
    ecu_name: str | None = None
    vin: str | None = None
    supported_infotypes: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ecu:
    """One ECU that answered.

    Attributes:
        request_id: the physical request id (``7E0``), or None where the protocol has none (K-line, J1850).
        response_id: the id it answers on (``7E8``, ``18DAF110``; the source address ``10`` on K-line).
        name: its acronym (``ECM``), from InfoType 0A or the address table, or None.
        identification: what it gave.
        evidence: every request it answered and the raw lines, in order.
        description: what the unit is, from the address table.
        dialect: how it identified itself: ``obd`` (service 09 only), ``kwp2000`` or ``uds``.
        session: ``10 C0`` when Nissan's diagnostic session was opened to read it (and closed after).
        address_source: where its address comes from (the table row's source), or None.
        bus: where it answered, when not on the diagnostic CAN of pins 6/14 (an STN adapter's second CAN on
            pins 3/11), or None.
    """

    request_id: str | None
    response_id: str
    name: str | None
    identification: Identification
    evidence: tuple[Evidence, ...]
    description: str | None = None
    dialect: str | None = None
    session: str | None = None
    address_source: str | None = None
    bus: str | None = None


@dataclass(frozen=True)
class EnteredValue:
    """An identifier the owner typed in (read from the unit's label, the VIN plate ...), never read.

    Attributes:
        field: a head unit's field (``part_number`` ...) or the vehicle's (``vin``, ``model_year``).
        value: the value, normalised (upper case; a Nissan part number with its dash, ``25915-5FA1A``).
        form: the accepted form it matched: ``nissan-part-number``, ``bosch-blaupunkt-serial``, ``version``
            or ``other`` (:mod:`obdident.vehicles.headunit_forms`); ``vin``, ``year`` (:mod:`.vehicles.vin`).
        provenance: where it comes from: always ``entered by the owner``.
    """

    field: OwnerField
    value: str
    form: str
    provenance: str = "entered by the owner"


#: The head unit's identifiers as owners and dealers name them (``HU`` part number, ``HUS`` its ``21 83``
#: suffix, ``SN`` serial, ``SW`` software, ``HW`` hardware), each with the identification keys it is taken
#: from, first present wins (ISO 14229-1:2020 Annex C DIDs F187/F18C/F188/F191 ...; Nissan ``21 83``).
HEAD_UNIT_FIELDS: dict[str, tuple[str, ...]] = {
    "HU": ("spare_part_number", "kit_assembly_part_number", "product_number"),
    "HUS": ("part_number_suffix",),
    "SN": ("ecu_serial_number",),
    "SW": (
        "ecu_software_number",
        "ecu_software_version",
        "supplier_software_number",
        "supplier_software_version",
        "software_id",
    ),
    "HW": (
        "ecu_hardware_number",
        "supplier_hardware_number",
        "supplier_hardware_version",
        "hardware_id",
        "hardware_number",
    ),
}

AdviceShows = Literal["serial", "versions", "nothing"]


@dataclass(frozen=True)
class Advice:
    """One way for the owner to read a head unit's identifiers without the OBD-II socket, for one family.

    Attributes:
        family: the model family or unit it applies to (``Qashqai (J10) with navigation``, ``any Nissan``).
        text: the owner's sentence: what to do, in plain words, without source references.
        shows: what it gives: ``serial`` (the serial number, the dealer's key), ``versions`` (software and
            hardware versions only) or ``nothing`` (there is nothing for the owner to read: say why).
        source: the public source (repository, manual or article), for the JSON and the page's footnotes.
        confidence: ``confirmed`` / ``likely`` / ``guess`` / ``seed`` (a claim of the seed articles only).
    """

    family: str
    text: str
    shows: AdviceShows
    source: str
    confidence: str


@dataclass(frozen=True)
class HeadUnit:
    """The audio / navigation unit: found, or why not, and where else to read its identifiers.

    Attributes:
        status: ``identified`` (a candidate answered with identification), ``not-reachable`` (on this
            vehicle family it sits on a bus the OBD-II socket's diagnostic CAN pins do not reach),
            ``not-found`` (no candidate answered; the family gives no reason), ``adapter-limited`` (the
            adapter's own limits kept it from being read: a clone without a command the scan needs, ...),
            ``not-asked`` (the scan stopped before it asked any head-unit address: nothing is concluded).
        response_id: the ECU entry's response id when identified.
        reason: one sentence: what was tried and what is known.
        guidance: where the owner can read the part and serial numbers instead.
        probed: the request ids probed for it.
        entered: identifiers the owner typed in (``--head-unit-part`` ...), kept apart from what was read:
            they never raise the identification's confidence and never become read values.
        confidence: how sure it is that the unit that answered is the head unit (``confirmed``: its part
            number is a Nissan audio or navigation number; else the address table's ``likely`` / ``guess``);
            None when no unit was identified.
        advice: the family's ways to read the identifiers still missing, each with its source.
    """

    status: Literal["identified", "not-reachable", "not-found", "adapter-limited", "not-asked"]
    response_id: str | None = None
    reason: str = ""
    guidance: tuple[str, ...] = ()
    probed: tuple[str, ...] = ()
    entered: tuple[EnteredValue, ...] = ()
    confidence: str | None = None
    advice: tuple[Advice, ...] = ()


@dataclass(frozen=True)
class UnknownUnit:
    """A unit a ``--sweep`` found that obdident's tables do not name.

    Attributes:
        request_id: the id probed.
        response_id: the id that answered.
        answer: its answer to ``3E 00``, hex.
        evidence: the request and lines.
    """

    request_id: str
    response_id: str
    answer: str
    evidence: Evidence


@dataclass(frozen=True)
class Report:
    """The result of one scan.

    Attributes:
        complete: True when every planned step ran to its end; False when the scan stopped early.
        vehicle: the vehicle's identity.
        adapter: the adapter and link.
        ecus: the ECUs that answered, by response id.
        problems: what the user should know.
        head_unit: the head unit's status, or None when the scan did not get that far.
        unknown_units: units a ``--sweep`` found beyond the tables.
        tool: the tool's name and version.
        started_at: when the scan started, ISO 8601 UTC.
        duration_s: how long it took, seconds.
        schema_version: the report format's version.
    """

    complete: bool
    vehicle: Vehicle
    adapter: AdapterSummary
    ecus: tuple[Ecu, ...] = ()
    problems: tuple[Problem, ...] = ()
    head_unit: HeadUnit | None = None
    unknown_units: tuple[UnknownUnit, ...] = ()
    tool: dict[str, str] = field(default_factory=dict)
    started_at: str = ""
    duration_s: float = 0.0
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data that follows the schema."""
        data = asdict(self)
        order = ["schema_version", "tool", "started_at", "duration_s", "complete"]
        ordered = {key: data.pop(key) for key in order}
        ordered.update(data)
        ordered["duration_s"] = round(self.duration_s, 3)
        if not ordered["vehicle"]["entered"]:  # absent unless entered: scans' reports stay as they were
            del ordered["vehicle"]["entered"]
        for ecu in ordered["ecus"]:
            ident = ecu["identification"]
            ident.update(ident.pop("fields"))
        for problem, data_p in zip(self.problems, ordered["problems"], strict=True):
            del data_p["text"]
            if problem.text is not None:
                data_p["msgid"] = problem.text.msgid
                data_p["params"] = {k: text_to_json(v) for k, v in problem.text.params.items()}
        texts_json(self.vehicle, ordered["vehicle"])
        texts_json(self.adapter, ordered["adapter"])
        if self.head_unit is not None:
            texts_json(self.head_unit, ordered["head_unit"])
        return dict(_lists(ordered))

    def to_json(self) -> str:
        """Return the report as pretty-printed JSON (UTF-8 safe, ASCII-escaped)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=True) + "\n"


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def load_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) that :meth:`Report.to_dict` follows."""
    text = resources.files("obdident").joinpath("report-v1.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
