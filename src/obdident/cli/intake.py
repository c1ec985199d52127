"""``obdident intake``: the dealer's desk. Many owners' reports and QR payloads in, one CSV log and one
printable list of requests out (:mod:`obdident.report.intake`).

Exit codes: 0 every input was taken; 2 usage (no input named, an output that cannot be written, before
anything is read); 4 an input could not be read: it is named with the reason and the rest is still taken
and written.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from obdident import __version__
from obdident.cli.console import cannot_write, check_outputs, fail, stderr, stdout
from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import N_, TN, T, _, render
from obdident.report.sanitize import safe

__all__ = ["INTAKE_HELP", "intake"]

INTAKE_HELP = N_(
    "Take in owners' reports and QR codes: check them, flag what is not read from a car, keep the newest "
    "scan of each car, and write one CSV log and one printable list."
    "\n\n"
    "Exit codes: 0 every input taken; 2 usage; 4 an input could not be read (named; the rest is taken)."
)

#: Standard input read at the most for QR payload lines (bytes), one more to tell that it was larger.
_STDIN_LIMIT = 1024 * 1024 + 1


def intake(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help=N_(
                "Report files (obdident scan --json), folders of them, text files of QR payload lines "
                "(OBDIDENT1;...), or - for QR payload lines typed on standard input by a QR scanner."
            ),
            show_default=False,
        ),
    ],
    csv: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help=N_(
                "Append one row per car to the CSV file FILE (the columns of scan --csv); a scan the file "
                "already holds is not appended again."
            ),
        ),
    ] = None,
    html: Annotated[
        str | None,
        typer.Option(metavar="PATH", help=N_("Write the printable list of requests, one line per car.")),
    ] = None,
) -> None:
    """Take in owners' reports and QR codes (:data:`INTAKE_HELP`)."""
    from rich.table import Table

    from obdident.report.csvout import COLUMNS, append_rows
    from obdident.report.intake import MARKS, render_html, take
    from obdident.report.outputs import write_text

    err = stderr()
    check_outputs(err, html, None, csv)
    stdin = sys.stdin.read(_STDIN_LIMIT) if "-" in inputs else None
    taken = take(inputs, stdin)

    title = T("Cars taken in: {n}", n=len(taken.entries)).render()
    table = Table(title=safe(title), title_justify="left")
    for column in ("#", N_("VIN"), N_("Part number"), N_("Serial number"), N_("Marks"), N_("From")):
        table.add_column(_(column), overflow="fold")
    for number, entry in enumerate(taken.entries, start=1):
        row = entry.row
        part = row["head_unit_part"] or (
            f"\u2026-{row['head_unit_part_suffix']}"
            if row["head_unit_part_suffix"]
            else row["head_unit_part_entered"]
        )
        serial = row["head_unit_serial"] or row["head_unit_serial_entered"]
        vin = row["vin"] or (
            T("{vin} (entered)", vin=row["vin_entered"]).render() if row.get("vin_entered") else _("no VIN")
        )
        table.add_row(
            str(number),
            safe(vin),
            safe(part or _("not given")),
            safe(serial or _("not given")),
            safe("; ".join(_(MARKS[key]) for key in entry.marks)),
            safe(render(entry.source)),
        )
    stdout().print(table)
    for dropped in taken.dropped:
        left = T(
            "Left out {source}: an older scan of {vin}, replaced by {kept}",
            source=render(dropped.entry.source),
            vin=dropped.entry.vin,
            kept=render(dropped.kept.source),
        )
        err.print(safe(left.render()))
    for skipped in taken.skipped:
        where = T("Could not read {source}:", source=skipped.source).render()  # a Text source is translated
        err.print(f"[red]{safe(where)}[/] {safe(render(skipped.reason))}")

    try:
        if csv is not None:
            rows = [[entry.row[column] for column in COLUMNS] for entry in taken.entries]
            appended, already = append_rows(rows, csv)
            said = TN("{n} CSV row appended to {path}", "{n} CSV rows appended to {path}", appended, path=csv)
            if already:
                said = TN(
                    "{n} CSV row appended to {path} ({already} already in it)",
                    "{n} CSV rows appended to {path} ({already} already in it)",
                    appended,
                    path=csv,
                    already=already,
                )
            err.print(safe(said.render()))
        if html is not None:
            write_text(render_html(taken, __version__), html)
            err.print(safe(T("List of requests written to {path}", path=html).render()))
    except ObdidentError as exc:
        fail(err, exc)
    except OSError as exc:
        fail(err, cannot_write(exc.filename or "the output", exc))
    raise typer.Exit(ExitCode.PARTIAL if taken.skipped else ExitCode.OK)
