"""The owner's words for an adapter check (``obdident check-adapter``; the window's adapter step can show the
same): one row per command the scan needs, and a verdict.

Pure functions over :class:`~obdident.scanning.adapter_check.AdapterCheck`; the terminal and the window only
lay the rows out.
"""

from __future__ import annotations

from obdident.scanning.adapter_check import AdapterCheck, Capability
from obdident.scanning.adapter_flaws import BETTER_ADAPTER

__all__ = ["PURPOSE", "rows", "summary", "verdict"]

#: What each command is for, in the owner's words (ELM327 datasheet, AT command summary).
PURPOSE: dict[str, str] = {
    "spaces-off": "leave out spaces in answers (AT S0; faster, not needed)",
    "headers-on": "show which unit sent each answer (AT H1)",
    "response-count": "stop waiting once the expected answers came (0100 with a count; faster, not needed)",
    "header": "address one unit of the car (AT SH)",
    "receive-address": "listen to that unit only (AT CRA; AT CF and AT CM do the same)",
    "filter": "listen to that unit only, the older way (AT CF)",
    "mask": "listen to that unit only, the older way (AT CM)",
    "flow-control-header": "let a unit other than the engine ECU send a long answer (AT FC SH)",
    "flow-control-data": "let a unit other than the engine ECU send a long answer (AT FC SD)",
    "flow-control-mode": "let a unit other than the engine ECU send a long answer (AT FC SM)",
    "receive-timeout": "wait no longer than needed for an answer (AT ST)",
    "adaptive-timing": "adapt the wait to the car (AT AT1; not needed)",
}


def _supported(capability: Capability) -> str:
    if capability.supported is None:
        return "not tried" if not capability.answer else f"unclear (it said {' / '.join(capability.answer)})"
    return "yes" if capability.supported else "no (it answered ?)"


def rows(check: AdapterCheck) -> list[tuple[str, str, str]]:
    """The capability table: (what it is for, the command, whether the adapter supports it), then the
    protocol, the voltage and the round trip, each as (what, value, "")."""
    table = [(PURPOSE.get(c.key, c.key), c.line, _supported(c)) for c in check.capabilities]
    table.append(("the car's protocol", check.protocol or "none found (no answer to 0100)", ""))
    voltage = f"{check.voltage_v:.1f} V" if check.voltage_v is not None else "not read"
    table.append(("the car's battery voltage (AT RV)", voltage, ""))
    trip = f"{check.round_trip_ms:.0f} ms" if check.round_trip_ms is not None else "not measured"
    table.append(("round trip to the adapter (median of its AT commands)", trip, ""))
    if check.vehicle_ms is not None:
        table.append(("the car's first answer (0100)", f"{check.vehicle_ms:.0f} ms", ""))
    return table


def verdict(check: AdapterCheck) -> str:
    """ "This adapter can read the head unit", or "It cannot, because ..." (one or two sentences)."""
    missing = check.missing_for_head_unit()
    if missing:
        names = ", ".join(c.line for c in missing)
        return (
            f"It cannot read the head unit, because it does not know {names}: "
            f"{PURPOSE.get(missing[0].key, missing[0].key)}. A better adapter ({BETTER_ADAPTER}) can."
        )
    if check.error is not None:
        return f"It cannot say whether this adapter can read the head unit, because {check.error}."
    if check.can_read_head_unit:
        return (
            "This adapter can read the head unit (where the car lets OBD-II reach it). Whether it sends "
            "requests longer than 2 bytes whole shows only in a scan."
        )
    unclear = ", ".join(c.line for c in check.capabilities if c.head_unit and c.supported is None)
    return (
        f"It cannot say whether this adapter can read the head unit, because {unclear} gave no clear answer."
    )


def summary(check: AdapterCheck) -> str:
    """One line: the adapter's name and where it was checked."""
    return f"{check.version or 'an adapter that did not give its name'} on {check.port}"
