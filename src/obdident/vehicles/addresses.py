"""Diagnostic addresses: which unit answers on which id, each row with its public source.

Only the legislated OBD-II ids for now; Nissan's physical addresses join this table as data.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ADDRESSES", "UnitAddress", "name_for", "request_id_for", "unit_for"]


@dataclass(frozen=True)
class UnitAddress:
    """A diagnostic unit's ids.

    Attributes:
        request_id: the physical request id, upper-case hex.
        response_id: the id it answers on.
        name: the unit's usual acronym.
        source: the public document or capture that shows it.
    """

    request_id: str
    response_id: str
    name: str
    source: str


_ISO = "ISO 15765-4 §6.3.2 (legislated OBD ids 7E0-7E7 / 7E8-7EF)"

ADDRESSES: tuple[UnitAddress, ...] = (
    UnitAddress(
        "7E0", "7E8", "ECM", _ISO + "; Nissan ECM: commaai/opendbc nissan fingerprints, balrog-kun J10"
    ),
    UnitAddress("7E1", "7E9", "TCM", _ISO + "; Nissan TCM: pyren Renault-Nissan alliance table (likely)"),
)

_BY_RESPONSE = {a.response_id: a for a in ADDRESSES}
_LEGACY_NAMES = {"10": "ECM", "18": "TCM"}  # SAE J1979 / ISO 15031-5 legacy physical addresses


def unit_for(response_id: str) -> UnitAddress | None:
    """Return the table row of a response id, or None when obdident does not know the unit."""
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
