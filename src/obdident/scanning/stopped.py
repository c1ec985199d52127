"""The problems of a scan that stopped before its end: cut short by a cancel, or by a failure.

One owner sentence per way of stopping, whoever notices it (the runner between steps, the journey around
the scan); what exactly stopped it (the error's own words, the signal's name) is detail for engineers.
"""

from __future__ import annotations

import re

from obdident.errors import (
    AdapterReplyError,
    AdapterTimeoutError,
    ObdidentError,
    ScanCancelled,
    ScanDeadline,
    ScanTimeoutError,
)
from obdident.i18n import T, Text
from obdident.problems import Problem
from obdident.scanning import adapter_flaws
from obdident.scanning.state import ScanState

__all__ = [
    "INTERRUPTED_TEXT",
    "file_stop",
    "interrupted_problem",
    "interrupted_text",
    "stopped_problem",
    "stopped_text",
]

_SIGNAL = re.compile(r"SIG[A-Z0-9]+")

#: The owner's sentence of the ``interrupted`` problem, when the cancel has no name.
INTERRUPTED_TEXT = T(
    "The scan was interrupted before it ended: what was read so far is kept; steps that had not run are "
    "missing. Scan again to read the rest."
)


def interrupted_text(by: str | None) -> Text:
    """The owner's sentence of the ``interrupted`` problem, naming the signal (``SIGINT``) that cut it short
    when there is one."""
    if by is not None and _SIGNAL.fullmatch(by):
        return T(
            "The scan was interrupted ({signal}) before it ended: what was read so far is kept; steps that "
            "had "
            "not run are missing. Scan again to read the rest.",
            signal=by,
        )
    return INTERRUPTED_TEXT


#: The owner's sentence of a scan stopped by a failure, by the failure's problem code (others: the default).
_STOPPED: dict[str, Text] = {
    "link-lost": T(
        "The link to the adapter was lost, so the scan stopped early; what was read is kept. Check the "
        "adapter and its connection, then scan again to read the rest."
    ),
    "refused": T(
        "obdident refused to send a request that is not read-only, so the scan stopped early; what was read "
        "is kept."
    ),
    "scan-failed": T("obdident stopped early on an internal fault; what was read is kept."),
}
_STOPPED_DEFAULT = T(
    "The scan stopped early because of a fault of the adapter or its link; what was read is kept. Scan again "
    "to read the rest."
)


def stopped_text(code: str) -> Text:
    """The owner's sentence of a scan stopped early by a failure with problem code ``code``."""
    return _STOPPED.get(code, _STOPPED_DEFAULT)


def stopped_problem(code: str, detail: str | None, fault: str | None = None) -> Problem:
    """The problem ``code`` of a scan stopped early by a failure; ``detail`` is the error's own words, and
    ``fault`` the class of an internal fault (``RuntimeError``), named to the owner for a bug report."""
    if fault is not None:
        text = T("obdident stopped early on an internal fault ({fault}); what was read is kept.", fault=fault)
        return Problem.of(code, text, detail=detail)
    return Problem.of(code, stopped_text(code), detail=detail)


def interrupted_problem(by: str | None, detail: str | None = None) -> Problem:
    """The ``interrupted`` problem: ``by`` is who cancelled (``SIGINT``, ``SIGTERM``, the window's Cancel
    button), named to the owner when it is a signal; ``detail`` (default: ``by``) is kept for engineers."""
    return Problem.of("interrupted", interrupted_text(by), detail=detail or by)


def file_stop(state: ScanState, err: Exception, *, expired: bool, cancelled_by: str | None = None) -> None:
    """File the problem of a scan stopped by ``err``: a cancel (by ``cancelled_by``: ``SIGINT``, the window's
    Cancel button), the time limit (also when ``expired``: the scan's deadline has passed), the adapter's
    own limits (:mod:`~obdident.scanning.adapter_flaws`), or the error's own code (:mod:`obdident.errors`;
    ``adapter-error`` for any other exception)."""
    if isinstance(err, ScanCancelled):
        state.problems.append(interrupted_problem(cancelled_by, str(err)))
    elif isinstance(err, (ScanTimeoutError, ScanDeadline)) or expired:
        option = "--timeout SECONDS"
        text = (
            T(
                "The scan's time limit of {seconds} s ran out; the scan stopped there and what was read is "
                "kept. Allow more time with {option}.",
                seconds=state.limit_s,
                option=option,
            )
            if state.limit_s is not None
            else T(
                "The scan's time limit ran out; the scan stopped there and what was read is kept. Allow more "
                "time with {option}.",
                option=option,
            )
        )
        state.problem("scan-timeout", text, detail=f"{err} (timeout_s in Python)")
    elif isinstance(err, AdapterTimeoutError):
        adapter_flaws.stopped_answering(state, err)
    elif isinstance(err, AdapterReplyError) and err.status == "?":
        adapter_flaws.lacks(state, err)
    else:
        code = err.code if isinstance(err, ObdidentError) else "adapter-error"
        state.problems.append(stopped_problem(code, str(err)))
