"""The report on a terminal: rich tables of the vehicle, the adapter, the ECUs and the problems.

Strings from the adapter or an ECU are untrusted: they pass :func:`obdident.report.sanitize.safe` (control
and format characters shown as ``\\xNN`` / ``\\uNNNN``, rich markup escaped) before they reach the terminal.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from obdident import i18n
from obdident.i18n import N_, T, _
from obdident.model import Ecu, Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import CONFIDENCE, STATUS, head_unit_ecu, shown_rows
from obdident.report.sanitize import safe
from obdident.report.words import check_digit, decimal, field_label, moment, plain, split_problems
from obdident.vehicles.headunit_forms import form_note

__all__ = ["render"]


def _dim(words: str) -> str:
    """``words`` (already in the owner's language) dimmed."""
    return f"[dim]{safe(words)}[/dim]"


def _na() -> str:
    return _dim(_("not available"))


def _by_owner() -> str:
    return _dim(_("(entered by the owner)"))


def _or_na(value: object) -> str:
    return _na() if value is None or value == "" else safe(i18n.render(value))


def _vehicle(report: Report) -> Table:
    v = report.vehicle
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    mine = entered_vin(report)
    if v.vin:
        table.add_row(_("VIN"), f"[bold green]{safe(v.vin)}[/]")
    elif mine is None:
        table.add_row(_("VIN"), _na())
    if mine is not None:
        table.add_row(
            _("VIN") if not v.vin else _("Entered VIN"), f"[bold]{safe(mine.value)}[/] {_by_owner()}"
        )
    table.add_row(_("Check digit"), safe(check_digit(v.vin_check_digit)))
    if v.nissan_from_ecm:
        table.add_row(_("Manufacturer"), f"Nissan {_dim(_('(from the ECM part number)'))}")
    else:
        table.add_row(_("Manufacturer"), _or_na(v.manufacturer))
    table.add_row(_("Country"), _or_na(v.country))
    year = _or_na(v.model_year)
    if v.model_year_note and v.vin:
        year += " " + _dim(T("({note})", note=plain(v.model_year_note)).render())
    year_entered = entered_model_year(report)
    if v.model_year is not None or year_entered is None:
        table.add_row(_("Model year"), year)
    if year_entered is not None:
        table.add_row(_("Model year"), f"[bold]{safe(year_entered.value)}[/] {_by_owner()}")
    if v.make_basis:
        table.add_row("Nissan", _dim(T("yes (from {basis})", basis=v.make_basis).render()))
    if v.family:
        basis = _dim(T("(from {basis})", basis=v.family_basis).render())
        table.add_row(_("Family"), f"{safe(v.family)} {basis}")
    for source in v.vin_sources:
        value = safe(source.value) if source.value else f"[yellow]{safe(i18n.render(source.problem))}[/]"
        where = T("{source} from {response_id}:", source=source.source, response_id=source.response_id)
        table.add_row(_("VIN source"), f"{safe(where.render())} {value}")
    return table


def _adapter(report: Report) -> Table:
    a = report.adapter
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        _("Port"), safe(a.port) + (f" [dim]({safe(i18n.render(a.transport))})[/dim]" if a.transport else "")
    )
    table.add_row(
        _("Adapter"), " / ".join(safe(i18n.render(x)) for x in (a.version, a.description) if x) or _na()
    )
    table.add_row(_("Protocol"), _or_na(a.protocol))
    volts = T("{volts} V", volts=decimal(a.voltage_v, 1)).render() if a.voltage_v is not None else None
    table.add_row(_("Voltage"), safe(volts) if volts else _na())
    return table


def _identification_lines(ecu: Ecu) -> list[str]:
    ident = ecu.identification
    lines = [f"CALID {safe(c)}" for c in ident.calibration_ids]
    lines += [f"CVN {safe(c)}" for c in ident.cvns]
    if ident.ecu_name:
        lines.append(f"{safe(_('ECU name'))} {safe(ident.ecu_name)}")
    if ident.vin:
        lines.append(f"{safe(_('VIN'))} {safe(ident.vin)}")
    lines += [f"{safe(field_label(key))} [bold]{safe(value)}[/]" for key, value in ident.fields.items()]
    return lines


def _ecus(report: Report) -> Table:
    table = Table(title=_("ECUs"), title_justify="left", expand=False)
    for column in (N_("Request"), N_("Response"), N_("Unit"), N_("Identification")):
        table.add_column(_(column))
    for ecu in report.ecus:
        unit = _or_na(ecu.name)
        if ecu.session:
            unit += "\n" + _dim(T("(read in session {session})", session=ecu.session).render())
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
    status = _(STATUS[head.status]) if head.status in STATUS else head.status
    rows = [(_("Status"), f"[{colour}]{safe(status)}[/]")]
    ecu = head_unit_ecu(report)
    if head.status == "identified":
        if head.confidence:
            sure = _(CONFIDENCE[head.confidence]) if head.confidence in CONFIDENCE else head.confidence
            rows.append((_("How sure"), safe(sure)))
        if ecu is not None:
            where = (
                T(
                    "{response_id} (asked on {request_id})",
                    response_id=ecu.response_id,
                    request_id=ecu.request_id,
                )
                if ecu.request_id
                else T("{response_id}", response_id=ecu.response_id)
            )
            rows.append((_("Answered on"), safe(where.render())))
        for label, value in shown_rows(report):
            rows.append((i18n.render(label), f"[bold]{safe(value)}[/]" if value else _dim(_("not read"))))
    else:
        rows.append((_("Why"), safe(i18n.render(head.reason))))
    rows += [(_("Read it instead"), safe(i18n.render(line))) for line in head.guidance]
    return rows


def _head_unit(report: Report) -> Panel | None:
    rows = _head_unit_rows(report)
    if not rows:
        return None
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for label, value in rows:
        table.add_row(safe(label), value)
    _entered_rows(table, report)
    return Panel(table, title=safe(_("Head unit (radio / navigation)")), title_align="left")


#: How each entered field is labelled on the terminal, by output field.
_ENTERED_LABELS = {
    "HU": N_("part number"),
    "SN": N_("serial number"),
    "SW": N_("software version"),
    "HW": N_("hardware version"),
}


def _entered_rows(table: Table, report: Report) -> None:
    """One row per value the owner typed in, marked as entered (never as read)."""
    for key, entered in entered_values(report).items():
        note = form_note(entered.form)
        by = T("(entered by the owner; {note})", note=note) if note else T("(entered by the owner)")
        table.add_row(
            _("Entered"),
            f"{safe(_(_ENTERED_LABELS[key]))} [bold]{safe(entered.value)}[/] {_dim(by.render())}",
        )


def render(report: Report, console: Console) -> None:
    """Print ``report`` to ``console`` as panels and tables.

    Args:
        report: the scan's report.
        console: where to print (stdout for a person; stderr when stdout carries JSON).
    """
    parts: list[Table | Panel] = [
        Panel(_vehicle(report), title=safe(_("Vehicle")), title_align="left"),
        Panel(_adapter(report), title=safe(_("Adapter")), title_align="left"),
    ]
    if report.ecus:
        parts.append(_ecus(report))
    head = _head_unit(report)
    if head is not None:
        parts.append(head)
    if report.unknown_units:
        unknown = Table(title=safe(_("Unknown units (--sweep)")), title_justify="left")
        for column in (N_("Probed"), N_("Answered on"), N_("Answer")):
            unknown.add_column(_(column))
        for u in report.unknown_units:
            unknown.add_row(safe(u.request_id), safe(u.response_id), safe(i18n.render(u.answer)))
        parts.append(unknown)
    trouble, details = split_problems(report)
    for title, shown, style in ((N_("Problems"), trouble, "yellow"), (N_("Details"), details, "dim")):
        if not shown:
            continue
        table = Table(title=safe(_(title)), title_justify="left", show_header=False)
        table.add_column(style=style)
        table.add_column()
        for p in shown:
            table.add_row(safe(p.code), safe(i18n.render(p.summary)))
        parts.append(table)
    console.print(Group(*parts))
    console.print(safe(_ending(report)))


def _ending(report: Report) -> str:
    """The last line: complete or not, how long, which obdident, when (the scan's start in the language's
    date and time form, UTC as recorded), read-only; in the owner's language."""
    params = {"seconds": decimal(report.duration_s, 1), "version": str(report.tool.get("version", ""))}
    if report.complete:
        said = T("Scan complete in {seconds} s with obdident {version}.", **params)
    else:
        said = T("Scan incomplete (see the problems) in {seconds} s with obdident {version}.", **params)
    when = T("Started {moment} UTC.", moment=moment(report.started_at)).render() if report.started_at else ""
    return " ".join(
        part for part in (said.render(), when, _("Read-only: nothing was written to the vehicle.")) if part
    )
