"""The report on a terminal: rich tables of the vehicle, the adapter, the ECUs and the problems.

Strings from the adapter or an ECU are untrusted: they pass :func:`obdident.report.sanitize.safe` (control
and format characters shown as ``\\xNN`` / ``\\uNNNN``, rich markup escaped) before they reach the terminal.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from obdident.model import Ecu, Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import CONFIDENCE, STATUS, head_unit_ecu, shown_rows
from obdident.report.sanitize import safe
from obdident.report.words import CHECK_DIGIT, field_label, plain, split_problems
from obdident.vehicles.headunit_forms import form_note

__all__ = ["render"]

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
    table.add_row("Check digit", safe(CHECK_DIGIT.get(v.vin_check_digit, v.vin_check_digit)))
    if v.nissan_from_ecm:
        table.add_row("Manufacturer", "Nissan [dim](from the ECM part number)[/dim]")
    else:
        table.add_row("Manufacturer", _or_na(v.manufacturer))
    table.add_row("Country", _or_na(v.country))
    year = _or_na(v.model_year)
    if v.model_year_note and v.vin:
        year += f" [dim]({safe(plain(v.model_year_note))})[/dim]"
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
    lines += [f"{safe(field_label(key))} [bold]{safe(value)}[/]" for key, value in ident.fields.items()]
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
    colour = "green" if head.status == "identified" else "yellow"
    rows = [("Status", f"[{colour}]{safe(STATUS.get(head.status, head.status))}[/]")]
    ecu = head_unit_ecu(report)
    if head.status == "identified":
        if head.confidence:
            rows.append(("How sure", safe(CONFIDENCE.get(head.confidence, head.confidence))))
        if ecu is not None:
            asked = f" (asked on {safe(ecu.request_id)})" if ecu.request_id else ""
            rows.append(("Answered on", f"{safe(ecu.response_id)}{asked}"))
        for label, value in shown_rows(report):
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
    trouble, details = split_problems(report)
    for title, shown, style in (("Problems", trouble, "yellow"), ("Details", details, "dim")):
        if not shown:
            continue
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column(style=style)
        table.add_column()
        for p in shown:
            table.add_row(safe(p.code), safe(p.summary))
        parts.append(table)
    console.print(Group(*parts))
    console.print(
        f"Scan {status} in {report.duration_s:.1f} s with obdident {safe(report.tool.get('version', ''))}. "
        "Read-only: nothing was written to the vehicle."
    )
