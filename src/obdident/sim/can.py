"""CAN-level helpers of the simulated ELM327: receive filters, ISO 15765-2 frames, flow control targets.

Split from :mod:`obdident.sim.elm`, which formats these frames as the ELM327 shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "AUTO_FLOW_CONTROL",
    "CONTINUE_TO_SEND",
    "Filter",
    "Frame",
    "auto_flow_control_id",
    "hex_text",
    "isotp_frames",
    "round_robin",
]

#: The flow control frame of the ELM327's automatic mode (AT FC SM 0): ContinueToSend, block size 0,
#: STmin 0 (ISO 15765-2 flow control; ISO 15765-4 fixes these values for OBD).
AUTO_FLOW_CONTROL = b"\x30\x00\x00"
#: ISO 15765-2 flow status ContinueToSend, the only one that lets the sender go on.
CONTINUE_TO_SEND = 0x30


@dataclass(frozen=True)
class Filter:
    """A CAN receive filter: a frame passes if ``id & mask == value & mask`` (AT CRA, AT CF, AT CM)."""

    bits: int
    value: int
    mask: int

    @classmethod
    def from_pattern(cls, pattern: str) -> Filter:
        """AT CRA ``hhh`` / ``hhhhhhhh`` with ``X`` for any digit (ELM327 datasheet, "AT CRA")."""
        bits = 11 if len(pattern) == 3 else 29
        mask = int("".join("0" if digit == "X" else "F" for digit in pattern), 16) & ((1 << bits) - 1)
        return cls(bits, int(pattern.replace("X", "0"), 16), mask)


@dataclass(frozen=True)
class Frame:
    """One frame or message as received from the vehicle, ready to show."""

    can_id: int | None  # None on legacy protocols
    id_bits: int | None
    lines: tuple[str, ...]
    index: int = 0  # place in its ISO 15765-2 message: 0 = single or first frame, n = n-th consecutive frame


def hex_text(data: bytes, separator: str) -> str:
    """``data`` as upper-case hex byte pairs joined by ``separator`` (a space, or nothing after AT S0)."""
    return separator.join(f"{byte:02X}" for byte in data)


def isotp_frames(payload: bytes, pad: int) -> list[bytes]:
    """Split a message into ISO 15765-2 frames, each padded to 8 bytes.

    ISO 15765-2 single frame: PCI ``0L`` then the payload (L <= 7). Otherwise a first frame
    ``1L LL`` + 6 bytes (12-bit length), then consecutive frames ``21``, ``22`` ... ``2F``, ``20`` ...
    with 7 bytes each.

    Args:
        payload: the whole message (service id first), 1..4095 bytes.
        pad: the padding byte.

    Returns:
        The frames' 8 data bytes each.
    """
    if len(payload) <= 7:
        frames = [bytes([len(payload)]) + payload]
    else:
        frames = [bytes([0x10 | len(payload) >> 8, len(payload) & 0xFF]) + payload[:6]]
        for sequence, start in enumerate(range(6, len(payload), 7), start=1):
            frames.append(bytes([0x20 | sequence & 0x0F]) + payload[start : start + 7])
    return [frame.ljust(8, bytes([pad])) for frame in frames]


def auto_flow_control_id(response_id: int, id_bits: int) -> int | None:
    """The CAN id the ELM327's automatic flow control answers a first frame from ``response_id`` on.

    11-bit: the OBD pairs only, 7E8-7EF -> 7E0-7E7 (ISO 15765-4); for other responders it does not
    reach the sender (meatpiHQ/wican-fw issue #288). 29-bit: ISO 15765-4 normal fixed addressing,
    ``18 DA tt ss`` -> ``18 DA ss tt``. None: the flow control reaches no ECU.
    """
    if id_bits == 11:
        return response_id - 8 if 0x7E8 <= response_id <= 0x7EF else None
    if response_id >> 16 == 0x18DA:
        return 0x18DA0000 | (response_id & 0xFF) << 8 | (response_id >> 8 & 0xFF)
    return None


def round_robin(groups: Sequence[Sequence[Frame]]) -> list[Frame]:
    """Interleave the frames of several ECUs: each one's first frame, then each one's second ..."""
    longest = max((len(group) for group in groups), default=0)
    return [group[index] for index in range(longest) for group in groups if index < len(group)]
