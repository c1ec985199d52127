"""``obdident ports`` (the candidate adapters) and ``obdident check-recording`` (a recording is safe to
share): the commands beside the scan."""

from __future__ import annotations

import typer

from obdident.cli.adapter import find
from obdident.cli.console import said, stderr, stdout
from obdident.cli.options import BleTimeoutOption, NoBleOption, RecordingsArgument
from obdident.errors import ExitCode
from obdident.i18n import N_, T, _, render
from obdident.report.sanitize import safe

__all__ = ["CHECK_RECORDING_HELP", "PORTS_HELP", "check_recording", "ports"]

PORTS_HELP = N_(
    "List candidate adapters: USB serial, Bluetooth Classic, Bluetooth LE, and the usual WiFi endpoint."
)

CHECK_RECORDING_HELP = N_(
    "Check recordings hold no security data and no request obdident would refuse (before sharing them)."
    "\n\n"
    "Exit codes: 0 every recording is clean; 1 a recording holds a problem, or a file is not a readable "
    "recording (not UTF-8, not in the recording format); 2 usage (no such file, a directory)."
)


def ports(
    ble_timeout: BleTimeoutOption = 5.0,
    no_ble: NoBleOption = False,
) -> None:
    """List candidate adapters (:data:`PORTS_HELP`)."""
    from rich.table import Table

    err = stderr()
    found = find(err, None if no_ble else ble_timeout)
    table = Table(title=_("Candidate adapters"), title_justify="left")
    table.add_column(_("Port (--port)"), no_wrap=True)
    for column in (N_("Kind"), N_("Name"), N_("Why")):
        table.add_column(_(column))
    for candidate in found.candidates:
        table.add_row(
            safe(candidate.url),
            safe(render(candidate.kind)),
            safe(render(candidate.description)),
            safe(render(candidate.reason)),
            style="" if candidate.likely else "dim",
        )
    stdout().print(table)
    for note in found.notes:
        err.print(safe(render(note)))


def check_recording(
    files: RecordingsArgument,
) -> None:
    """Check recordings before sharing them (:data:`CHECK_RECORDING_HELP`)."""
    from obdident.errors import RecordingError
    from obdident.recording.audit import audit
    from obdident.recording.format import load

    err = stderr()
    failed = False
    for path in files:
        try:
            problems = [render(p) for p in audit(load(path))]
        except RecordingError as exc:
            problems = [said(exc)]
        except OSError as exc:
            problems = [T("cannot read it: {reason}", reason=exc.strerror or str(exc)).render()]
        failed = failed or bool(problems)
        for problem in problems:
            err.print(f"[red]{safe(path)}:[/] {safe(problem)}")
        if not problems:
            typer.echo(
                T(
                    "{path}: clean (every security-bearing field masked, every request read-only)",
                    path=str(path),
                ).render()
            )
    raise typer.Exit(ExitCode.PROBLEM if failed else ExitCode.OK)
