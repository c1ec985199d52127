"""The kinds of link obdident opens, and the one reader of a port URL's scheme.

It imports only :mod:`obdident.errors` from the rest of obdident: the port classes,
:mod:`obdident.transports.urls` (which checks a name before it is opened) and :mod:`obdident.transports.links`
(which describes a link) all read the scheme here, and split a URL with :func:`split_url`.
"""

from __future__ import annotations

import re
import urllib.parse
from enum import StrEnum

from obdident.errors import PortUrlError
from obdident.i18n import T

__all__ = ["LinkKind", "link_kind", "scheme_of", "split_url"]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def scheme_of(url: str) -> str | None:
    """The URL scheme in lower case (``socket`` for ``socket://...``), or None for a native port name.

    pyserial treats any name holding ``://`` as a URL (``serial.serial_for_url``); so does this function.
    """
    if "://" not in url:
        return None
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else url.split("://", 1)[0].lower()


def split_url(url: str) -> urllib.parse.SplitResult:
    """:func:`urllib.parse.urlsplit`, with its :class:`ValueError` for a malformed URL (``socket://[::1``,
    an unclosed IPv6 bracket; RFC 3986 section 3.2.2) turned into a one-line :class:`PortUrlError`.

    Raises:
        PortUrlError: the URL cannot be split into its parts.
    """
    try:
        return urllib.parse.urlsplit(url)
    except ValueError as err:
        raise PortUrlError(T("{url}: not a well-formed URL", url=url), detail=str(err)) from err


class LinkKind(StrEnum):
    """The kinds of link obdident opens, by URL scheme (a native port name is a serial port)."""

    SERIAL = "serial"
    TCP = "socket"
    RFC2217 = "rfc2217"
    BLE = "ble"
    RFCOMM = "rfcomm"
    SIM = "sim"
    REPLAY = "replay"


def link_kind(url: str) -> LinkKind:
    """The kind of link a port name or URL opens: by its scheme; a name without one is a serial port.

    A scheme obdident does not open (refused by :func:`obdident.transports.urls.check_port`) reads as a
    serial port too: pyserial would open it as some port.
    """
    scheme = scheme_of(url)
    try:
        return LinkKind(scheme) if scheme is not None else LinkKind.SERIAL
    except ValueError:
        return LinkKind.SERIAL
