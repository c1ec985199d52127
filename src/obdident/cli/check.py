"""``obdident check-adapter``: what the adapter can do, before a scan (read-only: AT commands the guard admits
and ``0100``). The probe is :mod:`obdident.scanning.adapter_check`; the words are
:mod:`obdident.report.adapter_check`.
"""

from __future__ import annotations

import typer

from obdident.cli.adapter import choose_adapter
from obdident.cli.console import check_port, hint_of, said, stderr, stdout, verbose_logging
from obdident.cli.options import BaudrateOption, DemoOption, PortOption, VerboseOption
from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import N_, T, _, render
from obdident.report.sanitize import safe

__all__ = ["CHECK_HELP", "check_adapter"]

CHECK_HELP = N_(
    "Check the adapter: each command the scan needs and whether it supports it, the protocol, the voltage "
    "and the round trip, then whether it can read the head unit. Read-only."
    "\n\n"
    "Exit codes: 0 it can read the head unit; 4 it cannot, or cannot say; 2 usage; 3 no adapter answered."
)


def check_adapter(
    port: PortOption = None,
    demo: DemoOption = False,
    baudrate: BaudrateOption = 38400,
    verbose: VerboseOption = False,
) -> None:
    """Check the adapter, read-only (:data:`CHECK_HELP`)."""
    from rich.table import Table

    from obdident.journey.check import check_adapter as probe
    from obdident.report.adapter_check import rows, summary, verdict
    from obdident.scanning import DEMO_PORT

    err = stderr()
    if verbose:
        verbose_logging()
    if demo and port:
        err.print(f"[red]{safe(_('Give either --port or --demo, not both.'))}[/]")
        raise typer.Exit(ExitCode.USAGE)
    if port is not None:
        check_port(err, port)
    url = DEMO_PORT if demo else (port or choose_adapter(err))
    try:
        with err.status(_("Checking the adapter"), spinner="dots"):
            check = probe(url, baudrate=baudrate)
    except ObdidentError as exc:
        err.print(f"[red]{safe(_('Could not talk to the adapter:'))}[/] {safe(said(exc))}")
        if hint_of(exc):
            err.print(f"[bold]{safe(_('What to do:'))}[/] {safe(hint_of(exc))}")
        raise typer.Exit(exc.exit_code) from None
    out = stdout()
    title = T("Adapter: {summary}", summary=summary(check)).render()
    table = Table(title=safe(title), title_justify="left")
    for column in (N_("What the scan needs it for"), N_("Command"), N_("Supported")):
        table.add_column(_(column))
    for what, command, supported in rows(check):
        table.add_row(safe(render(what)), safe(command), safe(render(supported)))
    out.print(table)
    out.print(render(verdict(check)), markup=False)
    raise typer.Exit(ExitCode.OK if check.can_read_head_unit else ExitCode.PARTIAL)
