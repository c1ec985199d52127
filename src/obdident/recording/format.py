"""Recorded adapter sessions: a documented line-based format, its writer and reader.

A recording holds every line obdident exchanged with the adapter, after masking (security-bearing bytes
read ``XX``), with relative times, so that ``replay://FILE`` reproduces the scan exactly
(:func:`obdident.recording.audit` checks one holds no security data). Format (version 1)::

    # obdident session 1
    # tool: obdident 0.1.0
    # started_at: 2026-11-21T10:00:00Z
    # duration_s: 1.234
    # port: /dev/ttyUSB0
    # transport: serial port
    # adapter: ELM327 v1.5
    # provenance: recorded on a real car
    # vehicle: Nissan Qashqai J10 2013 1.6 dCi (as the user describes it)
    > 0.000 ATD
    < OK
    = 0.012 ok
    > 0.013 0902
    < 7E8 10 14 49 02 01 53 4A 4E
    ...
    = 0.061 ok

``>`` starts an exchange (seconds since the scan started, then the line sent), ``<`` is one line the
adapter printed (echo and prompt removed), ``=`` ends it (seconds it took, then ``ok``, ``timeout`` or
``link-lost``). Lines starting ``#`` are header fields (``key: value``) or comments.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from obdident.errors import RecordingError

__all__ = ["FORMAT", "RecordedExchange", "Recording", "SessionMeta", "dumps", "load", "loads", "save"]

FORMAT = "obdident session 1"
OUTCOMES = ("ok", "timeout", "link-lost", "oversize")


class ExchangeLike(Protocol):
    """What a recorded exchange carries (the driver's ``Exchange`` has these attributes)."""

    @property
    def request(self) -> str: ...
    @property
    def lines(self) -> tuple[str, ...]: ...
    @property
    def started_s(self) -> float: ...
    @property
    def elapsed_s(self) -> float: ...
    @property
    def outcome(self) -> str: ...


@dataclass(frozen=True)
class RecordedExchange:
    """One exchange read back from a recording: the line sent, the lines answered, times, outcome."""

    request: str
    lines: tuple[str, ...]
    started_s: float
    elapsed_s: float
    outcome: str


@dataclass(frozen=True)
class SessionMeta:
    """What a recording says about itself.

    Attributes:
        tool: the tool and version that recorded it.
        started_at: the scan's start, ISO 8601 UTC (the report's ``started_at``).
        duration_s: the scan's duration, seconds (the report's ``duration_s``).
        port: the port or URL recorded.
        transport: the kind of link.
        adapter: the adapter's AT I answer.
        provenance: ``recorded on a real car``, or where else the dialogue came from (a simulator).
        vehicle: the vehicle, as the person recording describes it.
    """

    tool: str
    started_at: str
    duration_s: float
    port: str
    transport: str
    adapter: str = ""
    provenance: str = ""
    vehicle: str = ""


@dataclass(frozen=True)
class Recording:
    """A parsed recording."""

    meta: SessionMeta
    exchanges: tuple[RecordedExchange, ...]


_FIELDS = ("tool", "started_at", "duration_s", "port", "transport", "adapter", "provenance", "vehicle")


def dumps(meta: SessionMeta, exchanges: Iterable[ExchangeLike]) -> str:
    """Write a recording.

    Args:
        meta: the header.
        exchanges: the driver's exchanges (already masked), in order.

    Returns:
        The recording's text.
    """
    out = [f"# {FORMAT}"]
    for key in _FIELDS:
        value = getattr(meta, key)
        text = f"{value:.3f}" if key == "duration_s" else str(value).replace("\n", " ")
        out.append(f"# {key}: {text}")
    base: float | None = None
    for exchange in exchanges:
        base = exchange.started_s if base is None else base
        out.append(f"> {exchange.started_s - base:.3f} {exchange.request}")
        out.extend(f"< {line}" for line in exchange.lines)
        out.append(f"= {exchange.elapsed_s:.3f} {exchange.outcome}")
    return "\n".join(out) + "\n"


def loads(text: str) -> Recording:
    """Read a recording.

    Raises:
        RecordingError: not this format, a missing header field, or a malformed line (named by number).
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != f"# {FORMAT}":
        raise RecordingError(f"not an obdident recording (first line should be '# {FORMAT}')")
    header: dict[str, str] = {}
    exchanges: list[RecordedExchange] = []
    current: tuple[str, float] | None = None
    answer: list[str] = []
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        mark, _, rest = line.partition(" ")
        if mark == "#":
            key, sep, value = rest.partition(": ")
            if sep and key in _FIELDS:
                header[key] = value
        elif mark == ">" and current is None:
            when, _, request = rest.partition(" ")
            current = (request, _number(when, number))
            answer = []
        elif mark == "<" and current is not None:
            answer.append(rest)
        elif mark == "=" and current is not None:
            elapsed, _, outcome = rest.partition(" ")
            if outcome not in OUTCOMES:
                raise RecordingError(f"line {number}: unknown outcome {outcome!r}")
            exchanges.append(
                RecordedExchange(current[0], tuple(answer), current[1], _number(elapsed, number), outcome)
            )
            current = None
        else:
            raise RecordingError(f"line {number}: unexpected {line[:40]!r}")
    if current is not None:
        raise RecordingError("the last exchange has no '=' line: the recording was cut short")
    missing = [key for key in ("tool", "started_at", "duration_s", "port", "transport") if key not in header]
    if missing:
        raise RecordingError(f"header fields missing: {', '.join(missing)}")
    meta = SessionMeta(
        tool=header["tool"],
        started_at=header["started_at"],
        duration_s=_number(header["duration_s"], 0),
        port=header["port"],
        transport=header["transport"],
        adapter=header.get("adapter", ""),
        provenance=header.get("provenance", ""),
        vehicle=header.get("vehicle", ""),
    )
    return Recording(meta, tuple(exchanges))


def _number(text: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise RecordingError(f"line {line}: not a number of seconds: {text!r}") from None


def load(path: str | Path) -> Recording:
    """Read a recording file (UTF-8).

    Raises:
        RecordingError: malformed (see :func:`loads`), or not UTF-8 text.
        OSError: unreadable.
    """
    try:
        text = Path(path).read_text("utf-8")
    except UnicodeDecodeError as err:
        raise RecordingError(
            f"not a recording: byte {err.start} is not UTF-8 text (recordings are UTF-8 text files)"
        ) from err
    return loads(text)


def save(path: str | Path, meta: SessionMeta, exchanges: Sequence[ExchangeLike]) -> None:
    """Write a recording atomically: a temporary file beside ``path``, then a rename."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(dumps(meta, exchanges))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
