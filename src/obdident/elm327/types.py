"""The driver's data types: what a port must offer, and what one command or request brought back.

Plain frozen dataclasses and a structural port type, no I/O: the wire (:mod:`obdident.elm327.wire`) makes
:class:`Exchange` objects, the driver (:mod:`obdident.elm327.driver`) makes the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

from obdident.elm327.lines import EcuMessage

__all__ = ["AdapterInfo", "Clock", "Exchange", "Response", "SerialLike"]

#: Monotonic seconds (``time.monotonic``); tests pass a virtual clock.
Clock = Callable[[], float]


class SerialLike(TypingProtocol):
    """What the driver needs of a port: the subset of ``serial.SerialBase`` it uses."""

    @property
    def in_waiting(self) -> int:
        """Bytes waiting to be read."""
        ...

    def read(self, size: int = 1) -> bytes:
        """Read up to ``size`` bytes, waiting at most the port's timeout."""
        ...

    def write(self, data: bytes, /) -> int | None:
        """Write all of ``data``."""
        ...

    def reset_input_buffer(self) -> None:
        """Drop bytes received and not yet read."""
        ...

    def close(self) -> None:
        """Close the port (the wire does so when the adapter never comes back to its prompt)."""
        ...


@dataclass(frozen=True)
class Exchange:
    """One command and the adapter's answer.

    Attributes:
        request: the canonical line written (without CR).
        lines: the answer's lines as printed, echo and prompt removed.
        started_s: clock reading when the line was written, in seconds.
        elapsed_s: seconds from writing the line to reading the prompt (or to the failure).
        outcome: ``ok`` (the prompt came), ``timeout`` (no prompt before the deadline), ``link-lost``,
            ``oversize`` (more than :data:`~obdident.elm327.wire.MAX_ANSWER_BYTES` without a prompt; the
            lines kept are its start), or ``interrupted`` (the scan was cancelled while waiting).
    """

    request: str
    lines: tuple[str, ...]
    started_s: float
    elapsed_s: float
    outcome: str = "ok"


@dataclass(frozen=True)
class Response:
    """The answer to one request to the vehicle.

    Attributes:
        exchange: the command and the raw lines.
        messages: complete messages, one or more per answering ECU; empty for ``NO DATA``.
    """

    exchange: Exchange
    messages: tuple[EcuMessage, ...]


@dataclass(frozen=True)
class AdapterInfo:
    """What the adapter says about itself.

    Attributes:
        version: the AT I answer (``ELM327 v1.5``); clones often claim a version they do not implement.
        description: the AT @1 answer, or None when the adapter answers ``?``.
        voltage_v: the AT RV reading in volts, or None when unreadable.
        unsupported: AT commands the adapter answered with ``?`` (clone quirks), in canonical form.
    """

    version: str | None
    description: str | None
    voltage_v: float | None
    unsupported: tuple[str, ...]
