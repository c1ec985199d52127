"""What the window holds between pages: the adapter chosen, and the scans made, one at a time.

A :class:`Session` runs each scan in a thread of its own (:func:`obdident.scanning.scan`), keeps the report
file after every step the way ``obdident scan`` does (``obdident-YYYYMMDD-HHMMSS.json``, from
:func:`obdident.report.outputs.default_report_path`), and records what the page shows as events: each
progress step, the VIN and the head unit the moment a checkpoint report holds them, and the end. Pages and
the server-sent event stream read those events; nothing here knows of HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal, Protocol

from obdident.errors import ObdidentError
from obdident.model import EnteredValue, Problem, Report
from obdident.report.entered import add_entered
from obdident.report.headunit import head_unit_ecu, owner_rows
from obdident.report.outputs import default_report_path, discard, write_new, write_text
from obdident.transports.ports import Found

__all__ = ["Busy", "Event", "ScanFunction", "ScanRun", "Session"]

EventKind = Literal["progress", "vin", "head_unit", "done"]


class ScanFunction(Protocol):
    """The scan the session runs: :func:`obdident.scanning.scan`'s signature, as far as it is used."""

    def __call__(
        self,
        port: str,
        *,
        progress: Callable[[str], None] | None = ...,
        checkpoint: Callable[[Report], None] | None = ...,
    ) -> Report:
        """Scan ``port`` and return the report."""
        ...


@dataclass(frozen=True)
class Event:
    """One thing the scan's page shows as it happens.

    Attributes:
        kind: ``progress`` (a step begins), ``vin`` and ``head_unit`` (read: shown at once), ``done``.
        text: the line to show (plain text; the page escapes it).
    """

    kind: EventKind
    text: str


class Busy(ObdidentError):
    """A scan is running: the window makes one scan at a time."""


class _Stopped(Exception):
    """Raised inside the scan thread's callbacks when the window is stopping (never leaves this module)."""


@dataclass
class ScanRun:
    """One scan made in the window.

    Attributes:
        number: 1 for the window's first scan, then 2, 3 ...
        url: the adapter's port or URL.
        path: the report file kept, or None while nothing was read (or when it could not be written).
        report: the last report (a checkpoint's while the scan runs), None while nothing was read.
        events: what happened, in order.
        error: why the scan stopped before it began reading (one line), or None.
        hint: what to do about ``error``, or None.
        write_error: why the report file could not be written, or None.
        done: True once the scan's thread has ended.
    """

    number: int
    url: str
    path: Path | None = None
    report: Report | None = None
    events: list[Event] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    write_error: str | None = None
    done: bool = False


class Session:
    """The window's state: the adapter, the scans, one running at a time.

    Attributes:
        fixed: the adapter given at start (``--port``, or the demo profile with ``--demo``), or None when the
            owner chooses among the adapters found.
        demo: True with ``--demo``: the owner's label values are not taken (a simulated car has none).
        adapter: the adapter chosen (``fixed`` from the start).
        found: the last discovery's result, or None before the first.
        runs: the scans made, by number.
    """

    def __init__(
        self,
        *,
        fixed: str | None,
        demo: bool,
        folder: Path,
        scan: ScanFunction,
        discover: Callable[[], Found],
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        """Prepare an empty session.

        Args:
            fixed: ``--port`` or the demo profile's URL; None to discover adapters.
            demo: ``--demo``.
            folder: where report files are kept (the current folder, as ``obdident scan`` keeps them).
            scan: the scan (:func:`obdident.scanning.scan`; tests pass it with other arguments bound).
            discover: the adapter discovery (:func:`obdident.transports.ports.find_adapters`, bound).
            now: the local clock, for report file names.
        """
        self.fixed, self.demo, self.adapter = fixed, demo, fixed
        self.found: Found | None = None
        self.runs: dict[int, ScanRun] = {}
        self._folder, self._scan, self._discover, self._now = folder, scan, discover, now
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    # --- the adapter ---------------------------------------------------------------------------------
    def find(self) -> Found:
        """Look for adapters (the discovery ``obdident ports`` makes) and remember what was found."""
        self.found = self._discover()
        return self.found

    def choose(self, url: str) -> bool:
        """Choose one of the adapters last found; False (nothing chosen) for a URL that was not offered."""
        offered = {c.url for c in self.found.candidates} if self.found else set()
        if url not in offered:
            return False
        self.adapter = url
        return True

    # --- the scan ------------------------------------------------------------------------------------
    @property
    def running(self) -> ScanRun | None:
        """The scan running now, or None."""
        return next((run for run in self.runs.values() if not run.done), None)

    def start(self) -> ScanRun:
        """Start a scan of the chosen adapter in a thread.

        Raises:
            Busy: a scan is running, or no adapter is chosen, or the window is stopping.
        """
        with self._changed:
            if self._stopping:
                raise Busy("obdident is stopping: no new scan.")
            if self.running is not None:
                raise Busy("A scan is already running: only one scan at a time.")
            if self.adapter is None:
                raise Busy("No adapter is chosen yet.")
            run = ScanRun(len(self.runs) + 1, self.adapter)
            self.runs[run.number] = run
            self._thread = threading.Thread(target=self._run, args=(run,), name=f"scan-{run.number}")
            self._thread.start()
            return run

    def wait(self, run: ScanRun, seen: int, timeout_s: float) -> list[Event]:
        """The events after the first ``seen``; waits up to ``timeout_s`` seconds for one when there are none.

        Returns:
            The new events; empty when none came in time (or the window is stopping).
        """
        with self._changed:
            self._changed.wait_for(lambda: len(run.events) > seen or self._stopping, timeout_s)
            return run.events[seen:]

    @property
    def stopping(self) -> bool:
        """True once :meth:`close` was called."""
        return self._stopping

    def enter(self, run: ScanRun, values: tuple[EnteredValue, ...]) -> None:
        """Add the owner's checked head-unit values to the scan's report and keep the report file again.

        Raises:
            Busy: the scan has not ended, or read nothing.
        """
        with self._changed:
            if not run.done or run.report is None:
                raise Busy("The scan has not ended, or read nothing: there is no report to add them to.")
            run.report = add_entered(run.report, values)
            self._keep(run, run.report)

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop: a running scan ends at its next step (keeping what it read), its adapter is closed.

        Args:
            timeout_s: how long to wait for the scan's thread, seconds.
        """
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)

    # --- inside the scan's thread --------------------------------------------------------------------
    def _event(self, run: ScanRun, kind: EventKind, text: str) -> None:
        with self._changed:
            run.events.append(Event(kind, text))
            self._changed.notify_all()

    def _keep(self, run: ScanRun, report: Report) -> None:
        """Keep ``report`` in the scan's report file (named at the first report, like ``obdident scan``)."""
        if run.write_error is not None:
            return
        try:
            if run.path is None:  # made new (O_EXCL): the next free name when another scan took this one
                run.path = write_new(report.to_json(), default_report_path(self._now(), self._folder))
            else:
                write_text(report.to_json(), run.path)
        except OSError as exc:
            where = run.path or self._folder
            run.write_error = f"The report could not be kept in {where}: {exc.strerror or exc}"
            if run.path is not None:  # an earlier step's report, now stale: not left to be taken for this one
                discard(run.path)
            run.path = None

    def _news(self, run: ScanRun, report: Report) -> None:
        """Add the VIN and head-unit events the first time ``report`` holds them."""
        kinds = {e.kind for e in run.events}
        if report.vehicle.vin and "vin" not in kinds:
            self._event(run, "vin", f"VIN {report.vehicle.vin}")
        if head_unit_ecu(report) is not None and "head_unit" not in kinds:
            said = [f"{label.lower()} {value or 'not read'}" for label, value in owner_rows(report)[:2]]
            self._event(run, "head_unit", f"Head unit: {', '.join(said)}")

    def _check(self) -> None:
        if self._stopping:
            raise _Stopped

    def _run(self, run: ScanRun) -> None:
        def progress(text: str) -> None:
            self._check()
            self._event(run, "progress", text)

        def checkpoint(partial: Report) -> None:
            run.report = partial
            self._keep(run, partial)
            self._news(run, partial)
            self._check()

        try:
            report = self._scan(run.url, progress=progress, checkpoint=checkpoint)
        except _Stopped:  # the scan closed its port on the way out; what it read is kept
            if run.report is not None:
                stopped = Problem(
                    "interrupted",
                    "The scan was stopped from the window before it ended: what was read so far is kept; "
                    "steps that had not run are missing.",
                )
                run.report = replace(run.report, complete=False, problems=(*run.report.problems, stopped))
                self._keep(run, run.report)
            run.error = run.error or ("Stopped before anything was read." if run.report is None else None)
        except ObdidentError as exc:
            run.error, run.hint = str(exc), exc.hint
        except Exception as exc:  # never a traceback for the owner: the page says what happened
            run.error = f"obdident stopped ({type(exc).__name__}: {exc})"
        else:
            run.report = report
            self._keep(run, report)
            self._news(run, report)
        finally:
            with self._changed:
                run.done = True
            self._event(run, "done", "The scan has ended.")
