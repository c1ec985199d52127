"""The read-only guard: the one allowlist every line passes before it is written to the adapter.

obdident identifies; it never changes a vehicle or an adapter. The ELM327 driver hands every line to
:meth:`Guard.check` before a byte is written, and only a line that one :data:`ALLOWLIST` row admits goes out.
There is no blocklist: whatever no row admits (SecurityAccess, memory reads, writes, routines, resets,
clearing, adapter EEPROM writes, any other SID) is refused with :class:`~obdident.errors.GuardRefusal`.

Lines are judged in a canonical form: upper case, spaces, tabs and NUL bytes removed. A line holding a
CR or LF (two commands in one write) and an empty line (the ELM327 repeats the previous command on a bare
CR: ELM327 datasheet, "Repeating a command") are refused outright.

Each row says what it admits, why it is read-only and where that is documented. The table is data: a later
capability adds rows, never code paths. A row may carry a condition on the guard's context (the header in
force, whether the vehicle is established as a Nissan): Nissan's diagnostic session ``10 C0`` is admitted
only to a Nissan physical address on a vehicle established as Nissan (evidence: ``10 C0`` sent to a Ford
engine ECU once put it in neutral-tow mode, openpilot PR #28585).

Beside the allowlist lives :data:`MASKS`: response fields known to carry security data. The driver masks
them before anything is decoded, logged, reported or recorded (:mod:`obdident.elm327.masking`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from obdident.errors import GuardRefusal

__all__ = [
    "ALLOWLIST",
    "MASKS",
    "NISSAN_SESSION_TARGETS",
    "Guard",
    "GuardContext",
    "MaskRule",
    "Rule",
    "canonical",
    "is_allowed",
    "mask_offsets",
    "masked_response_ids",
]

_HEX = "[0-9A-F]"
# The optional single hex digit an ELM327 v1.3+ takes after an OBD request: the number of responses to wait
# for (ELM327 datasheet, "Talking to the Vehicle").
_COUNT = "[1-9A-F]?"


@dataclass
class GuardContext:
    """What the guard knows when it judges a line.

    Attributes:
        header: the header (request id) the adapter uses, as the last admitted AT SH set it; None after a
            reset (AT Z, AT WS, AT D): the protocol's functional default.
        nissan_basis: why the vehicle counts as a Nissan (WMI, CALID prefix, the user's ``--make nissan``),
            or None while it is not established.
    """

    header: str | None = None
    nissan_basis: str | None = None


Condition = Callable[[GuardContext], "str | None"]


@dataclass(frozen=True)
class Rule:
    """One allowlist row.

    Attributes:
        name: short label, shown in refusals and the docs.
        pattern: a full-match regular expression over the canonical line.
        reason: why the line only reads, or only changes volatile adapter state.
        source: the document that defines the command.
        condition: for context-dependent rows, returns why the line is refused now, or None to admit it.
    """

    name: str
    pattern: re.Pattern[str]
    reason: str
    source: str
    condition: Condition | None = field(default=None, compare=False)


def _rule(name: str, pattern: str, reason: str, source: str, condition: Condition | None = None) -> Rule:
    return Rule(name, re.compile(pattern), reason, source, condition)


_EVIDENCE = "shared/evidence/nissan-identification.md"

#: Nissan physical request ids that may receive Nissan's diagnostic session ``10 C0``: the units public
#: captures show on Nissans (evidence section 1, status [C] or [L]); never the unconfirmed AV/audio guesses.
NISSAN_SESSION_TARGETS: frozenset[str] = frozenset(
    {"7E0", "7E1", "740", "742", "743", "745", "74D", "752", "707", "797", "79B", "746"}
)


def _nissan_physical(context: GuardContext) -> str | None:
    if context.nissan_basis is None:
        return "Nissan's session 10 C0 is sent only to a vehicle established as a Nissan"
    if context.header not in NISSAN_SESSION_TARGETS:
        return f"Nissan's session 10 C0 is sent only to a known Nissan physical address, not {context.header}"
    return None


_ELM = "ELM327 datasheet (ELM327DS), AT command summary"
_VOLATILE = "changes only volatile adapter settings, restored by AT Z / power-off"

#: The allowlist. Order does not matter: a line is admitted when any row's pattern matches it whole.
ALLOWLIST: tuple[Rule, ...] = (
    # --- adapter: resets that touch no stored setting -----------------------------------------------
    _rule("AT Z", r"ATZ", "resets the adapter chip; reads back its version banner; stores nothing", _ELM),
    _rule("AT WS", r"ATWS", "warm start; stores nothing", _ELM),
    _rule("AT D", r"ATD", "returns volatile settings to their defaults; stores nothing", _ELM),
    # --- adapter: volatile formatting and timing --------------------------------------------------
    _rule("AT E0/E1", r"ATE[01]", "echo off/on; " + _VOLATILE, _ELM),
    _rule("AT L0/L1", r"ATL[01]", "linefeeds off/on; " + _VOLATILE, _ELM),
    _rule("AT S0/S1", r"ATS[01]", "spaces off/on; " + _VOLATILE, _ELM),
    _rule("AT H0/H1", r"ATH[01]", "headers off/on; " + _VOLATILE, _ELM),
    _rule("AT AT0-2", r"ATAT[012]", "adaptive timing mode; " + _VOLATILE, _ELM),
    _rule("AT ST hh", rf"ATST{_HEX}{{2}}", "receive timeout in 4.096 ms steps; " + _VOLATILE, _ELM),
    _rule("AT CAF0/1", r"ATCAF[01]", "CAN automatic formatting; " + _VOLATILE, _ELM),
    _rule("AT CFC0/1", r"ATCFC[01]", "CAN automatic flow control; " + _VOLATILE, _ELM),
    _rule("AT AL/NL", r"AT[AN]L", "allow long / normal length messages; " + _VOLATILE, _ELM),
    _rule("AT AR", r"ATAR", "automatic receive address; " + _VOLATILE, _ELM),
    _rule("AT V0/V1", r"ATV[01]", "variable DLC; " + _VOLATILE, _ELM),
    _rule("AT R0/R1", r"ATR[01]", "responses off/on; " + _VOLATILE, _ELM),
    _rule("AT PC", r"ATPC", "protocol close; " + _VOLATILE, _ELM),
    # --- adapter: identification (reads only) ------------------------------------------------------
    _rule("AT I", r"ATI", "reads the chip's version string", _ELM),
    _rule("AT @1", r"AT@1", "reads the device description", _ELM),
    _rule(
        "AT @2", r"AT@2", "reads the device identifier (AT @3, which writes it once, is not allowed)", _ELM
    ),
    _rule("AT RV", r"ATRV", "reads the supply voltage", _ELM),
    _rule("AT DP/DPN", r"ATDPN?", "reads the current protocol", _ELM),
    _rule("AT KW", r"ATKW[01]?", "reads the key words / sets key word checking; " + _VOLATILE, _ELM),
    _rule("STI/STDI", r"ST(I|DI)", "reads the STN chip's firmware / device id", "STN1100 Family Reference"),
    # --- adapter: protocol selection without saving ----------------------------------------------
    _rule(
        "AT SP 0/Ah",
        r"ATSP(0|A[1-9A-C])",
        "automatic protocol search; the automatic values only, so no fixed protocol is made the default",
        _ELM,
    ),
    _rule("AT TP h/Ah", r"ATTPA?[1-9A-C]", "tries a protocol without saving it; " + _VOLATILE, _ELM),
    # --- adapter: addressing for reads -----------------------------------------------------------
    _rule(
        "AT SH",
        rf"ATSH({_HEX}{{3}}|{_HEX}{{6}}|{_HEX}{{8}})",
        "sets the header (request id) of the following requests; " + _VOLATILE,
        _ELM,
    ),
    _rule(
        "AT CRA",
        r"ATCRA([0-9A-FX]{3}|[0-9A-FX]{8})?",
        "CAN receive address filter; " + _VOLATILE,
        _ELM,
    ),
    _rule("AT CF", rf"ATCF({_HEX}{{3}}|{_HEX}{{8}})", "CAN id filter; " + _VOLATILE, _ELM),
    _rule("AT CM", rf"ATCM({_HEX}{{3}}|{_HEX}{{8}})", "CAN id mask; " + _VOLATILE, _ELM),
    _rule(
        "AT FC SH/SD/SM",
        rf"ATFC(SH({_HEX}{{3}}|{_HEX}{{8}})|SD({_HEX}{{2}}){{1,5}}|SM[0-2])",
        "the flow control frame the adapter answers a first frame with; " + _VOLATILE,
        _ELM,
    ),
    _rule("AT CP hh", rf"ATCP{_HEX}{{2}}", "CAN priority bits of 29-bit headers; " + _VOLATILE, _ELM),
    _rule("AT IIA hh", rf"ATIIA{_HEX}{{2}}", "ISO 9141/14230 init address; " + _VOLATILE, _ELM),
    _rule("AT SI/FI", r"AT[SF]I", "performs a slow / fast K-line initiation; sends no request", _ELM),
    _rule("AT SW hh", rf"ATSW{_HEX}{{2}}", "K-line wakeup interval; " + _VOLATILE, _ELM),
    # --- vehicle: SAE J1979 read-only services -----------------------------------------------------
    _rule(
        "OBD 01",
        rf"01({_HEX}{{2}}){{1,6}}{_COUNT}",
        "reads current powertrain data (one to six PIDs)",
        "SAE J1979 / ISO 15031-5 service 01",
    ),
    _rule(
        "OBD 09",
        rf"09{_HEX}{{2}}{_COUNT}",
        "reads vehicle information: VIN, CALID, CVN, ECU name (one InfoType)",
        "SAE J1979 / ISO 15031-5 service 09",
    ),
    # --- vehicle: identification reads on physical addresses, one identifier per request ---------------
    _rule(
        "UDS 22 F180-F19F",
        rf"22F1[89]{_HEX}{_COUNT}",
        "ReadDataByIdentifier of one identification DID (part, software, hardware, serial numbers, VIN)",
        "ISO 14229-1:2020 §11.2 and Annex C.1",
    ),
    _rule(
        "KWP 21 80/81/83/F0/F1/FE/FF",
        rf"21(80|81|83|F0|F1|FE|FF){_COUNT}",
        "ReadDataByLocalIdentifier of one identification LID (Nissan 83: ECU identification, 81: VIN; "
        "Renault-built 80/FE/FF: product and hardware numbers). Never 21 21: a BCM serial usable for PIN "
        "calculation",
        "ISO 14230-3 (KWP2000) service 21; Nissan LIDs: " + _EVIDENCE + " section 2",
    ),
    _rule(
        "KWP 1A 80-9F",
        rf"1A[89]{_HEX}{_COUNT}",
        "ReadEcuIdentification, one identification option",
        "ISO 14230-3 (KWP2000) service 1A; Nissan 1A 81: fenugrec/nisprog",
    ),
    _rule(
        "TesterPresent 3E 00/80",
        rf"3E(00|80){_COUNT}",
        "keeps a session open; changes nothing",
        "ISO 14229-1:2020 §10.5; ISO 14230-3 service 3E",
    ),
    _rule(
        "Default session 10 01/81",
        rf"10(01|81){_COUNT}",
        "returns an ECU to its default diagnostic session (UDS 01, KWP2000 81)",
        "ISO 14229-1:2020 §10.2; ISO 14230-3 service 10",
    ),
    _rule(
        "Nissan session 10 C0",
        rf"10C0{_COUNT}",
        "Nissan's diagnostic session, in which some Nissan units (J10 BCM, EPS) answer identification LIDs",
        "balrog-kun/nissan-qashqai-can-info; openpilot PR #22655; " + _EVIDENCE + " section 2",
        _nissan_physical,
    ),
)


@dataclass(frozen=True)
class MaskRule:
    """A response field known to carry security data, masked before anything leaves the driver.

    Attributes:
        name: what the field is.
        response_id: the unit that sends it, upper-case hex.
        prefix: the positive response it sits in (SID + identifier).
        offsets: the payload byte offsets (0 = the response SID) to mask.
        source: where the field's meaning is documented.
    """

    name: str
    response_id: str
    prefix: bytes
    offsets: tuple[int, ...]
    source: str


#: Security-bearing response fields. The driver replaces these bytes in the lines it keeps and marks them
#: masked in the payloads it decodes.
MASKS: tuple[MaskRule, ...] = (
    MaskRule(
        "Nissan BCM encrypted PIN (61 83 bytes L-M)",
        "765",
        b"\x61\x83",
        (13, 14),
        "balrog-kun/nissan-qashqai-can-info; " + _EVIDENCE + " section 6",
    ),
)


def mask_offsets(response_id: str, payload: bytes) -> tuple[int, ...]:
    """Return the payload offsets that :data:`MASKS` says hold security data.

    Args:
        response_id: the sender, upper-case hex.
        payload: the complete message, response SID first.

    Returns:
        Sorted offsets inside ``payload``; empty when no mask rule applies.
    """
    found: set[int] = set()
    for rule in MASKS:
        if rule.response_id == response_id.upper() and payload.startswith(rule.prefix):
            found.update(o for o in rule.offsets if o < len(payload))
    return tuple(sorted(found))


def masked_response_ids() -> frozenset[str]:
    """The response ids whose answers may hold masked fields (for conservative masking of garbled answers)."""
    return frozenset(rule.response_id for rule in MASKS)

_FORBIDDEN_CHARS = re.compile(r"[\r\n]")
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


def _refusal_reason(line: str, text: str, context: GuardContext) -> str | None:
    if _FORBIDDEN_CHARS.search(line):
        return "a line may not hold CR or LF: one command per write"
    if not text:
        return "an empty line makes the ELM327 repeat its previous command, whatever that was"
    if not text.isascii():
        return "non-ASCII characters"
    rule = _find_rule(text)
    if rule is None:
        return "no allowlist rule admits it (obdident only reads)"
    return rule.condition(context) if rule.condition is not None else None


def is_allowed(line: str, context: GuardContext | None = None) -> bool:
    """Tell whether the guard would admit ``line``, without raising.

    Args:
        line: one command, without the trailing CR.
        context: the header in force and what is known of the vehicle; a fresh context when omitted.

    Returns:
        True when an :data:`ALLOWLIST` row admits the canonical form of ``line`` in ``context``.
    """
    return _refusal_reason(line, canonical(line), context or GuardContext()) is None


class Guard:
    """The choke point: :meth:`check` admits a line or raises, before anything is written.

    The driver owns one Guard and calls :meth:`check` for every line; tests audit the wire with
    :func:`is_allowed`. Attributes record what was refused, for the report.

    Attributes:
        refused: the lines refused so far, in order.
        context: the header in force and what is known of the vehicle; :meth:`check` keeps the header.
    """

    def __init__(self, context: GuardContext | None = None) -> None:
        self.refused: list[str] = []
        self.context = context or GuardContext()

    def establish_nissan(self, basis: str) -> None:
        """Record that the vehicle is a Nissan, and why (admits ``10 C0`` to Nissan physical addresses).

        Args:
            basis: the evidence, for the report (``WMI SJN``, ``CALID 23710BB31A``, ``--make nissan``).
        """
        self.context.nissan_basis = basis

    def check(self, line: str) -> str:
        """Admit ``line`` or refuse it.

        Args:
            line: one command, without the trailing CR.

        Returns:
            The canonical line, which is what the driver writes.

        Raises:
            GuardRefusal: no allowlist row admits the line; nothing may be written.
        """
        text = canonical(line)
        reason = _refusal_reason(line, text, self.context)
        if reason is not None:
            self.refused.append(line)
            raise GuardRefusal(line, reason)
        if text.startswith("ATSH"):
            self.context.header = text[4:]
        elif text in ("ATZ", "ATWS", "ATD"):
            self.context.header = None
        return text
