"""Clone adapter quirks of the simulated ELM327: known ways real adapters depart from the datasheet.

Each quirk is a name a test switches on (``SimulatedELM327(..., quirks=["crlf"])``, the URL option
``sim://NAME?quirk=crlf``, or a profile's ``adapter_quirks``). ``hw-fixtures/quirks.md`` lists every
quirk with the adapters that show it and the public source it is modelled on. This module holds the
names, which AT commands a quirk refuses, and the output formatting quirks; :mod:`obdident.sim.elm`
consults it, and :mod:`obdident.transports.protocol_sim` implements ``slow-prompt`` (a matter of how the
bytes reach the host, not of what the chip says).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = [
    "FAKE_V21_VERSION",
    "JUNK_BEFORE_BANNER",
    "MULTIFRAME_STATUS",
    "QUIRKS",
    "expand_quirks",
    "format_output",
    "locks_up",
    "refuses_at",
]

#: Every quirk, with what the simulated chip then does.
QUIRKS: dict[str, str] = {
    "echo-stuck": "AT E0 answers OK, but the echo stays on",
    "crlf": "every line ends CR LF, whatever AT L0/L1 says",
    "no-s0": "AT S0 and AT S1 answer ? (spaces stay on; the command dates from v1.3)",
    "no-cra": "AT CRA answers ? (v1.3); AT CF + AT CM still filter",
    "no-count": "a request ending in a response-count digit answers ? (the digit came with v1.3)",
    "fake-v21": "AT Z / AT I say ELM327 v2.1, but every command the simulator models that came after v1.0 "
    "answers ?: AT FC SH/SD/SM (v1.1), AT AR, AT AT0-2, AT IIA, AT KW0/1 (v1.2), AT CRA, AT S0/S1 and "
    "the response-count digit (v1.3)",
    "no-at1": "AT AT0, AT AT1 and AT AT2 answer ? (adaptive timing, v1.2)",
    "slow-prompt": "the > prompt arrives in a read of its own, after the rest of the answer (sim:// only)",
    "lowercase": "hex digits and messages come in lower case (the echo stays as sent)",
    "nul-padding": "a NUL byte follows every line end",
    "no-fc": "AT FC SH, AT FC SD and AT FC SM answer ? (flow control set by hand came with v1.1)",
    "no-tp-a": "AT TP A<h> answers ? (automatic search starting at a given protocol); AT TP h still works",
    "two-byte-requests": "only a request's first 2 bytes reach the bus: a unit asked 22 F1 87 hears 22 F1 "
    "and answers 7F 22 13 (incorrect message length)",
    "first-frame-only": "only the first frame of a multi-frame answer is shown, whatever the flow control",
    "freeze-multiframe": "the chip hangs for good on the first multi-frame answer (no bytes, no prompt)",
    "late-answer": "each answer arrives one command late: a line gets the previous line's answer",
    "small-buffer": "a multi-frame answer overflows the chip's buffer: its first line, then BUFFER FULL",
    "stops": "a multi-frame answer stops after its first line with STOPPED",
    "junk-banner": "junk bytes and ? come before the answer to the first line after power-up or a reset "
    "(before the banner after AT Z)",
    "not-connected": "NOT CONNECTED (not an ELM327 message) where the datasheet says UNABLE TO CONNECT, "
    "CAN ERROR or BUS INIT: ...ERROR",
    "tp-a0-lockup": "AT TP A0 (and AT SP A0) answer OK, then the chip answers nothing until power-cycled",
    "stored-caf0": "another program set programmable parameter 24 to FF: every reset (AT Z, AT WS, AT D) "
    "restores CAN automatic formatting off (CAF0), so a line is the raw CAN frame until AT CAF1",
}

#: The junk the ``junk-banner`` quirk sends first: bytes no ELM327 sends, and a ``?``.
JUNK_BEFORE_BANNER = "\x00\xfc\xff?\r"
#: The status lines of the quirks that cut a multi-frame answer short after its first line.
MULTIFRAME_STATUS = {"small-buffer": "BUFFER FULL", "stops": "STOPPED"}

#: The banner of the ``fake-v21`` quirk.
FAKE_V21_VERSION = "ELM327 v2.1"

#: Quirks another quirk brings along: a chip claiming v2.1 on v1.0 code lacks every later command.
_IMPLIED = {"fake-v21": frozenset({"no-cra", "no-count", "no-s0", "no-at1"})}

# AT commands (after "AT", spaces removed) that a quirk makes unknown, ELM327 datasheet, "Version
# History" (the release that added each command). AT CRA is not here: the chip's ``cra`` flag refuses it.
_REFUSED = {
    "no-s0": re.compile(r"S[01]"),  # v1.3: "added space character control in responses"
    "no-at1": re.compile(r"AT[012]"),  # v1.2: adaptive timing
    "fake-v21": re.compile(r"FCS[HDM].*|AR|IIA[0-9A-F]{2}|KW[01]"),  # v1.1 flow control; v1.2 AR, IIA, KW0/1
    "no-fc": re.compile(r"FCS[HDM].*"),  # v1.1: "added flow control settings"
    "no-tp-a": re.compile(r"TPA[0-9A-C]"),
}

_LINE_END = re.compile(r"\r\n?")
_BARE_CR = re.compile(r"\r(?!\n)")


def expand_quirks(names: Iterable[str]) -> frozenset[str]:
    """Check quirk names and add the quirks they imply (``fake-v21`` brings ``no-cra``, ``no-s0`` ...).

    Raises:
        ValueError: an unknown quirk name; the message names it and lists the known ones.
    """
    given = frozenset(names)
    unknown = sorted(given - QUIRKS.keys())
    if unknown:
        raise ValueError(f"unknown adapter quirk {unknown[0]!r} (known: {', '.join(QUIRKS)})")
    return given.union(*(_IMPLIED.get(name, frozenset()) for name in given))


def refuses_at(command: str, quirks: frozenset[str]) -> bool:
    """True if a chip with ``quirks`` answers ``?`` to the AT command ``command`` (after "AT", no spaces)."""
    return any(name in quirks and pattern.fullmatch(command) for name, pattern in _REFUSED.items())


def locks_up(command: str, quirks: frozenset[str]) -> bool:
    """True if a chip with ``quirks`` hangs after the AT command ``command`` (after "AT", no spaces):
    ``tp-a0-lockup`` and AT TP A0 / AT SP A0 (PowerBroker2/ELMduino issue #69: AT TP 0 and AT TP Ah with
    h other than 0 work on that clone)."""
    return "tp-a0-lockup" in quirks and command in ("TPA0", "SPA0")


def format_output(echo: str, body: str, quirks: frozenset[str]) -> str:
    """Join the echo and the answer as a chip with ``quirks`` prints them.

    Args:
        echo: the echoed command line with its CR, or ``""`` with echo off.
        body: the answer, as the datasheet's chip prints it, up to and including the ``>`` prompt.
        quirks: the chip's quirks; ``lowercase``, ``crlf`` and ``nul-padding`` change the output.

    Returns:
        The text the chip sends.
    """
    if "lowercase" in quirks:
        body = body.lower()
    text = echo + body
    if "crlf" in quirks:
        text = _BARE_CR.sub("\r\n", text)
    if "nul-padding" in quirks:
        text = _LINE_END.sub(lambda match: match[0] + "\x00", text)
    return text
