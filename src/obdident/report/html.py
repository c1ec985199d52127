"""The report as one self-contained, printable HTML page for the dealer (``--html OUT.html``).

The page holds everything inline: CSS, and the QR code (:mod:`.headunit`) as an inline SVG; it loads nothing
and runs nothing (no JavaScript; a Content-Security-Policy ``default-src 'none'`` says so to the browser
too). It is laid out for one sheet, A4 or US Letter, whichever the printer holds (``@page { margin: 9mm
10mm }``, no fixed size: the content fits 190 x 261 mm, the smaller of the two sheets' printable areas), for
every built-in profile, with the owner's entered values and with ``--full``.

The page is rendered by jinja2 from ``templates/report.html`` (package data) with autoescaping on for every
value: a string from the adapter or an ECU (``<script>``, ``"><img onerror=...>``) reaches the page as
text, never as markup. The only markup not escaped is the QR code's SVG, which segno draws from the payload
(the payload's characters are not in it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from obdident.model import Ecu, Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import CONFIDENCE, STATUS, ending, head_unit_ecu, shown_rows
from obdident.report.provenance import is_simulated
from obdident.report.qr import payload, svg_inline
from obdident.report.redact import is_redacted
from obdident.report.words import CHECK_DIGIT, FIELD_LABELS, plain
from obdident.vehicles.headunit_forms import form_note
from obdident.vehicles.vin import VIN_PLACES

if TYPE_CHECKING:
    import jinja2

__all__ = ["FOOTER", "LABELS", "environment", "render_html"]

FOOTER = "Read-only: nothing was written to the vehicle. obdident does not calculate unlock codes."

#: How identification keys are labelled on the page (:data:`obdident.report.words.FIELD_LABELS`).
LABELS: dict[str, str] = FIELD_LABELS


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment of the package's templates, autoescaping every value."""
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("obdident.report", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html", "htm", "xml"), default_for_string=True, default=True
        ),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " "))


def _identifiers(ecu: Ecu, vin: str | None) -> list[tuple[str, str]]:
    ident = ecu.identification
    items = [("CALID", c) for c in ident.calibration_ids]
    items += [("CVN", c) for c in ident.cvns]
    if ident.ecu_name:
        items.append(("ECU name", ident.ecu_name))
    if ident.vin and ident.vin != vin:
        items.append(("VIN", ident.vin))
    items += [(_label(key), value) for key, value in ident.fields.items()]
    return items


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _context(report: Report) -> dict[str, Any]:
    v = report.vehicle
    a = report.adapter
    head = report.head_unit
    hu_ecu = head_unit_ecu(report)
    year: str | None = str(v.model_year) if v.model_year else None
    year_entered = entered_model_year(report)
    year_note = None if year else v.model_year_note
    if year is None and year_entered is not None:
        year, year_note = year_entered.value, "entered by the owner"
    elif year_entered is not None and year_entered.value != year:
        year_note = f"the owner entered {year_entered.value}"
    ecm_make = v.nissan_from_ecm
    vin_entered = entered_vin(report)
    vehicle = [
        (
            "Manufacturer",
            "Nissan" if ecm_make else v.manufacturer,
            "from the ECM part number" if ecm_make else None,
        ),
        ("Country", v.country, None),
        ("Model family", v.family, f"from {v.family_basis}" if v.family and v.family_basis else None),
        ("Model year", year, plain(year_note) if year_note else year_note),
    ]
    if v.vin:
        vehicle.append(("VIN check digit", CHECK_DIGIT.get(v.vin_check_digit, v.vin_check_digit), None))
    reading = [
        ("Adapter", " / ".join(x for x in (a.version, a.description) if x) or None),
        ("Port", a.port + (f" ({a.transport})" if a.transport else "")),
        ("Protocol", a.protocol),
        ("Started", report.started_at or None),
        ("Duration", _duration(report.duration_s)),
        ("Complete", "yes" if report.complete else f"no: {ending(report)}"),
        ("Tool", f"obdident {report.tool.get('version', '')}".strip()),
    ]
    ecus = [
        {
            "name": e.name or "unit",
            "description": e.description,
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
        "vin_places": VIN_PLACES,
        "simulated": is_simulated(report),
        "vehicle": vehicle,
        "head": head,
        "head_status": STATUS.get(head.status, head.status) if head else None,
        "head_rows": shown_rows(report) if hu_ecu else [],
        "head_confidence": CONFIDENCE.get(head.confidence, head.confidence)
        if head and head.confidence
        else None,
        "head_ecu": hu_ecu,
        "head_entered": _entered(report),
        "advice": _advice(report),
        "ecus": ecus,
        "problems": list(report.problems),
        "unknown_units": list(report.unknown_units),
        "reading": reading,
        "qr_svg": _markup(svg_inline(report)),
        "qr_payload": payload(report),
        "redacted": is_redacted(report),
        "footer": FOOTER,
    }


#: How each entered field is labelled on the page, by output field.
_ENTERED_LABELS = {"HU": "part no.", "SN": "serial no.", "SW": "software version", "HW": "hardware version"}


def _entered(report: Report) -> list[tuple[str, str, str | None]]:
    """The values the owner typed in: (label, value, a note on its form or None), for the page's "entered by
    the owner" line; no form name is shown (:func:`obdident.vehicles.headunit_forms.form_note`)."""
    return [(_ENTERED_LABELS[key], e.value, form_note(e.form)) for key, e in entered_values(report).items()]


_SHOWS = {
    "serial": "gives the serial number",
    "versions": "versions only",
    "nothing": "nothing to read",
}


def _advice(report: Report) -> dict[str, Any]:
    """The head unit's advice rows with what each shows and a footnote number for its source.

    Returns:
        ``rows``: (text, what it shows, confidence, footnote number) per row; ``sources``: the footnotes'
        texts in number order (each source once).
    """
    head = report.head_unit
    sources: list[str] = []
    rows = []
    for advice in head.advice if head else ():
        if advice.source not in sources:
            sources.append(advice.source)
        shows = _SHOWS.get(advice.shows, advice.shows)
        rows.append((advice.text, shows, advice.confidence, sources.index(advice.source) + 1))
    return {"rows": rows, "sources": sources}


def _markup(svg: str) -> Any:
    from markupsafe import Markup

    return Markup(svg)  # segno's drawing of the payload: path data only, no text from the vehicle


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page (UTF-8 text)."""
    return environment().get_template("report.html").render(**_context(report))
