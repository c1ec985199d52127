"""The read-only guard: every line passes it before it is written, judged by the frames it causes.

obdident identifies; it never changes a vehicle or an adapter. The ELM327 driver hands every line to
:meth:`Guard.check` before a byte is written. A line is admitted only when (1) one :data:`ALLOWLIST` row
admits its text and (2) every frame it can put on the bus, given the adapter state the guard keeps, is in
the read-only set. There is no blocklist: whatever no row admits (SecurityAccess, memory reads, writes,
routines, resets, clearing, any other SID, and every command that writes the adapter's non-volatile memory:
AT SP in all forms, AT PP, AT SD, AT @3, AT BRD/BRT, STN save commands) is refused with
:class:`~obdident.errors.GuardRefusal`.

Lines are judged in a canonical form: upper case, spaces, tabs and NUL bytes removed. A line holding a CR
or LF (two commands in one write) and an empty line (the ELM327 repeats the previous command on a bare CR:
ELM327 datasheet, "Repeating a command") are refused outright.

The frame model (state kept in :class:`GuardContext`):

* Reset seen. Volatile settings survive between programs until a reset, so before the first AT Z, AT WS or
  AT D the guard knows nothing of them (another program may have left CAF0 or a forged flow control frame)
  and refuses every line that puts a frame on the bus. A reset restores the defaults: automatic formatting
  on, flow control mode 0, FC header and data unset, default header (ELM327 datasheet, AT D, AT WS, AT Z).
  The protocol after a reset is the one stored in the adapter, unknown to the guard.
* Protocol family: 11-bit CAN, 29-bit CAN, or neither (K-line, J1850): AT TP 1-5 non-CAN, 6/8 11-bit, 7/9/A
  29-bit, B/C either CAN (AT PB sets their width); AT TP A<h> and a reset any (automatic search, or the
  protocol stored in the adapter). A line is judged for every family the adapter may be on, so the driver
  pins the protocol the search found (AT TP h) before it sets a header.
* Header (AT SH). On CAN the frame's id: the protocol default (7DF / 18DB33F1), an 11-bit id 700-7FF or a
  29-bit ``18 DA tt F1`` / ``18 DB 33 F1`` (ISO 15765-4 §6.3: the diagnostic ids). Off CAN the header
  bytes: the default, or ``68 6A F1``, ``C1 33 F1``, ``81 tt F1|FC`` (SAE J1979 / ISO 14230-4 diagnostic
  headers). AT SH admits nothing else. A 3-digit id on 29-bit CAN becomes AT CP + ``00 0x xx``
  and an 8-digit id on 11-bit CAN keeps its low 11 bits (ELM327 datasheet, AT SH): neither is a diagnostic
  id, so a request under a set header (or flow control on FC SH) is admitted only once every CAN family the
  adapter may be on has the header's width. A 6-digit header on CAN would become a CAN id (its low 11 bits, or
  AT CP + 24 bits: ELM327 datasheet, AT SH), so under one a request is admitted only once the family is
  known to be non-CAN (AT TP 1-5). Off CAN, a CAN-id header only addresses: the data stays an allowlisted
  read request (not modelled further; obdident sends CAN-id headers only on CAN).
* Automatic formatting (AT CAF, CAN only; ELM327 datasheet, "CAN Message Formats"). CAF1: the adapter adds
  the ISO 15765-2 PCI byte, so the frame is a single frame ``0L`` + the request, and the request must be one
  an ALLOWLIST request row admits. CAF0: the adapter sends the bytes as they are, so the first byte is the
  PCI an ECU reads: the line must be a whole single frame, ``0L`` with L (1-7) the number of bytes after it,
  carrying an admitted request (``02 09 02`` is admitted; ``01 04`` is a single frame carrying OBD service
  04, clear DTCs, and refused). Off CAN the line is the message data (header and checksum added), so a
  CAF0 line is admitted only once the family is known to be CAN.
* Flow control (AT FC SH / SD / SM; ELM327 datasheet, "Altering Flow Control Messages"; ISO 15765-2 §9.6.5).
  The adapter answers an ECU's first frame with a flow control frame: mode 0 ``30 00 00`` on the automatic
  id, mode 1 the FC SD bytes on the FC SH id, mode 2 the FC SD bytes on the automatic id. FC SD is admitted
  only as a flow control frame ``30 BS STmin`` (ContinueToSend; STmin 00-7F or F1-F9), FC SH only as a
  diagnostic CAN id, and AT FC SM 1 (SM 2) only when FC SH and FC SD (FC SD) were set through the guard
  since the last reset. So no state transition makes an admitted setting send anything else.

The rows of the table are data: a later capability adds rows, never code paths. A row may carry a condition
on the guard's context (the header in force, whether the vehicle is established as a Nissan): Nissan's
diagnostic session ``10 C0`` is admitted only to an address in :data:`NISSAN_SESSION_TARGETS`, on a vehicle
established as Nissan (evidence: ``10 C0`` sent to a Ford engine ECU once put it in neutral-tow mode,
openpilot PR #28585).

Sources: ELM327 datasheet (ELM327DS): AT command summary, "CAN Message Formats", "Altering Flow Control
Messages", AT CAF, AT FC, AT SH, AT SP (which "sets the protocol and saves it": never admitted) and AT TP
(tries a protocol without saving it); ISO 15765-2 (PCI types: single frame 0L, first frame 1L, consecutive
frame 2N, flow control 3S); ISO 15765-4 (diagnostic CAN ids).

Beside the allowlist lives :data:`MASKS`: response fields known to carry security data. The driver masks
them before anything is decoded, logged, reported or recorded (:mod:`obdident.elm327.masking`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

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


#: The protocol families a line is judged for: CAN with 11-bit ids, CAN with 29-bit ids (ISO 15765-4) and
#: the rest (K-line, J1850).
CAN11, CAN29, OTHER = "can11", "can29", "other"
CAN: frozenset[str] = frozenset({CAN11, CAN29})
ANY_FAMILY: frozenset[str] = frozenset({CAN11, CAN29, OTHER})

#: The family of each fixed protocol (ELM327 datasheet, "AT SP h" protocol table): 1-5 K-line and J1850;
#: 6 and 8 ISO 15765-4 11-bit; 7 and 9 ISO 15765-4 29-bit; A SAE J1939 (29-bit); B and C user CAN, whose id
#: width AT PB sets (either).
PROTOCOL_FAMILIES: dict[str, frozenset[str]] = {
    **{n: frozenset({OTHER}) for n in "12345"},
    "6": frozenset({CAN11}),
    "8": frozenset({CAN11}),
    "7": frozenset({CAN29}),
    "9": frozenset({CAN29}),
    "A": frozenset({CAN29}),
    "B": CAN,
    "C": CAN,
}


@dataclass
class GuardContext:
    """What the guard knows when it judges a line: the adapter state that shapes a frame, and the vehicle.

    The defaults describe an adapter the guard has not yet seen reset: every volatile setting unknown.
    :meth:`after_reset` gives the state after AT Z / AT WS / AT D.

    Attributes:
        header: the header (request id) the adapter uses, as the last admitted AT SH set it; None after a
            reset (AT Z, AT WS, AT D): the protocol's functional default.
        nissan_basis: why the vehicle counts as a Nissan (WMI, CALID prefix, the user's ``--make nissan``),
            or None while it is not established.
        reset_seen: a reset was admitted, so the settings below are known.
        families: the protocol families the adapter may be on (:data:`CAN`, :data:`OTHER`).
        auto_format: CAN automatic formatting (AT CAF1, the default) or raw frames (AT CAF0).
        fc_mode: the flow control mode, AT FC SM 0-2 (0 after a reset).
        fc_header: the id set by AT FC SH since the last reset, or None.
        fc_data: the bytes set by AT FC SD since the last reset (hex), or None.
        maybe: per setting, the other values it may still have because the adapter did not confirm a
            command that changed it (answered ``?``, or nothing): see :meth:`Guard.settle`.
    """

    header: str | None = None
    nissan_basis: str | None = None
    reset_seen: bool = False
    families: frozenset[str] = ANY_FAMILY
    auto_format: bool = True
    fc_mode: int = 0
    fc_header: str | None = None
    fc_data: str | None = None
    maybe: dict[str, frozenset[object]] = field(default_factory=dict)

    def values(self, key: str) -> frozenset[Any]:
        """Every value setting ``key`` (``header``, ``auto_format``, ``fc_mode``, ``fc_header``, ``fc_data``)
        may have: the one the last admitted command set, and those an unconfirmed command may have left."""
        return frozenset({getattr(self, key)}) | self.maybe.get(key, frozenset())

    @classmethod
    def after_reset(
        cls, nissan_basis: str | None = None, families: frozenset[str] = ANY_FAMILY
    ) -> GuardContext:
        """The state after AT Z / AT WS / AT D (ELM327 datasheet, AT D): defaults, protocol family unknown.

        Args:
            nissan_basis: why the vehicle counts as a Nissan, or None.
            families: the families the adapter may be on (narrowed by AT TP h).

        Returns:
            A context with every frame-shaping setting known.
        """
        return cls(nissan_basis=nissan_basis, reset_seen=True, families=families)

    def reset(self) -> None:
        """Apply an admitted AT Z / AT WS / AT D: defaults restored, the stored protocol unknown."""
        self.maybe = {}
        self.header = None
        self.reset_seen = True
        self.families = ANY_FAMILY
        self.auto_format = True
        self.fc_mode = 0
        self.fc_header = None
        self.fc_data = None


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
        request: the line is a request to the vehicle (its bytes become a frame), not an AT command.
    """

    name: str
    pattern: re.Pattern[str]
    reason: str
    source: str
    condition: Condition | None = field(default=None, compare=False)
    request: bool = False


def _rule(name: str, pattern: str, reason: str, source: str, condition: Condition | None = None) -> Rule:
    return Rule(name, re.compile(pattern), reason, source, condition)


def _request(name: str, pattern: str, reason: str, source: str, condition: Condition | None = None) -> Rule:
    return Rule(name, re.compile(pattern), reason, source, condition, request=True)


_EVIDENCE = "shared/evidence/nissan-identification.md"

#: Nissan physical request ids that may receive Nissan's diagnostic session ``10 C0``: only units a public
#: capture shows answering identification inside that session on a Nissan. Being a Nissan address is not
#: enough: ``10 C0`` is Nissan's own session id, and on another unit it may mean something else (on a Ford
#: engine ECU it set neutral-tow mode, openpilot PR #28585).
NISSAN_SESSION_TARGETS: dict[str, str] = {
    "745": "BCM: the J10 BCM answers 21 83 only in session 10 C0, 7F 21 80 outside it (balrog-kun/"
    "nissan-qashqai-can-info; " + _EVIDENCE + " section 2)",
    "742": "EPS: the J10 EPS answers 21 83 only in session 10 C0, 7F 21 80 outside it (balrog-kun/"
    "nissan-qashqai-can-info; " + _EVIDENCE + " section 2)",
}


def _nissan_physical(context: GuardContext) -> str | None:
    if context.nissan_basis is None:
        return "Nissan's session 10 C0 is sent only to a vehicle established as a Nissan"
    if not context.values("header") <= NISSAN_SESSION_TARGETS.keys():
        return (
            f"Nissan's session 10 C0 is sent only to a unit shown to need it "
            f"({', '.join(sorted(NISSAN_SESSION_TARGETS))}), not {context.header}"
        )
    return None


_ELM = "ELM327 datasheet (ELM327DS), AT command summary"

#: CAN diagnostic ids (ISO 15765-4 §6.3): 11-bit 700-7FF; 29-bit 18 DA tt F1 (physical) or 18 DB 33 F1.
_CAN_ID = rf"(7{_HEX}{{2}}|18DA{_HEX}{{2}}F1|18DB33F1)"
#: Non-CAN diagnostic headers: SAE J1979 functional 68 6A F1, ISO 14230-4 functional C1 33 F1 and
#: physical 81 tt F1|FC (tester F1, or FC as Nissan's tools: fenugrec/nisprog).
_KLINE_HEADER = rf"(686AF1|C133F1|81{_HEX}{{2}}(F1|FC))"
#: A flow control frame: ContinueToSend 30, any block size, a defined STmin (ISO 15765-2 §9.6.5.4).
_FLOW_CONTROL = rf"30{_HEX}{{2}}([0-7]{_HEX}|F[1-9])"
_CAN_ID_RE = re.compile(_CAN_ID)

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
    # AT SP (every form, AT SP 0 and AT SP Ah included) sets the protocol "and saves it": no row.
    _rule("AT TP h/Ah", r"ATTPA?[1-9A-C]", "tries a protocol without saving it; " + _VOLATILE, _ELM),
    # --- adapter: addressing for reads -----------------------------------------------------------
    _rule(
        "AT SH",
        rf"ATSH({_CAN_ID}|{_KLINE_HEADER})",
        "sets the header of the following requests to a diagnostic id (ISO 15765-4, SAE J1979, ISO 14230-4); "
        + _VOLATILE,
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
        rf"ATFC(SH{_CAN_ID}|SD{_FLOW_CONTROL}|SM[0-2])",
        "the flow control frame the adapter answers a first frame with: a diagnostic id, and only a flow "
        "control frame 30 BS STmin (ISO 15765-2 §9.6.5); " + _VOLATILE,
        _ELM + "; ISO 15765-2",
    ),
    _rule("AT CP hh", rf"ATCP{_HEX}{{2}}", "CAN priority bits of 29-bit headers; " + _VOLATILE, _ELM),
    _rule("AT IIA hh", rf"ATIIA{_HEX}{{2}}", "ISO 9141/14230 init address; " + _VOLATILE, _ELM),
    _rule("AT SI/FI", r"AT[SF]I", "performs a slow / fast K-line initiation; sends no request", _ELM),
    _rule("AT SW hh", rf"ATSW{_HEX}{{2}}", "K-line wakeup interval; " + _VOLATILE, _ELM),
    # --- vehicle: SAE J1979 read-only services -----------------------------------------------------
    _request(
        "OBD 01",
        rf"01({_HEX}{{2}}){{1,6}}{_COUNT}",
        "reads current powertrain data (one to six PIDs)",
        "SAE J1979 / ISO 15031-5 service 01",
    ),
    _request(
        "OBD 09",
        rf"09{_HEX}{{2}}{_COUNT}",
        "reads vehicle information: VIN, CALID, CVN, ECU name (one InfoType)",
        "SAE J1979 / ISO 15031-5 service 09",
    ),
    # --- vehicle: identification reads on physical addresses, one identifier per request ---------------
    _request(
        "UDS 22 F180-F19F",
        rf"22F1[89]{_HEX}{_COUNT}",
        "ReadDataByIdentifier of one identification DID (part, software, hardware, serial numbers, VIN)",
        "ISO 14229-1:2020 §11.2 and Annex C.1",
    ),
    _request(
        "KWP 21 80/81/83/F0/F1/FE/FF",
        rf"21(80|81|83|F0|F1|FE|FF){_COUNT}",
        "ReadDataByLocalIdentifier of one identification LID (Nissan 83: ECU identification, 81: VIN; "
        "Renault-built 80/FE/FF: product and hardware numbers). Never 21 21: a BCM serial usable for PIN "
        "calculation",
        "ISO 14230-3 (KWP2000) service 21; Nissan LIDs: " + _EVIDENCE + " section 2",
    ),
    _request(
        "KWP 1A 80-9F",
        rf"1A[89]{_HEX}{_COUNT}",
        "ReadEcuIdentification, one identification option",
        "ISO 14230-3 (KWP2000) service 1A; Nissan 1A 81: fenugrec/nisprog",
    ),
    _request(
        "TesterPresent 3E 00/80",
        rf"3E(00|80){_COUNT}",
        "keeps a session open; changes nothing",
        "ISO 14229-1:2020 §10.5; ISO 14230-3 service 3E",
    ),
    _request(
        "Default session 10 01/81",
        rf"10(01|81){_COUNT}",
        "returns an ECU to its default diagnostic session (UDS 01, KWP2000 81)",
        "ISO 14229-1:2020 §10.2; ISO 14230-3 service 10",
    ),
    _request(
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
        if on_can and not _CAN_ID_RE.fullmatch(header):
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
        if text.startswith("AT"):
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
