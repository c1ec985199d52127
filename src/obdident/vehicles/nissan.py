"""Nissan knowledge: diagnostic units on the OBD-II socket, model families, head-unit guidance.

Every row names its public source; status follows the evidence file
(shared/evidence/nissan-identification.md): ``confirmed`` = shown by a public capture or working code,
``likely`` = inferred from related data, ``guess`` = needs a real car. Nothing here is about unlock codes:
obdident identifies, and tells the owner where else the identifiers can be read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ANY_MAKE_HEAD_UNIT_GUIDANCE",
    "FAMILIES",
    "GATEWAY_RESPONSE_ID",
    "GENERAL_HEAD_UNIT_GUIDANCE",
    "NISSAN_CALID_PREFIXES",
    "SECOND_CAN",
    "UNITS",
    "Family",
    "SecondCan",
    "Unit",
    "family_from_fingerprint",
    "family_from_vin",
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
    Unit("ECM", "engine control module", "7E0", "7E8", "kwp", "confirmed",
         "commaai/opendbc nissan fingerprints; balrog-kun/nissan-qashqai-can-info (J10)", reads_vin=True),
    Unit("BCM", "body control module", "745", "765", "kwp", "confirmed",
         "balrog-kun/nissan-qashqai-can-info (J10)", reads_vin=True, needs_session=True),
    Unit("VCM", "vehicle control module (Leaf)", "797", "79A", "kwp", "confirmed",
         "OVMS3 vehicle_nissanleaf.cpp; commaai/opendbc", reads_vin=True),
    Unit("TCM", "transmission control module", "7E1", "7E9", "kwp", "likely", "pyren Renault-Nissan table"),
    Unit("ABS", "ABS / VDC", "740", "760", "kwp", "confirmed", "commaai/opendbc (Leaf, X-Trail T32, Altima)"),
    Unit("EPS", "electric power steering", "742", "762", "kwp", "confirmed",
         "commaai/opendbc; balrog-kun (J10)", needs_session=True),
    Unit("METER", "combination meter", "743", "763", "kwp", "confirmed", "commaai/opendbc; balrog-kun (J10)"),
    Unit("IPDM", "IPDM E/R", "74D", "76D", "kwp", "likely",
         "balrog-kun (J10): request id shown; response id inferred (+0x20)"),
    Unit("AIRBAG", "airbag control unit", "752", "772", "kwp", "likely", "pyren Renault-Nissan table"),
    Unit("CAMERA", "ADAS camera", "707", "727", "uds", "confirmed", "commaai/opendbc"),
    Unit("LBC", "Li-ion battery controller (Leaf)", "79B", "7BB", "kwp", "confirmed", "OVMS3"),
    Unit("TCU", "telematics unit (Leaf)", "746", "783", "kwp", "confirmed",
         "developerfromjokela/nissan-leaf-tcu CAN.md"),
    Unit("AV", "navigation / multimedia unit (Navigation-UCC-ITM)", "747", "767", "kwp", "likely",
         _ALLIANCE_TABLES + " list 747/767 Navigation-UCC-ITM (0x58) for the Nissan projects too; "
         "confirmed on Renault only (ddt4all issue #76); no Nissan capture", head_unit=True, logical="58"),
    Unit("AUDIO", "audio unit", "712", "732", "kwp", "likely",
         _ALLIANCE_TABLES + " list 712/732 Audio (0x13) for the Nissan projects too; confirmed on "
         "Renault only (ddt4all issue #123); no Nissan capture", head_unit=True, logical="13"),
    Unit("MIU", "media gateway (MIU, between the vehicle and the media CAN)", "714", "734", "kwp", "likely",
         _ALLIANCE_TABLES + " list 714/734 MIU; a Renault MIU is 'a data converter between Vehicle and Media "
         "Can Bus' (ddt4all issue #490); no Nissan capture", media_gateway=True),
    Unit("GATEWAY", "CAN gateway (2017+ X-Trail, Leaf ZE1, Altima)", "18DAD0F1", "18DAF1D0", "uds",
         "confirmed", "commaai/opendbc"),
    Unit("AV29", "navigation / multimedia unit (Navigation-UCC-ITM, 29-bit)", "18DA58F1", "18DAF158", "uds",
         "guess", "normal-fixed 29-bit form (ISO 15765-2) of the alliance logical address 0x58; a Leaf ZE1 "
         "ODX file name '0x0058_Navigation-UCC-ITM..._UDS' (evidence section 8); no capture",
         head_unit=True, logical="58", needs_gateway=True),
    Unit("AUDIO29", "audio unit (29-bit)", "18DA13F1", "18DAF113", "uds", "guess",
         "normal-fixed 29-bit form (ISO 15765-2) of the alliance logical address 0x13 (evidence section 8); "
         "no capture", head_unit=True, logical="13", needs_gateway=True),
)  # fmt: skip

#: ECM part-number prefixes that Nissan CALIDs (service 09 InfoType 04) start with: 23710-xxxxx is the
#: ECM part number (opendbc: 23710-6FR9A); the J10 capture shows 23710BB31A and 23701BB36A.
NISSAN_CALID_PREFIXES: tuple[str, ...] = ("23710", "23701")

#: WMIs whose vehicles are Nissans (obdident.vehicles.wmi rows that say Nissan or Infiniti).
_NISSAN_MANUFACTURERS = ("Nissan", "Infiniti (Nissan)")

_LCN2KAI = (
    "Bosch NissanConnect (LCN2kai) service menu: hold APP, then turn TUNE anticlockwise, clockwise, "
    "anticlockwise; it shows the firmware and hardware versions (for example D300/033) "
    "(ea/bosch_headunit_root)."
)
_LEAF_NAV = "Leaf navigation self-diagnosis: press MAP three times, PWR twice, MAP once (seed articles)."

#: Guidance for a head unit of any make: where the identifiers can be read without the OBD-II socket.
ANY_MAKE_HEAD_UNIT_GUIDANCE: tuple[str, ...] = (
    "The label on the unit's case shows its part number and serial number (visible once the unit is "
    "taken out of the dashboard).",
    "Many units show their versions in a setup or system-information menu.",
    "The vehicle's documents may list the unit's part and serial numbers.",
)

#: Guidance for any Nissan head unit: where the identifiers can be read without the OBD-II socket.
GENERAL_HEAD_UNIT_GUIDANCE: tuple[str, ...] = (
    "The label on the unit's case shows its part number and serial number: Nissan audio part numbers begin "
    "28185- or 28184-, navigation 25915-; Bosch/Blaupunkt serials are 'BP' and 12 digits (labels may print "
    "815BP... or 815CM...).",
    "Many units show their versions under SETUP -> System Information or Software version.",
    "The vehicle's documents may list the unit's part and serial numbers.",
)


@dataclass(frozen=True)
class Family:
    """A Nissan model family and what is known about reaching its head unit.

    Attributes:
        code: Nissan's model code (``J10``).
        name: the family as owners know it.
        head_unit_on_obd: False when public evidence shows the head unit on a bus the OBD-II socket's CAN
            pins do not reach; None when unknown.
        why: the evidence for ``head_unit_on_obd``.
        guidance: where the owner can read the head unit's identifiers.
        source: the public source of the facts.
    """

    code: str
    name: str
    head_unit_on_obd: bool | None
    why: str
    guidance: tuple[str, ...]
    source: str


FAMILIES: dict[str, Family] = {
    f.code: f
    for f in (
        Family("J10", "Qashqai (J10)", False,
               "the audio and navigation units sit on a separate AV COMM bus, not on the diagnostic CAN",
               (), "balrog-kun/nissan-qashqai-can-info"),
        Family("J11", "Qashqai (J11)", None, "", (_LCN2KAI,), "ea/bosch_headunit_root"),
        Family("F15", "Juke (F15)", None, "", (_LCN2KAI,), "ea/bosch_headunit_root"),
        Family("T32", "X-Trail (T32)", None, "", (_LCN2KAI,), "ea/bosch_headunit_root"),
        Family("K14", "Micra (K14)", None, "", (_LCN2KAI,), "ea/bosch_headunit_root"),
        Family("ZE0", "Leaf (ZE0/AZE0)", False,
               "the AV-CAN is on OBD-II socket pins 3 and 11; an ELM327 uses pins 6 and 14",
               (_LEAF_NAV,), "sethfischer/nissan-leaf-obd-manual"),
        Family("AZE0", "Leaf (AZE0)", False,
               "the AV-CAN is on OBD-II socket pins 3 and 11; an ELM327 uses pins 6 and 14",
               (_LEAF_NAV,), "sethfischer/nissan-leaf-obd-manual"),
    )
}  # fmt: skip


@dataclass(frozen=True)
class SecondCan:
    """A CAN bus a family brings out on other OBD-II socket pins, where its head unit may answer.

    Attributes:
        pins: the socket pins (``3/11``).
        preset: the STN protocol preset that reaches them with 11-bit ids (OBDLink FRPM rev F, STP: 53 =
            MS-CAN, ISO 15765, 11-bit Tx, pins 3/11).
        bit_rate: its bit rate in bits per second (set with STPBR).
        source: the public source of the pins and bit rate.
        confidence: ``confirmed`` / ``likely`` / ``guess`` (the evidence file's [C] / [L] / [G]).
    """

    pins: str
    preset: str
    bit_rate: int
    source: str
    confidence: str


_LEAF_AV_CAN = SecondCan(
    "3/11", "53", 500_000,
    "sethfischer/nissan-leaf-obd-manual (AV-CAN on DLC pins 3/11; '11-bit/500k'); evidence section 8",
    "likely",
)  # fmt: skip

#: Families whose AV bus is on other socket pins, by model code: an STN adapter with MS-CAN (OBDLink MX, MX+,
#: EX) can reach it; a clone with an HS/MS-CAN switch may, with the switch flipped. The bit rate is [L].
SECOND_CAN: dict[str, SecondCan] = {"ZE0": _LEAF_AV_CAN, "AZE0": _LEAF_AV_CAN}

# Exact part-number suffixes (21 83, A-E) seen on one family in public captures: (response id, suffix).
_FINGERPRINTS: dict[tuple[str, str], str] = {
    ("765", "BR02A"): "J10",  # BCM 284B2-BR02A, balrog-kun J10 capture
    ("76D", "JD02D"): "J10",  # IPDM, balrog-kun J10 capture
    ("762", "BR01D"): "J10",  # EPS, balrog-kun J10 capture
    ("763", "BR50E"): "J10",  # meter, balrog-kun J10 capture
}

# European and Japanese Nissan VINs carry the model code at positions 7-9 (SJNFAAJ10U..., JN1TBNT30U...).
_MODEL_CODE_WMIS = ("SJN", "VSK", "JN1", "JN6", "JN8", "JNK", "MDH", "MNT", "ADN")


def family_from_vin(vin: str) -> tuple[Family, str] | None:
    """Find the family from a European or Japanese Nissan VIN's model code (positions 7-9).

    Args:
        vin: a structurally valid VIN.

    Returns:
        The family and the basis (``VIN positions 7-9 'J10'``), or None when the WMI does not use that
        pattern or the code is not in :data:`FAMILIES`.
    """
    if vin[:3] not in _MODEL_CODE_WMIS:
        return None
    for code in (vin[6:10], vin[6:9]):
        if code in FAMILIES:
            return FAMILIES[code], f"VIN positions 7-{6 + len(code)} {code!r} (Nissan model code)"
    return None


def family_from_fingerprint(response_id: str, suffix: str) -> tuple[Family, str] | None:
    """Find the family from a unit's part-number suffix seen on that family in a public capture.

    Returns:
        The family and the basis, or None.
    """
    code = _FINGERPRINTS.get((response_id.upper(), suffix))
    if code is None:
        return None
    return FAMILIES[code], f"{response_id} part-number suffix {suffix} (seen on a {code} in public captures)"


def nissan_basis(manufacturer: str | None, wmi: str | None, calibration_ids: list[str]) -> str | None:
    """Say why the vehicle counts as a Nissan, or None when nothing shows it.

    Args:
        manufacturer: from the WMI table.
        wmi: VIN positions 1-3.
        calibration_ids: every CALID read.
    """
    if manufacturer in _NISSAN_MANUFACTURERS and wmi:
        return f"WMI {wmi} ({manufacturer})"
    for calid in calibration_ids:
        if calid.startswith(NISSAN_CALID_PREFIXES):
            return f"CALID {calid} (Nissan ECM part number)"
    return None
