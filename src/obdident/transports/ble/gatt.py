"""The GATT side of Bluetooth LE OBD-II adapters: the layouts obdident knows, the choice of characteristics.

A BLE ELM327 adapter has no serial port profile: it offers one GATT characteristic the host writes command
bytes to and one that notifies the adapter's output. Which ones depends on the module inside the adapter,
hence :data:`FAMILIES`. Pure functions over UUID text and the GATT table bleak reports; no I/O, and bleak is
imported for type checking only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obdident.errors import TransportError
from obdident.i18n import T

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.service import BleakGATTService

__all__ = [
    "ATT_HEADER",
    "FAMILIES",
    "MAX_MTU",
    "MIN_MTU",
    "AdapterFamily",
    "Choice",
    "choose_characteristics",
    "chunk_size",
    "family_for_service",
    "normalize_uuid",
]

_LEAVE_OUT = T("leave the option out to let obdident choose")

#: The smallest ATT MTU on LE and the largest useful one (Bluetooth Core Specification, Vol 3, Part F,
#: the Attribute Protocol: ATT_MTU is at least 23 on LE, attribute values at most 512 bytes); a write
#: carries MTU less its 3-byte header (opcode and handle).
MIN_MTU, MAX_MTU, ATT_HEADER = 23, 517, 3

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


#: Standard services that never carry the adapter's serial link (Generic Access, Generic Attribute,
#: Device Information, Battery): skipped by the generic choice.
_STANDARD_SERVICES = frozenset(normalize_uuid(u) for u in ("1800", "1801", "180a", "180f"))
_WRITE_PROPERTIES = ("write", "write-without-response")
_NOTIFY_PROPERTIES = ("notify", "indicate")


@dataclass(frozen=True)
class Choice:
    """The characteristics a port uses.

    Attributes:
        family: the :class:`~obdident.transports.ble.AdapterFamily` name, or ``generic``.
        write: the characteristic commands are written to.
        notify: the characteristic the answers arrive on.
    """

    family: str
    write: BleakGATTCharacteristic
    notify: BleakGATTCharacteristic


def _can_write(char: BleakGATTCharacteristic) -> bool:
    return any(p in char.properties for p in _WRITE_PROPERTIES)


def _can_notify(char: BleakGATTCharacteristic) -> bool:
    return any(p in char.properties for p in _NOTIFY_PROPERTIES)


def _family_name(char: BleakGATTCharacteristic) -> str:
    family = family_for_service(char.service_uuid)
    return family.name if family else "generic"


def _describe(services: Iterable[BleakGATTService]) -> str:
    described = [
        f"{s.uuid} [" + ", ".join(f"{c.uuid} ({'/'.join(c.properties)})" for c in s.characteristics) + "]"
        for s in services
    ]
    return "; ".join(described) or "no services"


def _by_uuid(
    services: list[BleakGATTService],
    wanted: str,
    usable: Callable[[BleakGATTCharacteristic], bool],
    option: str,
) -> BleakGATTCharacteristic:
    for service in services:
        for char in service.characteristics:
            if char.uuid == wanted:
                if not usable(char):
                    said = (
                        T(
                            "characteristic {uuid} (option {option}=) does not offer writes",
                            uuid=wanted,
                            option=option,
                        )
                        if option == "write"
                        else T(
                            "characteristic {uuid} (option {option}=) does not offer notifications",
                            uuid=wanted,
                            option=option,
                        )
                    )
                    raise TransportError(
                        said,
                        detail=f"its properties are {', '.join(char.properties) or 'none'}",
                        hint=_LEAVE_OUT,
                    )
                return char
    raise TransportError(
        T("the adapter has no characteristic {uuid} (option {option}=)", uuid=wanted, option=option),
        detail=f"it offers: {_describe(services)}",
        hint=_LEAVE_OUT,
    )


def _in_family(service: BleakGATTService, family: AdapterFamily) -> Choice | None:
    write = next((c for c in service.characteristics if c.uuid == family.write and _can_write(c)), None)
    notify = next((c for c in service.characteristics if c.uuid == family.notify and _can_notify(c)), None)
    return Choice(family.name, write, notify) if write and notify else None


def _in_service(
    service: BleakGATTService,
) -> tuple[BleakGATTCharacteristic | None, BleakGATTCharacteristic | None]:
    write = next((c for c in service.characteristics if _can_write(c)), None)
    notify = next((c for c in service.characteristics if _can_notify(c)), None)
    return write, notify


def choose_characteristics(
    services: Iterable[BleakGATTService], *, write: str | None = None, notify: str | None = None
) -> Choice:
    """Pick the write and notify characteristics of an adapter's GATT services.

    Order: the ``write``/``notify`` overrides; each :data:`~obdident.transports.ble.FAMILIES` layout whose
    characteristics have the right properties; else the first service (not a standard one such as Device
    Information) with a writable (``write`` / ``write-without-response``) and a notifying (``notify`` /
    ``indicate``) characteristic. With one override, the other side comes from the same service if it
    can, else by the same order.

    Args:
        services: the connected device's services (``client.services``).
        write: a normalised UUID to write to, or None.
        notify: a normalised UUID to receive from, or None.

    Returns:
        The choice.

    Raises:
        TransportError: an override names no usable characteristic, or no service has both kinds.
    """
    ordered = sorted(services, key=lambda s: s.handle)
    forced_write = _by_uuid(ordered, write, _can_write, "write") if write else None
    forced_notify = _by_uuid(ordered, notify, _can_notify, "notify") if notify else None
    if forced_write and forced_notify:
        return Choice(_family_name(forced_write), forced_write, forced_notify)
    if forced_write or forced_notify:
        forced = forced_write or forced_notify
        assert forced is not None
        home = next(s for s in ordered if s.handle == forced.service_handle)
        same_write, same_notify = _in_service(home)
        other = same_notify if forced_write else same_write
        if other is None:
            automatic = choose_characteristics(ordered)
            other = automatic.notify if forced_write else automatic.write
        chosen_write = forced_write or other
        chosen_notify = forced_notify or other
        return Choice(_family_name(chosen_write), chosen_write, chosen_notify)
    for family in FAMILIES:
        for service in ordered:
            if service.uuid == family.service:
                found = _in_family(service, family)
                if found:
                    return found
    for service in ordered:
        if service.uuid in _STANDARD_SERVICES:
            continue
        any_write, any_notify = _in_service(service)
        if any_write and any_notify:
            known = family_for_service(service.uuid)
            return Choice(known.name if known else "generic", any_write, any_notify)
    raise TransportError(
        T("the device offers no writable and notifying characteristic pair"),
        detail=_describe(ordered),
        hint=T(
            "check that the address is the OBD-II adapter's; or name the characteristics with {options}",
            options="?write=UUID&notify=UUID",
        ),
    )


def chunk_size(
    client: BleakClient, char: BleakGATTCharacteristic, mtu_option: int | None, with_response: bool
) -> int:
    """Bytes per GATT write: the ``mtu`` option, else the negotiated MTU, less the 3-byte ATT header."""
    if mtu_option is not None:
        return mtu_option - ATT_HEADER
    try:
        mtu = int(client.mtu_size)
    except Exception:  # some backends cannot tell before the first exchange
        mtu = MIN_MTU
    size = mtu - ATT_HEADER if mtu > MIN_MTU else MIN_MTU - ATT_HEADER
    if not with_response:
        # bleak: a write without response carries at most max_write_without_response_size bytes
        try:
            size = min(size, max(MIN_MTU - ATT_HEADER, int(char.max_write_without_response_size)))
        except Exception:
            size = min(size, MIN_MTU - ATT_HEADER)
    return size
