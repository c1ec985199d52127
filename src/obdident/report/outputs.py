"""Output files: checked before a scan starts, compared so that no output overwrites another, written
atomically (:func:`obdident.atomicfile.write_atomic`), the default report file created new
(:func:`write_new`, ``O_EXCL``).

``obdident scan`` and ``obdident report`` call :func:`check_outputs` before they touch the adapter or read
anything, so a path that cannot be written costs nothing: the command exits 2 at once, naming it. What is
checked for each output path (``--json``, ``--html``, ``--qr``, ``--csv``, ``--record``):

* ``-`` (stdout) only where the option allows it (``--json``);
* the path is not a directory, and its folder exists and is a folder;
* the folder is writable (the atomic write makes a temporary file there, then renames it), or, for an output
  appended in place (``--csv``), the existing file is writable and is not a symbolic link (a file replaced
  whole replaces a link standing at its name instead of writing through it);
* no two outputs, and no output and the command's input (``report SCAN.json``), are the same file.

Two paths are the same file when their absolute forms with every symbolic link resolved
(:func:`os.path.realpath`) are equal after :func:`os.path.normcase` (case-insensitive on Windows), or, when
both exist, when :func:`os.path.samefile` says so (hard links, and case-insensitive file systems on macOS).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from obdident.atomicfile import create_new, write_atomic
from obdident.errors import ObdidentError
from obdident.i18n import T, Text
from obdident.model import Report

__all__ = [
    "STDOUT",
    "Output",
    "check_asked",
    "check_outputs",
    "default_report_path",
    "discard",
    "report_names",
    "same_file",
    "silence_stdout",
    "write_new",
    "write_outputs",
    "write_text",
]

#: The path that means "standard output".
STDOUT = "-"


@dataclass(frozen=True)
class Output:
    """One output path the user asked for.

    Attributes:
        option: the option that names it (``--json``), for messages.
        path: the path as given.
        stdout_ok: True when ``-`` (stdout) is allowed for this option.
        appends: True when the file is appended to in place (``--csv``) rather than replaced atomically.
    """

    option: str
    path: str
    stdout_ok: bool = False
    appends: bool = False


def same_file(first: str | Path, second: str | Path) -> bool:
    """Whether two paths name the same file (see the module's docstring for how they are compared)."""
    a, b = os.path.realpath(first), os.path.realpath(second)
    if os.path.normcase(a) == os.path.normcase(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): not the same file
        return False


def _check_one(output: Output) -> None:
    option, path = output.option, output.path
    if path == STDOUT:
        if output.stdout_ok:
            return
        raise ObdidentError(
            T("{option} needs a file name; only --json writes to stdout ('-').", option=option)
        )
    if not path:
        raise ObdidentError(T("{option} needs a file name.", option=option))
    target = Path(path)
    if target.is_dir():
        raise ObdidentError(T("{option} {path} is a directory; give a file name.", option=option, path=path))
    folder = target.parent
    if not folder.is_dir():
        if folder.exists():
            what = T(
                "{option} {path}: {folder} is not a directory.", option=option, path=path, folder=str(folder)
            )
        else:
            what = T("{option} {path}: no directory {folder}.", option=option, path=path, folder=str(folder))
        raise ObdidentError(what, hint=T("Create the directory first, or give a path in an existing one."))
    if output.appends and target.is_symlink():
        raise ObdidentError(
            T(
                "{option} {path} is a symbolic link: obdident appends only to the file itself, never through "
                "a link (one planted in a shared folder could send the rows anywhere).",
                option=option,
                path=path,
            ),
            hint=T("Give the path of the file itself."),
        )
    if output.appends and target.exists():
        if not os.access(target, os.W_OK):
            raise ObdidentError(T("{option} {path}: the file is not writable.", option=option, path=path))
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ObdidentError(
            T(
                "{option} {path}: the directory {folder} is not writable.",
                option=option,
                path=path,
                folder=str(folder),
            )
        )


def check_outputs(outputs: list[Output], inputs: Mapping[str, str | Path] | None = None) -> None:
    """Check every output can be written and none overwrites another output or an input.

    Args:
        outputs: the outputs asked for.
        inputs: name (``SCAN.json``) to path of the files the command reads, which no output may replace.

    Raises:
        ObdidentError: the first output that cannot be written, or two paths that are the same file; the
            message names the option and the path.
    """
    for output in outputs:
        _check_one(output)
    files = [o for o in outputs if o.path != STDOUT]
    for index, output in enumerate(files):
        for name, source in (inputs or {}).items():
            if same_file(output.path, source):
                raise ObdidentError(
                    T(
                        "{option} {path} is the input {name} itself: writing it would overwrite what was "
                        "read.",
                        option=output.option,
                        path=output.path,
                        name=name,
                    ),
                    hint=T("Give the output another file name."),
                )
        for other in files[:index]:
            if same_file(output.path, other.path):
                raise ObdidentError(
                    T(
                        "{option} and {other} name the same file ({path}): one would overwrite the other.",
                        option=other.option,
                        other=output.option,
                        path=output.path,
                    ),
                    hint=T("Give each output its own file name."),
                )


def check_asked(
    *,
    json_path: str | None = None,
    html: str | None = None,
    qr: str | None = None,
    csv: str | None = None,
    record: str | None = None,
    source: Path | None = None,
) -> None:
    """Check the outputs the command options name (:func:`check_outputs`), and that a ``--csv`` file that
    exists is a CSV log this tool can append to (:func:`obdident.report.csvout.check_file`).

    Args:
        json_path, html, qr, csv, record: the paths of ``--json``, ``--html``, ``--qr``, ``--csv`` and
            ``--record``, None where the option was not given.
        source: the command's input file (``report SCAN.json``), which no output may replace.

    Raises:
        ObdidentError: the first output that cannot be written, named with its option.
    """
    asked = [
        Output("--json", json_path, stdout_ok=True) if json_path is not None else None,
        Output("--html", html) if html is not None else None,
        Output("--qr", qr) if qr is not None else None,
        Output("--csv", csv, appends=True) if csv is not None else None,
        Output("--record", record) if record is not None else None,
    ]
    check_outputs([o for o in asked if o is not None], {"SCAN.json": source} if source else None)
    if csv is not None:
        from obdident.report.csvout import check_file

        check_file(csv)


def write_text(text: str, path: str | Path) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically, so the file is either the old one or the new one, never
    half written; ``-`` is stdout.

    Raises:
        OSError: the file could not be written (the old file is kept), or stdout refused the text (a full
            disk, a closed pipe): stdout is then silenced (:func:`silence_stdout`) so that the rest of the
            command, and Python's own flush at exit, do not fail on it again.
    """
    if str(path) == STDOUT:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except OSError:
            silence_stdout()
            raise
        return
    write_atomic(path, text)


def silence_stdout() -> None:
    """Point stdout's file descriptor at the null device, after stdout refused a write: what Python still
    holds in its buffer, and any later output, goes nowhere instead of failing again (and at exit, which
    would print a traceback and end with exit code 120)."""
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture): nothing to do
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, fileno)
    finally:
        os.close(null)


def discard(path: str | Path) -> bool:
    """Remove a file obdident wrote earlier that it could not bring up to date (best effort); True when it
    is gone."""
    try:
        Path(path).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def write_outputs(
    report: Report, *, html: str | None, qr: str | None, csv: str | None, tell: Callable[[str], None]
) -> list[str]:
    """Write the HTML page, the QR code (SVG) and the CSV row asked for, in that order; one that cannot be
    written does not stop the others.

    Args:
        report: the report to write.
        html, qr, csv: the paths of ``--html``, ``--qr``, ``--csv``; None where not asked for.
        tell: called after each output with one sentence saying where it went (or, for ``--csv``, that a
            scan that read nothing gets no row), for the caller to show.

    Returns:
        One sentence for each output that could not be written (``cannot write page.html: Permission
        denied``), naming it; empty when every output was written. Nothing half written is left behind.
    """
    failed: list[str] = []
    if html is not None:
        from obdident.report.html import render_html

        if _written(failed, html, lambda: write_text(render_html(report), html)):
            tell(T("HTML report written to {path}", path=html))
    if qr is not None:
        from obdident.report.qr import svg_document

        if _written(failed, qr, lambda: write_text(svg_document(report), qr)):
            tell(T("QR code written to {path}", path=qr))
    if csv is not None:
        from obdident.report.csvout import append_rows, read_anything, row

        if not read_anything(report):
            tell(T("Nothing was read from the car: no CSV row appended to {path}", path=csv))
        else:
            appended: list[int] = []
            if _written(failed, csv, lambda: appended.extend(append_rows([row(report)], csv))):
                if appended[0]:
                    tell(T("CSV row appended to {path}", path=csv))
                else:
                    tell(T("{path} already holds this scan: no row appended", path=csv))
    return failed


def _written(failed: list[str], path: str, write: Callable[[], None]) -> bool:
    try:
        write()
    except OSError as exc:
        # the output, not a temporary file
        failed.append(T("cannot write {path}: {reason}", path=path, reason=exc.strerror or str(exc)))
        return False
    except ObdidentError as exc:  # the CSV log's own refusal, naming the file
        text = getattr(exc, "text", None)
        first = exc.args[0] if exc.args else None
        failed.append(text if isinstance(text, Text) else first if isinstance(first, Text) else str(exc))
        return False
    return True


#: The default report file's name: the scan's start, then ``-2``, ``-3`` ... when that name is taken.
_DEFAULT_NAME = re.compile(r"(obdident-\d{8}-\d{6})(?:-(\d+))?\.json")
#: How many names :func:`report_names` offers after the first.
_MORE_NAMES = 9999


def default_report_path(now: datetime, folder: Path) -> Path:
    """The file every scan keeps its report in when ``--json`` does not choose one:
    ``obdident-YYYYMMDD-HHMMSS.json`` in ``folder`` (``-2``, ``-3`` ... added when that name is taken, so an
    earlier scan's report is never overwritten).

    The name is free when it is chosen; :func:`write_new` claims it (or, when another scan took it since,
    the next free one) when the report is first written.

    Args:
        now: the local time the scan starts (the clock is the caller's).
        folder: where to keep it (the current folder).
    """
    return next(
        path for path in report_names(folder / f"obdident-{now:%Y%m%d-%H%M%S}.json") if not path.exists()
    )


def report_names(first: Path) -> Iterator[Path]:
    """``first``, then the names after it: ``obdident-YYYYMMDD-HHMMSS-2.json``, ``-3`` ... for a default
    report name (counting on from its own number), ``NAME-2.EXT`` ... for another; 10,000 in all."""
    match = _DEFAULT_NAME.fullmatch(first.name)
    stem, number = (match.group(1), int(match.group(2) or 1)) if match else (first.stem, 1)
    suffix = ".json" if match else first.suffix
    yield first
    for more in range(number + 1, number + 1 + _MORE_NAMES):
        yield first.with_name(f"{stem}-{more}{suffix}")


def write_new(text: str, first: Path) -> Path:
    """Write ``text`` to a new file: ``first``, or the next free name after it (:func:`report_names`),
    claimed with ``O_EXCL`` (:func:`obdident.atomicfile.create_new`), so scans started at once in one folder
    never take the same file and never overwrite an earlier report.

    Returns:
        The path written.

    Raises:
        OSError: the folder takes no new file, or every name is taken.
    """
    return create_new(text, report_names(first))
