"""Where the bytes of an answer's messages sit in its frames, and which frames may be read by position: the
frame-level half of :mod:`obdident.elm327.masking`'s rule.
"""

from __future__ import annotations

from collections.abc import Sequence

from obdident import guard
from obdident.elm327 import isotp
from obdident.elm327.lines import CAN_MAX_BYTES, Frame, Protocol

__all__ = ["Located", "carried_with", "fits", "locate", "untrusted"]


def untrusted(
    frames: Sequence[Frame], located: Sequence[Located], protocol: Protocol, request: str | None
) -> frozenset[int]:
    """The frames masked whole, on CAN, in an answer that may hold a masked field
    (:func:`obdident.guard.may_carry_field`).

    A message from the field's unit is read by position only when it has the shape of that request's answer
    (:func:`obdident.guard.shaped_like_field_answer`): a shorter one may be a garbled frame of it. And when
    the answer shows a frame lost or garbled (a message cut short, or a frame in no message), every frame
    is masked whole, whatever its id: a consecutive frame whose id and PCI byte are both garbled reads as
    another unit's whole message (``765 22 A5 5A`` as ``764 02 A5 5A``), and frames lost around it may shift
    the field within its own unit's message. Only the first frame of the field's message cut short is kept
    when nothing else is wrong, so that the adapter can be asked for the rest (``frames_declared``).
    Nothing of a cut answer is decoded, so this costs only raw lines.
    """
    if not protocol.can or not guard.may_carry_field(request):
        return frozenset()
    risky = guard.masked_response_ids()
    carried = {frame for _, _, positions, _ in located for frame, _ in positions}
    # frames in no message; one already masked whole (its PCI XX: a recording, read again) is set aside
    lost = {f for f, frame in enumerate(frames) if 0 not in frame.masked} - carried
    cut = [message for message in located if not message[3]]
    trusted: set[int] = set()
    shaped = [
        sender not in risky or guard.shaped_like_field_answer(sender, payload, request, complete=complete)
        for sender, payload, _, complete in located
    ]
    if not cut and not lost and all(shaped):
        trusted.update(frame for _, _, positions, _ in located for frame, _ in positions)
    elif len(cut) == 1 and not lost:
        sender, payload, positions, complete = cut[0]
        if sender in risky and guard.shaped_like_field_answer(sender, payload, request, complete=complete):
            trusted.add(positions[0][0])
    return frozenset(range(len(frames))) - trusted


def carried_with(offsets: Sequence[int], positions: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """Every payload offset carried by a frame that carries one of ``offsets``.

    Packed lines (AT S0) show no byte boundaries: a digit lost and another gained inside one frame's line
    moves the field by a nibble and leaves a frame that reads. The whole frame's payload bytes are masked,
    so no such shift can put a digit of the field beside the ``XX``.
    """
    frames = {positions[o][0] for o in offsets}
    return tuple(o for o, (frame, _) in enumerate(positions) if frame in frames)


#: One message as :func:`_locate` finds it: sender, payload, (frame, byte) of each payload byte, complete.
Located = tuple[str, bytes, tuple[tuple[int, int], ...], bool]


def locate(frames: Sequence[Frame], protocol: Protocol) -> list[Located]:
    """Group frames by sender and reassemble, saying where each byte came from; messages cut short too.

    A frame whose PCI byte reads ``XX`` was masked whole as a frame in no message (in a recording): it is
    set aside, and carries no message.

    Raises:
        IsoTpError: one sender's frames do not reassemble.
    """
    if not protocol.can:
        every = (tuple((i, j) for j in range(len(f.data))) for i, f in enumerate(frames))
        return [(f.sender, f.data, positions, True) for f, positions in zip(frames, every, strict=True)]
    by_sender: dict[str, list[int]] = {}
    for index, frame in enumerate(frames):
        if 0 in frame.masked:
            continue  # masked whole as a frame in no message
        by_sender.setdefault(frame.sender, []).append(index)
    result: list[Located] = []
    for sender, indexes in by_sender.items():
        messages, cut = isotp.locate(frames[i].data for i in indexes)
        for message in [*messages, *([cut] if cut is not None else [])]:
            positions = tuple((indexes[f], b) for f, b in message.positions)
            result.append((sender, message.payload, positions, message is not cut))
    return result


def fits(frames: Sequence[Frame], positions: Sequence[tuple[int, int]], *, complete: bool) -> bool:
    """The frames carrying one message have the lengths ISO 15765-2 allows on classic CAN: every frame 8
    bytes, but the last of a complete message, which may end with the message (no padding)."""
    last_byte: dict[int, int] = {}
    for frame, byte in positions:
        last_byte[frame] = max(byte, last_byte.get(frame, 0))
    carriers = sorted(last_byte)
    for frame in carriers[:-1] if complete else carriers:
        if len(frames[frame].data) != CAN_MAX_BYTES:
            return False
    if not complete or not carriers:
        return True
    final = carriers[-1]
    return len(frames[final].data) in (CAN_MAX_BYTES, last_byte[final] + 1)
