"""What the terminal shows of a scan: the journey's facts (:mod:`obdident.journey.facts`) with rich styles.

The facts and their words are the journey's, the same as the window's; this module only styles them: an
early fact on stderr, the "For the dealer" panel and the next commands on stdout.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from obdident.i18n import T, _, render
from obdident.journey.facts import Fact, dealer_rows
from obdident.report.headunit import nothing_read
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import Report

__all__ = ["fact_line", "render_dealer"]

_STYLES = {"read": "bold green", "entered": "bold", "warning": "yellow", "advice": "", "ending": ""}


def fact_line(fact: Fact) -> str:
    """One early fact as a line of rich markup: ``VIN [bold green]...[/] [dim](read from 7E8)[/dim]``."""
    style = "bold green" if fact.key == "vin" else "bold"
    note = T("({note})", note=fact.note).render()
    return f"{safe(render(fact.label))} [{style}]{safe(render(fact.value))}[/] [dim]{safe(note)}[/dim]"


def render_dealer(report: Report, console: Console, saved: str | None) -> None:
    """Print the "For the dealer" panel that ends a scan, then the commands that make the page and the
    request from the kept report (none when nothing was read: there is nothing to take to a dealer).

    Args:
        report: the scan's report (as shared).
        console: where to print (stdout).
        saved: the report file kept for ``obdident report``, or None when none could be kept.
    """
    from rich.panel import Panel
    from rich.table import Table

    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    empty = nothing_read(report)
    for row in dealer_rows(report, head_unit_panel=True):
        if empty and row.provenance == "advice":
            continue  # nothing answered: no blanks to fill, only what to check
        style = _STYLES[row.provenance]
        text = safe(render(row.text))
        if row.value is not None:
            text = text.replace(safe(row.value), f"[{style}]{safe(row.value)}[/]", 1)
        elif style:
            text = f"[{style}]{text}[/]"
        table.add_row(safe(render(row.label)), text)
    if not saved and not empty:
        kept = _("no report file was kept: scan again with --json FILE to make the dealer's page")
        table.add_row(safe(_("Report")), safe(kept))
    title = _("What to check") if empty else _("For the dealer")
    console.print(Panel(table, title=safe(title), title_align="left"))
    if saved and not empty:  # whole lines, never wrapped: the owner copies them
        quoted = shlex.quote(saved)
        page, request = _("Printable page for the dealer:"), _("Request text for the dealer:")
        width = max(len(page), len(request)) + 2
        console.print(
            f"{safe(page.ljust(width))}obdident report {safe(quoted)} --html page.html", soft_wrap=True
        )
        console.print(f"{safe(request.ljust(width))}obdident report {safe(quoted)} --request", soft_wrap=True)
