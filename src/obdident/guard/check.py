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
    GuardContext,
)
from obdident.guard.rules import ALLOWLIST, CAN_ID_RE, Rule

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
            continue  # the protocol's default: 7DF / 18DB33F1 on CAN, 68 6A F1 / C1 33 F1 off CAN
        if on_can and not CAN_ID_RE.fullmatch(header):
            return (
                f"header {header} is no CAN diagnostic id, and the adapter may be on CAN: set AT TP 1-5 first"
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
    header = _header_refusal(context)
    if header is not None:
        return header
    if 1 in context.values("fc_mode"):  # an answer's first frame gets flow control on FC SH
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
        # AT TP A h tries the protocol, then searches every family
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
        context: the adapter state and what is known of the vehicle; when omitted, the state right after a
            reset (:meth:`GuardContext.after_reset`).

    Returns:
        True when an :data:`ALLOWLIST` row admits the canonical form of ``line`` and every frame it can cause
        in ``context`` is read-only.
    """
    return _refusal_reason(line, canonical(line), context or GuardContext.after_reset()) is None


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
        self._before = None
        if text.startswith(("AT", "ST")):
            self._before = replace(self.context, maybe=dict(self.context.maybe))
        _apply(text, self.context)
        return text

    def settle(self, outcome: Literal["confirmed", "refused", "unknown"]) -> None:
        """Tell the guard how the adapter answered the AT command :meth:`check` last admitted.

        :meth:`check` keeps the state as if the command took effect (``confirmed``: ``OK``, or a reset's
        banner). ``refused``: the adapter answered ``?``, which the ELM327 gives for a command it did not
        understand and did not carry out (ELM327 datasheet, "AT Commands"), so the state before it is
        restored. ``unknown``: a garbled answer, a status line or none at all; the command may or may not
        have taken effect, so each setting it changed may have either value and later lines are judged for
        both (a flow control header that failed to change stays possible on the next protocol), and a reset
        may not have happened. Without a call the command counts as confirmed (the wire audit judges lines
        alone).

        Args:
            outcome: ``confirmed``, ``refused`` or ``unknown``.
        """
        before, self._before = self._before, None
        if before is None or outcome == "confirmed":
            return
        if outcome == "refused":
            self.context = before
        else:
            _unconfirmed(before, self.context)
