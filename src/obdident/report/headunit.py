"""The head unit's identifiers as the dealer's outputs give them: one table, shared by the QR code
(:mod:`.qr`), the CSV row (:mod:`.csvout`), the page (:mod:`.html`) and the code request (:mod:`.request`).

Each output field (``HU``, ``HUS``, ``SN``, ``SW``, ``HW``) is taken from the ECU entry the head unit
answered as (``head_unit.status`` is ``identified``), first identification key present wins; a value
holding ``*`` (masked security bytes, or masked by ``--redact``) is left out: it is not the value the unit
holds. Nothing is guessed.
"""

from __future__ import annotations

from obdident.model import Ecu, Report

__all__ = ["FIELDS", "head_unit_ecu", "head_unit_values"]

#: Field names in payload order, each with the identification keys it is taken from (first present wins).
FIELDS: dict[str, tuple[str, ...]] = {
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


def head_unit_ecu(report: Report) -> Ecu | None:
    """The ECU entry of an identified head unit, or None."""
    head = report.head_unit
    if head is None or head.status != "identified" or head.response_id is None:
        return None
    return next((e for e in report.ecus if e.response_id == head.response_id), None)


def head_unit_values(report: Report) -> dict[str, str]:
    """The head unit's ``HU``, ``HUS``, ``SN``, ``SW``, ``HW`` values that were read (and are not masked)."""
    ecu = head_unit_ecu(report)
    values: dict[str, str] = {}
    if ecu is None:
        return values
    for name, keys in FIELDS.items():
        for key in keys:
            value = ecu.identification.fields.get(key)
            if value and "*" not in value:
                values[name] = value
                break
    return values
