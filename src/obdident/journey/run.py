"""A scan's life for any front end: open the port, run, keep, tell, cancel, end, write the outputs.

:class:`Journey` is what the command line and the window both run. The front end gives it a
:class:`~obdident.journey.plan.Plan`, :class:`~obdident.journey.plan.Seams` (the clock, the port opener,
the Bluetooth LE backend), a :class:`~obdident.interrupt.CancelToken` and three ways to show things
(progress, early facts, one-sentence notes); it only asks the owner and shows what it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import T
from obdident.interrupt import CancelToken, Interrupted
from obdident.journey.facts import EarlyNews, Fact
from obdident.journey.keeper import Keeper, interrupted
from obdident.journey.plan import Plan, Seams
from obdident.model import EnteredValue, Report
from obdident.report.outputs import write_outputs
from obdident.scanning import scan
from obdident.scanning.stopped import stopped_problem

__all__ = ["Ending", "Journey"]

log = logging.getLogger(__name__)

#: How a scan-stopping error is introduced, by its exit code (the rest: "Could not talk to the adapter").
_HEADLINES = {ExitCode.REFUSED: T("Refused")}
_NO_TALK = T("Could not talk to the adapter")


@dataclass(frozen=True)
class Ending:
    """How a scan ended.

    Attributes:
        report: the report as shared (redacted with ``--redact``), None when nothing was read.
        kept: the report file that holds the values read (for ``obdident report``), or None.
        exit_code: the command's exit code (:class:`~obdident.errors.ExitCode`).
        headline: when the scan stopped before reading anything: what kind of failure (``Refused``,
            ``Could not talk to the adapter``), else None.
        error: that failure in one sentence, or None.
        hint: what to do about it, or None.
        response: the adapter's raw answer to the failing line, for ``--verbose``.
    """

    report: Report | None
    kept: str | None
    exit_code: ExitCode
    headline: str | None = None
    error: str | None = None
    hint: str | None = None
    response: tuple[str, ...] = ()


def _exit_code(report: Report) -> ExitCode:
    if report.complete:
        return ExitCode.OK
    codes = {p.code for p in report.problems}
    if report.ecus or codes & {"scan-timeout", "interrupted"}:
        return ExitCode.PARTIAL  # a limit or a cancel ended it, not the adapter
    return ExitCode.NO_CONTACT


class Journey:
    """One scan, from opening the port to the outputs.

    Attributes:
        plan: what was asked.
        keeper: the report kept as read, the recording.
        read: the report as read, None until the first step ends.
    """

    def __init__(
        self,
        plan: Plan,
        *,
        seams: Seams | None = None,
        cancel: CancelToken | None = None,
        progress: Callable[[str], None] = lambda _text: None,
        news: Callable[[Fact], None] = lambda _fact: None,
        say: Callable[[str], None] = lambda _text: None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        """Prepare the scan ``plan`` asks for.

        Args:
            plan: the scan asked for.
            seams: the clock, the port opener, the Bluetooth LE backend (the real ones by default).
            cancel: the token that stops the scan (Ctrl-C, SIGTERM, the window's Cancel); a fresh one when
                omitted.
            progress: called with a short description before each long step.
            news: called once with each early fact (the VIN, the head unit) as soon as it is read.
            say: called with one sentence the owner should see (a report file that cannot be kept).
            now: the local clock, for the report file's name.
        """
        self.plan, self.seams = plan, seams or Seams()
        self.cancel = cancel or CancelToken()
        self.keeper = Keeper(plan, tell=say, now=now)
        self._progress, self._news, self._say = progress, news, say
        self._early = EarlyNews()
        self._ended: Report | None = None

    @property
    def read(self) -> Report | None:
        """The last report as read (with the owner's entered values), None until a step has ended."""
        return self.keeper.read

    def _checkpoint(self, partial: Report) -> None:
        self.keeper.checkpoint(partial)
        if self.keeper.read is not None:
            for fact in self._early.fresh(self.keeper.shared(self.keeper.read)):
                self._news(fact)

    def run(self) -> Ending:
        """Open the port, scan, keep the report after every step; return how it ended.

        Never raises for the scan's own failures: an error before anything was read is the ending's
        ``error`` (exit 2, 3 or 5 by the error), a cancel or a failure later ends with the report so far
        (``complete: false``, exit 4); a file that cannot be written is in :meth:`Keeper.failures`.

        """
        seams = self.seams
        try:
            report = scan(
                self.plan.url,
                baudrate=self.plan.baudrate,
                make=self.plan.make,
                sweep=self.plan.sweep,
                full=self.plan.full,
                timeout_s=self.plan.timeout_s,
                progress=self._progress,
                on_exchange=self.keeper.on_exchange,
                checkpoint=self._checkpoint,
                clock=seams.clock,
                opener=seams.opener,
                ble_backend=seams.ble_backend,
                cancel=self.cancel,
            )
        except KeyboardInterrupt as exc:  # a second signal, where the scan could not poll its token
            reason = exc.signal_name if isinstance(exc, Interrupted) else "SIGINT"
            return self._cut(reason)
        except ObdidentError as exc:
            if self.keeper.read is not None:  # a defect after reading: keep what was read
                return self._failed(exc.code, str(exc))
            self.keeper.save_recording()
            if exc.code == "interrupted":
                error = T(
                    "obdident was interrupted ({signal}) before anything was read.", signal=self.cancel.reason
                )
                return Ending(None, None, exc.exit_code, headline=T("Interrupted"), error=error)
            headline = _HEADLINES.get(exc.exit_code, _NO_TALK)
            return Ending(
                None,
                None,
                exc.exit_code,
                headline=headline,
                error=exc.text
                if not exc.detail
                else T("{text} ({detail})", text=exc.text, detail=exc.detail),
                hint=exc.hint,
                response=exc.response,
            )
        except Exception as exc:  # a defect: never a traceback for the owner; what was read is kept
            log.debug("the scan failed on an internal fault", exc_info=exc)
            return self._failed("scan-failed", f"{type(exc).__name__}: {exc}", fault=type(exc).__name__)
        self._checkpoint(report)
        self._ended = self.keeper.read
        return self._ending()

    def cut_short(self, reason: str) -> Ending:
        """End the journey as cut short by a signal (``SIGINT``, ``SIGTERM``) that arrived outside the scan's
        own polling (while :meth:`run` kept or closed): the report so far is kept with the problem
        ``interrupted``; call it with further signals held (:func:`obdident.interrupt.deferred`)."""
        return self._cut(reason)

    def _cut(self, reason: str) -> Ending:
        kept = self.keeper.cut_short(reason)
        self._ended = kept
        if kept is None:
            error = T("obdident was interrupted ({signal}) before anything was read.", signal=reason)
            return Ending(None, None, ExitCode.PARTIAL, headline=T("Interrupted"), error=error)
        return self._ending()

    def _failed(self, code: str, reason: str, fault: str | None = None) -> Ending:
        self.keeper.save_recording()
        if self.keeper.read is None:
            error = (
                T("obdident stopped on an internal fault ({fault}) before anything was read.", fault=fault)
                if fault
                else T("obdident stopped before anything was read.")
            )
            return Ending(None, None, ExitCode.NO_CONTACT, headline=T("Stopped"), error=error)
        problem = stopped_problem(code, reason, fault)
        last = self.keeper.read
        self.keeper.keep(replace(last, complete=False, problems=(*last.problems, problem)))
        self._ended = self.keeper.read
        return self._ending()

    def _ending(self) -> Ending:
        report = self.keeper.read
        assert report is not None
        return Ending(self.keeper.shared(report), self.keeper.kept_path, _exit_code(report))

    def enter(self, values: tuple[EnteredValue, ...]) -> Ending:
        """Add the owner's checked label values to the report and keep it again; return the new ending."""
        self.keeper.enter(values)
        return self._ending() if self.keeper.read is not None else Ending(None, None, ExitCode.NO_CONTACT)

    def finish(self) -> Ending:
        """The scan has ended: close the recording, keep the final report, write ``--json`` when it is not
        the kept file (stdout, or the redacted copy); return the ending."""
        self.keeper.save_recording(self.keeper.read)
        if self.keeper.read is not None:
            self.keeper.keep(self.keeper.read)
            self.keeper.write_json()
            return self._ending()
        return Ending(None, None, ExitCode.NO_CONTACT)

    def shared_report(self) -> Report:
        """The last report as shared (redacted with ``--redact``): what the outputs asked for are made from.

        Raises:
            ValueError: nothing was read yet.
        """
        if self.keeper.read is None:
            raise ValueError("nothing was read: there is no report to share")
        return self.keeper.shared(self.keeper.read)

    def write_outputs(self, tell: Callable[[str], None]) -> list[str]:
        """Write the page, the QR code and the CSV row asked for, from the report as shared; return one line
        for each output (these and the scan's own, :meth:`Keeper.failures`) that could not be written."""
        if self.keeper.read is None:
            return self.keeper.failures()
        shared = self.shared_report()
        failed = write_outputs(shared, html=self.plan.html, qr=self.plan.qr, csv=self.plan.csv, tell=tell)
        return [*self.keeper.failures(), *failed]

    @staticmethod
    def interrupted(report: Report, reason: str) -> Report:
        """``report`` marked as cut short by a cancel (see :func:`obdident.journey.keeper.interrupted`)."""
        return interrupted(report, reason)
