"""The text of a request to the dealer for the head unit's unlock code (``obdident report SCAN.json
--request``).

Every field the dealer asks for is filled from the scan where the scan read it; where it did not, the
line says so and where to read it instead (``not read over OBD-II: read it from ...``). What only the owner
can give (proof of ownership, name and address, identity) is left as blanks to fill in. obdident only
identifies the vehicle: the text asks the dealer for the code and says nothing else about codes.
"""

from __future__ import annotations

import textwrap

from obdident.model import Ecu, EnteredValue, Report
from obdident.report.entered import agrees, entered_model_year, entered_values, entered_vin
from obdident.report.headunit import (
    MASKED,
    STATUS,
    ending,
    head_unit_ecu,
    head_unit_values,
    masked_value,
    nissan_form,
    nothing_read,
)
from obdident.report.provenance import is_simulated
from obdident.report.sanitize import plain
from obdident.vehicles.vin import VIN_PLACES

__all__ = ["request_text"]

_BLANK = "_" * 36
_WIDTH = 26
_LABEL = "the label on the unit's case (see below)"
_MENU = "the unit's service or system-information menu (see below)"
_TEXT_WIDTH = 100
#: Identification keys worth giving the dealer for other units, in this order, with their labels.
_HELPFUL: tuple[tuple[str, str], ...] = (
    ("spare_part_number", "part number"),
    ("part_number_suffix", "part number suffix"),
    ("product_number", "product number"),
    ("ecu_software_number", "software"),
    ("ecu_hardware_number", "hardware"),
)


def _line(label: str, value: str) -> str:
    head = f"  {label + ':' if label else '':<{_WIDTH}} "
    return "\n".join(
        textwrap.wrap(value, _TEXT_WIDTH, initial_indent=head, subsequent_indent=" " * len(head),
                      break_on_hyphens=False, break_long_words=False)
        or [head.rstrip()]
    )  # fmt: skip


def _missing(where: str) -> str:
    return f"not read over OBD-II: read it from {where}"


_ENTERED = "(entered by the owner)"


def _with_entered(read: str | None, entered: EnteredValue | None, missing: str, same: bool | None) -> str:
    """A head-unit value's text: read, entered by the owner (marked), both, or where to read it; ``same``
    says whether the two agree (:func:`.entered.agrees`)."""
    if entered is None:
        return read if read is not None else missing
    mine = f"{plain(entered.value)} {_ENTERED}"
    if read is None:
        return mine
    if same:
        return f"{read}; the owner entered {mine}, which agrees"
    return f"{read} (read over OBD-II); the owner entered {mine}: they differ, see the label"


def _vin_lines(report: Report) -> list[str]:
    """The VIN's line: read, entered by the owner (marked), both, or a blank to write it on and where to
    read it."""
    v = report.vehicle
    mine = entered_vin(report)
    if v.vin and mine is not None and mine.value != v.vin:
        return [_line("VIN", f"{plain(v.vin)} (read over OBD-II); the owner entered {plain(mine.value)} "
                             f"{_ENTERED}: they differ, see the VIN plate")]  # fmt: skip
    if v.vin:
        return [_line("VIN", plain(v.vin))]
    if mine is not None:
        return [_line("VIN", f"{plain(mine.value)} {_ENTERED}")]
    where = f"(not read over OBD-II: write it above, from {VIN_PLACES})"
    return [_line("VIN", "_" * 17 * 2), _line("", where)]


def _ecu_summary(ecu: Ecu) -> str | None:
    ident = ecu.identification
    parts = [f"CALID {plain(c)}" for c in ident.calibration_ids]
    parts += [f"{label} {plain(ident.fields[key])}" for key, label in _HELPFUL if ident.fields.get(key)]
    if not parts:
        return None
    name = plain(ecu.name or "unit")
    return f"  {name} ({plain(ecu.response_id)}): " + "; ".join(parts)


def _nothing_read(report: Report) -> str:
    """No letter for a scan that read nothing: what to check, and to scan again."""
    lines = [
        "No request for the dealer: the scan read nothing from the vehicle",
        "=================================================================",
        "",
        textwrap.fill(f"The scan: {ending(report)}", _TEXT_WIDTH),
        "",
    ]
    return "\n".join(lines)


def request_text(report: Report) -> str:
    """The request's text, lines ending in ``\\n``; every value from the vehicle is plain text (control
    characters shown as ``\\xNN``). A scan that read nothing gets no letter, only what to check."""
    if nothing_read(report) and not entered_values(report):
        return _nothing_read(report)
    v = report.vehicle
    head = report.head_unit
    hu = head_unit_values(report)
    hu_ecu = head_unit_ecu(report)
    label_where, menu_where = _LABEL, _MENU
    version = plain(report.tool.get("version", ""))
    when = plain(report.started_at) or "the date of the scan"
    heading = "Request for the head unit's unlock code"
    if is_simulated(report):
        heading += ": SIMULATED CAR"
    lines = [heading, "=" * len(heading), ""]
    if is_simulated(report):
        lines += ["Every value below is invented (obdident's simulator): not for a dealer.", ""]
    lines += [
        f"To (dealer):   {_BLANK}",
        f"Date:          {_BLANK}",
        "",
        "I am the owner of the vehicle below. Its head unit (radio / navigation) is locked and asks for its",
        "unlock code: please give me the head unit's unlock code. The vehicle details below were read from",
        f"the vehicle itself through its OBD-II socket on {when} (obdident {version}, read-only).",
        "",
    ]
    if not report.complete:
        lines += [textwrap.fill(f"Note: this scan was {ending(report)}", _TEXT_WIDTH), ""]
    lines += ["Vehicle", *_vin_lines(report)]
    make = v.manufacturer
    if make:
        make = plain(make) + (f" ({plain(v.country)})" if v.country else "")
    elif v.nissan_from_ecm:
        make = "Nissan (from the ECM part number)"
    lines.append(_line("Make / manufacturer", make or _missing("the registration document")))
    lines.append(_line("Model", plain(v.family) if v.family else _missing("the registration document")))
    year = entered_model_year(report)
    if v.model_year:
        told = str(v.model_year)
        if year is not None and year.value != told:
            told += f" (read from the VIN); the owner entered {year.value} {_ENTERED}"
    elif year is not None:
        told = f"{year.value} {_ENTERED}"
    else:
        told = _missing("the registration document")
    lines.append(_line("Model year", told))
    lines += ["", "Head unit (radio / navigation)"]
    if hu_ecu is not None:
        lines.append(_line("Read over OBD-II", f"yes, it answered on {plain(hu_ecu.response_id)}"))
    elif head is not None:
        lines.append(_line("Read over OBD-II", f"no, {STATUS[head.status]}: {plain(head.reason)}"))
    else:
        lines.append(_line("Read over OBD-II", "no: the scan did not get as far as the head unit"))
    mine = entered_values(report)

    def _same(key: str) -> bool | None:
        return agrees(key, mine[key].value, hu) if key in mine else None

    if "HU" in hu:
        part: str | None = plain(nissan_form(hu["HU"]))
    elif "HUS" in hu:
        part = (f"ends {plain(hu['HUS'])} (only the suffix is read over OBD-II; "
                f"the whole number is on {label_where})")  # fmt: skip
    else:
        part = None
    part = _with_entered(part, mine.get("HU"), _missing(label_where), _same("HU"))
    lines.append(_line("Part number", part))
    for label, key, where in (
        ("Serial number", "SN", label_where),
        ("Software version", "SW", menu_where),
        ("Hardware version", "HW", menu_where),
    ):
        masked = None if key in hu else masked_value(report, key)
        read = plain(hu[key]) if key in hu else (f"{plain(masked)} ({MASKED})" if masked else None)
        lines.append(_line(label, _with_entered(read, mine.get(key), _missing(where), _same(key))))
    others = [s for s in (_ecu_summary(e) for e in report.ecus if e is not hu_ecu) if s]
    if others:
        lines += ["", "Other units' identifiers (they identify the vehicle's build)"]
        lines += others
    known = set(hu) | set(mine)
    if head is not None and head.guidance and not ({"HU", "SN", "SW", "HW"} <= known):
        lines += ["", "Where to read the head unit's details that were not read over OBD-II"]
        lines += [
            textwrap.fill(plain(g), _TEXT_WIDTH, initial_indent="  - ", subsequent_indent="    ")
            for g in head.guidance
        ]
    lines += [
        "",
        "To be added by the owner",
        _line("Owner's name", _BLANK),
        _line("Owner's address", _BLANK),
        _line("", _BLANK),
        _line("Telephone / e-mail", _BLANK),
        _line("Proof of ownership", "registration document (V5C or equivalent), copy attached [ ]"),
        _line("Identity", "passport / driving licence, copy attached [ ]"),
    ]
    if not ({"HU", "SN"} <= known):
        lines.append(_line("Head unit label", f"part number {'_' * 16}  serial number {'_' * 16}"))
    lines += ["", f"Signature: {_BLANK}", ""]
    return "\n".join(lines)
