"""Diagnostic addresses: which unit answers on which id.

The rows are those of the one address table, :data:`obdident.vehicles.nissan.UNITS` (each with its public
source); this module names the units on the legislated OBD-II ids (ISO 15765-4 §6.3.2: requests 7E0-7E7,
answers 7E8-7EF) for any make, and pairs response ids with request ids by the standard's rules.
"""

from __future__ import annotations

from obdident.vehicles.nissan import UNITS, Unit

__all__ = ["ADDRESSES", "name_for", "request_id_for", "unit_for"]


def _legislated(request_id: str) -> bool:
    return len(request_id) == 3 and 0x7E0 <= int(request_id, 16) <= 0x7E7


#: The table's units on legislated OBD ids (ISO 15765-4 §6.3.2): the ECM on 7E0 / 7E8, the TCM on 7E1 / 7E9.
ADDRESSES: tuple[Unit, ...] = tuple(u for u in UNITS if _legislated(u.request_id))

_BY_RESPONSE = {a.response_id: a for a in ADDRESSES}
_LEGACY_NAMES = {"10": "ECM", "18": "TCM"}  # SAE J1979 / ISO 15031-5 legacy physical addresses


def unit_for(response_id: str) -> Unit | None:
    """Return the table row of a legislated response id, or None when obdident does not know the unit."""
    return _BY_RESPONSE.get(response_id.upper())


def request_id_for(response_id: str) -> str | None:
    """Return the physical request id paired with a response id.

    Args:
        response_id: upper-case hex: ``7E8`` (11-bit), ``18DAF110`` (29-bit), ``10`` (K-line source address).

    Returns:
        ``7E0`` for 7E8-7EF (ISO 15765-4), ``18DA10F1`` for ``18DAF1xx`` (ISO 15765-4 normal fixed
        addressing), a table row's request id, or None (legacy protocols have no physical request id).
    """
    rid = response_id.upper()
    if (row := unit_for(rid)) is not None:
        return row.request_id
    if len(rid) == 3 and 0x7E8 <= int(rid, 16) <= 0x7EF:
        return f"{int(rid, 16) - 8:03X}"
    if len(rid) == 8 and rid.startswith("18DAF1"):
        return f"18DA{rid[6:]}F1"
    return None


def name_for(response_id: str) -> str | None:
    """Return the usual acronym of the unit answering on ``response_id``, or None."""
    row = unit_for(response_id)
    if row is not None:
        return row.name
    return _LEGACY_NAMES.get(response_id.upper()) if len(response_id) == 2 else None
