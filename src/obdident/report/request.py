"""The text of a request to the dealer for the head unit's unlock code (``obdident report SCAN.json
--request``), in the letter's language (``--letter-lang``, default the screen's).

Every field the dealer asks for is filled from the scan where the scan read it; where it did not, the
line says so and where to read it instead (``not read over OBD-II: read it from ...``). What only the owner
can give (proof of ownership, name and address, identity) is left as blanks to fill in; the proof of
ownership is named by the dealer's country (:mod:`.ownership`). obdident only identifies the vehicle: the
text asks the dealer for the code and says nothing else about codes.

Every word of the letter goes through the catalogue (:mod:`obdident.i18n`); identifiers (VIN, part and
serial numbers, addresses) and the registration document's name are shown as they are.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from obdident.i18n import N_, T, Text, _, render, use_language
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
from obdident.report.ownership import GENERIC, document_for
from obdident.report.provenance import is_simulated
from obdident.report.sanitize import plain
from obdident.report.shown import when, word
from obdident.vehicles.vin import VIN_PLACES

__all__ = ["request_text"]

_BLANK = "_" * 36
_WIDTH = 26
_TEXT_WIDTH = 94
#: The widest the label column gets (a language's longer label goes on a line of its own).
_MAX_WIDTH = 30
#: Identification keys worth giving the dealer for other units, in this order, with their labels.
_HELPFUL: tuple[tuple[str, str], ...] = (
    ("spare_part_number", N_("part number")),
    ("part_number_suffix", N_("part number suffix")),
    ("product_number", N_("product number")),
    ("ecu_software_number", N_("software")),
    ("ecu_hardware_number", N_("hardware")),
)
#: Every label of the letter's columns (their widest sets the column's width in each language).
_LABELS = (
    N_("VIN"),
    N_("Make / manufacturer"),
    N_("Model"),
    N_("Model year"),
    N_("Read over OBD-II"),
    N_("Part number"),
    N_("Serial number"),
    N_("Software version"),
    N_("Hardware version"),
    N_("Versions"),
    N_("Owner's name"),
    N_("Owner's address"),
    N_("Telephone / e-mail"),
    N_("Proof of ownership"),
    N_("Identity"),
    N_("Head unit label"),
)

Line = Callable[[str, str], str]


def _liner(width: int) -> Line:
    """A function making one ``label: value`` line, the value wrapped and indented at ``width``."""

    def line(label: str, value: str) -> str:
        named = T("{label}:", label=label).render() if label else ""  # French puts a space before it
        above = [f"  {named}"] if len(named) > width else []  # a long label: the value starts below it
        head = f"  {'' if above else named:<{width}} "
        return "\n".join(
            above
            + (textwrap.wrap(value, _TEXT_WIDTH, initial_indent=head, subsequent_indent=" " * len(head),
                             break_on_hyphens=False, break_long_words=False)
               or [head.rstrip()])
        )  # fmt: skip

    return line


def _to_and_date() -> list[str]:
    """The addressee's and the date's blanks: on one line where the language's words let them fit."""
    to, date = f"{_('To (dealer):')} {_BLANK}", f"{_('Date:')} {'_' * 16}"
    return [f"{to}   {date}"] if len(to) + 3 + len(date) <= _TEXT_WIDTH else [to, date]


def _fill(text: str, initial_indent: str = "", subsequent_indent: str = "") -> str:
    return textwrap.fill(text, _TEXT_WIDTH, initial_indent=initial_indent,
                         subsequent_indent=subsequent_indent, break_on_hyphens=False,
                         break_long_words=False)  # fmt: skip


def _mine(entered: EnteredValue) -> Text:
    return T("{value} (entered by the owner)", value=plain(entered.value))


def _with_entered(
    read: Text | str | None, entered: EnteredValue | None, missing: Text, same: bool | None
) -> str:
    """A head-unit value's text: read, entered by the owner (marked), both, or where to read it; ``same``
    says whether the two agree (:func:`.entered.agrees`)."""
    if entered is None:
        return render(read if read is not None else missing)
    if read is None:
        return render(_mine(entered))
    if same:
        return render(T("{read}; the owner entered {mine}, which agrees", read=read, mine=_mine(entered)))
    return render(T("{read} (read over OBD-II); the owner entered {mine}: they differ, see the label",
                    read=read, mine=_mine(entered)))  # fmt: skip


def _vin_lines(report: Report, line: Line) -> list[str]:
    """The VIN's line: read, entered by the owner (marked), both, or a blank to write it on and where to
    read it."""
    v = report.vehicle
    mine = entered_vin(report)
    label = _("VIN")
    if v.vin and mine is not None and mine.value != v.vin:
        said = T("{read} (read over OBD-II); the owner entered {mine}: they differ, see the VIN plate",
                 read=plain(v.vin), mine=_mine(mine))  # fmt: skip
        return [line(label, render(said))]
    if v.vin:
        return [line(label, plain(v.vin))]
    if mine is not None:
        return [line(label, render(_mine(mine)))]
    where = T("(not read over OBD-II: write it above, from {places})", places=word(VIN_PLACES))
    return [line(label, "_" * 17 * 2), line("", render(where))]


def _ecu_summary(ecu: Ecu) -> str | None:
    ident = ecu.identification
    parts = [f"CALID {plain(c)}" for c in ident.calibration_ids]
    parts += [f"{_(label)} {plain(ident.fields[key])}" for key, label in _HELPFUL if ident.fields.get(key)]
    if not parts:
        return None
    name = plain(ecu.name) if ecu.name else _("unit")
    return f"  {name} ({plain(ecu.response_id)}): " + "; ".join(parts)


def _heading(text: str) -> list[str]:
    return [text, "=" * len(text), ""]


def _nothing_read(report: Report) -> str:
    """No letter for a scan that read nothing: what to check, and to scan again."""
    lines = _heading(_("No request for the dealer: the scan read nothing from the vehicle"))
    lines += [_fill(render(T("The scan: {ending}", ending=word(ending(report))))), ""]
    return "\n".join(lines)


def _intro(report: Report) -> Text:
    """The letter's opening: what is asked, and where the details below come from (read, entered, both)."""
    version = plain(report.tool.get("version", ""))
    stamp = when(plain(report.started_at) or None)
    on = T("on {when}", when=stamp) if stamp else T("on the date of the scan")
    entered = bool(entered_values(report) or report.vehicle.entered)
    if nothing_read(report):
        return T("I am the owner of the vehicle below. Its head unit (radio / navigation) is locked and asks "
                 "for its unlock code: please give me the head unit's unlock code. The vehicle details below "
                 "were entered by me from the vehicle's plates, labels and documents: nothing could be read "
                 "through its OBD-II socket {on} (obdident {version}, read-only).",
                 on=on, version=version)  # fmt: skip
    if entered:
        return T("I am the owner of the vehicle below. Its head unit (radio / navigation) is locked and asks "
                 "for its unlock code: please give me the head unit's unlock code. The vehicle details below "
                 "were read from the vehicle through its OBD-II socket {on} (obdident {version}, read-only), "
                 "except those marked {mark}, which I typed in from the vehicle's plates, labels and "
                 "documents.",
                 on=on, version=version, mark=T("(entered by the owner)"))  # fmt: skip
    return T("I am the owner of the vehicle below. Its head unit (radio / navigation) is locked and asks for "
             "its unlock code: please give me the head unit's unlock code. The vehicle details below were "
             "read from the vehicle itself through its OBD-II socket {on} (obdident {version}, read-only).",
             on=on, version=version)  # fmt: skip


def _where(report: Report, known: set[str]) -> list[str]:
    """Where the owner reads what the letter still lacks: the family's advice that gives the part and serial
    numbers (``shows`` ``serial``) while either is missing and the versions (``versions``) while either is
    missing, of confidence ``confirmed`` or ``likely``; the head unit's guidance where there is no advice.
    Guesses, claims of the seed articles only, and explanations of why nothing can be read stay on the
    screens and the page (each with its confidence): the letter keeps to what fills its blanks, on one
    sheet in every language."""
    head = report.head_unit
    if head is None or {"HU", "SN", "SW", "HW"} <= known:
        return []
    if not head.advice:
        return list(head.guidance)
    wanted = set()
    if not ({"HU", "SN"} <= known or {"HUS", "SN"} <= known):
        wanted.add("serial")
    if not {"SW", "HW"} <= known:
        wanted.add("versions")
    return [a.text for a in head.advice if a.shows in wanted and a.confidence in ("confirmed", "likely")]


def request_text(report: Report, *, language: str | None = None, country: str | None = None) -> str:
    """The request's text in ``language`` (default: the current language, :mod:`obdident.i18n`), lines
    ending in ``\\n``; every value from the vehicle is plain text (control characters shown as ``\\xNN``).
    ``country`` (ISO 3166-1 alpha-2) chooses the proof of ownership it names; without it, the language's
    country (:func:`.ownership.document_for`). A scan that read nothing gets no letter, only what to check.
    """
    with use_language(language) as spoken:
        if nothing_read(report) and not entered_values(report) and not report.vehicle.entered:
            return _nothing_read(report)
        return _letter(report, spoken, country)


def _letter(report: Report, language: str, country: str | None) -> str:
    v = report.vehicle
    head = report.head_unit
    hu = head_unit_values(report)
    hu_ecu = head_unit_ecu(report)
    # the column as wide as the language's labels, at most _MAX_WIDTH: a longer label has its value below it
    line = _liner(min(_MAX_WIDTH, max(_WIDTH, *(len(_(label)) + 2 for label in _LABELS))))
    if is_simulated(report):
        lines = _heading(_("Request for the head unit's unlock code: SIMULATED CAR"))
        lines += [_("Every value below is invented (obdident's simulator): not for a dealer."), ""]
    else:
        lines = _heading(_("Request for the head unit's unlock code"))
    lines += [
        *_to_and_date(),
        "",
        _fill(render(_intro(report))),
        "",
    ]
    if not report.complete:
        lines += [_fill(render(T("Note: this scan was {ending}", ending=word(ending(report))))), ""]
    registration = T("not read over OBD-II: read it from the registration document")
    lines += [_("Vehicle"), *_vin_lines(report, line)]
    if v.manufacturer:
        make = plain(v.manufacturer)
        if v.country:
            make = render(T("{make} ({country})", make=make, country=v.country))
    elif v.nissan_from_ecm:
        make = render(T("Nissan (from the ECM part number)"))
    else:
        make = render(registration)
    lines.append(line(_("Make / manufacturer"), make))
    lines.append(line(_("Model"), plain(v.family) if v.family else render(registration)))
    year = entered_model_year(report)
    if v.model_year:
        told = str(v.model_year)
        if year is not None and year.value != told:
            told = render(T("{year} (read from the VIN); the owner entered {mine}",
                            year=told, mine=_mine(year)))  # fmt: skip
    elif year is not None:
        told = render(_mine(year))
    else:
        told = render(registration)
    lines.append(line(_("Model year"), told))
    lines += ["", _("Head unit (radio / navigation)")]
    if hu_ecu is not None:
        said = T("yes, it answered on {address}", address=plain(hu_ecu.response_id))
    elif head is not None and head.status == "not-asked" and not report.complete:
        said = T("no: the scan did not reach it (see the note above)")
    elif head is not None and (head.status == "not-found" or not head.reason):
        # the addresses asked and how to ask them otherwise are for the owner; the dealer needs the label
        said = T("no, {status}", status=word(STATUS.get(head.status, head.status)))
    elif head is not None:
        said = T("no, {status}: {reason}", status=word(STATUS.get(head.status, head.status)),
                 reason=word(head.reason))  # fmt: skip
    else:
        said = T("no: the scan did not get as far as the head unit")
    lines.append(line(_("Read over OBD-II"), render(said)))
    mine = entered_values(report)

    def _same(key: str) -> bool | None:
        return agrees(key, mine[key].value, hu) if key in mine else None

    on_label = T("not read over OBD-II: see the label on the unit's case")
    in_menu = T("not read over OBD-II: see the unit's system-information menu")
    part: Text | str | None
    if "HU" in hu:
        part = plain(nissan_form(hu["HU"]))
    elif "HUS" in hu:
        part = T("ends {suffix} (only the suffix is read over OBD-II; the whole number is on the label on "
                 "the unit's case)", suffix=plain(hu["HUS"]))  # fmt: skip
    else:
        part = None
    lines.append(line(_("Part number"), _with_entered(part, mine.get("HU"), on_label, _same("HU"))))
    rows: list[tuple[str, str]] = []
    for label, key, where in (
        (_("Serial number"), "SN", on_label),
        (_("Software version"), "SW", in_menu),
        (_("Hardware version"), "HW", in_menu),
    ):
        masked = None if key in hu else masked_value(report, key)
        read: Text | str | None = plain(hu[key]) if key in hu else None
        if masked:
            read = T("{value} ({note})", value=plain(masked), note=word(MASKED))
        rows.append((label, _with_entered(read, mine.get(key), where, _same(key))))
    if rows[1][1] == rows[2][1] == render(in_menu):  # neither version known: one line says where both are
        rows[1:] = [(_("Versions"), rows[1][1])]
    lines += [line(label, value) for label, value in rows]
    others = [s for s in (_ecu_summary(e) for e in report.ecus if e is not hu_ecu) if s]
    if others:
        lines += ["", _("Other units' identifiers (they identify the vehicle's build)"), *others]
    known = set(hu) | set(mine)
    advice = _where(report, known)
    if advice:
        lines += ["", _("Where to read the head unit's details that were not read over OBD-II")]
        lines += [_fill(plain(render(word(g))), initial_indent="  - ", subsequent_indent="    ")
                  for g in advice]  # fmt: skip
    document = document_for(country, language)
    proof = T("{document}, copy attached [ ]", document=document.name if document else Text(GENERIC))
    lines += [
        "",
        _("To be added by the owner"),
        line(_("Owner's name"), _BLANK),
        line(_("Owner's address"), _BLANK),
        line("", _BLANK),
        line(_("Telephone / e-mail"), _BLANK),
        line(_("Proof of ownership"), render(proof)),
        line(_("Identity"), _("passport / driving licence, copy attached [ ]")),
    ]
    if not ({"HU", "SN"} <= known):
        blanks = T("part number {part}  serial number {serial}", part="_" * 16, serial="_" * 16)
        lines.append(line(_("Head unit label"), render(blanks)))
    lines += ["", f"{_('Signature:')} {_BLANK}", ""]
    return "\n".join(_within("\n".join(lines).split("\n")))


def _within(lines: list[str]) -> list[str]:
    """``lines`` with any wider than the letter's text (a language's longer words) wrapped at its indent."""
    out: list[str] = []
    for text in lines:
        if len(text) <= _TEXT_WIDTH or not text.strip():
            out.append(text)
            continue
        indent = " " * (len(text) - len(text.lstrip()))
        out.append(_fill(text.strip(), indent, indent))
    return out
