"""The ``units-not-probed`` problem's message: which units a scan left out on purpose, and why.

The runner (:mod:`~obdident.scanning.runner`) skips the units a vehicle's family does not have by the public
record, and the OBD address pairs silent to the generic ``0100``; this says so in a few words, then (after
:data:`~obdident.model.PROBLEM_DETAILS`) each unit's reason with its source.
"""

from __future__ import annotations

from obdident.model import PROBLEM_DETAILS
from obdident.vehicles.families import Found
from obdident.vehicles.nissan import Unit

__all__ = ["not_probed_message"]


def not_probed_message(skipped: list[tuple[Unit, str, Found]], not_obd: list[Unit]) -> str:
    """The ``units-not-probed`` message: the units left out and why in a few words, how to probe them all,
    then (after :data:`~obdident.model.PROBLEM_DETAILS`) each unit's reason with its source."""
    parts, details = [], []
    if skipped:
        family, basis = skipped[-1][2]
        listed = ", ".join(f"{u.name} ({u.request_id})" for u, _, _ in skipped)
        parts.append(
            f"Not probed, because a {family.name} does not have them by the public record: {listed}."
        )
        details.append(f"the family from {basis}")
        details.extend(f"{u.name} ({u.request_id}): {why}" for u, why, _ in skipped)
    if not_obd:
        listed = ", ".join(f"{u.name} ({u.request_id})" for u in not_obd)
        parts.append(
            f"Not probed, because nothing answered the generic OBD-II request on its address: {listed}."
        )
        details.append(
            "every ECU on an ISO 15765-4 OBD address (request 7E0-7E7) answers 0100 (SAE J1979 service 01), "
            "and the vehicle answered 0100 on other addresses"
        )
    message = " ".join([*parts, "Scan with --full to probe them too."])
    return message + PROBLEM_DETAILS + "; ".join(details) + "."
