"""The ``ble://ADDRESS[?options]`` URL: parsed without any Bluetooth access.

The options are described in :mod:`obdident.transports.protocol_ble`.
"""

from __future__ import annotations

import math
import re
import urllib.parse
from dataclasses import dataclass

from obdident.errors import PortUrlError
from obdident.i18n import T
from obdident.transports.ble.gatt import MAX_MTU, MIN_MTU, normalize_uuid
from obdident.transports.kinds import split_url

__all__ = ["DEFAULT_CONNECT_TIMEOUT_S", "SCHEME", "BleUrl", "parse_ble_url"]

SCHEME = "ble"
DEFAULT_CONNECT_TIMEOUT_S = 10.0
_OPTIONS = ("write", "notify", "response", "mtu", "timeout")
_MAC = re.compile(r"[0-9A-F]{2}([:-])[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}", re.IGNORECASE)
_DEVICE_UUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}", re.IGNORECASE)


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
        PortUrlError: (a ValueError) not a ``ble://`` URL, a malformed address, an unknown option or a bad
            option value
            (pyserial's convention for bad URLs); the message names the bad part.
    """
    parts = split_url(url)
    if parts.scheme.lower() != SCHEME:
        raise PortUrlError(T("expected a URL of the form {form}, got '{url}'", form="ble://ADDRESS", url=url))
    if parts.path not in ("", "/") or parts.fragment:
        raise PortUrlError(
            T(
                "'{url}': a ble:// URL holds only an address and options ({form})",
                url=url,
                form="ble://ADDRESS?...",
            )
        )
    address: str = urllib.parse.unquote(parts.netloc).strip()
    if not address:
        raise PortUrlError(
            T("'{url}' names no device; try {example}", url=url, example="ble://AA:BB:CC:DD:EE:FF")
        )
    if _MAC.fullmatch(address):
        address = address.replace("-", ":").upper()
    elif _DEVICE_UUID.fullmatch(address):
        address = address.upper()
    else:
        raise PortUrlError(
            T(
                "'{url}': address '{address}' is neither a Bluetooth address ({form}) "
                "nor a macOS device UUID",
                url=url,
                address=address,
                form="AA:BB:CC:DD:EE:FF",
            )
        )
    try:
        pairs = urllib.parse.parse_qsl(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as err:
        raise PortUrlError(T("'{url}': malformed options", url=url), detail=str(err)) from err
    options: dict[str, str] = {}
    for key, value in pairs:
        if key not in _OPTIONS:
            raise PortUrlError(
                T("'{url}': unknown option '{key}' (known: {known})", url=url, key=key, known=tuple(_OPTIONS))
            )
        if key in options:
            raise PortUrlError(T("'{url}': option '{key}' given twice", url=url, key=key))
        options[key] = value
    uuids: dict[str, str | None] = {}
    for key in ("write", "notify"):
        given = options.get(key)
        try:
            uuids[key] = None if given is None else normalize_uuid(given)
        except ValueError:
            raise PortUrlError(
                T(
                    "'{url}': option '{key}': '{value}' is not a UUID ({forms})",
                    url=url,
                    key=key,
                    value=given,
                    forms="fff2, 128-bit",
                )
            ) from None
    response = options.get("response", "0")
    if response not in ("0", "1"):
        raise PortUrlError(
            T(
                "'{url}': option '{key}' must be 0 or 1, got '{value}'",
                url=url,
                key="response",
                value=response,
            )
        )
    mtu: int | None = None
    if "mtu" in options:
        text = options["mtu"]
        if not text.isdigit() or not MIN_MTU <= int(text) <= MAX_MTU:
            raise PortUrlError(
                T(
                    "'{url}': option '{key}' must be a whole number {low}-{high}, got '{value}'",
                    url=url,
                    key="mtu",
                    low=MIN_MTU,
                    high=MAX_MTU,
                    value=text,
                )
            )
        mtu = int(text)
    timeout_s = DEFAULT_CONNECT_TIMEOUT_S
    if "timeout" in options:
        try:
            timeout_s = float(options["timeout"])
        except ValueError:
            timeout_s = math.nan
        if not (math.isfinite(timeout_s) and timeout_s > 0):
            raise PortUrlError(
                T(
                    "'{url}': option '{key}' must be a positive number of seconds, got '{value}'",
                    url=url,
                    key="timeout",
                    value=options["timeout"],
                )
            )
    return BleUrl(address, uuids["write"], uuids["notify"], response == "1", mtu, timeout_s)
