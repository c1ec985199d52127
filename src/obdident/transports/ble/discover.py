"""A bounded scan for Bluetooth LE OBD-II adapters, and the judgement of one advertisement.

bleak is imported only inside :func:`discover`, so importing this module stays cheap::

    from obdident.transports.ble import discover
    candidates, why_not = discover(timeout_s=5.0)   # why_not: None, or why the scan could not run
    ports = [f"ble://{c.address}" for c in candidates]   # strongest first; each c.reason says why
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obdident.i18n import T
from obdident.transports.ble.errors import bluetooth_error, sentence
from obdident.transports.ble.gatt import family_for_service
from obdident.transports.ble.loop import LoopThread

if TYPE_CHECKING:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

__all__ = ["NAME_PATTERNS", "BleCandidate", "classify", "discover"]

log = logging.getLogger(__name__)

#: Advertised names of BLE OBD-II adapters (matched anywhere in the name, ignoring case).
NAME_PATTERNS: tuple[str, ...] = (
    "OBD",
    "OBDII",
    "OBDBLE",
    "ELM327",
    "V-LINK",
    "IOS-Vlink",
    "vLinker",
    "VEEPEAK",
    "OBDCheck",
    "KONNWEI",
    "LELink",
    "OBDLink",
)


@dataclass(frozen=True)
class BleCandidate:
    """A Bluetooth LE device that looks like an OBD-II adapter.

    Attributes:
        address: its address (``AA:BB:CC:DD:EE:FF``; a UUID on macOS): the port is ``ble://ADDRESS``.
        name: its advertised name, if any.
        rssi: received signal strength in dBm (closer to 0 is stronger), if known.
        family: the :class:`AdapterFamily` name its advertised services show, if any.
        reason: why it is listed.
    """

    address: str
    name: str | None
    rssi: int | None
    family: str | None
    reason: str


def classify(
    address: str, name: str | None, rssi: int | None, service_uuids: Iterable[str] = ()
) -> BleCandidate | None:
    """Judge one advertisement: a candidate if its name or its services look like an OBD-II adapter.

    Args:
        address: the device address.
        name: the advertised (or OS) name.
        rssi: signal strength in dBm.
        service_uuids: advertised service UUIDs, any form.

    Returns:
        The candidate, or None for anything else (a heart-rate strap, a phone).
    """
    family = next(
        (found for found in (family_for_service(u) for u in service_uuids) if found is not None), None
    )
    matched = [p for p in NAME_PATTERNS if name and p.lower() in name.lower()]
    if matched:
        pattern = max(matched, key=len)
        reason = T("its name '{name}' contains '{pattern}'", name=name, pattern=pattern)
    elif family is not None:
        reason = T(
            "it advertises the {family} service {service} ({adapters})",
            family=family.name,
            service=family.service,
            adapters=family.adapters,
        )
    else:
        return None
    return BleCandidate(address, name, rssi, family.name if family else None, reason)


def discover(
    timeout_s: float = 5.0, *, backend: type[BaseBleakScanner] | None = None
) -> tuple[list[BleCandidate], str | None]:
    """Scan for Bluetooth LE OBD-II adapters for ``timeout_s`` seconds.

    Args:
        timeout_s: how long to listen for advertisements, in seconds.
        backend: a bleak scanner backend class to use instead of the platform's (tests pass a fake).

    Returns:
        The candidates, strongest signal first, and None; or an empty list and one sentence saying why
        the scan could not run (no Bluetooth radio, Bluetooth off, BlueZ not running, permission, bleak
        not installed).

    Raises:
        ValueError: ``timeout_s`` is not a positive number of seconds.
    """
    if not timeout_s > 0:
        raise ValueError(f"timeout_s must be positive, got {timeout_s!r}")
    try:
        from bleak import BleakScanner
        from bleak.exc import BleakError
    except ImportError:
        return [], T("bleak is not installed: {command}", command="pip install bleak")

    async def scan() -> dict[str, tuple[BLEDevice, AdvertisementData]]:
        # bleak listens for the whole timeout; the outer bound only guards against a stack that hangs
        async with asyncio.timeout(timeout_s + 10.0):
            if backend is None:
                found = await BleakScanner.discover(timeout=timeout_s, return_adv=True)
            else:
                found = await BleakScanner.discover(timeout=timeout_s, return_adv=True, backend=backend)
        return dict(found)

    try:
        with LoopThread("obdident-ble-scan") as loop:
            seen = loop.run(scan(), timeout_s=timeout_s + 15.0)
    except (BleakError, OSError, EOFError, TimeoutError) as err:
        log.debug("Bluetooth LE scan failed", exc_info=True)
        return [], sentence(bluetooth_error(err))
    candidates: list[BleCandidate] = []
    for device, adv in seen.values():
        name = adv.local_name or device.name
        candidate = classify(device.address, name, adv.rssi, adv.service_uuids or ())
        if candidate is not None:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (c.rssi is None, -(c.rssi or 0), c.address))
    return candidates, None
