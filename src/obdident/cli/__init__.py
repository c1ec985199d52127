"""The ``obdident`` command: argument parsing and exit codes over :func:`obdident.scan`.

Exit codes (:class:`obdident.errors.ExitCode`): 0 complete; 2 usage; 3 could not talk to the adapter or the
vehicle (nothing read); 4 partial (the report is still written, with ``complete: false``); 5 a line was
refused by the read-only guard. An error that stops a scan names its own exit code (``exit_code``).

The rest of the command lives beside it: :mod:`.console` (stderr, ``--verbose``, the one-line error),
:mod:`.keeper` (the report so far and the recording while a scan runs), :mod:`.adapter` (choosing the
adapter); the outputs are written by :mod:`obdident.report.outputs`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from obdident import __version__
from obdident.cli.adapter import choose_adapter, find
from obdident.cli.console import fail, stderr, verbose_logging
from obdident.errors import ExitCode, ObdidentError
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import Report

EXIT_OK, EXIT_USAGE, EXIT_NO_CONTACT = ExitCode.OK, ExitCode.USAGE, ExitCode.NO_CONTACT
EXIT_PARTIAL, EXIT_REFUSED = ExitCode.PARTIAL, ExitCode.REFUSED
#: How a scan-stopping error is introduced, by its exit code (the rest: "Could not talk to the adapter").
_HEADLINES = {ExitCode.REFUSED: "Refused"}

app = typer.Typer(
    name="obdident",
    help="Read a vehicle's identity (VIN, ECU identifiers) through an ELM327 OBD-II adapter. Read-only: "
    "obdident never writes to the vehicle and never calculates unlock codes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# Options that `scan` and `report` share.
CsvOption = Annotated[
    str | None,
    typer.Option(metavar="FILE", help="Append one row for this car to the CSV file FILE (dealer's log)."),
]
RedactOption = Annotated[
    bool,
    typer.Option(
        "--redact",
        help="Mask the VIN's serial part (positions 12-17) and unit serial numbers in every output, "
        "for sharing on a forum.",
    ),
]
QrOption = Annotated[
    str | None,
    typer.Option(metavar="PATH", help="Write the QR code (VIN and head-unit identifiers) as SVG."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"obdident {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """obdident: read-only vehicle identification through an ELM327 adapter."""


def _check_port(err: Console, url: str) -> None:
    """Exit 2 before any work when the port name or URL is malformed or of a refused scheme."""
    from obdident.transports.urls import check_port

    try:
        check_port(url)
    except ObdidentError as exc:
        fail(err, exc)


def _check_outputs(
    err: Console,
    html: str | None,
    qr: str | None,
    csv: str | None,
    *,
    json_path: str | None = None,
    record: str | None = None,
    source: Path | None = None,
) -> None:
    """Exit 2 before any work when an output cannot be written, or would overwrite another output or the
    input ``source`` (:func:`obdident.report.outputs.check_asked`)."""
    from obdident.report.outputs import check_asked

    try:
        check_asked(json_path=json_path, html=html, qr=qr, csv=csv, record=record, source=source)
    except ObdidentError as exc:
        fail(err, exc)


def _write_json(report: Report, path: str) -> None:
    from obdident.report.outputs import write_text

    write_text(report.to_json(), path)


def _render(report: Report) -> None:
    """Print the report on the terminal (stdout)."""
    from rich.console import Console

    from obdident.report.text import render

    render(report, Console(highlight=False))


def _write_outputs(report: Report, err: Console, html: str | None, qr: str | None, csv: str | None) -> None:
    """Write the HTML page, the QR code and the CSV row asked for; exit 2 if one cannot be written."""
    from obdident.report.outputs import write_outputs

    try:
        write_outputs(report, html=html, qr=qr, csv=csv, tell=lambda said: err.print(safe(said)))
    except ObdidentError as exc:
        fail(err, exc)


@app.command()
def scan(
    port: Annotated[
        str | None,
        typer.Option(
            "--port",
            "-p",
            help="Adapter port or URL: /dev/ttyUSB0, /dev/rfcomm0, COM5, /dev/cu.OBDII-SPPDev, "
            "socket://192.168.0.10:35000 (WiFi), ble://MAC (Bluetooth LE), rfcomm://MAC (Linux), "
            "sim://PROFILE (simulated vehicle). Without it, obdident looks for the adapter.",
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Scan the built-in simulated Nissan (no hardware needed).")
    ] = False,
    json_path: Annotated[
        str | None,
        typer.Option("--json", metavar="PATH", help="Write the JSON report to PATH ('-' for stdout only)."),
    ] = None,
    make: Annotated[
        str | None,
        typer.Option(
            help="Vehicle make when the car does not show it (no VIN, no Nissan CALID): 'nissan' lets "
            "obdident open Nissan's diagnostic session (10 C0) on Nissan units that need it.",
        ),
    ] = None,
    sweep: Annotated[
        bool, typer.Option("--sweep", help="Also probe every physical id 700-7F7 and list unknown units.")
    ] = False,
    record: Annotated[
        str | None,
        typer.Option(
            metavar="FILE",
            help="Write the adapter dialogue (masked) to FILE, for replay://FILE and to contribute it "
            "(see hw-fixtures/sessions/README.md).",
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="With --record: the vehicle, as you would describe it (model, year).")
    ] = None,
    baudrate: Annotated[int, typer.Option(help="Serial speed in baud.", min=1)] = 38400,
    timeout: Annotated[float, typer.Option(help="Overall time limit in seconds.", min=1.0)] = 120.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show the adapter dialogue.")] = False,
    html: Annotated[
        str | None,
        typer.Option(metavar="PATH", help="Also write the printable one-page report for the dealer (HTML)."),
    ] = None,
    qr: QrOption = None,
    csv: CsvOption = None,
    redact: RedactOption = False,
) -> None:
    """Scan the vehicle read-only and print (or write) its identification report."""
    err = stderr()
    if verbose:
        verbose_logging()
    if note is not None and record is None:
        err.print("[red]--note describes a --record recording;[/] give --record FILE too, or drop --note.")
        raise typer.Exit(EXIT_USAGE)
    if demo and port:
        err.print("[red]Give either --port or --demo, not both.[/]")
        raise typer.Exit(EXIT_USAGE)
    if make is not None and make.lower() != "nissan":
        err.print(f"[red]--make {make!r} is not known;[/] the only make with its own knowledge is 'nissan'.")
        raise typer.Exit(EXIT_USAGE)
    if redact and record:
        err.print(
            "[red]--redact cannot mask a --record recording[/] (it holds the adapter dialogue as read). "
            "Record without --redact, then share outputs made with `obdident report SCAN.json --redact`."
        )
        raise typer.Exit(EXIT_USAGE)
    if port is not None:
        _check_port(err, port)
    _check_outputs(err, html, qr, csv, json_path=json_path, record=record)
    if not demo and not port:
        port = choose_adapter(err)

    from obdident.cli.keeper import Keeper
    from obdident.interrupt import Interrupted, deferred, stop_on_signals
    from obdident.scanner import DEMO_PORT
    from obdident.scanner import scan as run_scan

    url = DEMO_PORT if demo else str(port)
    keeper = Keeper(url, json_path, record, note, redact, tool=f"obdident {__version__}")
    try:
        with stop_on_signals(), err.status("Starting", spinner="dots") as status:
            report = run_scan(
                url,
                baudrate=baudrate,
                make=make.lower() if make else None,
                sweep=sweep,
                timeout_s=timeout,
                progress=status.update,
                on_exchange=keeper.on_exchange,
                checkpoint=keeper.checkpoint,
            )
    except ObdidentError as exc:  # the error names its exit code: 5 refused, 2 a bad URL, 3 no contact
        keeper.save_recording()
        err.print(f"[red]{_HEADLINES.get(exc.exit_code, 'Could not talk to the adapter')}:[/] {exc}")
        if exc.hint:
            err.print(f"[bold]What to do:[/] {exc.hint}")
        if verbose and exc.response:
            err.print(f"Adapter said: {list(exc.response)!r}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: keep, print and write what was read
        with deferred():
            kept = keeper.interrupted(err, exc.signal_name if isinstance(exc, Interrupted) else "SIGINT")
            if kept is not None:
                if json_path != "-":
                    _render(kept)
                _write_outputs(kept, err, html, qr, csv)
        raise typer.Exit(EXIT_PARTIAL) from None
    except Exception as exc:  # never a traceback for the user; --verbose shows it
        reason = f"{type(exc).__name__}: {exc}"
        if verbose:
            err.print_exception()
        code = keeper.stop(err, reason)
        if keeper.last is not None:
            _write_outputs(keeper.last, err, html, qr, csv)
        raise typer.Exit(code) from None

    with deferred():  # a late Ctrl-C cannot cut the outputs short: the scan has ended
        keeper.save_recording(report)
        if redact:
            from obdident.report.redact import redact as redacted

            report = redacted(report)
        if json_path is not None:
            _write_json(report, json_path)
        if json_path != "-":
            _render(report)
            if json_path:
                err.print(f"JSON report written to {json_path}")
        elif not report.complete:
            err.print("[yellow]The scan is incomplete (see its problems); the report has complete: false.[/]")
        _write_outputs(report, err, html, qr, csv)
    if report.complete:
        raise typer.Exit(EXIT_OK)
    timed_out = any(p.code == "scan-timeout" for p in report.problems)  # the limit ended it, not the adapter
    raise typer.Exit(EXIT_PARTIAL if report.ecus or timed_out else EXIT_NO_CONTACT)


@app.command("report")
def report_command(
    scan_json: Annotated[
        Path,
        typer.Argument(metavar="SCAN.json", help="A JSON report written by `obdident scan --json PATH`."),
    ],
    html: Annotated[
        str | None, typer.Option(metavar="PATH", help="Write the printable one-page report for the dealer.")
    ] = None,
    qr: QrOption = None,
    request: Annotated[
        bool,
        typer.Option(
            "--request",
            help="Print the text of a request to the dealer for the head unit's unlock code, filled from "
            "the scan, with blanks for what the owner adds.",
        ),
    ] = False,
    csv: CsvOption = None,
    json_path: Annotated[
        str | None,
        typer.Option(
            "--json",
            metavar="PATH",
            help="Write the JSON report (redacted with --redact) to PATH ('-' for stdout).",
        ),
    ] = None,
    redact: RedactOption = False,
) -> None:
    """Make the dealer's outputs from a saved scan: page, QR code, code request, CSV row.

    Without an option, print the report on the terminal.
    """
    from obdident.report.load import load_report

    err = stderr()
    if request and json_path == "-":
        err.print("[red]Give either --request or --json -, not both:[/] both would go to stdout.")
        raise typer.Exit(EXIT_USAGE)
    _check_outputs(err, html, qr, csv, json_path=json_path, source=scan_json)
    try:
        report = load_report(scan_json)
    except ObdidentError as exc:
        fail(err, exc)
    if redact:
        from obdident.report.redact import redact as redacted

        report = redacted(report)
    if json_path is not None:
        try:
            _write_json(report, json_path)
        except OSError as exc:
            fail(err, ObdidentError(f"cannot write {safe(json_path)}: {exc.strerror or exc}"))
        if json_path != "-":
            err.print(f"JSON report written to {safe(json_path)}")
    if request:
        from obdident.report.request import request_text

        sys.stdout.write(request_text(report))
        sys.stdout.flush()
    if not (html or qr or csv or request or json_path):
        _render(report)
    _write_outputs(report, err, html, qr, csv)


@app.command()
def ports(
    ble_timeout: Annotated[
        float, typer.Option(help="How long the Bluetooth LE scan may take, seconds.", min=0.5, max=60)
    ] = 5.0,
    no_ble: Annotated[bool, typer.Option("--no-ble", help="Skip the Bluetooth LE scan.")] = False,
) -> None:
    """List candidate adapters: USB serial, Bluetooth Classic, Bluetooth LE, and the usual WiFi endpoint."""
    from rich.console import Console
    from rich.table import Table

    err = stderr()
    found = find(err, None if no_ble else ble_timeout)
    table = Table(title="Candidate adapters", title_justify="left")
    table.add_column("Port (--port)", no_wrap=True)
    for column in ("Kind", "Name", "Why"):
        table.add_column(column)
    for candidate in found.candidates:
        table.add_row(
            safe(candidate.url),
            candidate.kind,
            safe(candidate.description),
            safe(candidate.reason),
            style="" if candidate.likely else "dim",
        )
    Console(highlight=False).print(table)
    for note in found.notes:
        err.print(note)


@app.command("check-recording")
def check_recording(
    files: Annotated[
        list[Path], typer.Argument(help="Recordings written by --record.", exists=True, dir_okay=False)
    ],
) -> None:
    """Check recordings hold no security data and no request obdident would refuse (before sharing them).

    Exit codes: 0 every recording is clean; 1 a recording holds a problem, or a file is not a readable
    recording (not UTF-8, not in the recording format); 2 usage (no such file, a directory).
    """
    from obdident.errors import RecordingError
    from obdident.recording.audit import audit
    from obdident.recording.format import load

    err = stderr()
    failed = False
    for path in files:
        try:
            problems = audit(load(path))
        except RecordingError as exc:
            problems = [str(exc)]
        except OSError as exc:
            problems = [f"cannot read it: {exc.strerror or exc}"]
        failed = failed or bool(problems)
        for problem in problems:
            err.print(f"[red]{path}:[/] {problem}")
        if not problems:
            typer.echo(f"{path}: clean (every security-bearing field masked, every request read-only)")
    raise typer.Exit(ExitCode.PROBLEM if failed else EXIT_OK)


def main() -> None:
    """Console-script entry point."""
    app()
