"""The report's codes in the owner's words, for every screen and the letter (the JSON keeps the codes).

- :data:`FIELD_LABELS`: identification keys (``part_number_suffix``) as column and row names.
- :data:`CHECK_DIGIT`: the VIN check digit's status (``not-required``).
- :func:`split_problems`: the problems, and the details that are not problems for the owner.
- :func:`plain`: a note without its citation (``(49 CFR 565.15)``): sources stay in the JSON and the
  code's docstrings.
"""

from __future__ import annotations

import re

from obdident.i18n import N_, _, render
from obdident.model import Problem, Report
from obdident.report.shown import babel_locale, when

__all__ = [
    "CHECK_DIGIT",
    "DETAILS",
    "FIELD_LABELS",
    "check_digit",
    "decimal",
    "field_label",
    "moment",
    "plain",
    "split_problems",
]

#: How identification keys are labelled for people; other keys are shown with ``_`` as spaces.
FIELD_LABELS: dict[str, str] = {
    "spare_part_number": N_("part no."),
    "part_number_suffix": N_("part no. suffix"),
    "ecu_serial_number": N_("serial no."),
    "ecu_software_number": N_("software no."),
    "ecu_software_version": N_("software version"),
    "ecu_hardware_number": N_("hardware no."),
    "system_supplier": N_("supplier"),
    "supplier_code": N_("supplier code"),
    "supplier_hardware_number": N_("supplier hardware no."),
    "supplier_hardware_version": N_("supplier hardware version"),
    "supplier_software_number": N_("supplier software no."),
    "supplier_software_version": N_("supplier software version"),
    "hardware_id": N_("hardware id"),
    "software_id": N_("software id"),
    "diag_id": N_("diagnostic id"),
    "calibration_id": N_("calibration id"),
    "product_number": N_("product no."),
    "product_number_fe": N_("product no. (21 FE)"),
    "hardware_number": N_("hardware no."),
    "system_name": N_("system name"),
    "ecu_id": N_("ECU id"),
    "edition": N_("edition"),
    "manufacturer_code": N_("manufacturer code"),
    "part_number": N_("part number"),
    "serial_number": N_("serial number"),
    "software_version": N_("software version"),
    "hardware_version": N_("hardware version"),
    # ISO 14229-1:2020 Annex C (F180-F19F) and KWP 2000 (ISO 14230-3) 1A identification options
    "active_diagnostic_session": N_("diagnostic session"),
    "alliance_identification_raw": N_("Alliance identification (raw)"),
    "application_data_fingerprint": N_("application data fingerprint"),
    "application_data_identification": N_("application data identification"),
    "application_software_fingerprint": N_("application software fingerprint"),
    "application_software_identification": N_("application software identification"),
    "approval_number_list_index": N_("approval number list index"),
    "boot_software_fingerprint": N_("boot software fingerprint"),
    "boot_software_identification": N_("boot software identification"),
    "calibration_date": N_("calibration date"),
    "calibration_equipment_software": N_("calibration equipment software no."),
    "calibration_shop_code": N_("calibration shop code"),
    "ecu_installation_date": N_("installation date"),
    "ecu_manufacturing_date": N_("manufacturing date"),
    "hardware_number_list_index": N_("hardware no. list index"),
    "kit_assembly_part_number": N_("kit assembly part no."),
    "manufacturer": N_("manufacturer"),
    "odx_file": N_("ODX file"),
    "part_number_list_index": N_("part no. list index"),
    "programming_date": N_("programming date"),
    "repair_shop_code": N_("repair shop code"),
    "supported_functional_units": N_("supported functional units"),
    "type_approval_number": N_("type approval no."),
    "vin": N_("VIN"),
}

#: The VIN check digit's status (:attr:`obdident.model.Vehicle.vin_check_digit`) in words.
CHECK_DIGIT: dict[str, str] = {
    "valid": N_("valid"),
    "invalid": N_("does not match the rest of the VIN"),
    "not-required": N_("not used outside North America"),
    "unknown": N_("not known"),
}

_CITATION = re.compile(r"\s*\((?:49 CFR|ISO|SAE|FMVSS)[^()]*\)")


def field_label(key: str) -> str:
    """An identification key in words, in the current language: :data:`FIELD_LABELS`, else the key with
    ``_`` as spaces (a key obdident has no words for is shown as it is)."""
    return _(FIELD_LABELS[key]) if key in FIELD_LABELS else key.replace("_", " ")


def check_digit(status: str | None) -> str:
    """The VIN check digit's status in words, in the current language (:data:`CHECK_DIGIT`)."""
    if status in CHECK_DIGIT:
        return _(CHECK_DIGIT[status])
    return status or ""


def plain(note: object) -> str:
    """``note`` in the current language (:func:`obdident.i18n.render`) without a parenthesised citation of
    a standard or regulation; "" for None."""
    return _CITATION.sub("", render(note))


def decimal(value: float, digits: int, language: str | None = None) -> str:
    """``value`` with ``digits`` decimals and the language's (default: the current one's) decimal sign
    (``12.6`` / ``12,6``; Babel, CLDR number symbols)."""
    from babel.numbers import format_decimal

    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=babel_locale(language)))


def moment(iso: str | None) -> str:
    """An ISO 8601 time (``2026-12-04T19:22:05Z``) in the current language's medium date and time form
    (Babel, CLDR), in UTC as recorded; "" for None; the text as it is when it is not ISO 8601."""
    return when(iso, form="medium") or ""


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
