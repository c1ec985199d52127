"""The ``units-not-probed`` problem's message: which units a scan left out on purpose, and why.

The runner (:mod:`~obdident.scanning.runner`) skips the units a vehicle's family does not have by the public
record, and the OBD address pairs silent to the generic ``0100``; this says so in a few words for the
owner, and gives each unit's reason with its source as detail for engineers.
"""

from __future__ import annotations

from obdident.i18n import T, Text
from obdident.vehicles.families import Found
from obdident.vehicles.nissan import Unit

__all__ = ["not_probed"]


def not_probed(skipped: list[tuple[Unit, str, Found]], not_obd: list[Unit]) -> tuple[Text, str]:
    """The ``units-not-probed`` problem: the owner's sentence (the units left out and why in a few words,
    how to probe them all) and the engineers' detail (each unit's reason with its source)."""
    found = skipped[-1][2] if skipped else None  # the family as established last
    skipped = sorted(skipped, key=lambda s: _order(s[0]))  # the same words whatever the probe order
    not_obd = sorted(not_obd, key=_order)
    details: list[str] = []
    family_name = ""
    listed: tuple[str, ...] = ()
    silent: tuple[str, ...] = ()
    if skipped and found is not None:
        family, basis = found
        family_name = family.name
        listed = tuple(f"{u.name} ({u.request_id})" for u, _, _ in skipped)
        details.append(f"the family from {basis}")
        details.extend(f"{u.name} ({u.request_id}): {why}" for u, why, _ in skipped)
    if not_obd:
        silent = tuple(f"{u.name} ({u.request_id})" for u in not_obd)
        details.append(
            "every ECU on an ISO 15765-4 OBD address (request 7E0-7E7) answers 0100 (SAE J1979 service 01), "
            "and the vehicle answered 0100 on other addresses"
        )
    option = "--full"
    if skipped and not_obd:
        text = T(
            "Not probed, because a {family} does not have them by the public record: {units}. Not probed, "
            "because nothing answered the generic OBD-II request on its address: {silent}. Scan with "
            "{option} "
            "to probe them too.",
            family=family_name,
            units=listed,
            silent=silent,
            option=option,
        )
    elif skipped:
        text = T(
            "Not probed, because a {family} does not have them by the public record: {units}. Scan with "
            "{option} to probe them too.",
            family=family_name,
            units=listed,
            option=option,
        )
    else:
        text = T(
            "Not probed, because nothing answered the generic OBD-II request on its address: {silent}. Scan "
            "with {option} to probe them too.",
            silent=silent,
            option=option,
        )
    return text, "; ".join(details) + "."


def _order(unit: Unit) -> tuple[int, str]:
    """Units by address: 11-bit ids first, then 29-bit ones, each in ascending order."""
    return (len(unit.request_id), unit.request_id)
