"""Corruptions of what an adapter prints, for the masking property tests (issue 22, point 1): insertions,
deletions, joined lines (a lost CR), dropped lines, the echo glued to the first line, other line endings,
junk bytes, and a frame whose CAN id and PCI byte are both garbled (so it reads as another unit's frame)."""

from __future__ import annotations

#: Bytes a noisy link or a clone puts in a line: none is a hex digit, and none is the ``>`` prompt.
JUNK = ["\xff", "\x80", "\x00", "#", " ", ".", "Z", "q", "X", "x", "\t", "\x1b", "\r", "\n", "?"]


def corrupt(body: str, ops: list[tuple[str, int, str | int]]) -> str:
    """Apply corruption ops to what the adapter printed before its prompt."""
    for kind, at, arg in ops:
        if kind == "insert":
            i = at % (len(body) + 1)
            body = body[:i] + str(arg) + body[i:]
        elif kind == "delete" and body:
            i = at % len(body)
            body = body[:i] + body[i + int(arg) :]
        elif kind == "join" and "\r" in body:
            ends = [i for i, c in enumerate(body) if c == "\r"]
            i = ends[at % len(ends)]
            body = body[:i] + body[i + 1 :]
        elif kind == "drop-line":
            lines = body.split("\r")
            del lines[at % len(lines)]
            body = "\r".join(lines)
        elif kind == "echo":
            body = "2183" + body
        elif kind == "lf":
            body = body.replace("\r", str(arg))
        elif kind == "garble-frame":
            body = _garble_frame(body, at, str(arg))
    return body


def _garble_frame(body: str, at: int, digits: str) -> str:
    """Overwrite the first hex digits of one line (an 11-bit id and the PCI byte, spaced or packed) with
    ``digits`` (``76402``: id 764, a single frame of 2 bytes)."""
    lines = body.split("\r")
    index = at % len(lines)
    chars = list(lines[index])
    places = [i for i, c in enumerate(chars) if c in "0123456789ABCDEFabcdef"][: len(digits)]
    if len(places) == len(digits):
        for i, digit in zip(places, digits, strict=True):
            chars[i] = digit
        lines[index] = "".join(chars)
    return "\r".join(lines)
