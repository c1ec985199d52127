"""ISO 15765-2 (ISO-TP) reassembly of the frames an ELM327 shows with headers on (AT H1, AT CAF1).

Pure functions over the frame bytes of one response id, in the order they arrived. The ELM327's automatic
formatting keeps the protocol control information (PCI) byte when headers are on, so each frame here starts
with it: single frame ``0L``, first frame ``1L LL``, consecutive frame ``2N``, flow control ``3x``
(ISO 15765-2:2016 §9.6). Frames are padded to 8 bytes on ISO 15765-4 buses; the PCI length says where the
data ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from obdident.errors import IsoTpError, IsoTpTruncatedError
from obdident.i18n import T

__all__ = ["Cut", "Located", "can_frames", "locate", "reassemble", "reassemble_located"]

#: Where one payload byte was carried: (frame index, byte index within that frame's data, PCI at 0).
Position = tuple[int, int]

_SINGLE, _FIRST, _CONSECUTIVE, _FLOW_CONTROL = 0, 1, 2, 3
_CLASSIC_SF_MAX = 7  # ISO 15765-2 §9.6.2: SF_DL 1..7 on classic CAN
_FF_MIN = 8  # §9.6.3: a first frame carries at least 8 bytes in all


@dataclass(frozen=True)
class Located:
    """A reassembled message and where each of its bytes travelled.

    Attributes:
        payload: the message without PCI or padding.
        positions: for each payload byte, (frame index, byte index in that frame's data, PCI at 0).
    """

    payload: bytes
    positions: tuple[Position, ...]


def reassemble(frames: Iterable[bytes]) -> list[bytes]:
    """Reassemble the messages one ECU sent, frame by frame.

    Args:
        frames: the data bytes of each CAN frame from one response id, PCI byte first, in arrival order.

    Returns:
        The complete messages (service payloads without PCI or padding), in order. One request can yield
        several: a ``7F xx 78`` response-pending and then the answer.

    Raises:
        IsoTpError: an empty frame, a length out of range (ISO 15765-2 §9.6.2/§9.6.3), a consecutive frame
            out of sequence (§9.6.4.3), or a message that ended before its length. A consecutive frame
            while no message is being received is ignored (§9.8.3).
    """
    return [m.payload for m in reassemble_located(frames)]


def reassemble_located(frames: Iterable[bytes]) -> list[Located]:
    """Like :func:`reassemble`, also saying which frame and byte carried each payload byte.

    The driver uses the positions to mask security-bearing bytes in the printed lines.

    Raises:
        IsoTpError: as :func:`reassemble`.
    """
    messages, cut = locate(frames)
    if cut is not None:
        raise IsoTpTruncatedError(
            T(
                "the answer ended after {got} of {declared} bytes of a multi-frame message",
                got=len(cut.payload),
                declared=cut.declared,
            ),
            after_first_frame=cut.after_first_frame,
        )
    return messages


@dataclass(frozen=True)
class Cut(Located):
    """A multi-frame message the answer stopped in the middle of.

    Attributes:
        declared: the length its first frame declared (ISO 15765-2 §9.6.3 FF_DL), in bytes.
    """

    declared: int = 0

    @property
    def after_first_frame(self) -> bool:
        """Only the first frame arrived: no consecutive frame at all."""
        return len({frame for frame, _ in self.positions}) <= 1


def locate(frames: Iterable[bytes]) -> tuple[list[Located], Cut | None]:
    """Reassemble like :func:`reassemble_located`, and return the message the answer ended in, if any.

    The masking (:mod:`obdident.elm327.masking`) needs the bytes of a message cut short too: they are
    masked by where they sit, like those of a complete one.

    Returns:
        (the complete messages, the message cut short at the end of the frames or None).

    Raises:
        IsoTpError: as :func:`reassemble`, except for an answer that ends in the middle of a message.
    """
    messages: list[Located] = []
    pending: list[tuple[int, Position]] | None = None
    expected_len = 0
    next_sn = 0
    for index, frame in enumerate(frames):
        if not frame:
            raise IsoTpError(T("frame {index} is empty", index=index))
        kind, low = frame[0] >> 4, frame[0] & 0x0F
        if kind == _SINGLE:
            _ensure_idle(pending, expected_len, index)
            if not 1 <= low <= _CLASSIC_SF_MAX or low > len(frame) - 1:
                raise IsoTpError(
                    T(
                        "single frame {index} declares {declared} bytes but carries {got}",
                        index=index,
                        declared=low,
                        got=len(frame) - 1,
                    )
                )
            messages.append(Located(bytes(frame[1 : 1 + low]), tuple((index, 1 + i) for i in range(low))))
        elif kind == _FIRST:
            _ensure_idle(pending, expected_len, index)
            if len(frame) < 2:
                raise IsoTpError(T("first frame {index} is truncated", index=index))
            expected_len = (low << 8) | frame[1]
            if expected_len < _FF_MIN:
                raise IsoTpError(
                    T(
                        "first frame {index} declares {declared} bytes, fewer than 8",
                        index=index,
                        declared=expected_len,
                    )
                )
            pending = [(b, (index, 2 + i)) for i, b in enumerate(frame[2:])]
            next_sn = 1
        elif kind == _CONSECUTIVE:
            if pending is None:
                # ISO 15765-2:2016 §9.8.3: a consecutive frame while no reception is in progress is ignored
                # (the tail of an earlier answer the adapter stopped listening to)
                continue
            if low != next_sn:
                raise IsoTpError(
                    T(
                        "consecutive frame {index} has sequence number {got}, expected {wanted}",
                        index=index,
                        got=f"{low:X}",
                        wanted=f"{next_sn:X}",
                    )
                )
            pending.extend((b, (index, 1 + i)) for i, b in enumerate(frame[1:]))
            next_sn = (next_sn + 1) & 0x0F
        elif kind == _FLOW_CONTROL:
            continue  # another tester's flow control seen on the bus; carries no data
        else:
            raise IsoTpError(T("frame {index} has an unknown PCI type {kind}", index=index, kind=f"{kind:X}"))
        if pending is not None and len(pending) >= expected_len:
            kept = pending[:expected_len]
            messages.append(Located(bytes(b for b, _ in kept), tuple(p for _, p in kept)))
            pending = None
            expected_len = 0
    if pending is None:
        return messages, None
    cut = Cut(bytes(b for b, _ in pending), tuple(p for _, p in pending), expected_len)
    return messages, cut


def can_frames(payload_len: int) -> int:
    """How many classic-CAN frames carry a message of ``payload_len`` bytes: one single frame up to 7, else
    a first frame with 6 and consecutive frames with 7 each (ISO 15765-2 §9.6)."""
    if payload_len <= _CLASSIC_SF_MAX:
        return 1
    return 1 + -(-(payload_len - 6) // 7)


def _ensure_idle(pending: list[tuple[int, Position]] | None, expected_len: int, index: int) -> None:
    if pending is None:
        return
    raise IsoTpError(
        T(
            "frame {index} started a new message after {got} of {declared} bytes of a multi-frame message",
            index=index,
            got=len(pending),
            declared=expected_len,
        )
    )
