"""Checking a recording before it is shared: it must hold no security data and no refused request.

The format lives in :mod:`obdident.recording.format`; ``obdident scan --record FILE`` writes one
(:mod:`obdident.recording.recorder`), ``replay://FILE`` replays it and ``obdident check-recording FILE``
runs :func:`audit`.
"""

from __future__ import annotations

from obdident import guard
from obdident.elm327.lines import PROTOCOLS
from obdident.elm327.masking import mask_answer
from obdident.errors import GuardRefusal
from obdident.recording.format import Recording

__all__ = ["audit"]


def audit(recording: Recording) -> list[str]:
    """Check a recording holds no security data and no request obdident would refuse.

    Every request is replayed through the read-only guard (AT SH tracked; the vehicle taken as a Nissan,
    so only the address rule of Nissan's session applies), and every answer is parsed again with the
    masking rules, under every protocol it parses as (or conservatively when it parses as none): masking
    must change nothing, i.e. every security-bearing field already reads ``XX``.

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
        if _leaks(exchange.lines):
            problems.append(f"exchange {index} ({exchange.request}): unmasked security-bearing bytes")
    return problems


def _leaks(lines: tuple[str, ...]) -> bool:
    """Masking would change these lines: under every protocol they parse as, or conservatively if none."""
    results = [mask_answer(lines, protocol) for protocol in PROTOCOLS.values()]
    parsed = [r for r in results if r.messages is not None]
    if parsed:
        return any(r.lines != lines for r in parsed)
    return mask_answer(lines, None).lines != lines
