"""Fault injection for the simulated ELM327: what goes wrong, at which command line.

A :class:`Fault` names a kind and a line number. Lines are counted from 1 over every complete command
line the chip receives, AT commands included (the count ``len(elm.received)`` has after the line). A
fault fires at its line only, or, with ``repeat`` (``KIND@N+``), at every line from N on. The URL form is
``sim://NAME?fault=KIND@N`` (repeatable); :func:`parse_fault` reads ``KIND@N`` / ``KIND@N+``.

``hw-fixtures/README.md`` ("Fault injection") describes each kind and the real adapter or vehicle
behaviour it models. :class:`FaultInjector` holds one chip's faults, their state (ECUs stuck in a
response-pending storm, requests already answered "busy") and the record of what fired;
:mod:`obdident.sim.elm` asks it at each stage of answering a line. Faults that kill the link are
handled by :mod:`obdident.transports.protocol_sim` (``drop``) or the chip itself (``stall``,
``reset`` ...).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from obdident.i18n import T, Text
from obdident.sim.can import Frame

__all__ = [
    "FAULT_KINDS",
    "FLOOD_BYTES",
    "GARBAGE",
    "STATUS_FAULTS",
    "Fault",
    "FaultInjector",
    "FaultSpecError",
    "Stream",
    "parse_fault",
]

#: Every fault kind, with what the simulator then does.
FAULT_KINDS: dict[str, str] = {
    "drop": "the link dies when the line is written: the sim:// port raises SerialException from then on",
    "stall": "the chip never answers the line, nor any later line (a hung adapter)",
    "stall-once": "the chip ignores the line (no bytes, no prompt) and answers later lines normally",
    "partial": "the first half of the answer, without the prompt; later lines are answered normally",
    "no-prompt": "the answer without the prompt, then the answer again and again, never a prompt, until "
    "the next byte arrives (an adapter left monitoring the bus); later lines are answered normally",
    "flood": "the answer, repeated for 4 MiB, then the prompt; later lines are answered normally",
    "garbage": "junk bytes instead of the answer, then the prompt",
    "truncate-line": "the last data line of the answer is cut in the middle of a byte",
    "isotp-sequence": "two consecutive frames of a multi-frame answer arrive in swapped order",
    "isotp-short": "the last consecutive frame of a multi-frame answer is missing",
    "pending-storm": "every ECU that answers says 7F <SID> 78 (response pending), now and on every repeat",
    "busy": "every ECU that answers says 7F <SID> 21 (busy, repeat request) once; a repeat gets the answer",
    "buffer-full": "the first data line, then BUFFER FULL",
    "can-error": "CAN ERROR instead of the answer",
    "bus-error": "BUS ERROR instead of the answer",
    "data-error": "DATA ERROR instead of the answer",
    "rx-error": "<RX ERROR instead of the answer",
    "lv-reset": "LV RESET and the power-up banner; the chip's settings return to their power-up values",
    "reset": "the power-up banner alone (the adapter rebooted); settings return to their power-up values",
    "ignition-off": "from this line on the vehicle is off: NO DATA, and UNABLE TO CONNECT after a new search",
}

#: The status line each status fault puts in place of the answer (ELM327 datasheet, "Messages").
STATUS_FAULTS: dict[str, str] = {
    "buffer-full": "BUFFER FULL",
    "can-error": "CAN ERROR",
    "bus-error": "BUS ERROR",
    "data-error": "DATA ERROR",
    "rx-error": "<RX ERROR",
}

#: What the ``garbage`` fault sends before the prompt: a NUL, a byte no ELM327 sends, text that looks
#: half like a frame, and a terminal escape sequence.
GARBAGE = "\x00\xff7E8 ZZ 10 ?? \x1b[31m\r"

#: How much the ``flood`` fault sends before its prompt: 4 MiB, sixteen times obdident's cap on one answer.
FLOOD_BYTES = 4 * 1024 * 1024

#: ISO 14229-1 / ISO 14230-3: negative response service id, and the NRCs the ECU faults send.
_NEGATIVE = 0x7F
_NRC_BUSY_REPEAT_REQUEST = 0x21
_NRC_RESPONSE_PENDING = 0x78

_SPEC = re.compile(r"([a-z-]+)@([0-9]+)(\+?)")
_HEX_DIGITS = frozenset("0123456789ABCDEFabcdef")
_DATA_LINE = re.compile(r"[0-9A-Fa-f][0-9A-Fa-f: ]*")


@dataclass(frozen=True)
class Fault:
    """One injected fault.

    Attributes:
        kind: one of :data:`FAULT_KINDS`.
        at: the line it fires at, counted from 1 over every command line received.
        repeat: True: it fires at every line from ``at`` on (``KIND@N+``).
    """

    kind: str
    at: int
    repeat: bool = False

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise FaultSpecError(
                T("unknown fault kind '{kind}' (known: {known})", kind=self.kind, known=tuple(FAULT_KINDS))
            )
        if self.at < 1:
            raise FaultSpecError(
                T("fault line {line} must be 1 or more: lines are counted from 1", line=self.at)
            )

    def applies(self, line: int) -> bool:
        """True if the fault fires at ``line``."""
        return line == self.at or (self.repeat and line > self.at)

    def __str__(self) -> str:
        return f"{self.kind}@{self.at}{'+' if self.repeat else ''}"


class FaultSpecError(ValueError):
    """A bad fault spec (``sim://...?fault=``): a :class:`ValueError` whose ``text`` is the owner sentence.

    Attributes:
        text: the same sentence as a :class:`~obdident.i18n.Text`.
    """

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def parse_fault(text: str) -> Fault:
    """Read a fault spec, ``KIND@N`` or ``KIND@N+``.

    Raises:
        FaultSpecError: (a ValueError) not of that form, an unknown kind or a line below 1; the message
            quotes the bad part, its ``text`` is the same as a :class:`~obdident.i18n.Text`.
    """
    match = _SPEC.fullmatch(text.strip())
    if match is None:
        raise FaultSpecError(
            T(
                "bad fault '{fault}': expected {form} (such as {example})",
                fault=text,
                form="KIND@N or KIND@N+",
                example="stall@3",
            )
        )
    if match[1] not in FAULT_KINDS:
        raise FaultSpecError(
            T(
                "bad fault '{fault}': unknown kind '{kind}' (known: {known})",
                fault=text,
                kind=match[1],
                known=tuple(FAULT_KINDS),
            )
        )
    if int(match[2]) < 1:
        raise FaultSpecError(
            T("bad fault '{fault}': line '{line}' must be 1 or more", fault=text, line=match[2])
        )
    return Fault(match[1], int(match[2]), repeat=match[3] == "+")


class FaultInjector:
    """The faults of one chip and what they have done.

    Attributes:
        faults: the faults, as given.
        fired: ``(line, kind)`` for every fault that changed something, in order; a fault that found
            nothing to change (``isotp-short`` on a single-frame answer, ``busy`` on an AT command)
            is not listed.
        active: the kinds that apply to the line being answered.
    """

    def __init__(self, faults: Iterable[Fault] = ()) -> None:
        self.faults = tuple(faults)
        self.fired: list[tuple[int, str]] = []
        self.active: frozenset[str] = frozenset()
        self._line = 0
        self._storming: set[tuple[int, bytes]] = set()  # (ECU request id, request) stuck on 7F xx 78
        self._busy: set[tuple[int, bytes]] = set()  # (ECU request id, request) that got 7F xx 21

    def begin(self, line: int) -> frozenset[str]:
        """Start answering command line number ``line``; return the kinds that apply to it."""
        self._line = line
        self.active = frozenset(fault.kind for fault in self.faults if fault.applies(line))
        return self.active

    def fire(self, kind: str) -> None:
        """Record that ``kind`` changed the answer to the current line."""
        if (self._line, kind) not in self.fired:
            self.fired.append((self._line, kind))

    def take(self, kind: str) -> bool:
        """True (and recorded as fired) if ``kind`` applies to the current line."""
        if kind in self.active:
            self.fire(kind)
            return True
        return False

    def refuses_at(self) -> bool:
        """True if a status fault applies: an AT command then answers ``?`` (it is not executed)."""
        kinds = [kind for kind in STATUS_FAULTS if kind in self.active]
        for kind in kinds:
            self.fire(kind)
        return bool(kinds)

    # -- ECU answers ----------------------------------------------------------------------------

    def ecu_reply(
        self,
        ecu_id: int,
        request: bytes,
        preview: Callable[[], tuple[bytes, ...]],
        reply: Callable[[], tuple[bytes, ...]],
    ) -> tuple[bytes, ...]:
        """The messages one ECU sends, after ``pending-storm`` and ``busy``.

        Args:
            ecu_id: the ECU's request id.
            request: the request (service id first).
            preview: what the ECU would answer, without changing its state.
            reply: the ECU's real answer (changes its state: sessions, repeat counts).
        """
        key = (ecu_id, request)
        if key in self._storming or ("pending-storm" in self.active and preview()):
            # A storming ECU never gets to the real answer: its state does not move.
            self._storming.add(key)
            self.fire("pending-storm")
            return (bytes([_NEGATIVE, request[0], _NRC_RESPONSE_PENDING]),)
        if "busy" in self.active and key not in self._busy and preview():
            self._busy.add(key)
            self.fire("busy")
            return (bytes([_NEGATIVE, request[0], _NRC_BUSY_REPEAT_REQUEST]),)
        return reply()

    # -- ISO 15765-2 frames ---------------------------------------------------------------------

    def frames(self, groups: list[list[Frame]]) -> None:
        """Apply ``isotp-sequence`` and ``isotp-short`` to the first multi-frame message that allows it.

        ``groups`` holds each answering ECU's frames in bus order and is changed in place.
        """
        if "isotp-sequence" in self.active:
            for frames in groups:
                pairs = range(len(frames) - 1)
                spot = next((i for i in pairs if frames[i].index == 1 and frames[i + 1].index == 2), None)
                if spot is not None:
                    frames[spot], frames[spot + 1] = frames[spot + 1], frames[spot]
                    self.fire("isotp-sequence")
                    break
        if "isotp-short" in self.active:
            for frames in groups:
                last = _last_consecutive_frame(frames)
                if last is not None:
                    del frames[last]
                    self.fire("isotp-short")
                    break

    # -- answer lines and output ----------------------------------------------------------------

    def request_lines(self, lines: list[str]) -> list[str]:
        """Apply the status faults and ``truncate-line`` to the lines answering a vehicle request."""
        status = next((kind for kind in STATUS_FAULTS if kind in self.active), None)
        if status is not None:
            info = 0
            while info < len(lines) and _is_info(lines[info]):
                info += 1
            rest = lines[info:]
            keep = rest[:1] if status == "buffer-full" and rest and _is_data(rest[0]) else []
            lines = [*lines[:info], *keep, STATUS_FAULTS[status]]
            self.fire(status)
        if "truncate-line" in self.active:
            last = next((i for i in reversed(range(len(lines))) if _is_data(lines[i])), None)
            if last is not None:
                lines = [*lines[:last], _cut(lines[last]), *lines[last + 1 :]]
                self.fire("truncate-line")
        return lines

    def output(self, text: str) -> str:
        """Apply ``garbage`` and ``partial`` to the whole text answering the line (echo included)."""
        if self.take("garbage"):
            return GARBAGE + "\r>"
        if self.take("partial"):
            body = text[: text.rindex(">")] if ">" in text else text
            return body[: len(body) // 2]
        return text

    def stream(self, text: str) -> Stream | None:
        """The endless or huge output ``no-prompt`` or ``flood`` puts after ``text``, or None.

        Args:
            text: the whole output answering the line (echo included), prompt last.

        Returns:
            A :class:`Stream` that repeats the output without its prompt: for ever (``no-prompt``), or
            for :data:`FLOOD_BYTES` and then the prompt (``flood``).
        """
        body = (text[: text.rindex(">")] if ">" in text else text) or "\r"
        if self.take("no-prompt"):
            return Stream(body.encode("latin-1"), None)
        if self.take("flood"):
            return Stream(body.encode("latin-1"), FLOOD_BYTES)
        return None


class Stream:
    """Bytes a simulated chip keeps sending after its answer: ``body`` repeated, and a prompt at the end
    when ``total`` is given.

    A real adapter does this when it is left monitoring the bus (ELM327 datasheet, AT MA: it prints every
    frame until a character arrives) or when a confused bridge repeats what it buffered.

    Args:
        body: the bytes to repeat (not empty).
        total: how many bytes to send before the ``>`` prompt, or None for an endless stream.
    """

    def __init__(self, body: bytes, total: int | None) -> None:
        self._body = body
        self._left = total
        self._offset = 0

    @property
    def done(self) -> bool:
        """True once a finite stream sent its prompt."""
        return self._left is not None and self._left < 0

    def waiting(self) -> int:
        """Bytes readable at once: one repeat of the body (endless), or up to 4 KiB (a flood)."""
        if self._left is None:
            return len(self._body)
        return 0 if self.done else min(4096, self._left + 1)

    def read(self, size: int) -> bytes:
        """The next ``size`` bytes of the stream, at most (the prompt last, for a finite one)."""
        if self.done or size < 1:
            return b""
        if self._left is not None:
            if self._left == 0:
                self._left = -1
                return b">"
            size = min(size, self._left)
        out = bytearray()
        while len(out) < size:
            piece = self._body[self._offset : self._offset + size - len(out)]
            out += piece
            self._offset = (self._offset + len(piece)) % len(self._body)
        if self._left is not None:
            self._left -= len(out)
        return bytes(out)


def _last_consecutive_frame(frames: list[Frame]) -> int | None:
    """The position of the last consecutive frame of the first multi-frame message, or None."""
    for start, frame in enumerate(frames):
        if frame.index == 0 and start + 1 < len(frames) and frames[start + 1].index == 1:
            end = start + 1
            while end + 1 < len(frames) and frames[end + 1].index == frames[end].index + 1:
                end += 1
            return end
    return None


def _is_info(line: str) -> bool:
    """``SEARCHING...`` and ``BUS INIT: ...OK``: progress lines before the answer."""
    upper = line.upper()
    return upper.startswith("SEARCHING") or (upper.startswith("BUS INIT") and "ERROR" not in upper)


def _is_data(line: str) -> bool:
    """A line of hex bytes (a frame, a message, or a multi-frame line such as ``0: 49 02 01``)."""
    return _DATA_LINE.fullmatch(line) is not None and sum(char in _HEX_DIGITS for char in line) >= 2


def _cut(line: str) -> str:
    """Cut a data line in the middle of a byte: drop an odd number of hex digits, about half, from its
    end (every data line ends on a whole byte, so the last one kept is half a byte)."""
    positions = [index for index, char in enumerate(line) if char in _HEX_DIGITS]
    drop = 2 * (len(positions) // 4) + 1
    return line[: positions[len(positions) - drop]].rstrip(" ")
