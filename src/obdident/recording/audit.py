"""Checking a recording before it is shared: it must hold no security data and no refused request.

The format lives in :mod:`obdident.recording.format`; ``obdident scan --record FILE`` writes one
(:mod:`obdident.recording.recorder`), ``replay://FILE`` replays it and ``obdident check-recording FILE``
runs :func:`audit`.
"""

from __future__ import annotations

from obdident import guard
from obdident.elm327.masking import mask_answer, mask_unfinished
from obdident.errors import GuardRefusal
from obdident.recording.format import Recording

__all__ = ["audit"]


def audit(recording: Recording) -> list[str]:
    """Check a recording holds no security data and no request obdident would refuse.

    Every request is replayed through the read-only guard (AT SH tracked; the vehicle taken as a Nissan,
    so only the address rule of Nissan's session applies), and every answer is masked again by the
    driver's own rule (:mod:`obdident.elm327.masking`), every line of it: read under every protocol it
    reads as, masked whole when it reads as none. Masking must change nothing: every security-bearing
    field already reads ``XX`` and every line that cannot be read is already masked whole, whatever it
    starts with.

    Returns:
        One sentence per problem, naming the exchange; empty when the recording is clean.
    """
    problems: list[str] = []
    check = guard.Guard(guard.GuardContext(nissan_basis="assumed by the recording audit"))
    for index, exchange in enumerate(recording.exchanges, 1):
        try:
            check.check(exchange.request)
        except GuardRefusal as err:
            problems.append(f"exchange {index}: {exchange.request!r} would be refused: {err.reason}")
        if _leaks(exchange.request, exchange.lines, finished=exchange.outcome == "ok"):
            problems.append(f"exchange {index} ({exchange.request}): unmasked security-bearing bytes")
    return problems


def _leaks(request: str, lines: tuple[str, ...], *, finished: bool) -> bool:
    """The driver's rule would change these lines (with the protocol unknown: every one it reads as).

    An answer the read stopped in (a timeout, a flood) may end in an unfinished line, which the driver
    masks whole (:func:`~obdident.elm327.masking.mask_unfinished`): either form is clean then.
    """
    if mask_answer(lines, None, request).lines == lines:
        return False
    if finished or not lines:
        return True
    return mask_unfinished(lines[:-1], lines[-1:], None, request) != lines
