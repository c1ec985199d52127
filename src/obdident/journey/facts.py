"""The facts a scan tells the owner, in the owner's words, the same for the terminal and the window.

- :func:`news`: the VIN and the head unit, as soon as a (partial) report holds them; :class:`EarlyNews`
  hands each fact on once.
- :func:`dealer_rows`: what to take to the dealer (the VIN, the head unit's part and serial numbers, read
  or entered, or where to read them, with how sure the head unit is when it is not sure), and how the scan
  ended, each row with its provenance.
- :data:`LABEL_FIELDS`, :func:`missing_label_fields`: the label values the owner is asked for.

Plain text only: each front end styles it (rich markup on the terminal, HTML escaped by the window). Only
values in the report are shown; nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from obdident.i18n import T, Text
from obdident.model import EnteredField, Report
from obdident.report.entered import (
    agrees,
    entered_model_year,
    entered_values,
    entered_vin,
    label_fields_missing,
    vin_missing,
)
from obdident.report.headunit import (
    CONFIDENCE,
    LABELS,
    ending,
    head_unit_ecu,
    head_unit_values,
    masked_value,
    owner_rows,
    shown_rows,
)
from obdident.report.provenance import is_simulated
from obdident.vehicles.headunit_forms import FIELD_NAMES, form_note
from obdident.vehicles.vin import VIN_PLACES

__all__ = [
    "LABEL_FIELDS",
    "EarlyNews",
    "Fact",
    "Provenance",
    "Row",
    "dealer_rows",
    "missing_label_fields",
    "missing_label_keys",
    "news",
]

#: The label values the owner is asked for after a scan that did not read them, with their output field.
LABEL_FIELDS: tuple[tuple[EnteredField, str], ...] = (("part_number", "HU"), ("serial_number", "SN"))

#: Where a dealer row's text comes from: a value read over OBD-II, a value the owner entered, advice (where
#: to read it), a warning (a simulated car), or the scan's ending.
Provenance = Literal["read", "entered", "advice", "warning", "ending"]


@dataclass(frozen=True)
class Fact:
    """One early fact.

    Attributes:
        key: ``vin`` or ``head_unit``.
        label: ``VIN``, ``Head unit``.
        value: the value(s) read (``SJNFAAJ11U2000001``; ``part number 25915-5FA1A, serial number ...``).
        note: where it was read, and how sure when the head unit is not sure (``read from 767``).
    """

    key: str
    label: str
    value: str
    note: str

    @property
    def text(self) -> str:
        """The fact as one plain line: ``VIN SJNFAAJ11U2000001 (read from 7E8)`` (a Text)."""
        return T("{label} {value} ({note})", label=self.label, value=self.value, note=self.note)


def news(report: Report) -> dict[str, Fact]:
    """The VIN and the head unit, once a (partial) report holds them, by key (``vin``, ``head_unit``).

    Only values read are told: the VIN once ``vehicle.vin`` is known (its sources agree), with the ECU that
    gave it; the head unit once it is ``identified``, with its part number in Nissan's form and its serial
    number (or "not read"), and how sure it is the head unit unless that is sure.
    """
    facts: dict[str, Fact] = {}
    vin = report.vehicle.vin
    if vin:
        giver = next((s.response_id for s in report.vehicle.vin_sources if s.value == vin), None)
        note = T("read from {unit}", unit=giver) if giver else T("read over OBD-II")
        facts["vin"] = Fact("vin", T("VIN"), vin, note)
    ecu = head_unit_ecu(report)
    if ecu is not None:
        said = tuple(
            T("{field} {value}", field=FIELD_NAMES[field], value=value)
            if value
            else T("{field} not read", field=FIELD_NAMES[field])
            for (field, _key), (_label, value) in zip(LABEL_FIELDS, shown_rows(report)[:2], strict=False)
        )
        confidence = report.head_unit.confidence if report.head_unit else None
        note = T("read from {unit}", unit=ecu.response_id)
        if confidence and confidence != "confirmed":
            note = T(
                "{note}; how sure: {confidence}",
                note=note,
                confidence=CONFIDENCE.get(confidence, confidence),
            )
        facts["head_unit"] = Fact("head_unit", T("Head unit"), T("{values}", values=said), note)
    return facts


class EarlyNews:
    """Hands on each early fact once, whatever number of checkpoints holds it.

    Attributes:
        told: the keys already handed on.
    """

    def __init__(self) -> None:
        self.told: set[str] = set()

    def fresh(self, report: Report | None) -> list[Fact]:
        """The facts ``report`` holds that were not handed on before (and marks them told)."""
        if report is None:
            return []
        facts = [fact for key, fact in news(report).items() if key not in self.told]
        self.told.update(f.key for f in facts)
        return facts


@dataclass(frozen=True)
class Row:
    """One row of what to take to the dealer.

    Attributes:
        label: what it is (``VIN``, ``Head unit part number``).
        text: the whole row's text, plain (``25915-5FA1A (read over OBD-II)``).
        provenance: where it comes from (:data:`Provenance`).
        value: the value itself, when ``provenance`` is ``read`` or ``entered`` (shown strong), else None.
    """

    label: str
    text: str
    provenance: Provenance
    value: str | None = None


def missing_label_keys(report: Report) -> list[str]:
    """What the window's label step asks for: ``VIN`` and ``MY`` (its model year) when no VIN was read or
    entered, then ``HU`` (also when only the part number's suffix was read) and ``SN``."""
    vehicle = ["VIN", "MY"] if vin_missing(report) else []
    return vehicle + label_fields_missing(report)


def missing_label_fields(report: Report) -> list[EnteredField]:
    """The label fields (part and serial numbers) neither read over OBD-II nor entered."""
    read, mine = head_unit_values(report), entered_values(report)
    return [field for field, key in LABEL_FIELDS if key not in read and key not in mine]


def dealer_rows(report: Report, *, head_unit_panel: bool = False) -> list[Row]:
    """What to take to the dealer, then how the scan ended.

    Args:
        report: the scan's report (as shared: redacted with ``--redact``).
        head_unit_panel: the front end shows the head-unit panel (the terminal's full report), so a row
            may point to it ("more under Head unit").

    Returns:
        The rows: a warning for a simulated car; the VIN or where to read it; the head unit's part and
        serial numbers, read or entered, or where to read them; how sure the unit read is the head unit,
        when not sure; the scan's ending.
    """
    rows: list[Row] = []
    if is_simulated(report):
        rows.append(Row(T("Simulated"), T("a simulated car: every value below is invented; not for a dealer"),
                        "warning"))  # fmt: skip
    vin, mine = report.vehicle.vin, entered_vin(report)
    if vin and mine is not None and mine.value != vin:
        differ = T(
            "{read} (read over OBD-II); {entered} entered by the owner: they differ, check the VIN plate",
            read=vin,
            entered=mine.value,
        )
        rows.append(Row(_VIN, differ, "read", vin))
    elif vin:
        rows.append(Row(_VIN, vin, "read", vin))
    elif mine is not None:
        rows.append(Row(_VIN, _entered(mine.value), "entered", mine.value))
    else:
        rows.append(Row(_VIN, T("not read over OBD-II: read it from {places}", places=VIN_PLACES), "advice"))
    year = entered_model_year(report)
    if year is not None:
        rows.append(Row(T("Model year"), _entered(year.value), "entered", year.value))
    read = dict(owner_rows(report)) if head_unit_ecu(report) is not None else {}
    entered = entered_values(report)
    more = head_unit_panel and report.head_unit is not None
    values = head_unit_values(report)
    for field, key in LABEL_FIELDS:
        label = T("Head unit {field}", field=FIELD_NAMES[field])
        value = read.get(LABELS[key])
        masked = masked_value(report, key)
        typed_in = entered.get(key)
        if value and typed_in is not None and agrees(key, typed_in.value, values) is False:
            differ = T(
                "{read} (read over OBD-II); {entered} entered by the owner: they differ, check the label",
                read=value,
                entered=typed_in.value,
            )
            rows.append(Row(label, differ, "read", value))
        elif value:
            rows.append(Row(label, T("{value} (read over OBD-II)", value=value), "read", value))
        elif masked:
            rows.append(Row(label, T("{value} (read over OBD-II, masked for sharing)", value=masked), "read",
                            masked))  # fmt: skip
        elif typed_in is not None:
            note = form_note(typed_in.form)
            shown = _entered(typed_in.value)
            if note is not None:  # a value of no form obdident knows: the owner checks the label again
                shown = T("{value}; {note}", value=shown, note=note)
            rows.append(Row(label, shown, "entered", typed_in.value))
        elif report.head_unit is not None and report.head_unit.status == "not-asked":
            rows.append(Row(label, _more(T("not read: the scan stopped before it reached the head unit; scan "
                                           "again, or read it from the label on the unit's case"), more),
                            "advice"))  # fmt: skip
        else:
            rows.append(Row(label, _more(T("not read over OBD-II: read it from the label on the unit's case"),
                                         more), "advice"))  # fmt: skip
    head = report.head_unit
    if read and head is not None and head.confidence and head.confidence != "confirmed":
        rows.append(Row(T("How sure"), CONFIDENCE.get(head.confidence, head.confidence), "advice"))
    rows.append(Row(T("Scan"), ending(report), "ending"))
    return rows


_VIN = T("VIN")


def _entered(value: str) -> Text:
    """A value the owner entered, marked so."""
    return T("{value} (entered by the owner)", value=value)


def _more(text: Text, more: bool) -> Text:
    """``text``, pointing to the head-unit panel when the front end shows it."""
    return T("{advice} (more under Head unit)", advice=text) if more else text
