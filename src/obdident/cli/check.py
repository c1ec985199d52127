"""``obdident check-adapter``: what the adapter can do, before a scan (read-only: AT commands the guard admits
and ``0100``). The probe is :mod:`obdident.scanning.adapter_check`; the words are
:mod:`obdident.report.adapter_check`.
"""

from __future__ import annotations

import typer

from obdident.cli.adapter import choose_adapter
from obdident.cli.console import check_port, stderr, stdout, verbose_logging
from obdident.cli.options import BaudrateOption, DemoOption, PortOption, VerboseOption
from obdident.errors import ExitCode, ObdidentError
from obdident.report.sanitize import safe

__all__ = ["check_adapter"]


def check_adapter(
    port: PortOption = None,
    demo: DemoOption = False,
    baudrate: BaudrateOption = 38400,
    verbose: VerboseOption = False,
) -> None:
    """Check the adapter: each command the scan needs and whether it supports it, the protocol, the voltage
    and the round trip, then whether it can read the head unit. Read-only.

    Exit codes: 0 it can read the head unit; 4 it cannot, or cannot say; 2 usage; 3 no adapter answered.
    """
    from rich.table import Table

    from obdident.journey.check import check_adapter as probe
    from obdident.report.adapter_check import rows, summary, verdict
    from obdident.scanning import DEMO_PORT

    err = stderr()
    if verbose:
        verbose_logging()
    if demo and port:
        err.print("[red]Give either --port or --demo, not both.[/]")
        raise typer.Exit(ExitCode.USAGE)
    if port is not None:
        check_port(err, port)
    url = DEMO_PORT if demo else (port or choose_adapter(err))
    try:
        with err.status("Checking the adapter", spinner="dots"):
            check = probe(url, baudrate=baudrate)
    except ObdidentError as exc:
        err.print(f"[red]Could not talk to the adapter:[/] {exc}")
        if exc.hint:
            err.print(f"[bold]What to do:[/] {exc.hint}")
        raise typer.Exit(exc.exit_code) from None
    out = stdout()
    table = Table(title=f"Adapter: {safe(summary(check))}", title_justify="left")
    for column in ("What the scan needs it for", "Command", "Supported"):
        table.add_column(column)
    for what, command, supported in rows(check):
        table.add_row(safe(what), safe(command), safe(supported))
    out.print(table)
    out.print(safe(verdict(check)), markup=False)
    raise typer.Exit(ExitCode.OK if check.can_read_head_unit else ExitCode.PARTIAL)
