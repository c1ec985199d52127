"""Bluetooth LE OBD-II adapters: what the ``ble://`` port and the scan for adapters share.

Modules: :mod:`.url` (the ``ble://`` URL), :mod:`.gatt` (adapter layouts, the choice of characteristics),
:mod:`.discover` (a bounded scan for adapters), :mod:`.loop` (the one asyncio bridge thread),
:mod:`.connect` (bounded connection attempts), :mod:`.errors` (the one mapping of Bluetooth failures)
and :mod:`.port` (the pyserial port). pyserial opens ``ble://`` URLs through
:mod:`obdident.transports.protocol_ble`.
Importing this package does not import bleak.
"""

from __future__ import annotations

from obdident.transports.ble.discover import NAME_PATTERNS, BleCandidate, classify, discover
from obdident.transports.ble.gatt import FAMILIES, AdapterFamily, family_for_service, normalize_uuid

__all__ = [
    "FAMILIES",
    "NAME_PATTERNS",
    "AdapterFamily",
    "BleCandidate",
    "classify",
    "discover",
    "family_for_service",
    "normalize_uuid",
]
