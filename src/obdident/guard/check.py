"""Judging one line: the canonical form, the allowlist match, the conditions, and the :class:`Guard` that
keeps the adapter's state between lines.

Part of :mod:`obdident.guard`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Literal

from obdident.errors import GuardRefusal
from obdident.guard.context import (
    ANY_FAMILY,
    CAN,
    CAN11,
    CAN29,
    OTHER,
    PROTOCOL_FAMILIES,
    STN_PRESET_FAMILIES,
    USER,
    GuardContext,
)
from obdident.guard.rules import ALLOWLIST, CAN_ID_RE, KLINE_HEADER_RE, Rule

_FORBIDDEN_CHARS = re.compile(r"[\r\n]")
_HEX_LINE = re.compile(r"[0-9A-F]+")
_IGNORED_CHARS = str.maketrans("", "", " \t\x00")


def canonical(line: str) -> str:
    """Return ``line`` in the form the guard judges and the driver writes.

    Args:
        line: one command as a caller wrote it (any case, spaces allowed), without the trailing CR.

    Returns:
        The line in upper case with spaces, tabs and NUL bytes removed.
    """
    return line.translate(_IGNORED_CHARS).upper()


def _find_rule(text: str) -> Rule | None:
    for rule in ALLOWLIST:
        if rule.pattern.fullmatch(text):
            return rule
    return None


def _find_request(text: str) -> Rule | None:
    for rule in ALLOWLIST:
        if rule.request and rule.pattern.fullmatch(text):
            return rule
    return None


def _header_refusal(context: GuardContext) -> str | None:
    """Why a header the adapter may use may not carry a request on some family it may be on, or None."""
    on_can = context.families & CAN
    for header in sorted(context.values("header"), key=str):
        if header is None:
            # The protocol's default: the fixed 7DF on 11-bit CAN; elsewhere it carries the stored tester
            # address (PP 06) and, on 29-bit CAN, the AT CP priority: 18 DB 33 tt, 68 6A tt, C1 33 tt.
            if context.families - {CAN11}:
                return (
                    "the default header off 11-bit CAN carries the tester address stored in PP 06: set the "
                    "header (AT SH) after the reset, on a pinned protocol (AT TP h)"
                )
            continue
        if on_can and not CAN_ID_RE.fullmatch(header):
            return (
                f"header {header} is no CAN diagnostic id, and the adapter may be on CAN: set AT TP 1-5 first"
            )
        if OTHER in context.families and not KLINE_HEADER_RE.fullmatch(header):
            # AT SH xyz off CAN is the header 00 0x yz, an 8-digit one four header bytes: neither addresses
            # a diagnostic target (SAE J1979, ISO 14230-4: 68 6A F1, C1 33 F1, 81 tt F1)
            return (
                f"header {header} is a CAN id, and the adapter may be on K-line or J1850, where it would be "
                "other header bytes: pin a CAN protocol (AT TP 6-9) first"
            )
        width = _width_refusal("header", header, on_can)
        if width is not None:
            return width
    return None


def _width_refusal(what: str, can_id: str, on_can: frozenset[str]) -> str | None:
    """Why ``can_id`` would become another id on a CAN family the adapter may be on, or None.

    An 11-bit id on 29-bit CAN becomes AT CP + 00 0x xx (18 00 07 DF for 7DF); a 29-bit id on 11-bit CAN
    keeps only its low 11 bits (ELM327 datasheet, AT SH). Neither is a diagnostic id (ISO 15765-4 §6.3).
    """
    width = CAN11 if len(can_id) == 3 else CAN29
    if on_can - {width}:
        return (
            f"{what} {can_id} is a {'11' if width == CAN11 else '29'}-bit id, and the adapter may be on "
            f"{'29' if width == CAN11 else '11'}-bit CAN: pin the protocol (AT TP h) first"
        )
    return None


def _raw_frame_request(text: str) -> str | None:
    """The request a raw CAN frame (AT CAF0) carries as an ISO 15765-2 single frame, or None if it is none."""
    if len(text) % 2 or len(text) < 4 or not _HEX_LINE.fullmatch(text):
        return None
    frame = bytes.fromhex(text)
    pci = frame[0]
    if pci >> 4 != 0 or (pci & 0x0F) != len(frame) - 1 or len(frame) > 8:
        return None  # not a single frame whose length matches: first/consecutive/flow control, or garbled
    return text[2:]


def _request_refusal(rule: Rule, text: str, context: GuardContext) -> str | None:
    """Judge a request line by the frames it causes (see the module docstring)."""
    if not context.reset_seen:
        return "the adapter's settings are unknown until a reset (AT Z, AT WS or AT D): no request before it"
    if USER in context.families:
        return (
            "the adapter may be on SAE J1939 or a user CAN protocol (A, B, C: stored with AT SP, or reached "
            "by a search PP 07 extends), whose frames stored parameters shape (PP 2B-2F): pin a protocol "
            "1-9 (AT TP h) first"
        )
    header = _header_refusal(context)
    if header is not None:
        return header
    modes = context.values("fc_mode")
    if (1 in modes and None in context.values("fc_header")) or (
        modes & {1, 2} and None in context.values("fc_data")
    ):
        # AT FC SM 1/2 may have run on a reset's blank FC SH / SD (a brown-out as the line arrived)
        return (
            "flow control mode 1 or 2 may be on without its header or data: set AT FC SM 0, or AT FC SH "
            "and AT FC SD"
        )
    if 1 in modes:  # an answer's first frame gets flow control on FC SH
        for fc_header in sorted(context.values("fc_header") - {None}):
            width = _width_refusal("the flow control header", fc_header, context.families & CAN)
            if width is not None:
                return width
    formats = context.values("auto_format")
    if True in formats:  # CAF1: the adapter adds the single frame's PCI to the line's own bytes
        own = _find_request(text)
        if own is None:
            return "with AT CAF1 (which may be in force) the line itself must be an allowlisted request"
        refusal = own.condition(context) if own.condition is not None else None
        if refusal is not None:
            return refusal
    if False not in formats:
        return None
    # AT CAF0: the bytes are the frame as it is; off CAN they would be the message data instead.
    if OTHER in context.families:
        return "with AT CAF0 a line is judged as a raw CAN frame: set a CAN protocol (AT TP 6-C) first"
    carried = _raw_frame_request(text)
    inner = _find_request(carried) if carried is not None else None
    if carried is None or inner is None:
        return (
            "with AT CAF0 the line is the CAN frame itself: its first byte is the ISO 15765-2 PCI, and it "
            "must be a single frame carrying an allowlisted request"
        )
    return inner.condition(context) if inner.condition is not None else None


def _raw_condition_line(text: str, context: GuardContext) -> Rule | None:
    """Under AT CAF0 a line like ``020902`` matches no row as text; find the row of the request it carries."""
    if False not in context.values("auto_format") or not context.reset_seen:
        return None
    carried = _raw_frame_request(text)
    return _find_request(carried) if carried is not None else None


def _adapter_refusal(text: str, context: GuardContext) -> str | None:
    """Judge an AT command that changes the frames later lines cause (flow control mode)."""
    if text == "ATFCSM1" and None in context.values("fc_header") | context.values("fc_data"):
        return "AT FC SM 1 only after AT FC SH and AT FC SD were set through the guard since the last reset"
    if text == "ATFCSM2" and None in context.values("fc_data"):
        return "AT FC SM 2 only after AT FC SD was set through the guard since the last reset"
    return None


def _refusal_reason(line: str, text: str, context: GuardContext) -> str | None:
    if _FORBIDDEN_CHARS.search(line):
        return "a line may not hold CR or LF: one command per write"
    if not text:
        return "an empty line makes the ELM327 repeat its previous command, whatever that was"
    if not text.isascii():
        return "non-ASCII characters"
    rule = _find_rule(text) or _raw_condition_line(text, context)
    if rule is None:
        return "no allowlist rule admits it (obdident only reads)"
    if rule.request:
        return _request_refusal(rule, text, context)
    if rule.condition is not None:
        return rule.condition(context)
    return _adapter_refusal(text, context)


def _apply(text: str, context: GuardContext) -> None:
    """Keep the adapter state an admitted line changes (ELM327 datasheet: AT D, CAF, FC, SH, TP)."""
    if text in ("ATZ", "ATWS", "ATD"):
        context.reset()
        return
    if text.startswith("ATTP"):
        number = text[4:]
        # AT TP A h tries the protocol, then searches up to the protocol PP 07 stores: 9, or A-C
        context.families = ANY_FAMILY if number.startswith("A") else PROTOCOL_FAMILIES[number]
        return
    if text.startswith("STP") and text[3:] in STN_PRESET_FAMILIES:
        # STP p: the current preset, like AT TP h (OBDLink FRPM rev F, STP); STPBR changes no frame's shape
        context.families = STN_PRESET_FAMILIES[text[3:]]
        return
    for prefix, key in _SETTINGS:
        if text.startswith(prefix):
            value = text[len(prefix) :]
            setattr(
                context,
                key,
                value == "1" if key == "auto_format" else int(value) if key == "fc_mode" else value,
            )
            context.maybe.pop(key, None)  # the command took effect, unless Guard.settle hears otherwise
            return


#: The AT commands that set one frame-shaping setting, and the setting.
_SETTINGS = (("ATSH", "header"), ("ATCAF", "auto_format"), ("ATFCSH", "fc_header"), ("ATFCSD", "fc_data"),
             ("ATFCSM", "fc_mode"))  # fmt: skip
_KEYS = tuple(key for _, key in _SETTINGS)


def _unconfirmed(before: GuardContext, after: GuardContext) -> None:
    """Widen ``after`` (the state if a command took effect) by ``before`` (the state if it did not)."""
    after.reset_seen = before.reset_seen and after.reset_seen
    after.families = after.families | before.families
    for key in _KEYS:
        others = (after.maybe.get(key, frozenset()) | before.values(key)) - {getattr(after, key)}
        if others:
            after.maybe[key] = others


def is_allowed(line: str, context: GuardContext | None = None) -> bool:
    """Tell whether the guard would admit ``line``, without raising or changing ``context``.

    Args:
        line: one command, without the trailing CR.
        context: the adapter state and what is known of the vehicle; when omitted, the state the driver
            sets up before its first request: a reset, AT CAF1 and AT TP 6 confirmed
            (:meth:`GuardContext.set_up`).

    Returns:
        True when an :data:`ALLOWLIST` row admits the canonical form of ``line`` and every frame it can cause
        in ``context`` is read-only.
    """
    return (
        _refusal_reason(line, canonical(line), context or GuardContext.set_up(PROTOCOL_FAMILIES["6"])) is None
    )


class Guard:
    """The choke point: :meth:`check` admits a line or raises, before anything is written.

    The driver owns one Guard and calls :meth:`check` for every line; tests audit the wire with
    :func:`is_allowed` and by replaying each stream through a fresh Guard. Attributes record what was
    refused, for the report.

    Attributes:
        refused: the lines refused so far, in order.
        context: the adapter state and what is known of the vehicle; :meth:`check` keeps the state.
    """

    def __init__(self, context: GuardContext | None = None) -> None:
        self.refused: list[str] = []
        self.context = context or GuardContext()
        self._before: GuardContext | None = None
        self._last = ""
        self._in_step = True

    @property
    def in_step(self) -> bool:
        """False after :meth:`lost_prompt` until :meth:`resynchronized` says the answers read belong to the
        lines written again."""
        return self._in_step

    def establish_nissan(self, basis: str) -> None:
        """Record that the vehicle is a Nissan, and why (admits ``10 C0`` to :data:`NISSAN_SESSION_TARGETS`).

        Args:
            basis: the evidence, for the report (``WMI SJN``, ``CALID 23710BB31A``, ``--make nissan``).
        """
        self.context.nissan_basis = basis

    def check(self, line: str) -> str:
        """Admit ``line`` or refuse it, and keep the adapter state it changes.

        Args:
            line: one command, without the trailing CR.

        Returns:
            The canonical line, which is what the driver writes.

        Raises:
            GuardRefusal: no allowlist row admits the line, or a frame it can cause in the current adapter
                state is not read-only; nothing may be written.
        """
        text = canonical(line)
        reason = _refusal_reason(line, text, self.context)
        if reason is not None:
            self.refused.append(line)
            raise GuardRefusal(line, reason)
        self._before = replace(self.context, maybe=dict(self.context.maybe))
        self._last = text
        _apply(text, self.context)
        return text

    def settle(self, outcome: Literal["confirmed", "refused", "unknown", "reset"]) -> None:
        """Tell the guard how the adapter answered the line :meth:`check` last admitted.

        :meth:`check` keeps the state as if an AT command took effect (``confirmed``: ``OK``, or a reset's
        banner). ``refused``: the adapter answered ``?``, which the ELM327 gives for a command it did not
        understand and did not carry out (ELM327 datasheet, "AT Commands"), so the state before it is
        restored. ``unknown``: a garbled answer, a status line or none at all; the command may or may not
        have taken effect, so each setting it changed may have either value and later lines are judged for
        both (a flow control header that failed to change stays possible on the next protocol), and a reset
        may not have happened. ``reset``: the answer shows the adapter's start-up banner or ``LV RESET``
        (after AT Z / AT WS, or a reset of its own: a brown-out), so the stored settings are back
        (:meth:`GuardContext.reset`), whatever the line was; the line may have run before the reset or,
        when the adapter reset as it arrived, after it: both states stay possible. Without a call the
        command counts as confirmed (the wire audit judges lines alone).

        While answers are out of step (:meth:`lost_prompt`) an answer may be an earlier line's: ``OK`` and
        ``?`` then count as ``unknown``, and a banner as a reset that may or may not have come last.

        Args:
            outcome: ``confirmed``, ``refused``, ``unknown`` or ``reset``.
        """
        before, self._before = self._before, None
        if before is None:
            return
        if self._last == "ATI" and outcome != "refused":
            # AT I answers the chip's version, which reads as the banner a reset prints (ELM327 datasheet,
            # AT I, AT Z): a reset during AT I cannot be told, so both states stay possible
            self.maybe_reset()
            return
        if outcome == "reset":
            reset = replace(before, maybe={})
            reset.reset()
            then = replace(reset, maybe=dict(reset.maybe))
            _apply(self._last, then)
            _unconfirmed(reset, then)
            if self._in_step:
                # in step: the banner is this line's answer, so the adapter reset; the line may have run
                # before it (or been lost with the input the reset dropped), or after it, when the adapter
                # reset of its own (a brown-out) as the line arrived: both states stay possible
                self.context = then
                return
            # The banner may be an earlier reset's, and this line may have taken effect before or after
            # it, or not at all: every one of those states stays possible.
            _unconfirmed(before, self.context)
            _unconfirmed(self.context, then)
            self.context = then
            return
        if not self._in_step:
            outcome = "unknown"
        if outcome == "confirmed" or not self._last.startswith(("AT", "ST")):
            return
        if outcome == "refused":
            self.context = before
        else:
            _unconfirmed(before, self.context)

    def lost_prompt(self) -> None:
        """Tell the guard that the answer to the line :meth:`check` last admitted did not end in a prompt
        (a timeout, an oversize answer, link trouble): that line may still take effect, and its answer may
        be read as a later line's (ELM327 datasheet: one prompt per command). The line counts as
        ``unknown``, and answers count as out of step until :meth:`resynchronized`."""
        self.settle("unknown")
        self._in_step = False

    def maybe_reset(self) -> None:
        """Tell the guard that the adapter may have reset (a banner in a late answer, or AT I's version
        string, which reads as one): the state it stores may be back, or not (both stay possible)."""
        reset = replace(self.context, maybe={})
        reset.reset()
        _unconfirmed(self.context, reset)
        self.context = reset

    def resynchronized(self) -> None:
        """Tell the guard that every line written has had its prompt read: the next answer is the next
        line's (the wire read the late prompt before writing again)."""
        self._in_step = True
