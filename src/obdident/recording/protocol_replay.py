"""``replay://PATH``: replays a recorded adapter session by content (:mod:`obdident.recording.format`).

Each line written is answered by what the recording holds for that line in the adapter's state, not by its
position, so a recording stays replayable when obdident asks in another order or asks more:

- A request to the vehicle (hex) is looked up by its bytes (without the response-count digit) under the
  protocol (``AT TP`` / ``AT SP``), header (``AT SH``) and CAN formatting (``AT CAF``) in force. The same
  request asked again gets the next recorded answer, the last one once they run out (so a busy ``7F xx 21``
  then the answer replays in order). A request the recording never holds gets ``NO DATA``: the recording
  does not say that anything answered it; :attr:`Serial.unrecorded` lists such lines.
- An adapter command (``AT``, ``ST``) gets its own recorded answer, or the answer recorded for the same
  command with another argument (``AT SH 712`` answered as ``AT SH 745`` was); a command the recording
  holds in no form raises :class:`~obdident.errors.ReplayDivergedError` naming it.

Where the recording timed out, the answer comes without the prompt; where the link was lost, the link is
lost; where the answer ran past the driver's size cap, blanks follow it until the next line.
``replay:///abs/path.txt`` or ``replay://relative/path.txt``.
"""

from __future__ import annotations

import re
import urllib.parse
from collections import defaultdict
from pathlib import Path
from typing import Any

import serial
from serial import SerialBase, SerialException

from obdident.errors import PortNotFoundError, PortUrlError, ReplayDivergedError
from obdident.i18n import T
from obdident.recording.format import RecordedExchange, Recording, SessionMeta, load
from obdident.transports.kinds import LinkKind, split_url
from obdident.transports.modem_lines import NoModemLines

__all__ = ["Serial"]

#: How many blanks one read of a replayed flood returns.
_FLOOD_CHUNK = 4096

_HEX = re.compile(r"^[0-9A-F]+$")
#: Adapter command verbs, longest first: ``ATFCSH7E0`` is ``ATFCSH`` with the argument ``7E0``.
_VERBS = tuple(
    sorted(
        ["AT@1", "ATAT", "ATCAF", "ATCEA", "ATCFC", "ATCF", "ATCM", "ATCP", "ATCRA", "ATD", "ATDPN", "ATE",
         "ATFCSD", "ATFCSH", "ATFCSM", "ATH", "ATI", "ATL", "ATM", "ATPC", "ATRV", "ATS", "ATSH", "ATSP",
         "ATST", "ATTA", "ATTP", "ATWS", "ATZ", "STDI", "STI", "STP", "STPBR", "STPBRR"],
        key=len,
        reverse=True,
    )
)  # fmt: skip
_NO_DATA = RecordedExchange("", ("NO DATA",), 0.0, 0.0, "ok")


def _verb(command: str) -> str:
    """``ATSH745`` -> ``ATSH``; ``STPBR500000`` -> ``STPBR``; the command itself when no verb fits."""
    return next((verb for verb in _VERBS if command.startswith(verb)), command)


class _State:
    """The adapter settings that decide which recorded answer fits a request."""

    def __init__(self) -> None:
        self.protocol = ""
        self.header = "7DF"
        self.caf = "1"

    def key(self, payload: str) -> tuple[str, str, str, str]:
        return (self.protocol, self.header, self.caf, payload)

    def apply(self, command: str) -> None:
        verb = _verb(command)
        argument = command[len(verb) :]
        if verb in ("ATD", "ATZ", "ATWS"):
            self.header, self.caf = "7DF", "1"
        elif verb in ("ATTP", "ATSP"):
            self.protocol = argument.lstrip("A")
        elif verb == "ATSH":
            self.header = argument
        elif verb == "ATCAF":
            self.caf = argument


def _payload(request: str) -> str:
    """A request's bytes without the ELM327's response-count digit (an odd last hex digit)."""
    return request[:-1] if len(request) % 2 else request


def _path_of(url: str) -> Path:
    parts = split_url(url)
    if parts.scheme != "replay":
        raise PortUrlError(T("expected {form}, got '{url}'", form="replay://PATH", url=url))
    return Path(urllib.parse.unquote(parts.netloc + parts.path))


class Serial(NoModemLines, SerialBase):  # type: ignore[misc]
    """A pyserial port that answers from a recording.

    Attributes:
        replay_meta: the recording's header: the scan reports its start, duration, port and link kind.
        position: exchanges replayed so far.
        unrecorded: the requests the recording holds no answer for (answered ``NO DATA``), in order.
    """

    @property
    def link_kind(self) -> LinkKind:
        """Always :attr:`LinkKind.REPLAY`."""
        return LinkKind.REPLAY

    @property
    def link_description(self) -> str:
        """``recorded session`` (the recorded link's own kind is in the recording's header)."""
        return "recorded session"

    def open(self) -> None:
        """Load the recording named by the URL.

        Raises:
            PortNotFoundError: no such file.
            RecordingError: the file is not a valid recording.
        """
        path = _path_of(str(self.portstr))
        if not path.is_file():
            raise PortNotFoundError(
                T("no recording {path}", path=str(path)),
                hint=T("give the path of a file written by {option}", option="--record"),
            )
        self._recording: Recording = load(path)
        self._path = path
        self.replay_meta: SessionMeta = self._recording.meta
        self._index()
        self.position = 0
        self.unrecorded: list[str] = []
        self._out = bytearray()
        self._pending = b""
        self._dead = False
        self._flooding = False  # an "oversize" exchange: blanks until the next line is written
        self.is_open = True

    def close(self) -> None:
        """Close the port."""
        self.is_open = False

    def _reconfigure_port(self, *args: Any, **kwargs: Any) -> None:
        """Nothing to configure."""

    @property
    def in_waiting(self) -> int:
        """Bytes ready to read."""
        return len(self._out) or (_FLOOD_CHUNK if self._flooding else 0)

    def read(self, size: int = 1) -> bytes:
        """Return up to ``size`` replayed bytes.

        Raises:
            SerialException: the recording lost the link here and nothing is left to read.
        """
        if not self._out and self._dead:
            raise SerialException(f"the recorded session lost the link here ({self._path})")
        if not self._out and self._flooding:
            return b" " * min(size, _FLOOD_CHUNK)
        data = bytes(self._out[:size])
        del self._out[:size]
        return data

    def write(self, data: bytes) -> int:
        """Check each complete line against the recording and queue its recorded answer.

        Raises:
            ReplayDivergedError: an adapter command the recording holds in no form.
            SerialException: the recording lost the link while this line was sent.
        """
        if self._dead:
            raise SerialException(f"the recorded session lost the link here ({self._path})")
        self._flooding = False
        buffer = self._pending + bytes(data)
        *lines, self._pending = buffer.split(b"\r")
        for raw in lines:
            self._answer(raw.decode("latin-1"))
        return len(data)

    def _index(self) -> None:
        """File every recorded exchange under what it answers: a request under the adapter state it was
        sent in, a command under itself and under its verb."""
        self._requests: dict[tuple[str, str, str, str], list[RecordedExchange]] = defaultdict(list)
        self._commands: dict[str, list[RecordedExchange]] = defaultdict(list)
        self._verbs: dict[str, RecordedExchange] = {}
        self._served: dict[object, int] = defaultdict(int)
        self._state = _State()
        state = _State()
        for exchange in self._recording.exchanges:
            sent = exchange.request.replace(" ", "").upper()
            if _HEX.match(sent):
                self._requests[state.key(_payload(sent))].append(exchange)
            else:
                self._commands[sent].append(exchange)
                self._verbs.setdefault(_verb(sent), exchange)
                if exchange.outcome == "ok" and "?" not in exchange.lines:
                    state.apply(sent)

    def _next(self, key: object, answers: list[RecordedExchange]) -> RecordedExchange:
        """The next recorded answer filed under ``key``, the last one once they run out."""
        served = self._served[key]
        self._served[key] = served + 1
        return answers[min(served, len(answers) - 1)]

    def _lookup(self, sent: str) -> RecordedExchange:
        if _HEX.match(sent):
            key = self._state.key(_payload(sent))
            if key in self._requests:
                return self._next(key, self._requests[key])
            self.unrecorded.append(sent)
            return _NO_DATA
        if sent in self._commands:
            found = self._next(sent, self._commands[sent])
        elif _verb(sent) in self._verbs:
            found = self._verbs[_verb(sent)]
        else:
            raise ReplayDivergedError(
                T(
                    "replay of {path}: the recording holds no answer to '{sent}' "
                    "(nor to another '{verb}' command)",
                    path=str(self._path),
                    sent=sent,
                    verb=_verb(sent),
                )
            )
        if found.outcome == "ok" and "?" not in found.lines:
            self._state.apply(sent)
        return found

    def _answer(self, line: str) -> None:
        sent = line.replace(" ", "").upper()
        expected = self._lookup(sent)
        self.position += 1
        text = "".join(f"{x}\r" for x in expected.lines)
        if expected.outcome == "ok":
            self._out += (text + "\r>").encode("latin-1")
        elif expected.outcome == "timeout":
            self._out += text.encode("latin-1")
        elif expected.outcome == "oversize":
            self._out += text.encode("latin-1")
            self._flooding = True
        else:
            self._out += text.encode("latin-1")
            self._dead = True

    def reset_input_buffer(self) -> None:
        """Drop unread bytes."""
        self._out.clear()

    def reset_output_buffer(self) -> None:
        """Nothing is buffered on the way out."""

    def from_url(self, url: str) -> Path:
        """The recording's path (pyserial handler hook)."""
        try:
            return _path_of(url)
        except ValueError as err:
            raise serial.SerialException(str(err)) from err
