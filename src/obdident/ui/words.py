"""The scan's result in the owner's words, for the window's result page: plain (label, text) rows.

The same facts as the terminal's "For the dealer" summary (:func:`obdident.report.text.render_dealer`): the
VIN, or where to read it; the head unit's part and serial numbers, read or entered, or where to read them;
whether the scan ended, and why not. Only values in the report are shown; nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.model import Report
from obdident.report.entered import entered_values, entered_vin, label_fields_missing, vin_missing
from obdident.report.headunit import LABELS, head_unit_ecu, owner_rows
from obdident.report.provenance import is_simulated
from obdident.vehicles.vin import VIN_PLACES

__all__ = ["Row", "missing_label_fields", "owner_words"]


@dataclass(frozen=True)
class Row:
    """One line of the result.

    Attributes:
        label: what it is (``VIN``).
        text: the value, or where to find it.
        read: True when ``text`` is a value read over OBD-II or entered (shown strong), False for advice.
    """

    label: str
    text: str
    read: bool


def owner_words(report: Report) -> list[Row]:
    """The result rows: simulated-car warning, VIN, head unit part and serial numbers, the scan's end."""
    rows: list[Row] = []
    if is_simulated(report):
        invented = "A simulated car: every value below is invented; not for a dealer."
        rows.append(Row("Simulated", invented, False))
    vin, mine = report.vehicle.vin, entered_vin(report)
    if vin:
        rows.append(Row("VIN", vin, True))
    elif mine is not None:
        rows.append(Row("VIN", f"{mine.value} (entered by you)", True))
    else:
        rows.append(Row("VIN", f"Not read over OBD-II: read it from {VIN_PLACES}.", False))
    values = dict(owner_rows(report)) if head_unit_ecu(report) is not None else {}
    entered = entered_values(report)
    for key in ("HU", "SN"):
        label = f"Head unit {LABELS[key].lower()}"
        value = values.get(LABELS[key])
        if value:
            rows.append(Row(label, f"{value} (read over OBD-II)", True))
        elif key in entered:
            rows.append(Row(label, f"{entered[key].value} (entered by you)", True))
        else:
            rows.append(Row(label, "Not read over OBD-II: it is on the label on the unit's case.", False))
    if report.complete:
        rows.append(Row("Scan", "Complete: every step ran to its end.", False))
    else:
        rows.append(Row("Scan", "Cut short: what was read is kept; the problems below say why.", False))
    return rows


def missing_label_fields(report: Report) -> list[str]:
    """What the label step asks for (:mod:`obdident.report.entered`): ``VIN`` and ``MY`` (its model year) when
    no VIN was read or entered, then ``HU`` (also when only the part number's suffix was read) and ``SN``."""
    vehicle = ["VIN", "MY"] if vin_missing(report) else []
    return vehicle + label_fields_missing(report)
