"""Which units a Nissan model family has by the public record, and the CALIDs that show a family.

Used once the scan has established the family (:func:`obdident.scanning.assess.family`): units the record
says the family has not are not probed (``--full`` probes them), and Nissan's session is opened at once on
the units whose captures on that family show them needing it. Every row names its source.
"""

from __future__ import annotations

from obdident.vehicles.nissan import FAMILIES, Family

__all__ = ["CAPTURED_ON_FAMILY", "NOT_ON_FAMILY", "SESSION_FAMILIES", "family_from_calid"]

# Exact CALIDs (service 09 InfoType 04) seen on one family in public captures.
_CALID_FINGERPRINTS: dict[str, str] = {
    "23710BB31A": "J10",  # ECM CALID, balrog-kun J10 capture (1.6 dCi)
    "23701BB36A": "J10",  # ECM CALID, balrog-kun J10 capture (1.6 dCi)
}

#: Families whose public captures show the ``needs_session`` units (:class:`~obdident.vehicles.nissan.Unit`)
#: refusing identification outside Nissan's session ``10 C0`` (balrog-kun J10): there it is opened at once,
#: without a refused request first.
SESSION_FAMILIES: frozenset[str] = frozenset({"J10"})

#: Units seen answering identification in a public capture of that family, by model code. The scan probes
#: them last, so its last request is the one most likely answered and the closing check (is the vehicle
#: still there?) is seldom needed (obdident.scanning.assess.probe_order). Order only: nothing is skipped.
CAPTURED_ON_FAMILY: dict[str, frozenset[str]] = {
    # balrog-kun/nissan-qashqai-can-info README: 21 83 answers of the BCM 745, EPS 742, meter 743 and
    # IPDM 74D, and the ECM's 21 80/81/FE/FF, on a 2013 Qashqai J10.
    "J10": frozenset({"ECM", "BCM", "EPS", "METER", "IPDM"}),
    # OVMS3 vehicle_nissanleaf.cpp (VCM 797, LBC 79B); developerfromjokela/nissan-leaf-tcu (TCU 746).
    "ZE0": frozenset({"VCM", "LBC", "TCU"}),
    "AZE0": frozenset({"VCM", "LBC", "TCU"}),
}

_LEAF_UNITS = "a unit of the electric Leaf (OVMS3, nissan-leaf-tcu); the {name} is not electric"
_GATEWAY_2017 = "the 29-bit CAN gateway came with 2017+ models (commaai/opendbc); the {name} predates it"
_LEAF_FAMILY = {
    "GATEWAY": "the 29-bit CAN gateway came with the Leaf ZE1 (2017, commaai/opendbc), after the ZE0/AZE0",
}

#: Units a family does not have by the public record, by model code: unit name -> why. Once the family is
#: established they are not probed (``--full`` probes them); head-unit candidates are never listed here.
NOT_ON_FAMILY: dict[str, dict[str, str]] = {
    "J10": {
        "VCM": _LEAF_UNITS.format(name="Qashqai (J10)"),
        "LBC": _LEAF_UNITS.format(name="Qashqai (J10)"),
        "TCU": _LEAF_UNITS.format(name="Qashqai (J10)"),
        "GATEWAY": _GATEWAY_2017.format(name="Qashqai (J10, 2006-2013)"),
        "CAMERA": "the UDS ADAS camera came with Nissans of about 2017 on (commaai/opendbc PR #3418); the "
        "Qashqai (J10, 2006-2013) predates it",
        "MIU": "the J10's AV COMM bus is isolated, between the audio and NAVI units only (balrog-kun): no "
        "media gateway joins it to the diagnostic CAN",
    },
    "ZE0": _LEAF_FAMILY,
    "AZE0": _LEAF_FAMILY,
}


def family_from_calid(calid: str) -> tuple[Family, str] | None:
    """Find the family from a CALID (service 09 InfoType 04) seen on that family in a public capture.

    Returns:
        The family and the basis, or None.
    """
    code = _CALID_FINGERPRINTS.get(calid.strip().upper())
    if code is None:
        return None
    return FAMILIES[code], f"CALID {calid.strip()} (seen on a {code} in public captures)"
