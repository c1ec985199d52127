"""The report as one self-contained, printable HTML page for the dealer (``--html OUT.html``), in the
owner's language (``--lang``; :mod:`obdident.i18n`).

The page holds everything inline: CSS, and the QR code (:mod:`.headunit`) as an inline SVG; it loads nothing
and runs nothing (no JavaScript; a Content-Security-Policy ``default-src 'none'`` says so to the browser
too). It is laid out for one sheet, A4 or US Letter, whichever the printer holds (``@page { margin: 9mm
10mm }``, no fixed size: the content fits 190 x 261 mm, the smaller of the two sheets' printable areas), for
every built-in profile, with the owner's entered values and with ``--full``, in every language.

The page is rendered by jinja2 from ``templates/report.html`` (package data) with autoescaping on for every
value: a string from the adapter or an ECU (``<script>``, ``"><img onerror=...>``) reaches the page as
text, never as markup. The only markup not escaped is the QR code's SVG, which segno draws from the payload
(the payload's characters are not in it).

Words: the template's own words are ``{{ _("...") }}`` (``jinja2.ext.i18n``, new-style gettext bound to the
current language; placeholders ``%(name)s``); model values pass the ``tr`` filter
(:func:`obdident.i18n.render`: a Text translated, anything else shown as it is) and identifiers the ``id``
filter (a monospace span, never translated). ``<html lang>`` is the language's code; dates are in its form.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from obdident.i18n import N_, PSEUDO, T, Text, _, current_language, ngettext, render, use_language
from obdident.model import Ecu, Report
from obdident.report.entered import agrees, entered_model_year, entered_values, entered_vin
from obdident.report.headunit import CONFIDENCE, STATUS, ending, head_unit_ecu, head_unit_values, shown_rows
from obdident.report.provenance import is_simulated
from obdident.report.qr import payload, svg_inline
from obdident.report.redact import is_redacted
from obdident.report.shown import for_window, when, word
from obdident.report.words import CHECK_DIGIT, FIELD_LABELS, decimal, field_label, plain
from obdident.vehicles.headunit_forms import form_note
from obdident.vehicles.vin import VIN_PLACES

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

__all__ = ["FOOTER", "LABELS", "environment", "render_html"]

FOOTER = N_("Read-only: nothing was written to the vehicle. obdident does not calculate unlock codes.")

#: How identification keys are labelled on the page (:data:`obdident.report.words.FIELD_LABELS`).
LABELS: dict[str, str] = FIELD_LABELS


def _identifier(value: object) -> Markup:
    """An identifier (VIN, part or serial number, address, protocol) in a monospace span, never translated."""
    from markupsafe import Markup, escape

    return Markup('<span class="id">%s</span>') % escape(render(value))


def template_environment(package: str, *, trim: bool = False) -> jinja2.Environment:
    """The jinja2 environment of ``package``'s ``templates`` folder, as the page and the window share it:
    every value autoescaped, undefined names an error, ``jinja2.ext.i18n`` (new-style ``_()`` and
    ``ngettext()`` in the current language) and the filter ``tr`` (:func:`obdident.i18n.render`); ``trim``:
    jinja2's ``trim_blocks``, ``lstrip_blocks`` and ``keep_trailing_newline``."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=trim,
        lstrip_blocks=trim,
        keep_trailing_newline=trim,
    )
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["tr"] = render
    return env


@functools.cache
def environment() -> jinja2.Environment:
    """The page's templates (:func:`template_environment`) with the filters ``words``, ``id`` (an identifier
    in a monospace span) and ``when``."""
    env = template_environment("obdident.report", trim=True)
    env.filters["words"] = _words
    env.filters["id"] = _identifier
    env.filters["when"] = when
    env.globals["html_lang"] = _html_lang
    return env


def _words(value: object) -> str:
    """A constant marked ``N_`` where it is defined (a mark, a status), or a Text, in the current language."""
    return render(word(value) if isinstance(value, str) else value)


def _html_lang() -> str:
    """The page's ``<html lang>``: the current language (the pseudo-locale's text is English's)."""
    language = current_language()
    return "en" if language == PSEUDO else language


def _identifiers(ecu: Ecu, vin: str | None) -> list[tuple[str, str]]:
    ident = ecu.identification
    items: list[tuple[str, str]] = [("CALID", c) for c in ident.calibration_ids]
    items += [("CVN", c) for c in ident.cvns]
    if ident.ecu_name:
        items.append((render(T("ECU name")), ident.ecu_name))
    if ident.vin and ident.vin != vin:
        items.append((_("VIN"), ident.vin))
    items += [(field_label(key), value) for key, value in ident.fields.items()]
    return items


def _duration(seconds: float) -> Text:
    if seconds < 120:
        return T("{seconds} s", seconds=decimal(seconds, 1))
    return T("{minutes} min", minutes=decimal(seconds / 60, 1))


def _vehicle(report: Report) -> list[tuple[str, str | None, str | None]]:
    """The vehicle's rows below the VIN: (label, value or None when not known, a note or None)."""
    v = report.vehicle
    year: str | None = str(v.model_year) if v.model_year else None
    year_entered = entered_model_year(report)
    year_note: Text | None = None if year else word(v.model_year_note)
    if year is None and year_entered is not None:
        year, year_note = year_entered.value, T("entered by the owner")
    elif year_entered is not None and year_entered.value != year:
        year_note = T("the owner entered {year}", year=year_entered.value)
    ecm_make = v.nissan_from_ecm
    family_note = T("from {basis}", basis=word(v.family_basis)) if v.family and v.family_basis else None
    rows: list[tuple[str, str | None, Text | None]] = [
        (_("Manufacturer"), "Nissan" if ecm_make else v.manufacturer,
         T("from the ECM part number") if ecm_make else None),
        (_("Country"), render(v.country) if v.country else None, None),
        (_("Model family"), v.family, family_note),
        (_("Model year"), year, year_note),
    ]  # fmt: skip
    if v.vin:
        digit = CHECK_DIGIT.get(v.vin_check_digit, v.vin_check_digit)
        rows.append((_("VIN check digit"), render(word(digit)), None))
    return [(label, value, plain(render(note)) if note else None) for label, value, note in rows]


def _reading(report: Report) -> list[tuple[str, str | None, bool, str | None]]:
    """How it was read: (label, value or None, True when the value is an identifier, a note in words or
    None)."""
    a = report.adapter
    transport = render(word(a.transport)) if a.transport else None
    complete = _("yes") if report.complete else render(T("no: {ending}", ending=word(ending(report))))
    return [
        (_("Adapter"), " / ".join(x for x in (a.version, a.description) if x) or None, True, None),
        (_("Port"), a.port, True, transport),
        (_("Protocol"), a.protocol, True, None),
        (_("Started"), when(report.started_at), False, None),
        (_("Duration"), render(_duration(report.duration_s)), False, None),
        (_("Complete"), complete, False, None),
        (_("Tool"), f"obdident {report.tool.get('version', '')}".strip(), True, None),
    ]


def _head(report: Report, options: bool) -> dict[str, Any]:
    """The head unit's section: status, how sure, the rows read, the values entered, the reason."""
    head = report.head_unit
    hu_ecu = head_unit_ecu(report)
    read = head_unit_values(report)
    mine = entered_values(report)
    differ = [
        _(LABEL_WORDS[key])
        for key in ("HU", "SN", "SW", "HW")
        if key in mine
        and (key in read or (key == "HU" and "HUS" in read))
        and not agrees(key, mine[key].value, read)
    ]
    return {
        "head": head,
        "head_status": render(word(STATUS.get(head.status, head.status))) if head else None,
        "head_reason": render(word(head.reason) if options else for_window(word(head.reason)))
        if head and head.reason
        else None,
        "head_guidance": [render(word(g)) for g in head.guidance] if head else [],
        "head_rows": [(render(word(label)), value) for label, value in shown_rows(report)] if hu_ecu else [],
        "head_confidence": render(word(CONFIDENCE.get(head.confidence, head.confidence)))
        if head and head.confidence
        else None,
        "head_ecu": hu_ecu,
        "head_entered": _entered(report),
        "head_differ": differ,
    }


def _context(report: Report, options: bool) -> dict[str, Any]:
    v = report.vehicle
    hu_ecu = head_unit_ecu(report)
    vin_entered = entered_vin(report)
    ecus = [
        {
            "name": e.name or _("unit"),
            "description": render(word(e.description)) if e.description else None,
            "request_id": e.request_id,
            "response_id": e.response_id,
            "dialect": e.dialect,
            "session": e.session,
            "head_unit": e is hu_ecu,
            "identifiers": _identifiers(e, v.vin),
        }
        for e in report.ecus
    ]
    return {
        "report": report,
        "vin": v.vin,
        "vin_entered": vin_entered.value if vin_entered else None,
        "vin_places": render(word(VIN_PLACES)),
        "simulated": is_simulated(report),
        "vehicle": _vehicle(report),
        **_head(report, options),
        "advice": _advice(report),
        "ecus": ecus,
        "problems": [(p.code, render(word(p.summary))) for p in report.problems],
        "unknown_units": list(report.unknown_units),
        "reading": _reading(report),
        "qr_svg": _markup(svg_inline(report)),
        "qr_payload": payload(report),
        "redacted": is_redacted(report),
        "footer": _(FOOTER),
    }


#: The head unit's fields in words, by output field (for the line saying which entered values differ).
LABEL_WORDS = {"HU": N_("part number"), "SN": N_("serial number"), "SW": N_("software version"),
               "HW": N_("hardware version")}  # fmt: skip
#: How each entered field is labelled on the page, by output field.
_ENTERED_LABELS = {"HU": N_("part no."), "SN": N_("serial no."), "SW": N_("software version"),
                   "HW": N_("hardware version")}  # fmt: skip


def _entered(report: Report) -> list[tuple[str, str, str | None]]:
    """The values the owner typed in: (label, value, a note on its form or None), for the page's "entered by
    the owner" line; no form name is shown, only the mark of an unusual form
    (:func:`obdident.vehicles.headunit_forms.form_note`)."""
    rows = []
    for key, e in entered_values(report).items():
        note = form_note(e.form)
        rows.append((_(_ENTERED_LABELS[key]), e.value, render(word(note)) if note else None))
    return rows


_SHOWS = {
    "serial": N_("gives the serial number"),
    "versions": N_("versions only"),
    "nothing": N_("nothing to read"),
}
#: How sure an advice row is (:attr:`obdident.model.Advice.confidence`), in words.
_ADVICE_CONFIDENCE = {
    "confirmed": N_("confirmed"),
    "likely": N_("likely"),
    "guess": N_("a guess"),
    "seed": N_("from the seed articles only"),
}


def _advice(report: Report) -> dict[str, Any]:
    """The head unit's advice rows with what each shows and a footnote number for its source.

    Returns:
        ``rows``: (text, what it shows, confidence, footnote number) per row; ``sources``: the footnotes'
        texts in number order (each source once; sources are references, shown as they are).
    """
    head = report.head_unit
    sources: list[str] = []
    rows = []
    for advice in head.advice if head else ():
        if advice.source not in sources:
            sources.append(advice.source)
        shows = _(_SHOWS[advice.shows]) if advice.shows in _SHOWS else advice.shows
        sure = advice.confidence
        if sure in _ADVICE_CONFIDENCE:
            sure = _(_ADVICE_CONFIDENCE[sure])
        rows.append((render(word(advice.text)), shows, sure, sources.index(advice.source) + 1))
    return {"rows": rows, "sources": sources}


def _markup(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg)  # segno's drawing of the payload: path data only, no text from the vehicle


def render_html(report: Report, *, language: str | None = None, options: bool = True) -> str:
    """The report as one self-contained HTML page (UTF-8 text) in ``language`` (default: the current
    language, :func:`obdident.i18n.current_language`); ``<html lang>`` names it. ``options=False`` (the
    window's page) names the window's switches where a sentence names a command-line option
    (:func:`.shown.for_window`)."""
    with use_language(language):
        return environment().get_template("report.html").render(**_context(report, options))
