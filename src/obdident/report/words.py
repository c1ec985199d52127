"""The report's codes in the owner's words, for every screen and the letter (the JSON keeps the codes).

- :data:`FIELD_LABELS`: identification keys (``part_number_suffix``) as column and row names.
- :data:`CHECK_DIGIT`: the VIN check digit's status (``not-required``).
- :func:`split_problems`: the problems, and the details that are not problems for the owner.
- :func:`plain`: a note without its citation (``(49 CFR 565.15)``): sources stay in the JSON and the
  code's docstrings.
"""

from __future__ import annotations

import re

from obdident.model import Problem, Report

__all__ = ["CHECK_DIGIT", "DETAILS", "FIELD_LABELS", "field_label", "plain", "split_problems"]

#: How identification keys are labelled for people; other keys are shown with ``_`` as spaces.
FIELD_LABELS: dict[str, str] = {
    "spare_part_number": "part no.",
    "part_number_suffix": "part no. suffix",
    "ecu_serial_number": "serial no.",
    "ecu_software_number": "software no.",
    "ecu_software_version": "software version",
    "ecu_hardware_number": "hardware no.",
    "system_supplier": "supplier",
    "supplier_code": "supplier code",
    "supplier_hardware_number": "supplier hardware no.",
    "supplier_hardware_version": "supplier hardware version",
    "supplier_software_number": "supplier software no.",
    "supplier_software_version": "supplier software version",
    "hardware_id": "hardware id",
    "software_id": "software id",
    "diag_id": "diagnostic id",
    "calibration_id": "calibration id",
    "product_number": "product no.",
    "product_number_fe": "product no. (21 FE)",
    "hardware_number": "hardware no.",
    "system_name": "system name",
    "ecu_id": "ECU id",
}

#: The VIN check digit's status (:attr:`obdident.model.Vehicle.vin_check_digit`) in words.
CHECK_DIGIT: dict[str, str] = {
    "valid": "valid",
    "invalid": "does not match the rest of the VIN",
    "not-required": "not used outside North America",
    "unknown": "not known",
}

_CITATION = re.compile(r"\s*\((?:49 CFR|ISO|SAE|FMVSS)[^()]*\)")


def field_label(key: str) -> str:
    """An identification key in words: :data:`FIELD_LABELS`, else the key with ``_`` as spaces."""
    return FIELD_LABELS.get(key, key.replace("_", " "))


def plain(note: str | None) -> str:
    """``note`` without a parenthesised citation of a standard or regulation; "" for None."""
    return _CITATION.sub("", note or "")


#: Problems that are details when nothing the owner needs is missing: they say what the scan left out on
#: purpose (the units a family does not have), not what went wrong.
DETAILS = ("units-not-probed",)


def split_problems(report: Report) -> tuple[tuple[Problem, ...], tuple[Problem, ...]]:
    """The report's problems as (problems, details): a :data:`DETAILS` problem is a detail when the VIN and
    the head unit's part and serial numbers are all known (read or entered), a problem otherwise."""
    from obdident.report.entered import entered_values
    from obdident.report.headunit import head_unit_values

    known = set(head_unit_values(report)) | set(entered_values(report))
    complete = bool(report.vehicle.vin) and ({"HU", "SN"} <= known or {"HUS", "SN"} <= known)
    details = tuple(p for p in report.problems if complete and p.code in DETAILS)
    return tuple(p for p in report.problems if p not in details), details
