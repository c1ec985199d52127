"""A scripted fake adapter port: literal ELM327 answers in, exact request lines checked."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tests.conftest import WIRE


class ScriptedPort:
    """A pyserial-like port that answers each written line from a script.

    Args:
        script: canonical request line -> the exact bytes the adapter prints (prompt included). A callable
            value is called with the line and returns the bytes; an exception it raises surfaces on read.
        chunk: bytes handed out per read, to exercise reassembly across reads.
    """

    def __init__(
        self, script: Mapping[str, bytes | Callable[[str], bytes]], *, chunk: int = 64
    ) -> None:
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
