"""Fakes: a scripted adapter port (literal ELM327 answers in, exact request lines checked), and a port
opener with a tripwire, passed to a scan through :class:`obdident.journey.Seams`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tests.conftest import WIRE


class ScriptedPort:
    """A pyserial-like port that answers each written line from a script.

    Args:
        script: canonical request line -> the exact bytes the adapter prints (prompt included). A callable
            value is called with the line and returns the bytes; an exception it raises surfaces on read.
        chunk: bytes handed out per read, to exercise reassembly across reads.
    """

    def __init__(self, script: Mapping[str, bytes | Callable[[str], bytes]], *, chunk: int = 64) -> None:
        self.script = dict(script)
        self.chunk = chunk
        self.sent: list[str] = []
        self.timeout = 0.0
        self._out = bytearray()
        self._partial = b""

    @property
    def in_waiting(self) -> int:
        return min(len(self._out), self.chunk)

    def read(self, size: int = 1) -> bytes:
        size = min(size, self.chunk)
        data, self._out = bytes(self._out[:size]), self._out[size:]
        WIRE.record_read(self, data)
        return data

    def write(self, data: bytes) -> int:
        WIRE.record(self, data)
        buf = self._partial + data
        *lines, self._partial = buf.split(b"\r")
        for raw in lines:
            line = raw.decode("ascii")
            self.sent.append(line)
            answer = self.script.get(line)
            if answer is None:
                raise AssertionError(f"unscripted request {line!r}; sent so far {self.sent!r}")
            self._out += answer(line) if callable(answer) else answer
        return len(data)

    def reset_input_buffer(self) -> None:
        self._out.clear()

    def close(self) -> None:
        pass


class _Tripped:
    """A port that calls its tripwire's action before writing the first line the tripwire accepts."""

    def __init__(self, inner: Any, wire: Tripwire) -> None:
        self.inner, self.wire = inner, wire

    def write(self, data: bytes) -> Any:
        line = data.decode("ascii", "replace").strip().replace(" ", "").upper()
        self.wire.lines.append(line)
        if not self.wire.tripped and self.wire.when(line):
            self.wire.tripped = True
            self.wire.action()
        return self.inner.write(data)

    def close(self) -> None:
        self.inner.close()
        if self.wire.on_close is not None:
            self.wire.on_close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class Tripwire:
    """A port opener for :class:`obdident.journey.Seams` (``opener=``): it opens the real port and calls
    ``action`` just before the first line ``when`` accepts is written (raise an error, send a signal, cancel
    a token), and ``on_close`` after the port is closed. No module attribute is replaced.

    Attributes:
        opened: the URLs opened.
        lines: every line written, canonical (upper case, no spaces).
        tripped: True once ``action`` ran.
    """

    def __init__(
        self,
        when: Callable[[str], bool] = lambda _line: False,
        action: Callable[[], None] = lambda: None,
        *,
        on_close: Callable[[], None] | None = None,
        wrap: Callable[[Any], Any] | None = None,
    ) -> None:
        self.when, self.action, self.on_close, self.wrap = when, action, on_close, wrap
        self.opened: list[str] = []
        self.lines: list[str] = []
        self.tripped = False

    def __call__(self, url: str, *, baudrate: int, ble_backend: Any) -> Any:
        from obdident.transports import open_port

        self.opened.append(url)
        port = open_port(url, baudrate=baudrate, ble_backend=ble_backend)
        return _Tripped(self.wrap(port) if self.wrap else port, self)


def at_physical(line: str) -> bool:
    """The demo car's first physical-address line: service 09 has been read and checkpointed."""
    return line == "ATSH7E0"


def seams(**kwargs: Any) -> Any:
    """:class:`obdident.journey.Seams` with the given fakes."""
    from obdident.journey import Seams

    return Seams(**kwargs)
