"""The allowlist: every command obdident may send, each row with its reason and source.

Part of :mod:`obdident.guard`; the rows' conditions read a :class:`~obdident.guard.context.GuardContext`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from obdident.guard.context import Condition, GuardContext

_HEX = "[0-9A-F]"
# The optional single hex digit an ELM327 v1.3+ takes after an OBD request: the number of responses to wait
# for (ELM327 datasheet, "Talking to the Vehicle").
_COUNT = "[1-9A-F]?"


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


EVIDENCE = "shared/evidence/nissan-identification.md"

#: Nissan physical request ids that may receive Nissan's diagnostic session ``10 C0``: only units a public
#: capture shows answering identification inside that session on a Nissan. Being a Nissan address is not
#: enough: ``10 C0`` is Nissan's own session id, and on another unit it may mean something else (on a Ford
#: engine ECU it set neutral-tow mode, openpilot PR #28585).
NISSAN_SESSION_TARGETS: dict[str, str] = {
    "745": "BCM: the J10 BCM answers 21 83 only in session 10 C0, 7F 21 80 outside it (balrog-kun/"
    "nissan-qashqai-can-info; " + EVIDENCE + " section 2)",
    "742": "EPS: the J10 EPS answers 21 83 only in session 10 C0, 7F 21 80 outside it (balrog-kun/"
    "nissan-qashqai-can-info; " + EVIDENCE + " section 2)",
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
_WAKEUP = "only once a reset restored the default wakeup message"


def _wakeup_known(context: GuardContext) -> str | None:
    """A K-line initiation sends the wakeup message every AT SW interval, and AT IIA / AT SW shape when and
    to whom: the message is whatever the last AT WM set (it has no allowlist row: ``AT WM 81 10 F1 14``
    would make every wakeup a KWP ClearDiagnosticInformation) until AT Z / AT WS / AT D restore the default
    (ELM327 datasheet, AT WM, AT SW, AT D). So these wait for a reset seen through the guard."""
    if not context.reset_seen:
        return (
            "the wakeup message a K-line initiation repeats may be one an earlier program set (AT WM) until "
            "a reset (AT Z, AT WS or AT D): no AT SI, FI, SW or IIA before it"
        )
    return None


#: CAN diagnostic ids (ISO 15765-4 §6.3): 11-bit 700-7FF; 29-bit 18 DA tt F1 (physical) or 18 DB 33 F1.
_CAN_ID = rf"(7{_HEX}{{2}}|18DA{_HEX}{{2}}F1|18DB33F1)"
#: Non-CAN diagnostic headers, priority/format, target, source: SAE J1979 functional 68 6A F1 (ISO 9141-2,
#: J1850 VPW) and 61 6A F1 (J1850 PWM), ISO 14230-4 functional C1 33 F1 and physical 81 tt F1|FC (target
#: tt; tester F1, or FC as Nissan's tools: fenugrec/nisprog).
_KLINE_HEADER = rf"(686AF1|616AF1|C133F1|81{_HEX}{{2}}(F1|FC))"
#: A flow control frame: ContinueToSend 30, any block size, a defined STmin (ISO 15765-2 §9.6.5.4).
_FLOW_CONTROL = rf"30{_HEX}{{2}}([0-7]{_HEX}|F[1-9])"
CAN_ID_RE = re.compile(_CAN_ID)
KLINE_HEADER_RE = re.compile(_KLINE_HEADER)

_VOLATILE = "changes only volatile adapter settings, restored by AT Z / power-off"
#: The STN chips' manual (successor of the STN1100 Family Reference and Programming Manual); a public copy:
#: cedricp/ddt4all documentation/obdlink/obdlink_frpm_f.pdf (research/headunit.md section 1).
_FRPM = "OBDLink Family Reference and Programming Manual (FRPM) rev F, 2025"

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
    _rule("STI/STDI", r"ST(I|DI)", "reads the STN chip's firmware / device id", _FRPM + ", STI, STDI"),
    # --- STN adapters (OBDLink): the current protocol preset and bit rate, never saved ----------------
    # The FRPM names every command that writes NVM (ATSP, ATPP, ATSD, AT@3, STWBR, STSATI, STSL..., STBT...;
    # STRSTNVM lists what NVM holds: "saved OBD protocol" is ATSP's). STP and STPBR carry no such statement
    # and act on the "current" preset; ATZ returns to the protocol ATSP saved. No STP form that saves exists.
    _rule(
        "STP 33-36/53/54",
        r"STP(3[3-6]|5[34])",
        "selects the current protocol preset, ISO 15765 on the HS-CAN (pins 6/14: 33/34 500k, 35/36 250k) "
        "or MS-CAN transceiver (pins 3/11: 53 11-bit, 54 29-bit, 125k); stores nothing (unlike ATSP, which "
        "saves to NVM); " + _VOLATILE,
        _FRPM + ", STP (section 8.6) and its preset table; ATSP and STRSTNVM (sections 7.2, 8.2) for NVM",
    ),
    _rule(
        "STPBR 125k/250k/500k",
        r"STPBR(125000|250000|500000)",
        "sets the current CAN protocol's bit rate (a standard CAN diagnostic rate only); stores nothing; "
        + _VOLATILE,
        _FRPM + ", STPBR (section 8.6)",
    ),
    # --- adapter: protocol selection without saving ----------------------------------------------
    # AT SP (every form, AT SP 0 and AT SP Ah included) sets the protocol "and saves it": no row. AT TP A
    # (SAE J1939), B and C (user CAN, formats set by PP 2C/2E) have none either: the guard models their
    # frames no further, so it never selects them.
    _rule(
        "AT TP h/Ah",
        r"ATTPA?[1-9]",
        "tries an OBD-II protocol 1-9 without saving it (A h: then searches); " + _VOLATILE,
        _ELM,
    ),
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
    _rule(
        "AT CP 18",
        r"ATCP18",
        "CAN priority bits of 29-bit headers, only the diagnostic 18 (ISO 15765-4 §6.3): another value "
        "would move every 29-bit request (AT CP 00 makes 18 DB 33 F1 00 DB 33 F1); " + _VOLATILE,
        _ELM + ", AT CP",
    ),
    _rule(
        "AT IIA hh",
        rf"ATIIA{_HEX}{{2}}",
        "ISO 9141/14230 init address; " + _VOLATILE + "; " + _WAKEUP,
        _ELM,
        _wakeup_known,
    ),
    _rule(
        "AT SI/FI",
        r"AT[SF]I",
        "performs a slow / fast K-line initiation; sends no request but the wakeup message; " + _WAKEUP,
        _ELM,
        _wakeup_known,
    ),
    _rule(
        "AT SW hh",
        rf"ATSW{_HEX}{{2}}",
        "K-line wakeup interval; " + _VOLATILE + "; " + _WAKEUP,
        _ELM,
        _wakeup_known,
    ),
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
        "ISO 14230-3 (KWP2000) service 21; Nissan LIDs: " + EVIDENCE + " section 2",
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
        "balrog-kun/nissan-qashqai-can-info; openpilot PR #22655; " + EVIDENCE + " section 2",
        _nissan_physical,
    ),
)
