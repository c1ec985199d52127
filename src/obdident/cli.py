"""The ``obdident`` command: a thin layer over :func:`obdident.scan`.

Exit codes: 0 complete; 2 usage; 3 could not talk to the adapter or the vehicle (nothing read); 4 partial
(the report is still written, with ``complete: false``); 5 a line was refused by the read-only guard.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from obdident import __version__

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.elm327.driver import Exchange
    from obdident.model import Report
    from obdident.transports.ports import Found

EXIT_OK, EXIT_USAGE, EXIT_NO_CONTACT, EXIT_PARTIAL, EXIT_REFUSED = 0, 2, 3, 4, 5

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


def _stderr() -> Console:
    from rich.console import Console

    # soft_wrap: a message stays one line whatever the terminal's width (a log, a pipe, a test)
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _verbose_logging() -> None:
    """Show obdident's own debug log (the adapter dialogue, masked) on stderr.

    Only the ``obdident`` logger hierarchy is raised to DEBUG and given a handler; the root logger is left
    alone, so third-party loggers stay at WARNING (bleak logs raw notifications, unmasked, at DEBUG).
    """
    logger = logging.getLogger("obdident")
    for old in [h for h in logger.handlers if getattr(h, "_obdident_cli", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler._obdident_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def _check_port(err: Console, url: str) -> None:
    """Exit 2 before any work when the port name or URL is malformed or of a refused scheme."""
    from obdident.errors import PortUrlError
    from obdident.transports.urls import check_port

    try:
        check_port(url)
    except PortUrlError as exc:
        _fail(err, exc)


def _write_json(report: Report, path: str) -> None:
    _write_text(report.to_json(), path)


def _write_text(text: str, path: str) -> None:
    """Write ``text`` to ``path`` atomically; ``-`` is stdout (:func:`obdident.report.outputs.write_text`)."""
    from obdident.report.outputs import write_text

    write_text(text, path)


class _Keeper:
    """Keeps the last good report on disk while a scan runs, and the recording."""

    def __init__(
        self, url: str, json_path: str | None, record: str | None, note: str | None, redact: bool = False
    ) -> None:
        self.url, self.json_path, self.record, self.note = url, json_path, record, note
        self.redact = redact
        self.exchanges: list[Exchange] = []
        self.last: Report | None = None

    def checkpoint(self, report: Report) -> None:
        self.last = _redacted(report) if self.redact else report
        if self.json_path not in (None, "-"):
            _write_json(self.last, str(self.json_path))
        self.save_recording(report)

    def save_recording(self, report: Report | None = None) -> None:
        if self.record is None:
            return
        from obdident.transports.sessionfile import SessionMeta, save

        report = report or self.last
        scheme = self.url.split("://", 1)[0] if "://" in self.url else ""
        provenance = {
            "sim": f"simulated ({self.url}): not a real car",
            "replay": f"replayed from {self.url}",
        }.get(scheme, f"recorded through an adapter at {self.url}")
        meta = SessionMeta(
            tool=f"obdident {__version__}",
            started_at=report.started_at if report else "",
            duration_s=report.duration_s if report else 0.0,
            port=report.adapter.port if report else self.url,
            transport=(report.adapter.transport or "") if report else "",
            adapter=(report.adapter.version or "") if report else "",
            provenance=provenance,
            vehicle=self.note or "",
        )
        save(self.record, meta, self.exchanges)

    def stop(self, err: Console, reason: str) -> int:
        """The scan died: keep the last good report; return the exit code."""
        self.save_recording()
        if self.last is None:
            err.print(f"[red]obdident stopped ({reason}) before anything was read.[/]")
            return EXIT_NO_CONTACT
        if self.json_path == "-":
            _write_json(self.last, "-")
        where = f" in {self.json_path}" if self.json_path not in (None, "-") else ""
        err.print(f"[yellow]obdident stopped ({reason}); the report so far{where} has complete: false.[/]")
        return EXIT_PARTIAL

    def interrupted(self, err: Console, signal_name: str) -> Report | None:
        """A signal stopped the scan: add the ``interrupted`` problem to the last good report, keep it (JSON
        file or stdout, recording) and return it for the terminal and the other outputs; None when nothing
        had been read yet."""
        self.save_recording()
        if self.last is None:
            err.print(f"[yellow]obdident was interrupted ({signal_name}) before anything was read.[/]")
            return None
        from dataclasses import replace

        from obdident.model import Problem

        problem = Problem(
            "interrupted",
            f"The scan was interrupted ({signal_name}) before it ended: what was read so far is kept; "
            "steps that had not run are missing.",
        )
        self.last = replace(self.last, complete=False, problems=(*self.last.problems, problem))
        if self.json_path is not None:
            _write_json(self.last, self.json_path)
        where = f" in {_safe(self.json_path)}" if self.json_path not in (None, "-") else ""
        err.print(f"[yellow]obdident was interrupted ({signal_name}); the report so far{where} has "
                  "complete: false.[/]")  # fmt: skip
        return self.last


def _redacted(report: Report) -> Report:
    from obdident.report.redact import redact

    return redact(report)


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
    input ``source`` (:func:`obdident.report.outputs.check_outputs`)."""
    from obdident.errors import ObdidentError
    from obdident.report.outputs import Output, check_outputs

    asked = [
        Output("--json", json_path, stdout_ok=True) if json_path is not None else None,
        Output("--html", html) if html is not None else None,
        Output("--qr", qr) if qr is not None else None,
        Output("--csv", csv, appends=True) if csv is not None else None,
        Output("--record", record) if record is not None else None,
    ]
    try:
        check_outputs([o for o in asked if o is not None], {"SCAN.json": source} if source else None)
        if csv is not None:
            from obdident.report.csvout import check_file

            check_file(csv)
    except ObdidentError as exc:
        _fail(err, exc)


def _safe(value: object) -> str:
    from obdident.report.text import safe

    return safe(value)


def _fail(err: Console, exc: Exception) -> NoReturn:
    """Print what went wrong (and what to do) and exit 2."""
    err.print(f"[red]{_safe(exc)}[/]")
    hint = getattr(exc, "hint", None)
    if hint:
        err.print(f"[bold]What to do:[/] {_safe(hint)}")
    raise typer.Exit(EXIT_USAGE)


def _render(report: Report) -> None:
    """Print the report on the terminal (stdout)."""
    from rich.console import Console

    from obdident.report.text import render

    render(report, Console(highlight=False))


def _write_outputs(report: Report, err: Console, html: str | None, qr: str | None, csv: str | None) -> None:
    """Write the HTML page, the QR code and the CSV row asked for; exit 2 if one cannot be written."""
    from obdident.errors import ObdidentError

    try:
        if html is not None:
            from obdident.report.html import render_html

            _write_text(render_html(report), html)
            err.print(f"HTML report written to {_safe(html)}")
        if qr is not None:
            from obdident.report.qr import svg_document

            _write_text(svg_document(report), qr)
            err.print(f"QR code written to {_safe(qr)}")
        if csv is not None:
            from obdident.report.csvout import append_row

            if append_row(report, csv):
                err.print(f"CSV row appended to {_safe(csv)}")
            else:
                err.print(f"Nothing was read from the car: no CSV row appended to {_safe(csv)}")
    except ObdidentError as exc:
        _fail(err, exc)
    except OSError as exc:
        _fail(err, ObdidentError(f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}"))


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
    err = _stderr()
    if verbose:
        _verbose_logging()
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
        port = _choose_adapter(err)

    from obdident.errors import GuardRefusal, ObdidentError, PortUrlError
    from obdident.interrupt import Interrupted, deferred, stop_on_signals
    from obdident.scanning import DEMO_PORT
    from obdident.scanning import scan as run_scan

    url = DEMO_PORT if demo else str(port)
    keeper = _Keeper(url, json_path, record, note, redact)
    try:
        with stop_on_signals(), err.status("Starting", spinner="dots") as status:
            report = run_scan(
                url,
                baudrate=baudrate,
                make=make.lower() if make else None,
                sweep=sweep,
                timeout_s=timeout,
                progress=status.update,
                on_exchange=keeper.exchanges.append,
                checkpoint=keeper.checkpoint,
            )
    except GuardRefusal as exc:
        keeper.save_recording()
        err.print(f"[red]Refused:[/] {exc}")
        raise typer.Exit(EXIT_REFUSED) from None
    except ObdidentError as exc:
        keeper.save_recording()
        err.print(f"[red]Could not talk to the adapter:[/] {exc}")
        if exc.hint:
            err.print(f"[bold]What to do:[/] {exc.hint}")
        if verbose and exc.response:
            err.print(f"Adapter said: {list(exc.response)!r}")
        raise typer.Exit(EXIT_USAGE if isinstance(exc, PortUrlError) else EXIT_NO_CONTACT) from None
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
            report = _redacted(report)
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
    from obdident.errors import ObdidentError
    from obdident.report.load import load_report

    err = _stderr()
    if request and json_path == "-":
        err.print("[red]Give either --request or --json -, not both:[/] both would go to stdout.")
        raise typer.Exit(EXIT_USAGE)
    _check_outputs(err, html, qr, csv, json_path=json_path, source=scan_json)
    try:
        report = load_report(scan_json)
    except ObdidentError as exc:
        _fail(err, exc)
    if redact:
        report = _redacted(report)
    if json_path is not None:
        try:
            _write_json(report, json_path)
        except OSError as exc:
            _fail(err, ObdidentError(f"cannot write {_safe(json_path)}: {exc.strerror or exc}"))
        if json_path != "-":
            err.print(f"JSON report written to {_safe(json_path)}")
    if request:
        from obdident.report.request import request_text

        sys.stdout.write(request_text(report))
        sys.stdout.flush()
    if not (html or qr or csv or request or json_path):
        from rich.console import Console

        from obdident.report.text import render

        render(report, Console(highlight=False))
    _write_outputs(report, err, html, qr, csv)


def _find(err: Console, ble_timeout: float | None) -> Found:
    from obdident.transports.ports import find_adapters

    with err.status("Looking for adapters (USB, Bluetooth, Bluetooth LE)", spinner="dots"):
        return find_adapters(ble_timeout_s=ble_timeout)


def _choose_adapter(err: Console) -> str:
    """The one adapter found; a choice on a terminal when there are several; exit when there is none."""
    found = _find(err, 5.0)
    likely = [c for c in found.candidates if c.likely]
    if len(likely) == 1:
        err.print(f"Using {likely[0].url} ({likely[0].description}: {likely[0].reason}).")
        return likely[0].url
    if not likely:
        err.print(
            "[red]No adapter found.[/] Plug a USB adapter in, pair a Bluetooth one (and switch it on: most "
            "take power from the car's OBD-II socket), or join a WiFi adapter's network and use --port "
            "socket://192.168.0.10:35000. `obdident ports` lists what obdident can see; --demo tries a "
            "simulated car."
        )
        for note in found.notes:
            err.print(f"  {note}")
        raise typer.Exit(EXIT_NO_CONTACT)
    for number, candidate in enumerate(likely, 1):
        err.print(f"  {number}. {candidate.url}  {candidate.description} ({candidate.reason})")
    if not sys.stdin.isatty():
        err.print("[red]Several adapters found;[/] choose one with --port.")
        raise typer.Exit(EXIT_USAGE)
    choice: int = typer.prompt("Which adapter", type=int, default=1, err=True)
    if not 1 <= choice <= len(likely):
        err.print("[red]No such adapter.[/]")
        raise typer.Exit(EXIT_USAGE)
    return likely[choice - 1].url


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

    from obdident.report.text import safe

    err = _stderr()
    found = _find(err, None if no_ble else ble_timeout)
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
    from obdident.recording import audit
    from obdident.transports.sessionfile import load

    err = _stderr()
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
    raise typer.Exit(1 if failed else 0)


def main() -> None:
    """Console-script entry point."""
    app()
