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
from obdident.cli.console import check_outputs, fail, stderr, stdout
from obdident.errors import ExitCode, ObdidentError
from obdident.report.sanitize import safe

__all__ = ["intake"]

#: Standard input read at the most for QR payload lines (bytes), one more to tell that it was larger.
_STDIN_LIMIT = 1024 * 1024 + 1


def intake(
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Report files (obdident scan --json), folders of them, text files of QR payload lines "
            "(OBDIDENT1;...), or - for QR payload lines typed on standard input by a QR scanner.",
            show_default=False,
        ),
    ],
    csv: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Append one row per car to the CSV file FILE (the columns of scan --csv); a scan the file "
            "already holds is not appended again.",
        ),
    ] = None,
    html: Annotated[
        str | None,
        typer.Option(metavar="PATH", help="Write the printable list of requests, one line per car."),
    ] = None,
) -> None:
    """Take in owners' reports and QR codes: check them, flag what is not read from a car, keep the newest
    scan of each car, and write one CSV log and one printable list.

    Exit codes: 0 every input taken; 2 usage; 4 an input could not be read (named; the rest is taken).
    """
    from rich.table import Table

    from obdident.report.csvout import COLUMNS, append_rows
    from obdident.report.intake import MARKS, render_html, take
    from obdident.report.outputs import write_text

    err = stderr()
    check_outputs(err, html, None, csv)
    stdin = sys.stdin.read(_STDIN_LIMIT) if "-" in inputs else None
    taken = take(inputs, stdin)

    table = Table(title=f"Cars taken in: {len(taken.entries)}", title_justify="left")
    for column in ("#", "VIN", "Part number", "Serial number", "Marks", "From"):
        table.add_column(column, overflow="fold")
    for number, entry in enumerate(taken.entries, start=1):
        row = entry.row
        part = row["head_unit_part"] or (
            f"\u2026-{row['head_unit_part_suffix']}"
            if row["head_unit_part_suffix"]
            else row["head_unit_part_entered"]
        )
        serial = row["head_unit_serial"] or row["head_unit_serial_entered"]
        table.add_row(
            str(number),
            safe(row["vin"] or (f"{row['vin_entered']} (entered)" if row.get("vin_entered") else "no VIN")),
            safe(part or "not given"),
            safe(serial or "not given"),
            safe("; ".join(MARKS[key] for key in entry.marks)),
            safe(entry.source),
        )
    stdout().print(table)
    for dropped in taken.dropped:
        err.print(
            f"Left out {safe(dropped.entry.source)}: an older scan of {safe(dropped.entry.vin)}, replaced by "
            f"{safe(dropped.kept.source)}"
        )
    for skipped in taken.skipped:
        err.print(f"[red]Could not read {safe(skipped.source)}:[/] {safe(skipped.reason)}")

    try:
        if csv is not None:
            rows = [[entry.row[column] for column in COLUMNS] for entry in taken.entries]
            appended, already = append_rows(rows, csv)
            more = f" ({already} already in it)" if already else ""
            err.print(f"{appended} CSV row{'' if appended == 1 else 's'} appended to {safe(csv)}{more}")
        if html is not None:
            write_text(render_html(taken, __version__), html)
            err.print(f"List of requests written to {safe(html)}")
    except ObdidentError as exc:
        fail(err, exc)
    except OSError as exc:
        fail(err, ObdidentError(f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}"))
    raise typer.Exit(ExitCode.PARTIAL if taken.skipped else ExitCode.OK)
