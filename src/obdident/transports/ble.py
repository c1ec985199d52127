"""Bluetooth LE OBD-II adapters: the GATT layouts obdident knows, and a bounded scan for adapters.

The ``ble://ADDRESS`` port itself is :mod:`obdident.transports.protocol_ble`. This module holds what it and
the scan share, and imports bleak only inside :func:`discover`, so importing it stays cheap::

    from obdident.transports.ble import discover
    candidates, why_not = discover(timeout_s=5.0)   # why_not: None, or why the scan could not run
    ports = [f"ble://{c.address}" for c in candidates]   # strongest first; each c.reason says why

A BLE ELM327 adapter has no serial port profile: it offers one GATT characteristic the host writes command
bytes to and one that notifies the adapter's output. Which ones depends on the module inside the adapter,
hence :data:`FAMILIES`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData, BaseBleakScanner

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

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The Bluetooth Base UUID that 16- and 32-bit SIG UUIDs expand into (Bluetooth Core Specification 5.4,
#: Vol 3, Part B, §2.5.1).
_BASE_UUID_TAIL = "-0000-1000-8000-00805f9b34fb"
_SHORT_UUID = re.compile(r"(?:0x)?([0-9a-f]{4}|[0-9a-f]{8})", re.IGNORECASE)


def normalize_uuid(text: str) -> str:
    """Return a GATT UUID in bleak's form: 128-bit, lower case.

    Args:
        text: ``fff2``, ``0xFFF2``, a 32-bit ``0000fff2`` or a full 128-bit UUID.

    Returns:
        ``0000fff2-0000-1000-8000-00805f9b34fb`` and the like.

    Raises:
        ValueError: not a UUID.
    """
    value = text.strip()
    short = _SHORT_UUID.fullmatch(value)
    if short:
        digits = short.group(1).lower()
        return f"{digits:0>8}{_BASE_UUID_TAIL}"
    try:
        return str(uuid.UUID(value)).lower()
    except ValueError:
        raise ValueError(f"{text!r} is not a Bluetooth UUID (fff2 or a 128-bit UUID)") from None


@dataclass(frozen=True)
class AdapterFamily:
    """The GATT layout of one family of BLE OBD-II adapters.

    Attributes:
        name: short name, reported as the port's ``family``.
        service: the service UUID (normalised, 128-bit).
        notify: the characteristic the adapter's output arrives on (notify or indicate).
        write: the characteristic commands are written to (may equal :attr:`notify`).
        adapters: adapters known to use it.
        source: where the layout comes from.
    """

    name: str
    service: str
    notify: str
    write: str
    adapters: str
    source: str


#: Known layouts, tried in this order; a layout only counts when its characteristics have the right
#: properties. Anything else: the first service with a notifying and a writable characteristic.
FAMILIES: tuple[AdapterFamily, ...] = (
    AdapterFamily(
        "fff0",
        normalize_uuid("fff0"),
        normalize_uuid("fff1"),
        normalize_uuid("fff2"),
        "most ELM327 BLE clones (OBDII, OBDBLE, Konnwei, Veepeak BLE, Carista)",
        "obdident's adapter list; public ELM327 BLE clients use FFF0/FFF1/FFF2 (for example "
        "calledit/elm-vag-block-js, service fff0 for a Carista adapter)",
    ),
    AdapterFamily(
        "ffe0",
        normalize_uuid("ffe0"),
        normalize_uuid("ffe1"),
        normalize_uuid("ffe1"),
        "adapters built on an HM-10 / TI CC254x serial module, one characteristic both ways",
        "obdident's adapter list; HM-10 modules expose FFE0/FFE1 (Jakeler/ble-serial lists FFE1 as "
        "'TI CC245x (HM-10, HM-11)')",
    ),
    AdapterFamily(
        "vlinker",
        normalize_uuid("18f0"),
        normalize_uuid("2af0"),
        normalize_uuid("2af1"),
        "vLinker BLE adapters",
        "obdident's adapter list (vLinker); 18F0 with write characteristic 2AF1 is also the layout of "
        "many BLE serial modules (thermal printers), so it names a module rather than a brand",
    ),
    AdapterFamily(
        "vgate",
        normalize_uuid("e7810a71-73ae-499d-8c15-faa9aef0c3f2"),
        normalize_uuid("bef8d6c9-9c21-4c9e-b632-bd58c1009f9f"),
        normalize_uuid("bef8d6c9-9c21-4c9e-b632-bd58c1009f9f"),
        "Vgate iCar Pro BLE (advertises as IOS-Vlink), one characteristic both ways",
        "obdident's adapter list (Vgate); public GATT tables list this service and characteristic for "
        "an 'IOS-Vlink' adapter",
    ),
    AdapterFamily(
        "nordic-uart",
        normalize_uuid("6e400001-b5a3-f393-e0a9-e50e24dcca9e"),
        normalize_uuid("6e400003-b5a3-f393-e0a9-e50e24dcca9e"),
        normalize_uuid("6e400002-b5a3-f393-e0a9-e50e24dcca9e"),
        "adapters on a Nordic nRF5 chip running the Nordic UART Service",
        "Nordic Semiconductor, nRF5 SDK, Nordic UART Service (NUS): RX 6E400002 (write), "
        "TX 6E400003 (notify)",
    ),
)

_BY_SERVICE = {family.service: family for family in FAMILIES}


def family_for_service(service_uuid: str) -> AdapterFamily | None:
    """The known family whose service is ``service_uuid`` (any UUID form), or None."""
    try:
        return _BY_SERVICE.get(normalize_uuid(service_uuid))
    except ValueError:
        return None


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
        reason = f"its name {name!r} contains {pattern!r}"
    elif family is not None:
        reason = f"it advertises the {family.name} service {family.service} ({family.adapters})"
    else:
        return None
    return BleCandidate(address, name, rssi, family.name if family else None, reason)


def _run(factory: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine to completion on a fresh event loop, in a worker thread if one already runs."""

    async def main() -> T:
        return await factory()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="obdident-ble-scan") as pool:
        return pool.submit(asyncio.run, main()).result()


def _why(err: BaseException) -> str:
    """One sentence saying why the scan could not run."""
    from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

    if isinstance(err, BleakBluetoothNotAvailableError):
        reason = err.reason
        if reason in (
            BleakBluetoothNotAvailableReason.NO_BLUETOOTH,
            BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE,
        ):
            return f"this computer has no Bluetooth LE radio ({err.args[0]})"
        if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
            return f"Bluetooth is switched off on this computer; switch it on ({err.args[0]})"
        if reason in (
            BleakBluetoothNotAvailableReason.DENIED_BY_USER,
            BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM,
            BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN,
        ):
            return (
                "the operating system denied this program the use of Bluetooth; allow it (macOS: System "
                f"Settings > Privacy & Security > Bluetooth) ({err.args[0]})"
            )
        return f"Bluetooth is not available ({err.args[0]})"
    if isinstance(err, FileNotFoundError):
        return (
            "Bluetooth is not available: there is no D-Bus system bus to reach BlueZ (on Linux, install "
            "BlueZ and start it: sudo systemctl start bluetooth)"
        )
    if isinstance(err, PermissionError):
        return f"permission denied using Bluetooth: {err}"
    if isinstance(err, TimeoutError):
        return "the Bluetooth scan did not finish in time"
    return f"the Bluetooth scan failed: {err or type(err).__name__}"


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
        return [], "bleak is not installed: pip install bleak"

    async def scan() -> dict[str, tuple[BLEDevice, AdvertisementData]]:
        # bleak listens for the whole timeout; the outer bound only guards against a stack that hangs
        async with asyncio.timeout(timeout_s + 10.0):
            if backend is None:
                found = await BleakScanner.discover(timeout=timeout_s, return_adv=True)
            else:
                found = await BleakScanner.discover(timeout=timeout_s, return_adv=True, backend=backend)
        return dict(found)

    try:
        seen = _run(scan)
    except (BleakError, OSError, EOFError, TimeoutError) as err:
        log.debug("Bluetooth LE scan failed", exc_info=True)
        return [], _why(err)
    candidates: list[BleCandidate] = []
    for device, adv in seen.values():
        name = adv.local_name or device.name
        candidate = classify(device.address, name, adv.rssi, adv.service_uuids or ())
        if candidate is not None:
            candidates.append(candidate)
    candidates.sort(key=lambda c: (c.rssi is None, -(c.rssi or 0), c.address))
    return candidates, None
