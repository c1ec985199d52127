"""``replay://PATH``: replays a recorded adapter session strictly (:mod:`obdident.recording.format`).

Each line written must be the next request the recording holds; the port then answers with the recorded
lines and the prompt (or, where the recording timed out, with no prompt; where the link was lost, with a
lost link; where the answer ran past the driver's size cap, with blanks after it that never end until the
next line). A different line raises :class:`~obdident.errors.ReplayDivergedError` naming both lines.
``replay:///abs/path.txt`` or ``replay://relative/path.txt``.
"""

from __future__ import annotations

import urllib.parse
from pathlib import Path
from typing import Any

import serial
from serial import SerialBase, SerialException

from obdident.errors import PortNotFoundError, PortUrlError, ReplayDivergedError
from obdident.recording.format import Recording, SessionMeta, load
from obdident.transports.kinds import LinkKind, split_url
from obdident.transports.modem_lines import NoModemLines

__all__ = ["Serial"]

#: How many blanks one read of a replayed flood returns.
_FLOOD_CHUNK = 4096


def _path_of(url: str) -> Path:
    parts = split_url(url)
    if parts.scheme != "replay":
        raise PortUrlError(f"expected replay://PATH, got {url!r}")
    return Path(urllib.parse.unquote(parts.netloc + parts.path))


class Serial(NoModemLines, SerialBase):  # type: ignore[misc]
    """A pyserial port that answers from a recording.

    Attributes:
        replay_meta: the recording's header: the scan reports its start, duration, port and link kind.
        position: exchanges replayed so far.
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
                f"no recording {path}", hint="give the path of a file written by --record"
            )
        self._recording: Recording = load(path)
        self._path = path
        self.replay_meta: SessionMeta = self._recording.meta
        self.position = 0
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
            ReplayDivergedError: a line differs from the recording's next request, or comes after its end.
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

    def _answer(self, line: str) -> None:
        exchanges = self._recording.exchanges
        sent = line.replace(" ", "").upper()
        if self.position >= len(exchanges):
            raise ReplayDivergedError(
                f"replay of {self._path}: the recording ends after {len(exchanges)} exchanges, but obdident "
                f"sent {sent!r}"
            )
        expected = exchanges[self.position]
        if sent != expected.request.replace(" ", "").upper():
            raise ReplayDivergedError(
                f"replay of {self._path} diverged at exchange {self.position + 1}: the recording sent "
                f"{expected.request!r}, obdident sent {sent!r}"
            )
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
