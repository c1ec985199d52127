"""Masking of security-bearing response bytes, inside the driver, before anything else sees them.

The mask table is :data:`obdident.guard.MASKS`. One rule, which the driver applies to every answer before
it is kept (evidence, logs, recordings, errors) and the recording audit (:mod:`obdident.recording.audit`)
applies again to every recorded line:

1. Lines in the adapter's own words (status lines, ``SEARCHING...``, ``BUS INIT: ...OK``, ``OK``, the
   banner) carry no vehicle bytes and stay as they are. Only whole lines count: ``SEARCHING...7E8 10 14``
   (a lost CR) is not the adapter's words.
2. The answer to a request that goes on the bus is read as a whole, under the protocol in use: every other
   line must be one frame (a CAN frame holds 8 bytes at most, an 11-bit id is at most 7FF), every
   sender's frames must reassemble (ISO 15765-2), and a message from a unit with masked fields must sit in
   frames of the lengths ISO 15765-2 allows (8 bytes but in its last frame, which is 8 bytes or ends with
   the message). Each masked payload offset is then traced back to the frame that carried it, and every
   payload byte of that frame is replaced by ``XX`` in the lines (0x00, flagged as masked, in the payloads
   the driver decodes), in a message cut short too: packed lines show no byte boundaries, so a digit lost
   and one gained inside the frame's line could move the field by a nibble unseen. The same can garble the
   field's prefix (``61 83``), so every answer from the field's unit to the field's request (or to an
   unknown one), a 3-byte negative response aside, has the field masked whatever it starts with
   (:func:`obdident.guard.garbled_offsets`). On CAN, a frame that carries no byte of any message (a
   consecutive frame whose first frame was lost, or whose id was garbled into another unit's) is masked
   whole: nothing is decoded from it. And when the answer may hold a masked field
   (:func:`obdident.guard.may_carry_field`: the field's request, or an unknown one): a message from the
   field's unit is read by position only in the shape of that request's answer (a 3-byte refusal, or long
   enough to hold the field); if one is not, or the answer shows a frame lost or garbled (a message cut
   short, or a frame in no message), every frame is masked whole, whatever its id, but the first frame of
   the field's message cut short (:mod:`obdident.elm327.masking_frames`): a consecutive frame whose id and
   PCI byte are both garbled reads as another unit's whole message (``765 22 A5 5A`` as ``764 02 A5 5A``),
   and lost frames with a garbled PCI shift the field within its own message.
3. An answer that cannot be read so is masked whole: every hex digit of each of its lines but the
   adapter's words becomes ``X`` (:func:`blank`), whatever the line starts with and whichever unit it seems
   to come from. This fails closed: a line that cannot be read cannot be shown to come from a unit without
   masked fields; the receive filter is opened to 700-7FF for the physical probe and clones ignore it; and
   a recording says neither the protocol nor the unit an answer came from.
4. Before the protocol is known, an answer is read under every protocol it reads as (the masks of all of
   them applied, a line any of them masks masked whole); one that reads as none is masked whole, and so is
   one that may hold a masked field but does not read as 11-bit CAN frames, even if it reads as K-line or
   29-bit frames (:func:`mask_answer_any`, which the recording audit uses too).
5. The answer to an adapter command (AT, ST) is the adapter's own text; a line in it that holds a run of
   7 or more hex digits (a frame's 11-bit id and two bytes) is masked whole, since no frame belongs there.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from obdident import guard
from obdident.elm327.lines import (
    MASK,
    PROTOCOLS,
    EcuMessage,
    Frame,
    Protocol,
    parse_frames,
    status_of,
)
from obdident.elm327.masking_frames import carried_with, fits, locate, untrusted
from obdident.errors import IsoTpError, IsoTpTruncatedError, ProtocolError

__all__ = ["MASK", "MaskedAnswer", "blank", "mask_answer", "mask_answer_any", "mask_unfinished"]

_HEX_DIGIT = re.compile(r"[0-9A-Fa-f]")
#: Words an ELM327 prints, kept when a line around them is masked whole, so a masked line still reads as
#: the status it carries (ELM327 datasheet, "Messages and error codes").
_WORDS = re.compile(
    r"NO DATA|BUS INIT|SEARCHING|UNABLE TO CONNECT|BUFFER FULL|BUS BUSY|STOPPED|LV RESET|ACT ALERT|ERROR"
    r"|ELM327",
    re.IGNORECASE,
)
_INFO_LINE = re.compile(r"(SEARCHING|BUS INIT:?)\s*\.*\s*(OK|ERROR)?", re.IGNORECASE)
_BANNER_LINE = re.compile(r"ELM327 v\d+(\.\d+)*[a-z]?", re.IGNORECASE)
#: One protocol of each way of reading lines (11-bit CAN, 29-bit CAN, a 3-byte header): the others of a kind
#: read the same lines the same way.
_READINGS = tuple({(p.can, p.header_bits): p for p in reversed(PROTOCOLS.values())}.values())
#: Hex digits a frame prints at least: an 11-bit id and two bytes (spaces removed).
_FRAME_RUN = re.compile(r"[0-9A-Fa-f]{7,}")


@dataclass(frozen=True)
class MaskedAnswer:
    """An answer with its security-bearing bytes masked.

    Attributes:
        lines: the lines as printed, masked bytes replaced by ``XX`` (hex digits by ``X`` in a line masked
            whole): the only form that is kept.
        messages: the reassembled messages, masked bytes 0x00 and listed in ``EcuMessage.masked``; empty
            when there were no data lines; None when the data lines could not be read (or were cut short).
        error: why the data lines could not be read, or None; its message and lines are masked too.
    """

    lines: tuple[str, ...]
    messages: tuple[EcuMessage, ...] | None
    error: ProtocolError | None


def blank(line: str) -> str:
    """Mask a line whole: every hex digit becomes ``X``; the adapter's words (``DATA ERROR``) are kept."""
    out: list[str] = []
    position = 0
    for word in _WORDS.finditer(line):
        out += [_HEX_DIGIT.sub("X", line[position : word.start()]), word.group()]
        position = word.end()
    return "".join([*out, _HEX_DIGIT.sub("X", line[position:])])


def _adapter_words(line: str) -> bool:
    """The whole line is the adapter's own: a status line, progress, ``OK`` or its banner."""
    compact = line.strip().upper()
    return (
        compact == "OK"
        or status_of(line) == compact
        or bool(_INFO_LINE.fullmatch(compact))
        or bool(_BANNER_LINE.fullmatch(line.strip()))
    )


def _on_bus(request: str | None) -> bool:
    """A request made of hex digits goes on the bus; AT and ST commands stay in the adapter."""
    return request is None or all(c in "0123456789ABCDEFabcdef" for c in request.replace(" ", ""))


def mask_answer(lines: Sequence[str], protocol: Protocol | None, request: str | None = None) -> MaskedAnswer:
    """Read an answer and mask its security-bearing bytes (the module's rule).

    Args:
        lines: the answer's lines as printed (echo removed), raw.
        protocol: the protocol in use, or None before one is known.
        request: the line sent (canonical, ``2183``, ``ATI``), or None when unknown: then the answer is
            taken as one from the bus.

    Returns:
        The masked lines, and the masked messages when the data lines read as whole messages.
    """
    data_index = [i for i, line in enumerate(lines) if not _adapter_words(line)]
    if not data_index:
        return MaskedAnswer(tuple(lines), (), None)
    if not _on_bus(request):
        kept = tuple(
            blank(line) if i in data_index and _FRAME_RUN.search("".join(line.split())) else line
            for i, line in enumerate(lines)
        )
        return MaskedAnswer(kept, None, None)
    if protocol is not None:
        reading = _read(lines, data_index, protocol, request)
        if isinstance(reading, MaskedAnswer):
            return reading
        return _masked_whole(lines, data_index, reading)
    return _read_any(lines, data_index, _READINGS, request)


def mask_answer_any(lines: Sequence[str], protocols: Sequence[Protocol], request: str | None) -> MaskedAnswer:
    """Mask an answer that may come from any of ``protocols`` (rule 4): what the recording audit checks
    against, when a recording shows the adapter on some protocols but not which one an answer came on.

    Args:
        lines: the answer's lines as printed (echo removed).
        protocols: the protocols the answer may have come on (at least one).
        request: the line sent, or None when unknown.

    Returns:
        The masked lines; no messages (the protocol is not known).
    """
    if len(protocols) == 1:
        return mask_answer(lines, protocols[0], request)
    data_index = [i for i, line in enumerate(lines) if not _adapter_words(line)]
    if not data_index or not _on_bus(request):
        return mask_answer(lines, None, request)
    kinds = tuple({(p.can, p.header_bits): p for p in reversed(protocols)}.values())
    return _read_any(lines, data_index, kinds, request)


def _read_any(
    lines: Sequence[str], data_index: Sequence[int], protocols: Sequence[Protocol], request: str | None
) -> MaskedAnswer:
    """Rule 4: read the data lines under each of ``protocols``; a line any reading masks is masked whole.

    An answer that may hold a masked field (:func:`obdident.guard.may_carry_field`) and does not read as
    11-bit CAN frames (the masked fields' units send those) is masked whole, even when it reads as K-line
    or 29-bit frames: its field could not be located, so it fails closed.
    """
    results = {p: _read(lines, data_index, p, request) for p in protocols}
    readings = [r for r in results.values() if isinstance(r, MaskedAnswer)]
    field_unread = guard.may_carry_field(request) and any(
        p.can and p.header_bits == 11 and not isinstance(r, MaskedAnswer) for p, r in results.items()
    )
    if field_unread:
        reason = "an answer that may hold a masked field does not read as 11-bit CAN frames"
        return _masked_whole(lines, data_index, ProtocolError(reason))
    if not readings:
        return _masked_whole(lines, data_index, ProtocolError("the answer reads as no protocol's frames"))
    merged = tuple(
        line if all(r.lines[i] == line for r in readings[1:]) else blank(lines[i])
        for i, line in enumerate(readings[0].lines)
    )
    return MaskedAnswer(merged, None, None)


def mask_unfinished(
    lines: Sequence[str], tail: Sequence[str], protocol: Protocol | None, request: str | None
) -> tuple[str, ...]:
    """Mask an answer the read stopped in (a timeout, a flood, a lost link).

    Args:
        lines: its complete lines (echo removed), read as an answer by :func:`mask_answer`.
        tail: what followed the last line end: a line that may stop in the middle of a byte.
        protocol: the protocol in use, or None.
        request: the line sent, or None.

    Returns:
        The masked lines; the unfinished one masked whole when the request went on the bus (else by the
        adapter-command rule).
    """
    head = mask_answer(lines, protocol, request).lines if lines else ()
    if _on_bus(request):
        return head + tuple(blank(line) for line in tail)
    return head + mask_answer(tail, protocol, request).lines


def _masked_whole(lines: Sequence[str], data_index: Sequence[int], error: ProtocolError) -> MaskedAnswer:
    """Rule 3: every data line masked whole; the error keeps its class, its message names no raw byte."""
    index = set(data_index)
    masked = tuple(blank(line) if i in index else line for i, line in enumerate(lines))
    error.response = masked
    return MaskedAnswer(masked, None, error)


def _read(
    lines: Sequence[str], data_index: Sequence[int], protocol: Protocol, request: str | None
) -> MaskedAnswer | ProtocolError:
    """Rule 2: read the data lines under ``protocol`` and mask by position; the reason when they do not read.

    The reason is a fresh error whose message holds no raw line (only a line masked whole).
    """
    frames: list[Frame] = []
    for i in data_index:
        try:
            frames.extend(parse_frames([lines[i]], protocol))
        except ProtocolError:
            return ProtocolError(f"unexpected line from the adapter: {blank(lines[i])!r}")
    try:
        located = locate(frames, protocol)
    except IsoTpError as err:
        # the reason names no byte read: a garbled frame's PCI or id may be a masked byte moved
        return type(err)("frames that do not reassemble (ISO 15765-2): one lost, repeated or out of order")
    risky = guard.masked_response_ids()
    marks: dict[int, set[int]] = {}
    messages: list[EcuMessage] = []
    cuts: list[bool] = []  # for each message cut short: only its first frame arrived
    carried: set[int] = set()
    by_sender: dict[str, list[str]] = {}
    for each in frames:
        by_sender.setdefault(each.sender, []).append(each.line)
    lines_by_sender = {sender: tuple(kept) for sender, kept in by_sender.items()}
    whole = untrusted(frames, located, protocol, request)
    for sender, payload, positions, complete in located:
        carried.update(f for f, _ in positions)
        if protocol.can and sender in risky and not fits(frames, positions, complete=complete):
            return IsoTpError("frames from a unit with masked fields have lengths ISO 15765-2 does not allow")
        field = {*guard.mask_offsets(sender, payload), *guard.garbled_offsets(sender, payload, request)}
        field.update(o for o, (frame, _) in enumerate(positions) if frame in whole)
        offsets = carried_with(sorted(field), positions)
        for offset in offsets:
            at, byte = positions[offset]
            marks.setdefault(at, set()).add(byte)
        if not complete:
            cuts.append(len({frame for frame, _ in positions}) <= 1)
        masked_payload = bytes(0 if o in offsets else b for o, b in enumerate(payload))
        messages.append(EcuMessage(sender, masked_payload, lines_by_sender[sender], offsets))
    for f, frame in enumerate(frames):
        if protocol.can and (f not in carried or f in whole):
            # a frame in no message (a consecutive frame whose first frame was lost, or whose id was garbled
            # into another unit's): nothing is decoded from it, and it may carry a masked field
            marks.setdefault(f, set()).update(range(len(frame.data)))
        if frame.masked - marks.get(f, set()):
            # XX where no mask rule applies: not an answer obdident masked; do not decode it
            return ProtocolError("masked bytes (XX) where no mask rule applies")
    out = list(lines)
    for f, indexes in marks.items():
        out[data_index[f]] = _mask_bytes(lines[data_index[f]], protocol, indexes)
    rewritten = {lines[data_index[f]]: out[data_index[f]] for f in marks}
    if rewritten:
        lines_of = {s: tuple(rewritten.get(x, x) for x in kept) for s, kept in lines_by_sender.items()}
        messages = [replace(m, lines=lines_of[m.response_id]) for m in messages]
    if cuts:
        error = IsoTpTruncatedError(
            "the answer ended in the middle of a multi-frame message",
            after_first_frame=all(cuts),
            response=out,
        )
        return MaskedAnswer(tuple(out), None, error)
    return MaskedAnswer(tuple(out), tuple(messages), None)


def _mask_bytes(line: str, protocol: Protocol, indexes: set[int]) -> str:
    """Replace data bytes ``indexes`` of one printed frame with ``XX``; a spaced line comes back spaced as
    the ELM327 prints it (``765 22 XX XX 01``, ``18 DA F1 10 ...``), a packed one packed."""
    chars = list("".join(line.split()))
    width = 3 if protocol.header_bits == 11 else 8 if protocol.header_bits == 29 else 6
    for i in indexes:
        chars[width + 2 * i : width + 2 * i + 2] = MASK
    if len(line.split()) == 1:
        return "".join(chars)
    header = "".join(chars[:width])
    head = [header] if width == 3 else [header[j : j + 2] for j in range(0, width, 2)]
    body = "".join(chars[width:])
    return " ".join([*head, *(body[j : j + 2] for j in range(0, len(body), 2))])
