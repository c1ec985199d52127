"""What the window holds between pages: the adapter chosen, and the scans made, one at a time.

Each scan is a :class:`obdident.journey.Journey` run in a thread of its own: the journey keeps the report
file after every step the way ``obdident scan`` does, hands on each early fact once, and stops when the
scan's :class:`~obdident.interrupt.CancelToken` is cancelled (the Cancel button, or Stop). This module
records what the page shows as events: each progress step, the VIN and the head unit the moment they are
read, and the end. Pages and the server-sent event stream read those events; nothing here knows of HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from obdident import __version__
from obdident.errors import ObdidentError
from obdident.i18n import Param, T
from obdident.interrupt import CancelToken
from obdident.journey import Fact, Journey, Plan, Seams
from obdident.journey.check import check_adapter
from obdident.model import EnteredValue, Report
from obdident.report.headunit import head_unit_values, nissan_form
from obdident.scanning.adapter_check import AdapterCheck
from obdident.transports.ports import Found

__all__ = ["Busy", "Event", "ScanRun", "Session"]

EventKind = Literal["progress", "vin", "head_unit", "done"]

#: Why a scan stopped, as the window says it (the reason the cancel token carries).
CANCELLED = T("cancelled from the window")
STOPPED = T("obdident was stopped")


@dataclass(frozen=True)
class Event:
    """One thing the scan's page shows as it happens.

    Attributes:
        kind: ``progress`` (a step begins), ``vin`` and ``head_unit`` (read: shown at once), ``done``.
        text: the line to show (plain text, a :class:`~obdident.i18n.Text` shown in the page's language;
            the page escapes it).
        ids: the identifiers in ``text`` (the VIN, the part and serial numbers), shown in a monospace font.
    """

    kind: EventKind
    text: str
    ids: tuple[str, ...] = ()


class Busy(ObdidentError):
    """A scan is running: the window makes one scan at a time."""


@dataclass
class ScanRun:
    """One scan made in the window.

    Attributes:
        number: 1 for the window's first scan, then 2, 3 ...
        url: the adapter's port or URL.
        full: the owner asked every unit (slower).
        cancel: the scan's cancel token (the Cancel button).
        journey: the scan's journey, once started.
        events: what happened, in order.
        error: why the scan stopped before it read anything (one line, a Text), or None.
        hint: what to do about ``error``, or None.
        detail: engineer detail of ``error`` or ``write_error`` (English: an exception's words), or None.
        write_error: why the report file could not be written, or None.
        done: True once the scan's thread has ended.
    """

    number: int
    url: str
    full: bool = False
    cancel: CancelToken = field(default_factory=CancelToken)
    journey: Journey | None = None
    events: list[Event] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    detail: str | None = None
    write_error: str | None = None
    done: bool = False

    @property
    def report(self) -> Report | None:
        """The last report (a checkpoint's while the scan runs), None while nothing was read."""
        return self.journey.read if self.journey is not None else None

    @property
    def path(self) -> str | None:
        """The report file kept, or None while nothing was read (or when it could not be written)."""
        return self.journey.keeper.kept_path if self.journey is not None else None

    @property
    def cancelled(self) -> bool:
        """True when the owner cancelled the scan (or the window stopped it)."""
        return self.cancel.cancelled


class Session:
    """The window's state: the adapter, the scans, one running at a time.

    Attributes:
        fixed: the adapter given at start (``--port``, or the demo profile with ``--demo``), or None when the
            owner chooses among the adapters found.
        demo: True with ``--demo``.
        adapter: the adapter chosen (``fixed`` from the start).
        found: the last discovery's result, or None before the first.
        runs: the scans made, by number.
        language: the window's language until the owner or the browser chooses one (``obdident ui --lang``),
            or None.
        checked: the last adapter check: (what it found, None) or (None, why it failed); None before one.
    """

    def __init__(
        self,
        *,
        fixed: str | None,
        demo: bool,
        folder: Path,
        discover: Callable[[], Found],
        seams: Seams | None = None,
        now: Callable[[], datetime] = datetime.now,
        language: str | None = None,
    ) -> None:
        """Prepare an empty session.

        Args:
            fixed: ``--port`` or the demo profile's URL; None to discover adapters.
            demo: ``--demo``.
            folder: where report files are kept (the current folder, as ``obdident scan`` keeps them).
            discover: the adapter discovery (:func:`obdident.transports.ports.find_adapters`, bound).
            seams: the scans' clock, port opener and Bluetooth LE backend (fakes in tests).
            now: the local clock, for report file names.
            language: ``obdident ui --lang``, or None to follow the browser.
        """
        self.fixed, self.demo, self.adapter = fixed, demo, fixed
        self.found: Found | None = None
        self.runs: dict[int, ScanRun] = {}
        self.language = language
        self.checked: tuple[AdapterCheck | None, ObdidentError | None] | None = None
        self._folder, self._discover, self._now = folder, discover, now
        self._seams = seams or Seams()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._checking = False

    # --- the adapter ---------------------------------------------------------------------------------
    def find(self) -> Found:
        """Look for adapters (the discovery ``obdident ports`` makes) and remember what was found."""
        self.found = self._discover()
        return self.found

    def offered(self) -> set[str]:
        """The adapters the owner may pick: those last found, and the usual WiFi address."""
        return {c.url for c in self.found.candidates} if self.found else set()

    def choose(self, url: str) -> bool:
        """Choose one of the adapters last found; False (nothing chosen) for a URL that was not offered."""
        if url not in self.offered():
            return False
        self.adapter = url
        return True

    def type_in(self, url: str) -> None:
        """Choose the port or address the owner typed (checked, as ``--port`` is).

        Raises:
            PortUrlError: the name or address is malformed or of a refused kind.
        """
        from obdident.transports.urls import check_port

        check_port(url)
        self.adapter = url

    # --- the scan ------------------------------------------------------------------------------------
    @property
    def running(self) -> ScanRun | None:
        """The scan running now, or None."""
        return next((run for run in self.runs.values() if not run.done), None)

    def start(self, *, full: bool = False) -> ScanRun:
        """Start a scan of the chosen adapter in a thread.

        Args:
            full: ask every unit (slower): ``obdident scan --full``.

        Raises:
            Busy: a scan is running, or no adapter is chosen, or the window is stopping.
        """
        with self._changed:
            if self._stopping:
                raise Busy(T("obdident is stopping: no new scan."))
            if self.running is not None or self._checking:
                raise Busy(T("A scan is already running: only one scan at a time."))
            if self.adapter is None:
                raise Busy("No adapter is chosen yet.")
            run = ScanRun(len(self.runs) + 1, self.adapter, full=full)
            self.runs[run.number] = run
            run.journey = self._journey(run)
            self._thread = threading.Thread(target=self._run, args=(run,), name=f"scan-{run.number}")
            self._thread.start()
            return run

    def check_adapter(self) -> AdapterCheck:
        """Check the chosen adapter read-only (``obdident check-adapter``), while no scan runs.

        Raises:
            Busy: a scan or another check is running, no adapter is chosen, or the window is stopping.
            ObdidentError: the adapter could not be opened or set up.
        """
        with self._changed:
            if self._stopping:
                raise Busy(T("obdident is stopping: no new check."))
            if self.running is not None or self._checking:
                raise Busy(T("The adapter is busy: one scan or check at a time."))
            if self.adapter is None:
                raise Busy("No adapter is chosen yet.")
            url, self._checking = self.adapter, True
        try:
            return check_adapter(url, self._seams)
        finally:
            with self._changed:
                self._checking = False

    def cancel(self, run: ScanRun) -> None:
        """Stop ``run`` at its next read or step; what it read is kept, and the window stays open."""
        run.cancel.cancel(CANCELLED)

    def wait(self, run: ScanRun, seen: int, timeout_s: float) -> list[Event]:
        """The events after the first ``seen``; waits up to ``timeout_s`` seconds for one when there are none.

        Returns:
            The new events; empty when none came in time (or the window is stopping).
        """
        with self._changed:
            self._changed.wait_for(lambda: len(run.events) > seen or self._stopping, timeout_s)
            return run.events[seen:]

    def wait_done(self, run: ScanRun, timeout_s: float) -> bool:
        """Wait up to ``timeout_s`` seconds for ``run`` to end; True when it has."""
        with self._changed:
            return self._changed.wait_for(lambda: run.done, timeout_s)

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
            if not run.done or run.report is None or run.journey is None:
                raise Busy(T("The scan has not ended, or read nothing: there is no report to add them to."))
            run.journey.enter(values)

    def close(self, timeout_s: float = 30.0) -> None:
        """Stop: a running scan ends at its next read (keeping what it read), its adapter is closed.

        Args:
            timeout_s: how long to wait for the scan's thread, seconds.
        """
        with self._changed:
            self._stopping = True
            for run in self.runs.values():
                if not run.done:
                    run.cancel.cancel(STOPPED)
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout_s)

    # --- inside the scan's thread --------------------------------------------------------------------
    def _event(self, run: ScanRun, kind: EventKind, text: str, ids: tuple[str, ...] = ()) -> None:
        with self._changed:
            run.events.append(Event(kind, text, ids))
            self._changed.notify_all()

    def _journey(self, run: ScanRun) -> Journey:
        def said(text: str) -> None:
            run.write_error = text

        def news(fact: Fact) -> None:
            kind: EventKind = "vin" if fact.key == "vin" else "head_unit"
            self._event(run, kind, fact.text, _identifiers(run, fact.value))

        plan = Plan(run.url, full=run.full, folder=self._folder, tool=f"obdident {__version__}")
        return Journey(
            plan,
            seams=self._seams,
            cancel=run.cancel,
            progress=lambda text: self._event(run, "progress", text),
            news=news,
            say=said,
            now=self._now,
        )

    def _run(self, run: ScanRun) -> None:
        assert run.journey is not None
        try:
            ending = run.journey.run()
            if ending.error is None:
                ending = run.journey.finish()
                failed = run.journey.keeper.failures()
                if failed:  # a folder or disk that stopped taking the report: said on the result page
                    run.write_error, run.detail = T("The report could not be kept."), "; ".join(failed)
            else:
                run.error, run.hint = ending.error, ending.hint
        except OSError as exc:  # the report file could not be written
            run.write_error, run.detail = T("The report could not be kept."), str(exc.strerror or exc)
        except Exception as exc:  # never a traceback for the owner: the page says what happened
            run.error = T("obdident stopped on an unexpected error ({error}).", error=type(exc).__name__)
            run.detail = str(exc)
        finally:
            with self._changed:
                run.done = True
            self._event(run, "done", T("The scan has ended."))


def _identifiers(run: ScanRun, value: Param) -> tuple[str, ...]:
    """The identifiers a fact's line holds: the VIN, the head unit's part and serial numbers read."""
    found = [str(value)] if isinstance(value, str) and value and " " not in value else []
    if run.report is not None:
        values = head_unit_values(run.report)
        found += [str(v) for v in values.values() if v]
        found += [nissan_form(values["HU"])] if "HU" in values else []
    return tuple(found)
