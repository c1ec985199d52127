"""The CLI's terminal side: the stderr console, ``--verbose`` logging, the one-line error that exits 2, the
checks of the port and the outputs made before any work, and writing the outputs with a line for each."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import T, Text, _, render
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import Report

__all__ = [
    "MAX_WIDTH",
    "cannot_write",
    "check_outputs",
    "check_port",
    "fail",
    "hint_of",
    "incomplete",
    "said",
    "stderr",
    "stdout",
    "usage",
    "verbose_logging",
    "write_json",
    "write_outputs",
]


#: The widest the terminal report is drawn, columns: panels and tables fill the width, so ``COLUMNS=1000000``
#: would pad every line to a megabyte.
MAX_WIDTH = 200


def _clamped(console: Console) -> Console:
    console.width = min(console.width, MAX_WIDTH)
    return console


def stderr() -> Console:
    """A rich console on stderr that keeps each message on one line, whatever the terminal's width (which
    counts up to :data:`MAX_WIDTH` columns)."""
    from rich.console import Console

    # soft_wrap: a message stays one line whatever the terminal's width (a log, a pipe, a test)
    return _clamped(Console(stderr=True, highlight=False, soft_wrap=True))


def stdout() -> Console:
    """A rich console on stdout for the terminal report, at most :data:`MAX_WIDTH` columns wide."""
    from rich.console import Console

    return _clamped(Console(highlight=False))


def verbose_logging() -> None:
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


def said(exc: BaseException) -> str:
    """What went wrong, in the owner's language: the error's ``text`` (a :class:`obdident.i18n.Text`) when
    it carries one (with the English words of the OS or library in parentheses, :meth:`ObdidentError.say`),
    else its message (a Text given as the message is translated; English otherwise)."""
    if isinstance(exc, ObdidentError):
        return exc.say()
    text = getattr(exc, "text", None)
    if text is None and exc.args and isinstance(exc.args[0], Text):
        text = exc.args[0]
    return render(text) if text is not None else str(exc)


def hint_of(exc: BaseException) -> str:
    """What to do about ``exc`` in the owner's language ("" when it says nothing)."""
    return render(getattr(exc, "hint", None))


def usage(err: Console, sentence: str) -> NoReturn:
    """Print ``sentence`` (already in the owner's language) in red and exit 2 (:attr:`ExitCode.USAGE`).

    Raises:
        typer.Exit: always, with exit code 2.
    """
    err.print(f"[red]{safe(sentence)}[/]")
    raise typer.Exit(ExitCode.USAGE)


def cannot_write(path: object, exc: OSError) -> ObdidentError:
    """The error for an output ``path`` the system refused (its reason as the system says it)."""
    return ObdidentError(T("cannot write {path}: {reason}", path=str(path), reason=exc.strerror or str(exc)))


def incomplete(report: Report, kept: str | None) -> str:
    """The line that says a scan is incomplete: why (the problem that stopped it) and where the report so
    far is kept, in the owner's language."""
    from obdident.report.headunit import STOPS

    stop = next((p for p in reversed(report.problems) if p.code in STOPS), None)
    why = stop.summary if stop is not None else None
    if why is not None and kept:
        text = T(
            "The scan is incomplete ({why}); the report so far in {path} has complete: false.",
            why=why,
            path=kept,
        )
    elif why is not None:
        text = T("The scan is incomplete ({why}); the report so far has complete: false.", why=why)
    elif kept:
        text = T("The scan is incomplete; the report so far in {path} has complete: false.", path=kept)
    else:
        text = T("The scan is incomplete; the report so far has complete: false.")
    return render(text)


def fail(err: Console, exc: Exception) -> NoReturn:
    """Print what went wrong with what the user named (an option, an input or output file) and what to do,
    then exit 2 (:attr:`ExitCode.USAGE`): nothing was read.

    Raises:
        typer.Exit: always, with exit code 2.
    """
    err.print(f"[red]{safe(said(exc))}[/]")
    hint = hint_of(exc)
    if hint:
        err.print(f"[bold]{safe(_('What to do:'))}[/] {safe(hint)}")
    raise typer.Exit(ExitCode.USAGE)


def check_port(err: Console, url: str) -> None:
    """Exit 2 before any work when the port name or URL is malformed or of a refused scheme."""
    from obdident.transports.urls import check_port as check

    try:
        check(url)
    except ObdidentError as exc:
        fail(err, exc)


def check_outputs(
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


def write_json(report: Report, path: str) -> None:
    """Write the JSON report to ``path`` atomically; ``-`` is stdout."""
    from obdident.report.outputs import write_text

    write_text(report.to_json(), path)


def write_outputs(
    report: Report,
    err: Console,
    html: str | None,
    qr: str | None,
    csv: str | None,
    *,
    more: Sequence[str] = (),
) -> bool:
    """Write the HTML page, the QR code and the CSV row asked for, each said in a line; then name, one line
    each, every output that could not be written (those and ``more``, the scan's own: the JSON file, the
    recording, stdout). An output that cannot be written never stops the others.

    Returns:
        True when every output was written.
    """
    from obdident.report.outputs import write_outputs as write

    failed = [
        *more,
        *write(report, html=html, qr=qr, csv=csv, tell=lambda line: err.print(safe(render(line)))),
    ]
    for line in failed:
        err.print(f"[red]{safe(_('Not written:'))}[/] {safe(render(line))}")
    return not failed
