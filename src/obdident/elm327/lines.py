"""Pure parsing of what an ELM327 prints: lines, status messages, frames with headers, messages per ECU.

Nothing here does I/O. The driver feeds the raw bytes read up to the ``>`` prompt; these functions tolerate
what real chips and clones print around the data: echo, NUL bytes, lower case, CR or CRLF, ``SEARCHING...``
and ``BUS INIT: ...OK`` (ELM327 datasheet, "Messages and error codes").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from obdident.elm327 import isotp
from obdident.errors import AdapterReplyError, NoDataError, ProtocolError, UnableToConnectError
from obdident.i18n import T, Text

__all__ = [
    "CAN_MAX_BYTES",
    "MASK",
    "PROTOCOLS",
    "EcuMessage",
    "Frame",
    "Protocol",
    "frames_declared",
    "group_located",
    "group_messages",
    "parse_frames",
    "parse_voltage",
    "raise_for_status",
    "split_lines",
    "strip_echo",
]


@dataclass(frozen=True)
class Protocol:
    """An ELM327 protocol number and what it implies for frame parsing.

    Attributes:
        number: the ELM327 protocol number, "1" to "C" (ELM327 datasheet, AT SP).
        name: its description as the datasheet gives it.
        can: True for the CAN protocols (ISO 15765-4, J1939, user CAN).
        header_bits: 11 or 29 for CAN, 0 for the 3-byte J1850/ISO 9141/ISO 14230 headers.
    """

    number: str
    name: str
    can: bool
    header_bits: int


#: ELM327 datasheet, AT SP h / AT DP.
PROTOCOLS: dict[str, Protocol] = {
    p.number: p
    for p in (
        Protocol("1", "SAE J1850 PWM (41.6 kbaud)", False, 0),
        Protocol("2", "SAE J1850 VPW (10.4 kbaud)", False, 0),
        Protocol("3", "ISO 9141-2 (5 baud init, 10.4 kbaud)", False, 0),
        Protocol("4", "ISO 14230-4 KWP (5 baud init, 10.4 kbaud)", False, 0),
        Protocol("5", "ISO 14230-4 KWP (fast init, 10.4 kbaud)", False, 0),
        Protocol("6", "ISO 15765-4 CAN (11 bit ID, 500 kbaud)", True, 11),
        Protocol("7", "ISO 15765-4 CAN (29 bit ID, 500 kbaud)", True, 29),
        Protocol("8", "ISO 15765-4 CAN (11 bit ID, 250 kbaud)", True, 11),
        Protocol("9", "ISO 15765-4 CAN (29 bit ID, 250 kbaud)", True, 29),
        Protocol("A", "SAE J1939 CAN (29 bit ID, 250 kbaud)", True, 29),
        Protocol("B", "USER1 CAN (11 bit ID, 125 kbaud)", True, 11),
        Protocol("C", "USER2 CAN (11 bit ID, 50 kbaud)", True, 11),
    )
}

# Status lines the ELM327 prints instead of data, with what each means for the user
# (ELM327 datasheet, "Messages and error codes").
_STATUS_HINTS: dict[str, Text] = {
    "NO DATA": T("no ECU answered this request before the receive timeout"),
    "UNABLE TO CONNECT": T(
        "the adapter found no OBD-II protocol: switch the ignition on (engine may stay off)"
    ),
    "CAN ERROR": T("the adapter could not use the CAN bus: ignition off, wrong protocol, or a wiring fault"),
    "BUS ERROR": T("the adapter saw an electrical fault on the bus"),
    "BUS BUSY": T("the bus was too busy for the adapter to send"),
    "BUFFER FULL": T("the adapter's buffer overflowed: the link to the computer is too slow for the answer"),
    "DATA ERROR": T("the vehicle's answer was corrupted (bad checksum or framing)"),
    "<RX ERROR": T("the adapter received a corrupted CAN frame"),
    "RX ERROR": T("the adapter received a corrupted CAN frame"),
    "FB ERROR": T("feedback error: the adapter could not drive the bus"),
    "LV RESET": T("the adapter reset itself because its supply voltage dropped"),
    "STOPPED": T("the adapter stopped the request because a character arrived while it worked"),
    "ACT ALERT": T("the adapter saw no activity and is about to enter low power mode"),
    "?": T("the adapter did not understand the command"),
    "NOT CONNECTED": T(
        "the adapter says it is not connected to the vehicle (a clone's message; the ELM327 "
        "says UNABLE TO CONNECT): switch the ignition on (engine may stay off)"
    ),
}
#: Status lines saying the adapter found no vehicle to talk to.
_NO_VEHICLE = frozenset({"UNABLE TO CONNECT", "NOT CONNECTED"})
_INFO_PREFIXES = ("SEARCHING", "BUS INIT")
_HEX_LINE = re.compile(r"[0-9A-FX ]+")
#: How a byte masked as security data reads in kept lines: the one definition of the marker. The masking
#: (:mod:`obdident.elm327.masking`) writes it, the parser here reads it as 0x00, the audit checks for it.
MASK = "XX"
#: The most data bytes one classic CAN frame carries (ISO 11898-1: DLC 0-8).
CAN_MAX_BYTES = 8
_CAN_ID_MAX = {11: 0x7FF, 29: 0x1FFFFFFF}
_VOLTAGE = re.compile(r"(\d+(?:\.\d+)?)\s*V", re.IGNORECASE)
_BANNER = re.compile(r"ELM327", re.IGNORECASE)


@dataclass(frozen=True)
class Frame:
    """One frame as the ELM327 printed it with headers on.

    Attributes:
        header: the header in upper-case hex: ``7E8`` (11-bit CAN), ``18DAF110`` (29-bit CAN) or
            ``486B10`` (3-byte J1850/ISO 9141/ISO 14230 header).
        sender: the response id: the CAN id, or the source address byte of a 3-byte header (``10``).
        data: the bytes after the header (CAN: PCI byte first; legacy: without the checksum byte); a byte
            printed as ``XX`` (masked by obdident, in a recording) reads 0x00.
        line: the line as printed, for evidence.
        masked: indexes into ``data`` printed as ``XX``.
    """

    header: str
    sender: str
    data: bytes
    line: str
    masked: frozenset[int] = frozenset()


@dataclass(frozen=True)
class EcuMessage:
    """One complete answer from one ECU.

    Attributes:
        response_id: the sending ECU's id in upper-case hex (``7E8``, ``18DAF110``, ``10``).
        payload: the service payload, response SID first (``49 02 01 ...``); masked bytes read 0x00.
        lines: every printed line that carried it, for evidence.
        masked: payload offsets masked as security data (see :data:`obdident.guard.MASKS`).
    """

    response_id: str
    payload: bytes
    lines: tuple[str, ...]
    masked: tuple[int, ...] = ()


def split_lines(raw: bytes) -> list[str]:
    """Split what the adapter printed before its prompt into clean lines.

    Args:
        raw: bytes read from the adapter, usually ending with ``>``.

    Returns:
        Non-empty lines as printed (case kept), stripped, with NUL bytes and the prompt removed. CR, LF and
        CRLF all end a line.
    """
    text = raw.decode("latin-1").replace("\x00", "")
    if text.endswith(">"):
        text = text[:-1]
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def strip_echo(lines: Sequence[str], sent: str) -> list[str]:
    """Drop the echo of ``sent`` when the adapter still echoes (AT E1 left on, or a clone ignoring AT E0).

    Args:
        lines: lines from :func:`split_lines`.
        sent: the canonical command that was written.

    Returns:
        ``lines`` without a leading line that equals ``sent`` once spaces are ignored.
    """
    if lines and lines[0].replace(" ", "").upper() == sent.replace(" ", "").upper():
        return list(lines[1:])
    return list(lines)


def is_info(line: str) -> bool:
    """Tell whether ``line`` is progress printed before data (``SEARCHING...``, ``BUS INIT: ...OK``)."""
    upper = line.upper()
    return upper.startswith(_INFO_PREFIXES) and "ERROR" not in upper


def status_of(line: str) -> str | None:
    """Return the ELM327 status a line carries (``NO DATA``, ``CAN ERROR`` ...), or None for data.

    ``BUS INIT: ...ERROR`` counts as ``BUS ERROR``; ``ERRnn`` internal errors and a line ending in
    ``<DATA ERROR`` count too.
    """
    compact = line.strip().upper()
    if compact in _STATUS_HINTS:
        return compact
    if compact.startswith("BUS INIT") and "ERROR" in compact:
        return "BUS ERROR"
    if compact.endswith("<DATA ERROR"):
        return "DATA ERROR"
    if re.fullmatch(r"ERR\d+", compact):
        return compact
    return None


def status_hint(status: str) -> Text:
    """Explain an ELM327 status line in one sentence (a :class:`~obdident.i18n.Text`)."""
    return _STATUS_HINTS.get(status) or T("the adapter reported an internal error")


def raise_for_status(lines: Sequence[str], request: str) -> None:
    """Raise for the first status line among ``lines``, if any.

    Args:
        lines: response lines, echo already removed.
        request: the command that was sent, attached to the error.

    Raises:
        NoDataError: ``NO DATA`` and no other data lines.
        UnableToConnectError: ``UNABLE TO CONNECT``.
        AdapterReplyError: any other status line (``CAN ERROR``, ``BUFFER FULL``, ``?`` ...).
    """
    for line in lines:
        status = status_of(line)
        if status is None:
            continue
        if status == "NO DATA":
            if any(status_of(other) is None and not is_info(other) for other in lines):
                continue  # some clones print NO DATA after data from another ECU; the data stands
            raise NoDataError(status_hint(status), status=status, request=request, response=lines)
        error = UnableToConnectError if status in _NO_VEHICLE else AdapterReplyError
        said = T("{status}: {explanation}", status=status, explanation=status_hint(status))
        raise error(said, status=status, request=request, response=lines)


def looks_like_banner(line: str) -> bool:
    """Tell whether ``line`` is a power-up or reset banner (``ELM327 v1.5``)."""
    return bool(_BANNER.search(line))


def shows_reset(lines: Iterable[str]) -> bool:
    """Tell whether an answer shows the adapter reset: its power-up banner, or ``LV RESET`` (ELM327 v1.3+
    after a brown-out; ELM327 datasheet, "Low Power Operation")."""
    return any(looks_like_banner(x) or x.strip().upper() == "LV RESET" for x in lines)


def parse_frames(lines: Iterable[str], protocol: Protocol) -> list[Frame]:
    """Parse data lines printed with headers on (AT H1) into frames.

    Args:
        lines: data lines (status and progress lines already removed), spaces on or off.
        protocol: the protocol in use, which fixes the header's length.

    Returns:
        One :class:`Frame` a line, in order.

    Raises:
        ProtocolError: a line is not hex, or is too short for a header and data.
    """
    frames: list[Frame] = []
    for line in lines:
        upper = line.upper()
        if not _HEX_LINE.fullmatch(upper):
            raise ProtocolError(
                T("unexpected line from the adapter: {line}", line=repr(line)), response=[line]
            )
        tokens = upper.split()
        if protocol.can and protocol.header_bits == 11 and tokens and len(tokens[0]) == 3:
            header, rest = tokens[0], "".join(tokens[1:])
        else:
            digits = "".join(tokens)
            width = 3 if protocol.header_bits == 11 else 8 if protocol.header_bits == 29 else 6
            header, rest = digits[:width], digits[width:]
        if len(header) < (3 if protocol.header_bits == 11 else 6) or len(rest) % 2 or not rest:
            raise ProtocolError(
                T("line too short or ragged for {protocol}: {line}", protocol=protocol.name, line=repr(line)),
                response=[line],
            )
        if "X" in header:
            raise ProtocolError(
                T("unexpected line from the adapter: {line}", line=repr(line)), response=[line]
            )
        pairs = [rest[i : i + 2] for i in range(0, len(rest), 2)]
        if any("X" in pair and pair != MASK for pair in pairs):
            raise ProtocolError(
                T("unexpected line from the adapter: {line}", line=repr(line)), response=[line]
            )
        masked = frozenset(i for i, pair in enumerate(pairs) if pair == MASK)
        data = bytes(0 if pair == MASK else int(pair, 16) for pair in pairs)
        too_long = len(data) > CAN_MAX_BYTES
        if protocol.can and (too_long or int(header, 16) > _CAN_ID_MAX[protocol.header_bits]):
            # a classic CAN frame holds 8 data bytes at most (ISO 11898-1 DLC), an 11-bit id is at most 7FF
            raise ProtocolError(
                T("not one {protocol} frame: {line}", protocol=protocol.name, line=repr(line)),
                response=[line],
            )
        if protocol.can:
            frames.append(Frame(header, header, data, line, masked))
        else:
            if len(data) < 2:
                raise ProtocolError(T("message without data: {line}", line=repr(line)), response=[line])
            frames.append(Frame(header, header[4:6], data[:-1], line, masked))  # drop the checksum byte
    return frames


#: For each payload byte of a message: (index of the frame in the list given, byte index in its data).
Positions = tuple[tuple[int, int], ...]


def group_located(frames: Sequence[Frame], protocol: Protocol) -> list[tuple[EcuMessage, Positions]]:
    """Group frames by sender, reassemble each sender's messages, and say where each byte came from.

    On CAN each sender's frames are reassembled with ISO 15765-2 (frames of several ECUs may interleave); on
    the legacy protocols each frame is one message.

    Args:
        frames: frames from :func:`parse_frames`, in arrival order.
        protocol: the protocol in use.

    Returns:
        (message, positions) pairs ordered by the first appearance of their sender, then by arrival; the
        positions index ``frames``.

    Raises:
        IsoTpError: one sender's frames do not reassemble.
    """
    if not protocol.can:
        return [
            (EcuMessage(f.sender, f.data, (f.line,)), tuple((i, j) for j in range(len(f.data))))
            for i, f in enumerate(frames)
        ]
    by_sender: dict[str, list[int]] = {}
    for index, frame in enumerate(frames):
        by_sender.setdefault(frame.sender, []).append(index)
    result: list[tuple[EcuMessage, Positions]] = []
    for sender, indexes in by_sender.items():
        lines = tuple(frames[i].line for i in indexes)
        try:
            located = isotp.reassemble_located(frames[i].data for i in indexes)
        except ProtocolError as err:
            err.response = lines
            raise
        for message in located:
            positions = tuple((indexes[f], b) for f, b in message.positions)
            result.append((EcuMessage(sender, message.payload, lines), positions))
    return result


def group_messages(frames: Sequence[Frame], protocol: Protocol) -> list[EcuMessage]:
    """Group frames by sender and reassemble each sender's messages (:func:`group_located` without positions).

    Raises:
        IsoTpError: one sender's frames do not reassemble.
    """
    return [message for message, _ in group_located(frames, protocol)]


def frames_declared(lines: Sequence[str], protocol: Protocol) -> int | None:
    """Frames the answer needs, from its single and first frames' declared lengths (ISO 15765-2 §9.6)."""
    try:
        frames = parse_frames([x for x in lines if status_of(x) is None and not is_info(x)], protocol)
    except ProtocolError:
        return None
    total = 0
    for frame in frames:
        if 0 in frame.masked:
            continue  # masked whole (elm327.masking): no PCI to read
        kind = frame.data[0] >> 4 if frame.data else -1
        if kind == 0:
            total += 1
        elif kind == 1 and len(frame.data) >= 2:
            total += isotp.can_frames(((frame.data[0] & 0x0F) << 8) | frame.data[1])
    return total or None


def parse_voltage(lines: Sequence[str]) -> float | None:
    """The AT RV reading in volts (``12.6V``), or None when no line reads as one (ELM327 datasheet, AT RV)."""
    for line in lines:
        match = _VOLTAGE.fullmatch(line.strip())
        if match:
            return float(match.group(1))
    return None
