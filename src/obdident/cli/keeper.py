"""What a running scan keeps: the last good report on disk after every step, and the recording.

The scan calls :meth:`Keeper.checkpoint` with a partial report after each step and :meth:`Keeper.on_exchange`
with every (masked) exchange; when the scan dies or a signal stops it, the keeper still holds the last good
report (redacted with ``--redact``) and closes the recording, so nothing that was read is lost.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from obdident.errors import ExitCode
from obdident.model import EnteredValue, Problem, Report
from obdident.recording.recorder import Recorder
from obdident.report.entered import add_entered
from obdident.report.outputs import STDOUT, default_report_path, discard, write_new, write_text
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.recording.format import ExchangeLike

__all__ = ["Keeper", "default_report_path"]


class Keeper:
    """Keeps the last good report on disk while a scan runs, and appends the recording.

    Attributes:
        url: the port or URL scanned.
        json_path: ``--json`` (``-`` for stdout, written only at the end), or the default report file, or
            None (no file: the default one could not be written).
        chosen: True when ``--json`` chose ``json_path``; False for the default report file, which is given
            up (with one line saying so) when it cannot be written, so the scan goes on.
        redact: True with ``--redact``: every report kept is redacted.
        recorder: the ``--record`` recording being appended, or None.
        last: the last report kept (redacted with ``--redact``), None until the first step ends.
        unwritten: path to why it could not be written (one line), for the files asked for that the last
            attempt could not write (a folder or disk that stopped taking them mid-scan); the scan goes on.
    """

    def __init__(
        self,
        url: str,
        json_path: str | None,
        record: str | None,
        note: str | None,
        redact: bool = False,
        *,
        tool: str = "obdident",
        entered: tuple[EnteredValue, ...] = (),
        chosen: bool = True,
        err: Console | None = None,
    ) -> None:
        """Prepare to keep a scan of ``url``.

        Args:
            url: the port or URL scanned.
            json_path: ``--json`` PATH, or None.
            record: ``--record`` FILE, or None.
            note: ``--note``: the vehicle as the person recording describes it.
            redact: ``--redact``.
            tool: the tool and version, for the recording (``obdident 0.1.0``).
            entered: the ``--head-unit-*`` values, added to every report kept (so a scan that dies keeps
                them too).
            chosen: ``json_path`` is the user's ``--json`` (False: the default report file).
            err: where to say that the default report file cannot be written (stderr).
        """
        self.entered = entered
        self.url, self.json_path, self.redact = url, json_path, redact
        self.chosen, self._err = chosen, err
        self.recorder = Recorder(record, tool=tool, url=url, vehicle=note or "") if record else None
        self.last: Report | None = None
        self._read: Report | None = None  # the last report as read (not redacted): the recording's fields
        self.unwritten: dict[str, str] = {}
        self._claimed = False  # the default report file is made (O_EXCL) at the first write
        self._wrote: set[str] = set()  # files this scan wrote, which it may remove when they fall behind

    def on_exchange(self, exchange: ExchangeLike) -> None:
        """Append one exchange to the recording at once (the driver's ``on_exchange`` hook)."""
        if self.recorder is not None:
            self.recorder.append(exchange)

    def checkpoint(self, report: Report) -> None:
        """Keep a partial report, with the owner's entered values: redacted with ``--redact``, and written to
        the ``--json`` file."""
        report = add_entered(report, self.entered)
        self._read = report
        self.last = _redacted(report) if self.redact else report
        self.keep(self.last)

    def keep(self, report: Report) -> str | None:
        """Write ``report`` to the JSON file (not stdout); return its path, or None when there is none.

        The default report file is created new at the first write (``O_EXCL``, the next free name when
        another scan took it: :func:`~obdident.report.outputs.write_new`). A file that cannot be written
        never stops the scan: the ``--json`` file (or a default file already made) is tried again at the
        next step, and :attr:`unwritten` says why meanwhile; a default file that could never be made is
        given up, with a line on stderr.
        """
        if self.json_path in (None, STDOUT):
            return None
        path = str(self.json_path)
        try:
            if self.chosen or self._claimed:
                write_text(report.to_json(), path)
            else:
                path = self.json_path = str(write_new(report.to_json(), Path(path)))
                self._claimed = True
        except OSError as exc:
            if self.chosen or self._claimed:
                self.unwritten[path] = f"cannot write {path}: {exc.strerror or exc}"
                return None
            self.json_path = None
            if self._err is not None:
                self._err.print(
                    f"[yellow]Cannot keep the report in {safe(path)} ({safe(exc.strerror or exc)}):[/] the "
                    "scan goes on; give --json PATH in a folder you can write to, to keep it."
                )
            return None
        self.unwritten.pop(path, None)
        self._wrote.add(path)
        return path

    def to_stdout(self, report: Report) -> None:
        """``--json -``: the report on stdout. When stdout refuses it (a full disk, a closed pipe), it is kept
        in a new default report file instead, and :attr:`unwritten` says so."""
        try:
            write_text(report.to_json(), STDOUT)
        except OSError as exc:
            why = f"cannot write the JSON report to stdout: {exc.strerror or exc}"
            try:
                kept = write_new(report.to_json(), default_report_path(datetime.now(), Path()))
            except OSError as again:
                why += f"; nor to a report file here: {again.strerror or again}"
            else:
                why += f"; it is kept in {kept} instead"
            self.unwritten[STDOUT] = why

    def failures(self) -> list[str]:
        """One line for each output of the scan that could not be written (the recording, the JSON file,
        stdout). A file this scan wrote at an earlier step but could not bring up to date is removed, so no
        stale report is left to be taken for the scan's own."""
        said = [self.recorder.error] if self.recorder is not None and self.recorder.error else []
        for path, why in self.unwritten.items():
            stale = ""
            if path in self._wrote:
                stale = (
                    " (its report from an earlier step was removed)"
                    if discard(path)
                    else " (it still holds the report of an earlier step, with complete: false)"
                )
            said.append(why + stale)
        return said

    def save_recording(self, report: Report | None = None) -> None:
        """Close the recording with its closing fields from ``report`` (the final one) or the last kept."""
        if self.recorder is not None:
            self.recorder.close(report or self._read)

    def stop(self, err: Console, reason: str) -> int:
        """The scan died: keep the last good report; return the exit code (4 partial, 3 nothing read)."""
        self.save_recording()
        if self.last is None:
            err.print(f"[red]obdident stopped ({reason}) before anything was read.[/]")
            return ExitCode.NO_CONTACT
        if self.json_path == STDOUT:
            self.to_stdout(self.last)
        where = f" in {self.json_path}" if self.json_path not in (None, STDOUT, *self.unwritten) else ""
        err.print(f"[yellow]obdident stopped ({reason}); the report so far{where} has complete: false.[/]")
        return ExitCode.PARTIAL

    def interrupted(self, err: Console, signal_name: str) -> Report | None:
        """A signal stopped the scan: add the ``interrupted`` problem to the last good report, keep it (JSON
        file or stdout, recording) and return it for the terminal and the other outputs; None when nothing
        had been read yet."""
        self.save_recording()
        if self.last is None:
            err.print(f"[yellow]obdident was interrupted ({signal_name}) before anything was read.[/]")
            return None
        problem = Problem(
            "interrupted",
            f"The scan was interrupted ({signal_name}) before it ended: what was read so far is kept; "
            "steps that had not run are missing.",
        )
        self.last = replace(self.last, complete=False, problems=(*self.last.problems, problem))
        if self.json_path == STDOUT:
            self.to_stdout(self.last)
        else:
            self.keep(self.last)
        kept = self.json_path not in (None, STDOUT, *self.unwritten)
        where = f" in {safe(self.json_path)}" if kept else ""
        err.print(f"[yellow]obdident was interrupted ({signal_name}); the report so far{where} has "
                  "complete: false.[/]")  # fmt: skip
        return self.last


def _redacted(report: Report) -> Report:
    from obdident.report.redact import redact

    return redact(report)
