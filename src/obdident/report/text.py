"""The report on a terminal: rich tables of the vehicle, the adapter, the ECUs and the problems.

Strings from the adapter or an ECU are untrusted: they pass :func:`obdident.report.sanitize.safe` (control
and format characters shown as ``\\xNN`` / ``\\uNNNN``, rich markup escaped) before they reach the terminal.
"""

from __future__ import annotations

import shlex

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from obdident.model import Ecu, Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import CONFIDENCE, LABELS, head_unit_ecu, owner_rows
from obdident.report.provenance import is_simulated
from obdident.report.sanitize import safe
from obdident.vehicles.headunit_forms import form_note
from obdident.vehicles.vin import VIN_PLACES

__all__ = ["render", "render_dealer", "so_far"]

_NOT_AVAILABLE = "[dim]not available[/dim]"
_BY_OWNER = "[dim](entered by the owner)[/dim]"


def _or_na(value: object) -> str:
    return _NOT_AVAILABLE if value is None or value == "" else safe(value)


def _vehicle(report: Report) -> Table:
    v = report.vehicle
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    mine = entered_vin(report)
    if v.vin:
        table.add_row("VIN", f"[bold green]{safe(v.vin)}[/]")
    elif mine is None:
        table.add_row("VIN", _NOT_AVAILABLE)
    if mine is not None:
        table.add_row("VIN" if not v.vin else "Entered VIN", f"[bold]{safe(mine.value)}[/] {_BY_OWNER}")
    table.add_row("Check digit", safe(v.vin_check_digit))
    if v.nissan_from_ecm:
        table.add_row("Manufacturer", "Nissan [dim](from the ECM part number)[/dim]")
    else:
        table.add_row("Manufacturer", _or_na(v.manufacturer))
    table.add_row("Country", _or_na(v.country))
    year = _or_na(v.model_year)
    if v.model_year_note and v.vin:
        year += f" [dim]({safe(v.model_year_note)})[/dim]"
    year_entered = entered_model_year(report)
    if v.model_year is not None or year_entered is None:
        table.add_row("Model year", year)
    if year_entered is not None:
        table.add_row("Model year", f"[bold]{safe(year_entered.value)}[/] {_BY_OWNER}")
    if v.make_basis:
        table.add_row("Nissan", f"yes [dim](from {safe(v.make_basis)})[/dim]")
    if v.family:
        table.add_row("Family", f"{safe(v.family)} [dim](from {safe(v.family_basis)})[/dim]")
    for source in v.vin_sources:
        value = safe(source.value) if source.value else f"[yellow]{safe(source.problem)}[/]"
        table.add_row("VIN source", f"{safe(source.source)} from {safe(source.response_id)}: {value}")
    return table


def _adapter(report: Report) -> Table:
    a = report.adapter
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row("Port", safe(a.port) + (f" [dim]({safe(a.transport)})[/dim]" if a.transport else ""))
    table.add_row("Adapter", " / ".join(safe(x) for x in (a.version, a.description) if x) or _NOT_AVAILABLE)
    table.add_row("Protocol", _or_na(a.protocol))
    table.add_row("Voltage", f"{a.voltage_v:.1f} V" if a.voltage_v is not None else _NOT_AVAILABLE)
    return table


def _identification_lines(ecu: Ecu) -> list[str]:
    ident = ecu.identification
    lines = [f"CALID {safe(c)}" for c in ident.calibration_ids]
    lines += [f"CVN {safe(c)}" for c in ident.cvns]
    if ident.ecu_name:
        lines.append(f"ECU name {safe(ident.ecu_name)}")
    if ident.vin:
        lines.append(f"VIN {safe(ident.vin)}")
    lines += [f"{safe(key)} [bold]{safe(value)}[/]" for key, value in ident.fields.items()]
    return lines


def _ecus(report: Report) -> Table:
    table = Table(title="ECUs", title_justify="left", expand=False)
    for column in ("Request", "Response", "Unit", "Identification"):
        table.add_column(column)
    for ecu in report.ecus:
        unit = _or_na(ecu.name)
        if ecu.session:
            unit += f"\n[dim](read in session {safe(ecu.session)})[/dim]"
        table.add_row(
            _or_na(ecu.request_id),
            safe(ecu.response_id),
            unit,
            "\n".join(_identification_lines(ecu)) or "-",
        )
    return table


def _head_unit_rows(report: Report) -> list[tuple[str, str]]:
    """The head unit's rows in the owner's words: status, how sure, where it answered, what was read,
    then where to read what is still missing. Source references stay out (they are in the JSON and HTML)."""
    head = report.head_unit
    if head is None:
        return []
    colour = {"identified": "green"}.get(head.status, "yellow")
    rows = [("Status", f"[{colour}]{safe(head.status)}[/]")]
    ecu = head_unit_ecu(report)
    if head.status == "identified":
        if head.confidence:
            rows.append(("How sure", safe(CONFIDENCE.get(head.confidence, head.confidence))))
        if ecu is not None:
            asked = f" (asked on {safe(ecu.request_id)})" if ecu.request_id else ""
            rows.append(("Answered on", f"{safe(ecu.response_id)}{asked}"))
        for label, value in owner_rows(report):
            rows.append((label, f"[bold]{safe(value)}[/]" if value else "[dim]not read[/dim]"))
    else:
        rows.append(("Why", safe(head.reason)))
    rows += [("Read it instead", safe(line)) for line in head.guidance]
    return rows


def _head_unit(report: Report) -> Panel | None:
    rows = _head_unit_rows(report)
    if not rows:
        return None
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(label, value)
    _entered_rows(table, report)
    return Panel(table, title="Head unit (radio / navigation)", title_align="left")


#: How each entered field is labelled on the terminal, by output field.
_ENTERED_LABELS = {
    "HU": "part number",
    "SN": "serial number",
    "SW": "software version",
    "HW": "hardware version",
}


def _entered_rows(table: Table, report: Report) -> None:
    """One row per value the owner typed in, marked as entered (never as read)."""
    for key, entered in entered_values(report).items():
        note = form_note(entered.form)
        table.add_row(
            "Entered",
            f"{_ENTERED_LABELS[key]} [bold]{safe(entered.value)}[/] [dim](entered by the owner"
            f"{'; ' + note if note else ''})[/dim]",
        )


def _dealer_rows(report: Report, saved: str | None) -> list[tuple[str, str]]:
    """What to take to the dealer: the VIN, the head unit's part and serial numbers, the next commands."""
    v = report.vehicle
    rows = []
    if is_simulated(report):
        rows.append(
            ("Simulated", "[yellow]a simulated car: every value below is invented; not for a dealer[/]")
        )
    mine = entered_vin(report)
    if v.vin and mine is not None and mine.value != v.vin:
        vin = (f"[bold green]{safe(v.vin)}[/] (read over OBD-II); [bold]{safe(mine.value)}[/] entered by the "
               "owner: they differ, check the VIN plate")  # fmt: skip
    elif v.vin:
        vin = f"[bold green]{safe(v.vin)}[/]"
    elif mine is not None:
        vin = f"[bold]{safe(mine.value)}[/] (entered by the owner)"
    else:
        vin = f"not read over OBD-II: read it from {VIN_PLACES}"
    rows.append(("VIN", vin))
    year_entered = entered_model_year(report)
    if year_entered is not None:
        rows.append(("Model year", f"[bold]{safe(year_entered.value)}[/] (entered by the owner)"))
    values = dict(owner_rows(report)) if head_unit_ecu(report) is not None else {}
    entered = entered_values(report)
    for key in ("HU", "SN"):
        label = LABELS[key]
        value = values.get(label)
        if value:
            told = f"[bold]{safe(value)}[/] (read over OBD-II)"
        elif key in entered:
            told = f"[bold]{safe(entered[key].value)}[/] (entered by the owner)"
        else:
            told = "not read over OBD-II: read it from the label on the unit's case (more under Head unit)"
        rows.append((f"Head unit {label.lower()}", told))
    if not saved:
        rows.append(
            ("Report", "no report file was kept: scan again with --json FILE to make the dealer's page")
        )
    return rows


def render_dealer(report: Report, console: Console, saved: str | None) -> None:
    """Print the short "For the dealer" summary that ends a scan.

    Args:
        report: the scan's report.
        console: where to print.
        saved: the JSON report file kept for ``obdident report`` (named in the next commands), or None
            when none could be kept.
    """
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in _dealer_rows(report, saved):
        table.add_row(label, value)
    console.print(Panel(table, title="For the dealer", title_align="left"))
    if saved:  # whole lines, never wrapped: the owner copies them
        quoted = safe(shlex.quote(saved))
        console.print(
            f"Printable page for the dealer:  obdident report {quoted} --html page.html", soft_wrap=True
        )
        console.print(f"Request text for the dealer:    obdident report {quoted} --request", soft_wrap=True)


def so_far(report: Report) -> dict[str, str]:
    """The two things the dealer needs, as one line each, once a (partial) report holds them.

    A scan shows these while it goes on (``obdident scan``'s progress), so the owner sees them as soon as
    they are read. Only values read are shown: the VIN once ``vehicle.vin`` is known, with the ECU that
    gave it; the head unit once it is ``identified``, with its part number in Nissan's form and its serial
    number (or "not read"), and how sure that unit is the head unit unless ``confirmed``. Values pass
    :func:`~obdident.report.sanitize.safe`.

    Args:
        report: a partial or final report.

    Returns:
        ``{"vin": line, "head_unit": line}``, each key present only when its value is known.
    """
    lines: dict[str, str] = {}
    vin = report.vehicle.vin
    if vin:
        giver = next((s.response_id for s in report.vehicle.vin_sources if s.value == vin), None)
        where = f" [dim](read from {safe(giver)})[/dim]" if giver else ""
        lines["vin"] = f"VIN [bold green]{safe(vin)}[/]{where}"
    ecu = head_unit_ecu(report)
    if ecu is not None:
        said = [f"{label.lower()} [bold]{safe(value)}[/]" if value else f"{label.lower()} not read"
                for label, value in owner_rows(report)[:2]]  # fmt: skip
        confidence = report.head_unit.confidence if report.head_unit else None
        sure = f"; how sure: {safe(confidence)}" if confidence and confidence != "confirmed" else ""
        where = f"[dim](read from {safe(ecu.response_id)}{sure})[/dim]"
        lines["head_unit"] = f"Head unit {', '.join(said)} {where}"
    return lines


def render(report: Report, console: Console) -> None:
    """Print ``report`` to ``console`` as panels and tables.

    Args:
        report: the scan's report.
        console: where to print (stdout for a person; stderr when stdout carries JSON).
    """
    status = "[green]complete[/]" if report.complete else "[yellow]incomplete (see the problems)[/]"
    parts: list[Table | Panel] = [
        Panel(_vehicle(report), title="Vehicle", title_align="left"),
        Panel(_adapter(report), title="Adapter", title_align="left"),
    ]
    if report.ecus:
        parts.append(_ecus(report))
    head = _head_unit(report)
    if head is not None:
        parts.append(head)
    if report.unknown_units:
        unknown = Table(title="Unknown units (--sweep)", title_justify="left")
        for column in ("Probed", "Answered on", "Answer"):
            unknown.add_column(column)
        for u in report.unknown_units:
            unknown.add_row(safe(u.request_id), safe(u.response_id), safe(u.answer))
        parts.append(unknown)
    if report.problems:
        problems = Table(title="Problems", title_justify="left", show_header=False)
        problems.add_column(style="yellow")
        problems.add_column()
        for p in report.problems:
            problems.add_row(safe(p.code), safe(p.summary))
        parts.append(problems)
    console.print(Group(*parts))
    console.print(
        f"Scan {status} in {report.duration_s:.1f} s with obdident {safe(report.tool.get('version', ''))}. "
        "Read-only: nothing was written to the vehicle."
    )
