"""What a running scan keeps: the report after every step, on disk, and the recording.

The scan calls :meth:`Keeper.checkpoint` with a partial report after each step and :meth:`Keeper.on_exchange`
with every (masked) exchange; when the scan dies or is cancelled, the keeper still holds the last good
report and closes the recording, so nothing that was read is lost.

Two reports are kept apart: the report **as read** (with the owner's entered values), always written to the
kept report file that ``obdident report`` reads afterwards, so a letter made from it later is complete; and
the report **as shared** (redacted with ``--redact``), for the terminal, ``--json`` and the other outputs.
With ``--redact`` the kept file is the default one (``obdident-YYYYMMDD-HHMMSS.json``) and ``--json`` gets
the redacted copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from obdident.i18n import Param, T
from obdident.journey.plan import Plan
from obdident.model import EnteredValue, Report
from obdident.recording.format import ExchangeLike
from obdident.recording.recorder import Recorder
from obdident.report.entered import add_entered
from obdident.report.outputs import STDOUT, default_report_path, discard, write_new, write_text
from obdident.report.redact import redact as redacted
from obdident.scanning.stopped import interrupted_problem

__all__ = ["Keeper", "interrupted", "os_reason"]


def os_reason(exc: OSError) -> Param:
    """Why a file could not be written: the system's own words (:attr:`OSError.strerror`, in the system's
    language, shown as they are), else the error as it is."""
    return exc.strerror or str(exc)


def interrupted(report: Report, reason: str) -> Report:
    """``report`` cut short by a cancel (``SIGINT``, ``SIGTERM``, the window's Cancel): ``complete: false``
    and the problem ``interrupted`` (once), saying to scan again."""
    if any(p.code == "interrupted" for p in report.problems):
        return replace(report, complete=False)
    return replace(report, complete=False, problems=(*report.problems, interrupted_problem(reason)))


class Keeper:
    """Keeps the last good report on disk while a scan runs, and appends the recording.

    Attributes:
        plan: the scan asked for.
        kept_path: the file that holds the report as read, for ``obdident report``; None before the first
            step, with ``--json -`` alone (stdout only), or when the default file could not be written.
        read: the last report as read (with the entered values), None until the first step ends.
        recorder: the ``--record`` recording being appended, or None.
        unwritten: path to why it could not be written (one line), for the files that the last attempt
            could not write (a folder or disk that stopped taking them mid-scan); the scan goes on.
    """

    def __init__(
        self,
        plan: Plan,
        *,
        tell: Callable[[str], None] = lambda _said: None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        """Prepare to keep a scan made as ``plan`` asks.

        Args:
            plan: the scan asked for (its ``json_path``, ``folder``, ``redact``, ``record``, ``entered``).
            tell: where to say, in one sentence, that the default report file cannot be written.
            now: the local clock, for the default report file's name.
        """
        self.plan = plan
        self.entered: tuple[EnteredValue, ...] = plan.entered
        self.recorder: Recorder | None = None
        if plan.record:
            self.recorder = Recorder(plan.record, tool=plan.tool, url=plan.url, vehicle=plan.note or "")
        self.read: Report | None = None
        self.kept_path: str | None = None
        self.unwritten: dict[str, str] = {}
        self._gave_up = False
        self._claimed = False  # the default report file is made (O_EXCL) at its first write
        self._wrote: set[str] = set()  # files this scan wrote, which it may remove when they fall behind
        self._tell, self._now = tell, now

    # --- what is kept where ------------------------------------------------------------------------
    @property
    def chosen(self) -> bool:
        """True when ``--json PATH`` holds the report as read (no ``--redact``)."""
        return self.plan.json_path not in (None, STDOUT) and not self.plan.redact

    def shared(self, report: Report) -> Report:
        """``report`` as shown and written to the outputs asked for: redacted with ``--redact``."""
        return redacted(report) if self.plan.redact else report

    def _kept_target(self) -> str | None:
        if self.chosen:
            return str(self.plan.json_path)
        if self.plan.json_path == STDOUT:
            return None  # stdout only: nothing kept on disk
        if self._gave_up:
            return None
        if self.kept_path is None:
            self.kept_path = str(default_report_path(self._now(), self.plan.folder))
        return self.kept_path

    def on_exchange(self, exchange: ExchangeLike) -> None:
        """Append one exchange to the recording at once (the driver's ``on_exchange`` hook)."""
        if self.recorder is not None:
            self.recorder.append(exchange)

    def checkpoint(self, report: Report) -> None:
        """Keep a partial report with the owner's entered values (as read, in the kept file)."""
        self.keep(report)

    def enter(self, values: tuple[EnteredValue, ...]) -> None:
        """Add the owner's values to the last report and keep it again."""
        self.entered = (*self.entered, *values)
        if self.read is not None:
            self.keep(self.read)

    def keep(self, report: Report) -> str | None:
        """Keep ``report`` (with the entered values) as read in the kept file; return its path, or None.

        The default report file is created new at its first write (``O_EXCL``, the next free name when
        another scan took it: :func:`~obdident.report.outputs.write_new`). A file that cannot be written
        never stops the scan: the ``--json`` file (or a default file already made) is tried again at the
        next step, and :attr:`unwritten` says why meanwhile; a default file that could never be made is
        given up, with one sentence through ``tell``.
        """
        report = add_entered(report, self.entered)
        self.read = report
        path = self._kept_target()
        if path is None:
            return None
        try:
            if self.chosen or self._claimed:
                write_text(report.to_json(), path)
            else:
                path = str(write_new(report.to_json(), Path(path)))
                self._claimed = True
        except OSError as exc:
            if self.chosen or self._claimed:
                self.unwritten[path] = T("cannot write {path}: {reason}", path=path, reason=os_reason(exc))
                return None
            self._gave_up, self.kept_path = True, None
            self._tell(
                T(
                    "Cannot keep the report in {path} ({reason}): the scan goes on; give {option} in a "
                    "folder "
                    "you can write to, to keep it.",
                    path=path,
                    reason=os_reason(exc),
                    option="--json PATH",
                )
            )
            return None
        self.kept_path = path
        self.unwritten.pop(path, None)
        self._wrote.add(path)
        return path

    def failures(self) -> list[str]:
        """One line for each output of the scan that could not be written (the recording, the JSON file,
        stdout). A file this scan wrote at an earlier step but could not bring up to date is removed, so no
        stale report is left to be taken for the scan's own."""
        said = [self.recorder.error] if self.recorder is not None and self.recorder.error else []
        for path, why in self.unwritten.items():
            if path not in self._wrote:
                said.append(why)
            elif discard(path):
                said.append(T("{why} (its report from an earlier step was removed)", why=why))
            else:
                stale = T(
                    "{why} (it still holds the report of an earlier step, with complete: false)", why=why
                )
                said.append(stale)
        return said

    def write_json(self) -> None:
        """Write ``--json`` when it is not the kept file: stdout (``-``), or the redacted copy. One that
        cannot be written is in :attr:`unwritten`; stdout that refuses it gets a new default report file
        instead."""
        target = self.plan.json_path
        if self.read is None or target is None or self.chosen:
            return
        text = self.shared(self.read).to_json()
        try:
            write_text(text, target)
        except OSError as exc:
            if target != STDOUT:
                self.unwritten[target] = T(
                    "cannot write {path}: {reason}", path=target, reason=os_reason(exc)
                )
                return
            try:
                kept = write_new(text, default_report_path(self._now(), self.plan.folder))
            except OSError as again:
                why = T(
                    "cannot write the JSON report to stdout: {reason}; nor to a report file here: {again}",
                    reason=os_reason(exc),
                    again=os_reason(again),
                )
            else:
                why = T(
                    "cannot write the JSON report to stdout: {reason}; it is kept in {path} instead",
                    reason=os_reason(exc),
                    path=str(kept),
                )
            self.unwritten[STDOUT] = why

    def save_recording(self, report: Report | None = None) -> None:
        """Close the recording with its closing fields from ``report`` (the final one) or the last kept."""
        if self.recorder is not None:
            self.recorder.close(report or self.read)

    def cut_short(self, reason: str) -> Report | None:
        """A cancel stopped the scan outside its own polling: add ``interrupted`` to the last report, keep it,
        and return it; None when nothing had been read."""
        self.save_recording()
        if self.read is None:
            return None
        self.keep(interrupted(self.read, reason))
        return self.read

    @property
    def folder(self) -> Path:
        """Where the default report file is kept."""
        return self.plan.folder
