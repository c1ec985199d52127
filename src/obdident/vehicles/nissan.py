"""Nissan knowledge: diagnostic units on the OBD-II socket and head-unit guidance (what each model family
has is in its record: :mod:`obdident.vehicles.families`).

Every row names its public source; status follows the evidence file
(shared/evidence/nissan-identification.md): ``confirmed`` = shown by a public capture or working code,
``likely`` = inferred from related data, ``guess`` = needs a real car. Nothing here is about unlock codes:
obdident identifies, and tells the owner where else the identifiers can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from obdident.i18n import T, Text
from obdident.model import Advice

__all__ = [
    "ADVICE",
    "ANY_MAKE_HEAD_UNIT_GUIDANCE",
    "GATEWAY_RESPONSE_ID",
    "GENERAL_ADVICE",
    "GENERAL_HEAD_UNIT_GUIDANCE",
    "HEAD_UNIT_PART_PREFIXES",
    "NISSAN_CALID_PREFIXES",
    "UNITS",
    "Unit",
    "nissan_basis",
]

Status = Literal["confirmed", "likely", "guess"]
Dialect = Literal["kwp", "uds"]

_EVIDENCE = "evidence section 1"
_ALLIANCE_TABLES = (
    "Renault-Nissan DDT2000 addressing (cedricp/ddt4all projects.json, anatoliis/pyren mod_elm.py, "
    "MyAlpDroid "
    "CanMCUAddrs.kt; evidence section 8)"
)

#: The 29-bit gateway's response id (commaai/opendbc): the normal-fixed 29-bit head-unit guesses are probed
#: only on a vehicle where it answered.
GATEWAY_RESPONSE_ID = "18DAF1D0"


@dataclass(frozen=True)
class Unit:
    """A diagnostic unit that may answer on a physical address.

    Attributes:
        name: acronym shown in reports.
        description: what the unit is.
        request_id: physical request id, upper-case hex (3 digits 11-bit, 8 digits 29-bit).
        response_id: the id it answers on.
        dialect: how it identifies: ``kwp`` (Nissan ``21 83`` first, then UDS) or ``uds`` (``22`` DIDs).
        status: how sure the address is.
        source: the public capture or code that shows it.
        reads_vin: also ask ``21 81`` (VIN) here.
        head_unit: a candidate for the audio / navigation unit.
        needs_session: a public capture shows it answering identification only in Nissan's session
            ``10 C0`` (the guard's :data:`obdident.guard.NISSAN_SESSION_TARGETS` are exactly these units).
        logical: the DDT2000 logical address (``58`` Navigation-UCC-ITM, ``13`` Audio) that names
            the unit in the Renault-Nissan tables, when it is known.
        needs_gateway: probed only on a vehicle whose 29-bit gateway (:data:`GATEWAY_RESPONSE_ID`) answered:
            the normal-fixed 29-bit form of an alliance address, a guess on any other vehicle.
        media_gateway: the MIU, the gateway between the vehicle and the media CAN: its answer shows that
            media units exist behind it, though it is not the head unit.
    """

    name: str
    description: str
    request_id: str
    response_id: str
    dialect: Dialect
    status: Status
    source: str
    reads_vin: bool = False
    head_unit: bool = False
    needs_session: bool = False
    logical: str | None = None
    needs_gateway: bool = False
    media_gateway: bool = False

    @property
    def bits(self) -> int:
        """11 or 29: the CAN identifier length."""
        return 29 if len(self.request_id) == 8 else 11


#: The one table of diagnostic addresses (:mod:`obdident.vehicles.addresses` names the legislated OBD ids from
#: it). Probe order: units most cars have first, then model-specific ones, 29-bit last (it needs AT TP 7).
UNITS: tuple[Unit, ...] = (
    Unit("ECM", T("engine control module"), "7E0", "7E8", "kwp", "confirmed",
         "commaai/opendbc nissan fingerprints; balrog-kun/nissan-qashqai-can-info (J10)", reads_vin=True),
    Unit("BCM", T("body control module"), "745", "765", "kwp", "confirmed",
         "balrog-kun/nissan-qashqai-can-info (J10)", reads_vin=True, needs_session=True),
    Unit("VCM", T("vehicle control module (Leaf)"), "797", "79A", "kwp",
         "confirmed", "OVMS3 vehicle_nissanleaf.cpp; commaai/opendbc", reads_vin=True),
    Unit("TCM", T("transmission control module"), "7E1", "7E9", "kwp", "likely",
         "pyren Renault-Nissan table"),
    Unit("ABS", T("ABS / VDC"), "740", "760", "kwp", "confirmed",
         "commaai/opendbc (Leaf, X-Trail T32, Altima)"),
    Unit("EPS", T("electric power steering"), "742", "762", "kwp", "confirmed",
         "commaai/opendbc; balrog-kun (J10)", needs_session=True),
    Unit("METER", T("combination meter"), "743", "763", "kwp", "confirmed",
         "commaai/opendbc; balrog-kun (J10)"),
    Unit("IPDM", T("IPDM E/R"), "74D", "76D", "kwp", "likely",
         "balrog-kun (J10): request id shown; response id inferred (+0x20)"),
    Unit("AIRBAG", T("airbag control unit"), "752", "772", "kwp", "likely", "pyren Renault-Nissan table"),
    Unit("CAMERA", T("ADAS camera"), "707", "727", "uds", "confirmed", "commaai/opendbc"),
    Unit("LBC", T("Li-ion battery controller (Leaf)"), "79B", "7BB", "kwp", "confirmed", "OVMS3"),
    Unit("TCU", T("telematics unit (Leaf)"), "746", "783", "kwp", "confirmed",
         "developerfromjokela/nissan-leaf-tcu CAN.md"),
    Unit("AV", T("navigation / multimedia unit (Navigation-UCC-ITM)"), "747", "767", "kwp", "likely",
         _ALLIANCE_TABLES + " list 747/767 Navigation-UCC-ITM (0x58) for the Nissan projects too; "
         "confirmed on Renault only (ddt4all issue #76); no Nissan capture", head_unit=True, logical="58"),
    Unit("AUDIO", T("audio unit"), "712", "732", "kwp", "likely",
         _ALLIANCE_TABLES + " list 712/732 Audio (0x13) for the Nissan projects too; confirmed on "
         "Renault only (ddt4all issue #123); no Nissan capture", head_unit=True, logical="13"),
    Unit("MIU", T("media gateway (MIU, between the vehicle and the media CAN)"), "714", "734", "kwp",
         "likely",
         _ALLIANCE_TABLES + " list 714/734 MIU; a Renault MIU is 'a data converter between Vehicle and Media "
         "Can Bus' (ddt4all issue #490); no Nissan capture", media_gateway=True),
    Unit("GATEWAY", T("CAN gateway (2017+ X-Trail, Leaf ZE1, Altima)"), "18DAD0F1", "18DAF1D0", "uds",
         "confirmed", "commaai/opendbc"),
    Unit("AV29", T("navigation / multimedia unit (Navigation-UCC-ITM, 29-bit)"), "18DA58F1", "18DAF158",
         "uds", "guess", "normal-fixed 29-bit form (ISO 15765-2) of the alliance logical address 0x58; a "
         "Leaf ZE1 ODX file name '0x0058_Navigation-UCC-ITM..._UDS' (evidence section 8); no capture",
         head_unit=True, logical="58", needs_gateway=True),
    Unit("AUDIO29", T("audio unit (29-bit)"), "18DA13F1", "18DAF113", "uds", "guess",
         "normal-fixed 29-bit form (ISO 15765-2) of the alliance logical address 0x13 (evidence section 8); "
         "no capture", head_unit=True, logical="13", needs_gateway=True),
)  # fmt: skip

#: ECM part-number prefixes that Nissan CALIDs (service 09 InfoType 04) start with: 23710-xxxxx is the
#: ECM part number (opendbc: 23710-6FR9A); the J10 capture shows 23710BB31A and 23701BB36A.
NISSAN_CALID_PREFIXES: tuple[str, ...] = ("23710", "23701")

#: WMIs whose vehicles are Nissans (obdident.vehicles.wmi rows that say Nissan or Infiniti).
_NISSAN_MANUFACTURERS = ("Nissan", "Infiniti (Nissan)")

#: Guidance for a head unit of any make: where the identifiers can be read without the OBD-II socket.
ANY_MAKE_HEAD_UNIT_GUIDANCE: tuple[Text, ...] = (
    T(
        "The label on the unit's case shows its part number and serial number (visible once the unit is "
        "taken out of the dashboard)."
    ),
    T("Many units show their versions in a setup or system-information menu."),
    T("The vehicle's documents may list the unit's part and serial numbers."),
)

#: Where a Nissan owner can read the head unit's identifiers without the OBD-II socket, by family: one row
#: per way, with what it shows (``serial`` / ``versions`` / ``nothing``), its source and how sure it is
#: (``seed`` = a claim of the seed articles, not found elsewhere). The texts are the owner's sentences: no
#: source references in them (the source is its own column, for the JSON and the page's footnotes).
ADVICE: dict[str, Advice] = {
    "j10-audio": Advice(
        T("Qashqai (J10) without navigation"),
        T(
            "Without navigation, the audio unit talks only on the AV COMM bus behind the dashboard, which "
            "the "
            "OBD-II socket does not reach: nothing can be read from it with an adapter."
        ),
        "nothing", "balrog-kun/nissan-qashqai-can-info (J10 AV COMM)", "confirmed"),
    "navi-powered": Advice(
        T("Qashqai (J10) / Tiida (C11) with navigation"),
        T(
            "With navigation, the NAVI unit answers diagnosis only while it is powered: switch the ignition "
            "on, "
            "wait for the screen to come on, then scan again; it may give its part number and versions."
        ),
        "versions", "Nissan J10 and C11 service manuals, AV-108 (Consult-III MULTI AV)", "likely"),
    "nats-audio": Advice(
        T("Navara (D40) / Patrol (Y61, Y62) / X-Trail (T30)"),
        T(
            "This radio is paired with the immobiliser (NATS audio link): when it shows NEW, WAIT or SECURE "
            "there is no code for the owner to enter and nothing to read for one; a Nissan dealer pairs it "
            "with the car."
        ),
        "nothing", "Nissan D40, Patrol and T30 service manuals, AV section", "likely"),
    "sentra-b17": Advice(
        T("Sentra (B17)"),
        T(
            "Sentra AV unit: ignition on, audio off, hold MENU and turn the volume dial 40 clicks or more, "
            "then "
            "open Version Information only (it shows the unit's versions, not its serial number). Do not "
            "open "
            "Delete Unit Connection Log or Initialize Setting: they erase data."
        ),
        "versions", "Nissan Sentra B17 service manual, AV control unit diagnosis (nisentra.com)", "likely"),
    "versa-n17": Advice(
        T("Versa (N17)"),
        T(
            "Versa audio unit: ignition on, audio off, hold preset 1 and turn the volume dial 40 clicks or "
            "more; "
            "the service screen opens: read what it shows and change nothing (it shows versions, not the "
            "serial "
            "number)."
        ),
        "versions", "Nissan Versa N17 service manual, audio unit diagnosis (niveguide.com mirror)", "likely"),
    "lcn2kai": Advice(
        T("Bosch NissanConnect (LCN2kai): Qashqai J11, Juke F15, X-Trail T32, Micra K14, Pulsar, Rogue"),
        T(
            "NissanConnect (Bosch) units: hold APP, then turn TUNE anticlockwise, clockwise, anticlockwise; "
            "the "
            "service menu shows the firmware and hardware versions (for example D300 / 033), not the serial "
            "number."
        ),
        "versions", "ea/bosch_headunit_root (LCN2kai docs)", "confirmed"),
    "leaf-nav": Advice(
        T("Leaf (ZE0, AZE0) navigation"),
        T(
            "Leaf navigation: press MAP three times, PWR twice, MAP once; the self-diagnosis screen shows "
            "the "
            "unit's versions, not its serial number."
        ),
        "versions", "seed articles", "likely"),
    "nca": Advice(
        T("some Nissan units"),
        T(
            "On some Nissan units: with the ignition on, hold preset button 1 (or 1 and 6) for 10 to 15 "
            "seconds; "
            "a line beginning NCA is the serial number."
        ),
        "serial", "seed articles only (not confirmed by any other public source)", "seed"),
    "label": Advice(
        T("any Nissan"),
        T(
            "The label on the unit's case shows its part number and serial number (visible once the unit is "
            "taken out of the dashboard): Nissan audio part numbers begin 28185- or 28184-, navigation "
            "25915-; "
            "Bosch/Blaupunkt serials are 'BP' and 12 digits (labels may print 815BP... or 815CM...)."
        ),
        "serial", "2005 X-Trail service manual AV-38 (25915); seed articles (28185, 28184); "
        "micra.org.uk forum (BP + 12 digits)", "likely"),
    "menu": Advice(
        T("any Nissan"),
        T("Many units show their versions under SETUP, System Information or Software version."),
        "versions", "general advice: no specific public source", "guess"),
    "documents": Advice(
        T("any Nissan"),
        T(
            "The vehicle's documents (service book, the card that came with the radio) may list the unit's "
            "part and serial numbers."
        ),
        "serial", "general advice: no specific public source", "guess"),
}  # fmt: skip

#: The rows for any Nissan, after the family's own.
GENERAL_ADVICE: tuple[Advice, ...] = (ADVICE["label"], ADVICE["nca"], ADVICE["menu"], ADVICE["documents"])

#: Owner sentences for any Nissan head unit (the texts of :data:`GENERAL_ADVICE`).
GENERAL_HEAD_UNIT_GUIDANCE: tuple[str, ...] = tuple(a.text for a in GENERAL_ADVICE)

#: Nissan part-number prefixes (PFP, the first five characters) of head units: 25915 navigation system
#: (2005 X-Trail service manual AV-38), 28185 / 28184 audio (seed articles).
HEAD_UNIT_PART_PREFIXES: tuple[str, ...] = ("25915", "28185", "28184")


def nissan_basis(manufacturer: str | None, wmi: str | None, calibration_ids: list[str]) -> Text | None:
    """Say why the vehicle counts as a Nissan, or None when nothing shows it.

    Args:
        manufacturer: from the WMI table.
        wmi: VIN positions 1-3.
        calibration_ids: every CALID read.
    """
    if manufacturer in _NISSAN_MANUFACTURERS and wmi:
        return T("WMI {wmi} ({manufacturer})", wmi=wmi, manufacturer=manufacturer)
    for calid in calibration_ids:
        if calid.startswith(NISSAN_CALID_PREFIXES):
            return T("CALID {calid} (Nissan ECM part number)", calid=calid)
    return None
