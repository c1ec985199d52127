"""What kind of link a port is, told by its URL and by the port itself, in words for the report.

The URL's scheme is read by :func:`obdident.transports.kinds.scheme_of` only. obdident's own port classes
(``sim://``, ``ble://``, ``rfcomm://``, ``replay://``) describe themselves through the typed properties of
:class:`DescribedLink`; pyserial's (``socket://``, serial devices) are described by their URL's kind.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from obdident.i18n import T, Text
from obdident.transports.kinds import LinkKind, link_kind

__all__ = ["DescribedLink", "LinkKind", "describe", "link_kind", "provenance"]


#: What the report's ``adapter.transport`` says for each kind when the port says nothing more.
_DESCRIPTIONS: dict[LinkKind, Text] = {
    LinkKind.SERIAL: T("serial port"),
    LinkKind.TCP: T("TCP (WiFi adapter)"),
    LinkKind.RFC2217: T("serial port"),
    LinkKind.BLE: T("Bluetooth LE (unknown family)"),
    LinkKind.RFCOMM: T("Bluetooth Classic (RFCOMM socket)"),
    LinkKind.SIM: T("simulated adapter and vehicle"),
    LinkKind.REPLAY: T("recorded session"),
}


@runtime_checkable
class DescribedLink(Protocol):
    """A port that tells what it is: obdident's own port classes."""

    @property
    def link_kind(self) -> LinkKind:
        """The kind of link."""
        ...

    @property
    def link_description(self) -> str:
        """The link in words for the report (``Bluetooth LE (fff0 family)``)."""
        ...


def describe(link: object, url: str) -> str:
    """The link in words for the report: serial, WiFi (TCP), Bluetooth LE with the adapter family, RFCOMM,
    simulated, recorded.

    Args:
        link: the open port.
        url: the name or URL it was opened by.

    Returns:
        The port's own description when it is one of obdident's and of the URL's kind, else the kind's:
        ``serial port``, ``TCP (WiFi adapter)``, ``Bluetooth LE (fff0 family)``,
        ``Bluetooth Classic (RFCOMM socket)``, ``simulated adapter and vehicle``, ``recorded session``.
    """
    kind = link_kind(url)
    if isinstance(link, DescribedLink) and link.link_kind is kind:
        return link.link_description
    return _DESCRIPTIONS[kind]


def provenance(url: str) -> str:
    """Where a recording's exchanges came from, for its header: a simulation, a replay, or an adapter."""
    kind = link_kind(url)
    if kind is LinkKind.SIM:
        return f"simulated ({url}): not a real car"
    if kind is LinkKind.REPLAY:
        return f"replayed from {url}"
    return f"recorded through an adapter at {url}"
