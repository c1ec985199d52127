"""Bluetooth LE adapters: the ``ble://`` URL and the choice of the write and notify characteristics.

Pure functions over the URL text and the GATT table bleak reports; :mod:`.protocol_ble` does the I/O.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from obdident.errors import TransportError
from obdident.transports.ble import FAMILIES, AdapterFamily, family_for_service, normalize_uuid

if TYPE_CHECKING:
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.service import BleakGATTService

__all__ = [
    "ATT_HEADER",
    "DEFAULT_CONNECT_TIMEOUT_S",
    "MAX_MTU",
    "MIN_MTU",
    "SCHEME",
    "BleUrl",
    "Choice",
    "choose_characteristics",
    "parse_ble_url",
]

SCHEME = "ble"
DEFAULT_CONNECT_TIMEOUT_S = 10.0
#: The smallest ATT MTU on LE and the largest useful one (Bluetooth Core Specification, Vol 3, Part F,
#: the Attribute Protocol: ATT_MTU is at least 23 on LE, attribute values at most 512 bytes); a write
#: carries MTU less its 3-byte header (opcode and handle).
MIN_MTU, MAX_MTU, ATT_HEADER = 23, 517, 3

_OPTIONS = ("write", "notify", "response", "mtu", "timeout")
_MAC = re.compile(r"[0-9A-F]{2}([:-])[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}", re.IGNORECASE)
_DEVICE_UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", re.IGNORECASE)
#: Standard services that never carry the adapter's serial link (Generic Access, Generic Attribute,
#: Device Information, Battery): skipped by the generic choice.
_STANDARD_SERVICES = frozenset(normalize_uuid(u) for u in ("1800", "1801", "180a", "180f"))
_WRITE_PROPERTIES = ("write", "write-without-response")
_NOTIFY_PROPERTIES = ("notify", "indicate")


@dataclass(frozen=True)
class BleUrl:
    """A parsed ``ble://`` URL.

    Attributes:
        address: the device address, upper case (``AA:BB:CC:DD:EE:FF``, or a macOS device UUID).
        write: the ``write`` option as a normalised UUID, or None to choose automatically.
        notify: the ``notify`` option as a normalised UUID, or None to choose automatically.
        response: True when ``response=1`` forces writes with response.
        mtu: the ``mtu`` option, or None to use the negotiated MTU.
        timeout_s: seconds per connection attempt.
    """

    address: str
    write: str | None = None
    notify: str | None = None
    response: bool = False
    mtu: int | None = None
    timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S


def parse_ble_url(url: str) -> BleUrl:
    """Parse a ``ble://`` URL (no Bluetooth access).

    Args:
        url: ``ble://ADDRESS[?write=UUID&notify=UUID&response=0|1&mtu=N&timeout=S]``.

    Returns:
        The parsed URL.

    Raises:
        ValueError: not a ``ble://`` URL, a malformed address, an unknown option or a bad option value
            (pyserial's convention for bad URLs); the message names the bad part.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != SCHEME:
        raise ValueError(f"expected a URL of the form ble://ADDRESS, got {url!r}")
    if parts.path not in ("", "/") or parts.fragment:
        raise ValueError(f"{url!r}: a ble:// URL holds only an address and options (ble://ADDRESS?...)")
    address: str = urllib.parse.unquote(parts.netloc).strip()
    if not address:
        raise ValueError(f"{url!r} names no device; try ble://AA:BB:CC:DD:EE:FF")
    if _MAC.fullmatch(address):
        address = address.replace("-", ":").upper()
    elif _DEVICE_UUID.fullmatch(address):
        address = address.upper()
    else:
        raise ValueError(
            f"{url!r}: address {address!r} is neither a Bluetooth address (AA:BB:CC:DD:EE:FF) nor a "
            "macOS device UUID"
        )
    try:
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as err:
        raise ValueError(f"{url!r}: malformed options: {err}") from err
    options: dict[str, str] = {}
    for key, value in pairs:
        if key not in _OPTIONS:
            raise ValueError(f"{url!r}: unknown option {key!r} (known: {', '.join(_OPTIONS)})")
        if key in options:
            raise ValueError(f"{url!r}: option {key!r} given twice")
        options[key] = value
    uuids: dict[str, str | None] = {}
    for key in ("write", "notify"):
        given = options.get(key)
        try:
            uuids[key] = None if given is None else normalize_uuid(given)
        except ValueError:
            raise ValueError(f"{url!r}: option {key!r}: {given!r} is not a UUID (fff2 or 128-bit)") from None
    response = options.get("response", "0")
    if response not in ("0", "1"):
        raise ValueError(f"{url!r}: option 'response' must be 0 or 1, got {response!r}")
    mtu: int | None = None
    if "mtu" in options:
        text = options["mtu"]
        if not text.isdigit() or not MIN_MTU <= int(text) <= MAX_MTU:
            raise ValueError(
                f"{url!r}: option 'mtu' must be a whole number {MIN_MTU}-{MAX_MTU}, got {text!r}"
            )
        mtu = int(text)
    timeout_s = DEFAULT_CONNECT_TIMEOUT_S
    if "timeout" in options:
        try:
            timeout_s = float(options["timeout"])
        except ValueError:
            timeout_s = math.nan
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise ValueError(
                f"{url!r}: option 'timeout' must be a positive number of seconds, got {options['timeout']!r}"
            )
    return BleUrl(address, uuids["write"], uuids["notify"], response == "1", mtu, timeout_s)


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
                    kind = "writes" if option == "write" else "notifications"
                    raise TransportError(
                        f"characteristic {wanted} (option {option}=) does not offer {kind}: "
                        f"its properties are {', '.join(char.properties) or 'none'}",
                        hint="leave the option out to let obdident choose",
                    )
                return char
    raise TransportError(
        f"the adapter has no characteristic {wanted} (option {option}=); it offers: {_describe(services)}",
        hint="leave the option out to let obdident choose",
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
        f"the device offers no writable and notifying characteristic pair: {_describe(ordered)}",
        hint="check that the address is the OBD-II adapter's; or name the characteristics with "
        "?write=UUID&notify=UUID",
    )
