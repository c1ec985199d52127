"""The ``obdident`` command: argument parsing and exit codes over :func:`obdident.scan`.

Exit codes (:class:`obdident.errors.ExitCode`): 0 complete; 2 usage; 3 could not talk to the adapter or the
vehicle (nothing read); 4 partial (the report is still written, with ``complete: false``); 5 a line was
refused by the read-only guard. An error that stops a scan names its own exit code (``exit_code``).

The rest of the command lives beside it: :mod:`.console` (stderr, ``--verbose``, the one-line error),
:mod:`.keeper` (the report so far and the recording while a scan runs), :mod:`.news` (the VIN and the
head unit on stderr as soon as they are read), :mod:`.adapter` (choosing the adapter); the outputs are
written by :mod:`obdident.report.outputs`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from obdident import __version__
from obdident.cli.adapter import choose_adapter
from obdident.cli.check import CHECK_HELP
from obdident.cli.check import check_adapter as check_adapter_command
from obdident.cli.console import (
    cannot_write,
    check_outputs,
    check_port,
    fail,
    incomplete,
    stderr,
    stdout,
    usage,
    verbose_logging,
    write_json,
    write_outputs,
)
from obdident.cli.intake import INTAKE_HELP
from obdident.cli.intake import intake as intake_command
from obdident.cli.lang import LANG_HELP, LangCommand, LangGroup
from obdident.cli.letter import CountryOption, LetterLangOption, print_request
from obdident.cli.options import (
    BaudrateOption,
    CsvOption,
    DemoOption,
    FullOption,
    HeadUnitHardwareOption,
    HeadUnitPartOption,
    HeadUnitSerialOption,
    HeadUnitSoftwareOption,
    MakeOption,
    ModelYearOption,
    NoteOption,
    PortOption,
    QrOption,
    RecordOption,
    RedactOption,
    ReportHtmlOption,
    ReportJsonOption,
    RequestOption,
    ScanHtmlOption,
    ScanJsonArgument,
    ScanJsonOption,
    SweepOption,
    TimeoutOption,
    VerboseOption,
    VinOption,
)
from obdident.cli.tools import CHECK_RECORDING_HELP, PORTS_HELP
from obdident.cli.tools import check_recording as check_recording_command
from obdident.cli.tools import ports as ports_command
from obdident.cli.vehicle import checked_owner, offered_values
from obdident.cli.window import UI_HELP
from obdident.cli.window import ui as window_command
from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import N_, T, _, render
from obdident.interrupt import own_process
from obdident.journey.plan import Seams
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from obdident.model import Report

EXIT_OK, EXIT_USAGE, EXIT_NO_CONTACT = ExitCode.OK, ExitCode.USAGE, ExitCode.NO_CONTACT
EXIT_PARTIAL, EXIT_REFUSED = ExitCode.PARTIAL, ExitCode.REFUSED

app = typer.Typer(
    name="obdident",
    cls=LangGroup,  # speaks --lang / OBDIDENT_LANG / LC_* before it parses (cli.lang)
    help=N_(
        "Read a vehicle's identity (VIN, ECU identifiers) through an ELM327 OBD-II adapter. Read-only: "
        "obdident never writes to the vehicle and never calculates unlock codes."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: a flag reads as a flag, a value as its metavar (no <bool>)
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"obdident {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    lang: Annotated[
        str | None,
        typer.Option("--lang", metavar="LANG", help=LANG_HELP, is_eager=True, expose_value=False),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version and exit.")),
    ] = False,
) -> None:
    """obdident: read-only vehicle identification through an ELM327 adapter."""


def _render(report: Report) -> None:
    """Print the report on the terminal (stdout); a stdout that refuses it is said on stderr."""
    from obdident.report.text import render

    _printed(lambda: render(report, stdout()))


def _printed(show: Callable[[], None]) -> None:
    """Run ``show``, which prints on stdout; when stdout refuses (a full disk, a closed pipe), say so in one
    line on stderr and silence stdout: the files asked for are still written."""
    from obdident.report.outputs import silence_stdout

    try:
        show()
    except OSError as exc:
        silence_stdout()
        said = T("cannot print on stdout: {reason}", reason=exc.strerror or str(exc)).render()
        stderr().print(f"[red]{safe(_('Not written:'))}[/] {safe(said)}")


def _seams(ctx: typer.Context) -> Seams:
    """The scan's clock, port opener and Bluetooth LE backend: the real ones, or the fakes a test passes as
    the command's context object (``CliRunner().invoke(app, args, obj=Seams(...))``)."""
    return ctx.obj if isinstance(ctx.obj, Seams) else Seams()


@app.command(
    cls=LangCommand, help=N_("Scan the vehicle read-only and print (or write) its identification report.")
)
def scan(
    ctx: typer.Context,
    port: PortOption = None,
    demo: DemoOption = False,
    json_path: ScanJsonOption = None,
    make: MakeOption = None,
    sweep: SweepOption = False,
    full: FullOption = False,
    record: RecordOption = None,
    note: NoteOption = None,
    baudrate: BaudrateOption = 38400,
    timeout: TimeoutOption = 120.0,
    verbose: VerboseOption = False,
    html: ScanHtmlOption = None,
    qr: QrOption = None,
    csv: CsvOption = None,
    redact: RedactOption = False,
    vin: VinOption = None,
    model_year: ModelYearOption = None,
    head_unit_part: HeadUnitPartOption = None,
    head_unit_serial: HeadUnitSerialOption = None,
    head_unit_software: HeadUnitSoftwareOption = None,
    head_unit_hardware: HeadUnitHardwareOption = None,
) -> None:
    """Scan the vehicle read-only and print (or write) its identification report."""
    err = stderr()
    if verbose:
        verbose_logging()
    if note is not None and record is None:
        usage(err, _("--note describes a --record recording: give --record FILE too, or drop --note."))
    if demo and port:
        usage(err, _("Give either --port or --demo, not both."))
    if make is not None and make.lower() != "nissan":
        usage(
            err,
            T(
                "--make {make} is not known; the only make with its own knowledge is 'nissan'.",
                make=repr(make),
            ).render(),
        )
    if redact and record:
        usage(
            err,
            _(
                "--redact cannot mask a --record recording (it holds the adapter dialogue as read). "
                "Record without --redact, then share outputs made with "
                "`obdident report SCAN.json --redact`."
            ),
        )
    entered = checked_owner(err, vin, model_year, head_unit_part, head_unit_serial, head_unit_software,
                            head_unit_hardware)  # fmt: skip
    if port is not None:
        check_port(err, port)
    check_outputs(err, html, qr, csv, json_path=json_path, record=record)
    if not demo and not port:
        port = choose_adapter(err)

    from obdident.cli.show import fact_line
    from obdident.interrupt import CancelToken, cancel_on_signals, deferred
    from obdident.journey import Journey, Plan
    from obdident.scanning import DEMO_PORT

    plan = Plan(
        DEMO_PORT if demo else str(port),
        make=make.lower() if make else None,
        sweep=sweep,
        full=full,
        baudrate=baudrate,
        timeout_s=timeout,
        redact=redact,
        entered=entered,
        json_path=json_path,
        folder=Path(),
        record=record,
        note=note,
        html=html,
        qr=qr,
        csv=csv,
        tool=f"obdident {__version__}",
    )
    token = CancelToken()
    with err.status(_("Starting"), spinner="dots") as status:
        journey = Journey(
            plan,
            seams=_seams(ctx),
            cancel=token,
            progress=lambda step: status.update(safe(render(step))),
            news=lambda fact: err.print(fact_line(fact)),
            say=lambda words: err.print(f"[yellow]{safe(render(words))}[/]"),
        )
        try:
            with cancel_on_signals(token):
                ending = journey.run()
        except KeyboardInterrupt as exc:  # a second signal while the run kept what the first one cut short
            with deferred():
                ending = journey.cut_short(getattr(exc, "signal_name", "SIGINT"))
        except OSError as exc:  # the --json file chosen cannot be written
            fail(err, cannot_write(json_path, exc))
    if ending.error is not None:  # stopped before anything was read: the error names its exit code
        headline = T("{headline}:", headline=ending.headline).render()
        err.print(f"[red]{safe(headline)}[/] {safe(render(ending.error))}")
        if ending.hint:
            err.print(f"[bold]{safe(_('What to do:'))}[/] {safe(render(ending.hint))}")
        if verbose and ending.response:
            err.print(f"Adapter said: {list(ending.response)!r}")  # --verbose: engineer detail, English
        raise typer.Exit(ending.exit_code)
    if not demo and not token.cancelled and journey.read is not None:
        # a simulated car has no label and no VIN plate: the owner's values belong to a real car
        journey.enter(offered_values(err, journey.read))
    with deferred():  # a late Ctrl-C cannot cut the outputs short: the scan has ended
        try:
            ending = journey.finish()
        except OSError as exc:
            fail(err, cannot_write(json_path, exc))
        report = ending.report
        if report is None:
            raise typer.Exit(ending.exit_code)
        if json_path != "-":
            _render(report)
            if ending.kept:
                mine = json_path is not None and not redact
                kept = (
                    T("JSON report written to {path}", path=ending.kept)
                    if mine
                    else T("JSON report kept in {path}", path=ending.kept)
                )
                err.print(safe(kept.render()))
                if redact:
                    err.print(
                        safe(
                            _(
                                "It holds the values read, unmasked, so the page and the letter made "
                                "from it are complete: keep it; share only what --redact masked."
                            )
                        )
                    )
            if redact and json_path not in (None, "-"):
                err.print(safe(T("Redacted JSON report written to {path}", path=json_path).render()))
            _render_dealer(report, ending.kept)
        if not report.complete:  # stderr: with --json - it is the only word on it
            err.print(f"[yellow]{safe(incomplete(report, ending.kept))}[/]")
        written = write_outputs(journey.shared_report(), err, html, qr, csv, more=journey.keeper.failures())
    if ending.exit_code == EXIT_OK and not written:  # an output not written makes it partial, each named
        raise typer.Exit(EXIT_PARTIAL)
    raise typer.Exit(ending.exit_code)


def _render_dealer(report: Report, saved: str | None) -> None:
    """Print the "For the dealer" summary (stdout)."""
    from obdident.cli.show import render_dealer

    _printed(lambda: render_dealer(report, stdout(), saved))


@app.command(
    "report",
    cls=LangCommand,
    help=N_(
        "Make the dealer's outputs from a saved scan: page, QR code, code request, CSV row.\n\n"
        "Without an option, print the report on the terminal. --vin, --model-year and --head-unit-* "
        "add values marked as entered by the owner (--json NEW.json keeps them)."
    ),
)
def report_command(
    scan_json: ScanJsonArgument,
    html: ReportHtmlOption = None,
    qr: QrOption = None,
    request: RequestOption = False,
    csv: CsvOption = None,
    json_path: ReportJsonOption = None,
    redact: RedactOption = False,
    vin: VinOption = None,
    model_year: ModelYearOption = None,
    head_unit_part: HeadUnitPartOption = None,
    head_unit_serial: HeadUnitSerialOption = None,
    head_unit_software: HeadUnitSoftwareOption = None,
    head_unit_hardware: HeadUnitHardwareOption = None,
    letter_lang: LetterLangOption = None,
    country: CountryOption = None,
) -> None:
    """Make the dealer's outputs from a saved scan: page, QR code, code request, CSV row.

    Without an option, print the report on the terminal. ``--vin``, ``--model-year`` and ``--head-unit-*``
    add values marked as entered by the owner (``--json NEW.json`` keeps them).
    """
    from obdident.report.entered import add_entered
    from obdident.report.load import load_report

    err = stderr()
    entered = checked_owner(err, vin, model_year, head_unit_part, head_unit_serial, head_unit_software,
                            head_unit_hardware)  # fmt: skip
    if request and json_path == "-":
        usage(err, _("Give either --request or --json -, not both: both would go to stdout."))
    check_outputs(err, html, qr, csv, json_path=json_path, source=scan_json)
    try:
        report = load_report(scan_json)
    except ObdidentError as exc:
        fail(err, exc)
    report = add_entered(report, entered)
    if redact:
        from obdident.report.redact import redact as redacted

        report = redacted(report)
    if json_path is not None:
        try:
            write_json(report, json_path)
        except OSError as exc:
            fail(err, cannot_write(json_path, exc))
        if json_path != "-":
            err.print(safe(T("JSON report written to {path}", path=json_path).render()))
    if request:
        print_request(err, report, letter_lang, country)
    if not (html or qr or csv or request or json_path):
        _render(report)
    if not write_outputs(report, err, html, qr, csv):
        raise typer.Exit(EXIT_USAGE)


app.command("ports", cls=LangCommand, help=PORTS_HELP)(ports_command)
app.command("ui", cls=LangCommand, help=UI_HELP)(window_command)
app.command("check-adapter", cls=LangCommand, help=CHECK_HELP)(check_adapter_command)
app.command("intake", cls=LangCommand, help=INTAKE_HELP)(intake_command)
app.command("check-recording", cls=LangCommand, help=CHECK_RECORDING_HELP)(check_recording_command)


def main() -> None:
    """Console-script entry point."""
    own_process()  # a signal after a scan has begun never ends this process by signal (exit 130/143)
    app()
