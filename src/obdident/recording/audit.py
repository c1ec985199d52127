"""Checking a recording before it is shared: it must hold no security data and no refused request.

The format lives in :mod:`obdident.recording.format`; ``obdident scan --record FILE`` writes one
(:mod:`obdident.recording.recorder`), ``replay://FILE`` replays it and ``obdident check-recording FILE``
runs :func:`audit`.
"""

from __future__ import annotations

import re

from obdident import guard
from obdident.elm327.lines import PROTOCOLS, Protocol
from obdident.elm327.masking import mask_answer_any, mask_unfinished
from obdident.errors import GuardRefusal
from obdident.recording.format import Recording

__all__ = ["audit", "protocols_shown"]


def audit(recording: Recording) -> list[str]:
    """Check a recording holds no security data and no request obdident would refuse.

    Every request is replayed through the read-only guard (AT SH tracked; the vehicle taken as a Nissan,
    so only the address rule of Nissan's session applies), and every answer is masked again by the
    driver's own rule (:mod:`obdident.elm327.masking`), every line of it: read under every protocol the
    recording shows the adapter on (:func:`protocols_shown`) that it reads as, masked whole when it reads
    as none, or when it may hold a masked field and does not read as 11-bit CAN frames
    (:func:`~obdident.elm327.masking.mask_answer_any`). Masking must change nothing: every security-bearing
    field already reads ``XX`` and every line that cannot be read is already masked whole, whatever it
    starts with.

    Returns:
        One sentence per problem, naming the exchange; empty when the recording is clean.
    """
    problems: list[str] = []
    check = guard.Guard(guard.GuardContext(nissan_basis="assumed by the recording audit"))
    protocols = protocols_shown(recording)
    for index, exchange in enumerate(recording.exchanges, 1):
        try:
            check.check(exchange.request)
        except GuardRefusal as err:
            problems.append(f"exchange {index}: {exchange.request!r} would be refused: {err.reason}")
        if _leaks(exchange.request, exchange.lines, protocols, finished=exchange.outcome == "ok"):
            problems.append(f"exchange {index} ({exchange.request}): unmasked security-bearing bytes")
    return problems


def protocols_shown(recording: Recording) -> tuple[Protocol, ...]:
    """The protocols a recording shows the adapter on, as the ways their lines read: every CAN protocol once
    an AT TP 6-C or an STN preset (STP) was confirmed or AT DPN named one (an STN preset receives 11-bit and
    29-bit frames alike), the K-line and J1850 ones once one of 1-5 was; every protocol when it shows none.

    A recording does not name its protocol, and a garbled CAN line may read as a K-line frame: the audit
    reads an answer only the ways the recording's own dialogue allows.
    """
    can = legacy = False
    for exchange in recording.exchanges:
        request = exchange.request.upper()
        answer = [line.strip().upper() for line in exchange.lines]
        number = ""
        if "OK" in answer and (tp := re.fullmatch(r"ATTP([1-9A-C])", request)):
            number = tp.group(1)
        elif "OK" in answer and re.fullmatch(r"STP(3[3-6]|5[34])", request):
            number = "6"
        elif request == "ATDPN" and answer:
            number = answer[0][1:] if len(answer[0]) == 2 and answer[0][0] == "A" else answer[0]
        if number in PROTOCOLS:
            can, legacy = can or PROTOCOLS[number].can, legacy or not PROTOCOLS[number].can
    if not can and not legacy:
        return tuple(PROTOCOLS.values())
    return tuple(p for p in PROTOCOLS.values() if (p.can and can) or (not p.can and legacy))


def _leaks(request: str, lines: tuple[str, ...], protocols: tuple[Protocol, ...], *, finished: bool) -> bool:
    """The driver's rule would change these lines under the protocols shown.

    An answer the read stopped in (a timeout, a flood) may end in an unfinished line, which the driver
    masks whole (:func:`~obdident.elm327.masking.mask_unfinished`): either form is clean then.
    """
    if _settled(request, lines, protocols):
        return False
    if finished or not lines:
        return True
    tail = mask_unfinished((), lines[-1:], protocols[0], request)
    return not (_settled(request, lines[:-1], protocols) and tail == lines[-1:])


def _settled(request: str, lines: tuple[str, ...], protocols: tuple[Protocol, ...]) -> bool:
    """Masking leaves ``lines`` as they are: the driver's rule for an answer on any of ``protocols``
    (:func:`~obdident.elm327.masking.mask_answer_any`: under each protocol they read as, masked whole if
    none, or if an answer that may hold a masked field does not read as 11-bit CAN frames)."""
    return mask_answer_any(lines, protocols, request).lines == lines
