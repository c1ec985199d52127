"""The owner's words for an adapter check (``obdident check-adapter``; the window's adapter step can show the
same): one row per command the scan needs, and a verdict.

Pure functions over :class:`~obdident.scanning.adapter_check.AdapterCheck`; the terminal and the window only
lay the rows out.
"""

from __future__ import annotations

from obdident.i18n import N_, T, Text
from obdident.report.words import decimal
from obdident.scanning.adapter_check import AdapterCheck, Capability
from obdident.scanning.adapter_flaws import BETTER_ADAPTER

__all__ = ["PURPOSE", "rows", "summary", "verdict"]

#: What each command is for, in the owner's words (ELM327 datasheet, AT command summary).
PURPOSE: dict[str, str] = {
    "spaces-off": N_("leave out spaces in answers (AT S0; faster, not needed)"),
    "headers-on": N_("show which unit sent each answer (AT H1)"),
    "response-count": N_(
        "stop waiting once the expected answers came (0100 with a count; faster, not needed)"
    ),
    "header": N_("address one unit of the car (AT SH)"),
    "receive-address": N_("listen to that unit only (AT CRA; AT CF and AT CM do the same)"),
    "filter": N_("listen to that unit only, the older way (AT CF)"),
    "mask": N_("listen to that unit only, the older way (AT CM)"),
    "flow-control-header": N_("let a unit other than the engine ECU send a long answer (AT FC SH)"),
    "flow-control-data": N_("let a unit other than the engine ECU send a long answer (AT FC SD)"),
    "flow-control-mode": N_("let a unit other than the engine ECU send a long answer (AT FC SM)"),
    "receive-timeout": N_("wait no longer than needed for an answer (AT ST)"),
    "adaptive-timing": N_("adapt the wait to the car (AT AT1; not needed)"),
}


def _purpose(key: str) -> str:
    return T(PURPOSE[key]) if key in PURPOSE else key


def _supported(capability: Capability) -> str:
    if capability.supported is None:
        if not capability.answer:
            return T("not tried")
        return T("unclear (it said {answer})", answer=" / ".join(capability.answer))
    return T("yes") if capability.supported else T("no (it answered ?)")


def rows(check: AdapterCheck) -> list[tuple[str, str, str]]:
    """The capability table: (what it is for, the command, whether the adapter supports it), then the
    protocol, the voltage and the round trip, each as (what, value, ""). Words are
    :class:`~obdident.i18n.Text` (English as ``str``); numbers use the current language's decimal sign."""
    table = [(_purpose(c.key), c.line, _supported(c)) for c in check.capabilities]
    table.append((T("the car's protocol"), check.protocol or T("none found (no answer to 0100)"), ""))
    voltage = (
        T("{volts} V", volts=decimal(check.voltage_v, 1)) if check.voltage_v is not None else T("not read")
    )
    table.append((T("the car's battery voltage (AT RV)"), voltage, ""))
    trip = (
        T("{ms} ms", ms=decimal(check.round_trip_ms, 0))
        if check.round_trip_ms is not None
        else T("not measured")
    )
    table.append((T("round trip to the adapter (median of its AT commands)"), trip, ""))
    if check.vehicle_ms is not None:
        table.append((T("the car's first answer (0100)"), T("{ms} ms", ms=decimal(check.vehicle_ms, 0)), ""))
    return table


def verdict(check: AdapterCheck) -> Text:
    """ "This adapter can read the head unit", or "It cannot, because ..." (one or two sentences)."""
    missing = check.missing_for_head_unit()
    if missing:
        return T(
            "It cannot read the head unit, because it does not know {commands}: {purpose}. A better adapter "
            "({adapter}) can.",
            commands=tuple(c.line for c in missing),
            purpose=_purpose(missing[0].key),
            adapter=BETTER_ADAPTER,
        )
    if check.error is not None:
        return T(
            "It cannot say whether this adapter can read the head unit, because {reason}.", reason=check.error
        )
    if check.can_read_head_unit:
        return T(
            "This adapter can read the head unit (where the car lets OBD-II reach it). Whether it sends "
            "requests longer than 2 bytes whole shows only in a scan."
        )
    unclear = tuple(c.line for c in check.capabilities if c.head_unit and c.supported is None)
    return T(
        "It cannot say whether this adapter can read the head unit, because {commands} gave no clear answer.",
        commands=unclear,
    )


def summary(check: AdapterCheck) -> Text:
    """One line: the adapter's name and where it was checked."""
    if check.version:
        return T("{adapter} on {port}", adapter=check.version, port=check.port)
    return T("an adapter that did not give its name on {port}", port=check.port)
