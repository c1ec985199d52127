"""Recorded adapter sessions: a documented line-based format, its writer and reader.

A recording holds every line obdident exchanged with the adapter, after masking (security-bearing bytes
read ``XX``), with relative times, so that ``replay://FILE`` reproduces the scan exactly
(:func:`obdident.recording.audit.audit` checks one holds no security data). Format (version 1)::

    # obdident session 1
    # tool: obdident 0.1.0
    # provenance: recorded through an adapter at /dev/ttyUSB0
    # vehicle: Nissan Qashqai J10 2013 1.6 dCi (as the user describes it)
    > 0.000 ATD
    < OK
    = 0.012 ok
    > 0.013 0902
    < 7E8 10 14 49 02 01 53 4A 4E
    ...
    = 0.061 ok
    # started_at: 2026-11-21T10:00:00Z
    # duration_s: 1.234
    # port: /dev/ttyUSB0
    # transport: serial port
    # adapter: ELM327 v1.5

``>`` starts an exchange (seconds since the scan started, then the line sent), ``<`` is one line the
adapter printed (echo and prompt removed), ``=`` ends it (seconds it took, then ``ok``, ``timeout``,
``link-lost``, ``oversize`` or ``interrupted``). Lines starting ``#`` are header fields (``key: value``)
or comments, and may stand anywhere outside an exchange: the fields known when the scan starts
(:data:`OPENING`) come first, those known only when it ends (:data:`CLOSING`) last, so a recorder appends
each exchange as it happens and never rewrites the file (:mod:`obdident.recording.recorder`). Recordings
that give every field at the top (the layout of the first recordings) read the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from obdident.atomicfile import write_atomic
from obdident.elm327.wire import MAX_ANSWER_BYTES
from obdident.errors import RecordingError
from obdident.i18n import T

__all__ = [
    "CLOSING",
    "FORMAT",
    "OPENING",
    "RecordedExchange",
    "Recording",
    "SessionMeta",
    "dumps",
    "exchange_lines",
    "field_lines",
    "load",
    "loads",
    "save",
]

FORMAT = "obdident session 1"
#: The longest answer an exchange may hold, characters: the driver stops reading one answer after
#: :data:`~obdident.elm327.wire.MAX_ANSWER_BYTES` (256 KiB) and calls it oversize; twice that leaves room
#: for the last read and the line ends. A longer answer was not written by obdident, and refusing it bounds
#: the work of reading and auditing one (``check-recording`` checks every answer under every protocol).
MAX_ANSWER_CHARS = 2 * MAX_ANSWER_BYTES
#: The longest request line, characters: every line obdident sends is a few dozen characters at most (an AT
#: command, or a service request of a few bytes in hex).
MAX_REQUEST_CHARS = 128
OUTCOMES = ("ok", "timeout", "link-lost", "oversize", "interrupted")


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
#: Header fields known when the scan starts: written first.
OPENING = ("tool", "provenance", "vehicle")
#: Header fields known only when the scan ends: written after the last exchange.
CLOSING = ("started_at", "duration_s", "port", "transport", "adapter")
_REQUIRED = ("tool", "started_at", "duration_s", "port", "transport")


def field_lines(meta: SessionMeta, keys: Sequence[str]) -> list[str]:
    """The ``# key: value`` lines of the header fields ``keys`` (one of :data:`OPENING`, :data:`CLOSING`).

    ``duration_s`` is written with 3 decimals (milliseconds); a line break in a value becomes a space.
    """
    out = []
    for key in keys:
        value = getattr(meta, key)
        text = f"{value:.3f}" if key == "duration_s" else str(value).replace("\n", " ")
        out.append(f"# {key}: {text}")
    return out


def exchange_lines(exchange: ExchangeLike, base_s: float) -> list[str]:
    """The ``>``, ``<`` and ``=`` lines of one exchange.

    Args:
        exchange: the exchange, already masked.
        base_s: the first exchange's ``started_s``: times are written relative to it (seconds, 3 decimals).
    """
    out = [f"> {exchange.started_s - base_s:.3f} {exchange.request}"]
    out.extend(f"< {line}" for line in exchange.lines)
    out.append(f"= {exchange.elapsed_s:.3f} {exchange.outcome}")
    return out


def dumps(meta: SessionMeta, exchanges: Iterable[ExchangeLike]) -> str:
    """Write a recording: the format line, the opening fields, the exchanges, the closing fields.

    Args:
        meta: the header.
        exchanges: the driver's exchanges (already masked), in order.

    Returns:
        The recording's text, exactly what :class:`obdident.recording.recorder.Recorder` appends piece by
        piece for the same session.
    """
    out = [f"# {FORMAT}", *field_lines(meta, OPENING)]
    base: float | None = None
    for exchange in exchanges:
        base = exchange.started_s if base is None else base
        out.extend(exchange_lines(exchange, base))
    out.extend(field_lines(meta, CLOSING))
    return "\n".join(out) + "\n"


def loads(text: str) -> Recording:
    """Read a recording.

    Raises:
        RecordingError: not this format, a missing header field, a malformed line (named by number), or a
            request or an answer longer than any obdident writes (:data:`MAX_REQUEST_CHARS`,
            :data:`MAX_ANSWER_CHARS`).
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != f"# {FORMAT}":
        raise RecordingError(
            T("not an obdident recording (first line should be '{first}')", first=f"# {FORMAT}")
        )
    header: dict[str, str] = {}
    exchanges: list[RecordedExchange] = []
    current: tuple[str, float] | None = None
    answer: list[str] = []
    size = 0
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
            if len(request) > MAX_REQUEST_CHARS:
                raise RecordingError(
                    T(
                        "line {line}: a request of {size} characters, longer than any line obdident sends "
                        "({most}): not a recording obdident wrote",
                        line=number,
                        size=len(request),
                        most=MAX_REQUEST_CHARS,
                    )
                )
            current = (request, _number(when, number))
            answer, size = [], 0
        elif mark == "<" and current is not None:
            size += len(rest) + 1
            if size > MAX_ANSWER_CHARS:
                raise RecordingError(
                    T(
                        "line {line}: an answer of more than {most} characters, longer than any obdident "
                        "reads from an adapter: not a recording obdident wrote",
                        line=number,
                        most=MAX_ANSWER_CHARS,
                    )
                )
            answer.append(rest)
        elif mark == "=" and current is not None:
            elapsed, _, outcome = rest.partition(" ")
            if outcome not in OUTCOMES:
                raise RecordingError(
                    T("line {line}: unknown outcome '{outcome}'", line=number, outcome=outcome)
                )
            exchanges.append(
                RecordedExchange(current[0], tuple(answer), current[1], _number(elapsed, number), outcome)
            )
            current = None
        else:
            raise RecordingError(T("line {line}: unexpected {text}", line=number, text=repr(line[:40])))
    if current is not None:
        raise RecordingError(T("the last exchange has no '=' line: the recording was cut short"))
    _check_header(header, bool(exchanges))
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


def _check_header(header: Mapping[str, str], any_exchange: bool) -> None:
    missing = [key for key in _REQUIRED if key not in header]
    if not missing:
        return
    cut = any_exchange and set(missing) <= set(CLOSING)
    if cut:
        raise RecordingError(
            T(
                "header fields missing: {fields} (written when the scan ends: the recording was cut short)",
                fields=tuple(missing),
            )
        )
    raise RecordingError(T("header fields missing: {fields}", fields=tuple(missing)))


def _number(text: str, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise RecordingError(
            T("line {line}: not a number of seconds: '{text}'", line=line, text=text)
        ) from None


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
            T(
                "not a recording: byte {offset} is not UTF-8 text (recordings are UTF-8 text files)",
                offset=err.start,
            )
        ) from err
    return loads(text)


def save(path: str | Path, meta: SessionMeta, exchanges: Sequence[ExchangeLike]) -> None:
    """Write a whole recording atomically (:func:`obdident.atomicfile.write_atomic`).

    Raises:
        OSError: the file could not be written (the old file is kept).
    """
    write_atomic(path, dumps(meta, exchanges))
