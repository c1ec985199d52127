"""The read-only guard: the one allowlist every line passes before it is written to the adapter.

obdident identifies; it never changes a vehicle or an adapter. The ELM327 driver hands every line to
:meth:`Guard.check` before a byte is written, and only a line that one :data:`ALLOWLIST` row admits goes out.
There is no blocklist: whatever no row admits (SecurityAccess, memory reads, writes, routines, resets,
clearing, adapter EEPROM writes, any other SID) is refused with :class:`~obdident.errors.GuardRefusal`.

Lines are judged in a canonical form: upper case, spaces, tabs and NUL bytes removed. A line holding a
CR or LF (two commands in one write) and an empty line (the ELM327 repeats the previous command on a bare
CR: ELM327 datasheet, "Repeating a command") are refused outright.

Each row says what it admits, why it is read-only and where that is documented. The table is data: a later
capability adds rows, never code paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from obdident.errors import GuardRefusal

__all__ = ["ALLOWLIST", "Guard", "Rule", "canonical", "is_allowed"]

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
    """

    name: str
    pattern: re.Pattern[str]
    reason: str
    source: str


def _rule(name: str, pattern: str, reason: str, source: str) -> Rule:
    return Rule(name, re.compile(pattern), reason, source)


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
)

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


def _refusal_reason(line: str, text: str) -> str | None:
    if _FORBIDDEN_CHARS.search(line):
        return "a line may not hold CR or LF: one command per write"
    if not text:
        return "an empty line makes the ELM327 repeat its previous command, whatever that was"
    if not text.isascii():
        return "non-ASCII characters"
    if _find_rule(text) is None:
        return "no allowlist rule admits it (obdident only reads)"
    return None


def is_allowed(line: str) -> bool:
    """Tell whether the guard would admit ``line``, without raising.

    Args:
        line: one command, without the trailing CR.

    Returns:
        True when an :data:`ALLOWLIST` row admits the canonical form of ``line``.
    """
    return _refusal_reason(line, canonical(line)) is None


class Guard:
    """The choke point: :meth:`check` admits a line or raises, before anything is written.

    The driver owns one Guard and calls :meth:`check` for every line; tests audit the wire with
    :func:`is_allowed`. Attributes record what was refused, for the report.

    Attributes:
        refused: the lines refused so far, in order.
    """

    def __init__(self) -> None:
        self.refused: list[str] = []

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
        reason = _refusal_reason(line, text)
        if reason is not None:
            self.refused.append(line)
            raise GuardRefusal(line, reason)
        return text
