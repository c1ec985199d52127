"""Output files: checked before a scan starts, compared so that no output overwrites another, written
atomically (:func:`obdident.atomicfile.write_atomic`).

``obdident scan`` and ``obdident report`` call :func:`check_outputs` before they touch the adapter or read
anything, so a path that cannot be written costs nothing: the command exits 2 at once, naming it. What is
checked for each output path (``--json``, ``--html``, ``--qr``, ``--csv``, ``--record``):

* ``-`` (stdout) only where the option allows it (``--json``);
* the path is not a directory, and its folder exists and is a folder;
* the folder is writable (the atomic write makes a temporary file there, then renames it), or, for an output
  appended in place (``--csv``), the existing file is writable;
* no two outputs, and no output and the command's input (``report SCAN.json``), are the same file.

Two paths are the same file when their absolute forms with every symbolic link resolved
(:func:`os.path.realpath`) are equal after :func:`os.path.normcase` (case-insensitive on Windows), or, when
both exist, when :func:`os.path.samefile` says so (hard links, and case-insensitive file systems on macOS).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from obdident.atomicfile import write_atomic
from obdident.errors import ObdidentError
from obdident.model import Report

__all__ = [
    "STDOUT",
    "Output",
    "check_asked",
    "check_outputs",
    "default_report_path",
    "same_file",
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
        raise ObdidentError(f"{option} needs a file name; only --json writes to stdout ('-').")
    if not path:
        raise ObdidentError(f"{option} needs a file name.")
    target = Path(path)
    if target.is_dir():
        raise ObdidentError(f"{option} {path} is a directory; give a file name.")
    folder = target.parent
    if not folder.is_dir():
        what = f"{folder} is not a directory" if folder.exists() else f"no directory {folder}"
        raise ObdidentError(
            f"{option} {path}: {what}.",
            hint="Create the directory first, or give a path in an existing one.",
        )
    if output.appends and target.exists():
        if not os.access(target, os.W_OK):
            raise ObdidentError(f"{option} {path}: the file is not writable.")
        return
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ObdidentError(f"{option} {path}: the directory {folder} is not writable.")


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
                    f"{output.option} {output.path} is the input {name} itself: writing it would overwrite "
                    "what was read.",
                    hint="Give the output another file name.",
                )
        for other in files[:index]:
            if same_file(output.path, other.path):
                raise ObdidentError(
                    f"{other.option} and {output.option} name the same file ({output.path}): one would "
                    "overwrite the other.",
                    hint="Give each output its own file name.",
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
        OSError: the file could not be written (the old file is kept).
    """
    if str(path) == STDOUT:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    write_atomic(path, text)


def write_outputs(
    report: Report, *, html: str | None, qr: str | None, csv: str | None, tell: Callable[[str], None]
) -> None:
    """Write the HTML page, the QR code (SVG) and the CSV row asked for, in that order.

    Args:
        report: the report to write.
        html, qr, csv: the paths of ``--html``, ``--qr``, ``--csv``; None where not asked for.
        tell: called after each output with one sentence saying where it went (or, for ``--csv``, that a
            scan that read nothing gets no row), for the caller to show.

    Raises:
        ObdidentError: an output could not be written (an ``OSError`` is re-raised as one naming the file);
            the outputs before it are written.
    """
    try:
        if html is not None:
            from obdident.report.html import render_html

            write_text(render_html(report), html)
            tell(f"HTML report written to {html}")
        if qr is not None:
            from obdident.report.qr import svg_document

            write_text(svg_document(report), qr)
            tell(f"QR code written to {qr}")
        if csv is not None:
            from obdident.report.csvout import append_rows, read_anything, row

            if not read_anything(report):
                tell(f"Nothing was read from the car: no CSV row appended to {csv}")
            elif append_rows([row(report)], csv)[0]:
                tell(f"CSV row appended to {csv}")
            else:
                tell(f"{csv} already holds this scan: no row appended")
    except OSError as exc:
        raise ObdidentError(f"cannot write {exc.filename or 'the output'}: {exc.strerror or exc}") from exc


def default_report_path(now: datetime, folder: Path) -> Path:
    """The file every scan keeps its report in when ``--json`` does not choose one:
    ``obdident-YYYYMMDD-HHMMSS.json`` in ``folder`` (``-2``, ``-3`` ... added when that name is taken, so an
    earlier scan's report is never overwritten).

    Args:
        now: the local time the scan starts (the clock is the caller's).
        folder: where to keep it (the current folder).
    """
    stem = f"obdident-{now:%Y%m%d-%H%M%S}"
    path = folder / f"{stem}.json"
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}.json"
    return path
