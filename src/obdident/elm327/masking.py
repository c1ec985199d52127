"""Masking of security-bearing response bytes, inside the driver, before anything else sees them.

The mask table is :data:`obdident.guard.MASKS`. Here the driver's raw answer lines are parsed, each
message's masked payload offsets are traced back to the frame and byte that carried them, and those bytes
are replaced by ``XX`` in the lines the driver keeps (evidence, logs, recordings) and by 0x00, flagged as
masked, in the payloads it decodes. When an answer cannot be parsed, every data byte of a line from a unit
that may send masked fields is masked: masking errs on the side of hiding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from obdident import guard
from obdident.elm327.lines import (
    MASK,
    EcuMessage,
    Protocol,
    group_located,
    is_info,
    parse_frames,
    status_of,
)
from obdident.errors import ProtocolError

__all__ = ["MASK", "MaskedAnswer", "mask_answer"]


@dataclass(frozen=True)
class MaskedAnswer:
    """An answer with its security-bearing bytes masked.

    Attributes:
        lines: the lines as printed, masked bytes replaced by ``XX``: the only form that is kept.
        messages: the reassembled messages, masked bytes 0x00 and listed in ``EcuMessage.masked``; empty
            when there were no data lines; None when the data lines could not be parsed.
        error: why the data lines could not be parsed, or None.
    """

    lines: tuple[str, ...]
    messages: tuple[EcuMessage, ...] | None
    error: ProtocolError | None


def _header_width(line: str, protocol: Protocol) -> tuple[bool, int]:
    """(spaced, header size): header tokens when spaced, header characters when packed."""
    tokens = line.split()
    if len(tokens) > 1:
        if protocol.can and protocol.header_bits == 11 and len(tokens[0]) == 3:
            return True, 1
        return True, 4 if protocol.header_bits == 29 else 3
    return False, 3 if protocol.header_bits == 11 else 8 if protocol.header_bits == 29 else 6


def _mask_bytes(line: str, protocol: Protocol, indexes: set[int] | None) -> str:
    """Replace data bytes ``indexes`` (all when None) of one printed frame with ``XX``."""
    spaced, width = _header_width(line, protocol)
    if spaced:
        tokens = line.split()
        for i in range(width, len(tokens)):
            if indexes is None or i - width in indexes:
                tokens[i] = MASK
        return " ".join(tokens)
    chars = list(line.strip())
    count = (len(chars) - width) // 2
    for i in range(count):
        if indexes is None or i in indexes:
            chars[width + 2 * i : width + 2 * i + 2] = MASK
    return "".join(chars)


def _conservative(lines: Sequence[str], data_index: Sequence[int], protocol: Protocol | None) -> list[str]:
    out = list(lines)
    risky = guard.masked_response_ids()
    for i in data_index:
        compact = lines[i].replace(" ", "").upper()
        if any(compact.startswith(rid) for rid in risky):
            out[i] = _mask_bytes(lines[i], protocol, None) if protocol else compact[:3] + MASK * 8
    return out


def mask_answer(lines: Sequence[str], protocol: Protocol | None) -> MaskedAnswer:
    """Parse an answer and mask its security-bearing bytes.

    Args:
        lines: the answer's lines as printed (echo removed), raw.
        protocol: the protocol in use, or None before one is known.

    Returns:
        The masked lines, and the masked messages when the data lines parse.
    """
    data_index = [i for i, line in enumerate(lines) if status_of(line) is None and not is_info(line)]
    if not data_index:
        return MaskedAnswer(tuple(lines), (), None)
    if protocol is None:
        return MaskedAnswer(tuple(_conservative(lines, data_index, None)), None, None)
    try:
        frames = parse_frames([lines[i] for i in data_index], protocol)
        located = group_located(frames, protocol)
    except ProtocolError as err:
        masked_lines = tuple(_conservative(lines, data_index, protocol))
        err.response = masked_lines
        return MaskedAnswer(masked_lines, None, err)
    marks: dict[int, set[int]] = {}
    messages: list[EcuMessage] = []
    already = {(f, b) for f, frame in enumerate(frames) for b in frame.masked}
    for message, positions in located:
        offsets = guard.mask_offsets(message.response_id, message.payload)
        stray = {p for p in positions if p in already} - {positions[o] for o in offsets}
        if stray:
            # XX where no mask rule applies: not an answer obdident masked; do not decode it
            kept = tuple(_conservative(lines, data_index, protocol))
            stray_error = ProtocolError(
                f"masked bytes (XX) where no mask rule applies, from {message.response_id}", response=kept
            )
            return MaskedAnswer(kept, None, stray_error)
        if offsets:
            payload = bytearray(message.payload)
            for offset in offsets:
                payload[offset] = 0
                frame, byte = positions[offset]
                marks.setdefault(frame, set()).add(byte)
            messages.append(replace(message, payload=bytes(payload), masked=offsets))
        else:
            messages.append(message)
    out = list(lines)
    for frame, indexes in marks.items():
        out[data_index[frame]] = _mask_bytes(lines[data_index[frame]], protocol, indexes)
    if marks:
        rewritten = {lines[data_index[f]]: out[data_index[f]] for f in marks}
        messages = [replace(m, lines=tuple(rewritten.get(x, x) for x in m.lines)) for m in messages]
    return MaskedAnswer(tuple(out), tuple(messages), None)
