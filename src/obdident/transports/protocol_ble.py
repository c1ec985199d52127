"""pyserial protocol handler for ``ble://ADDRESS[?options]``: an ELM327 adapter over Bluetooth LE (bleak).

pyserial finds this module as ``<package>.protocol_ble`` once ``obdident.transports`` is in
``serial.protocol_handler_packages`` (importing :mod:`obdident.transports` does that)::

    serial.serial_for_url("ble://AA:BB:CC:DD:EE:FF")                      # Linux, Windows: the MAC address
    serial.serial_for_url("ble://5C3D2F1A-0B4E-4F6A-9C1D-2E3F4A5B6C7D")   # macOS: the device UUID
    serial.serial_for_url("ble://AA:BB:CC:DD:EE:FF?write=fff2&notify=fff1&mtu=185")

Options:
    ``write=UUID``, ``notify=UUID``: the characteristics to use (``fff2`` or a 128-bit UUID), instead of
    the automatic choice (:data:`~obdident.transports.ble.FAMILIES`, then the first service that has a
    writable and a notifying characteristic).
    ``response=1``: always write with response; ``0`` (default): write without response where the
    characteristic offers it.
    ``mtu=N``: the ATT MTU in bytes (23-517); writes are split into ``N - 3`` byte chunks. Default: the
    MTU the connection negotiated, or 23 (20-byte chunks) when it is unknown.
    ``timeout=S``: seconds one connection attempt may take (default 10); there are at most 3 attempts.

The port itself is :class:`obdident.transports.ble.port.BlePort`; this module adds the bleak backend seam,
:data:`BACKEND`, which tests and users set.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obdident.transports.ble.connect import CONNECT_ATTEMPTS
from obdident.transports.ble.gatt import FAMILIES, Choice, choose_characteristics
from obdident.transports.ble.port import BlePort
from obdident.transports.ble.url import SCHEME, BleUrl, parse_ble_url
from obdident.transports.guarded import GuardedPort, url_hook

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient

__all__ = [
    "BACKEND",
    "CONNECT_ATTEMPTS",
    "FAMILIES",
    "SCHEME",
    "BleUrl",
    "Choice",
    "GuardedSerial",
    "Serial",
    "choose_characteristics",
    "parse_ble_url",
    "serial_class_for_url",
]

#: bleak client backend class to use instead of the platform's: None normally; tests set a fake here.
#: bleak documents ``BleakClient(..., backend=...)`` for custom backends. Read at each connection.
BACKEND: type[BaseBleakClient] | None = None


class Serial(BlePort):
    """The class pyserial opens for ``ble://`` URLs: a :class:`BlePort` connecting with :data:`BACKEND`.

    Attributes:
        backend: this port's own bleak backend class, set before :meth:`open` (``open_port(...,
            ble_backend=...)``: how a scan is given a fake device); None: :data:`BACKEND`.
    """

    backend: type[BaseBleakClient] | None = None

    def bleak_backend(self) -> type[BaseBleakClient] | None:
        """This port's :attr:`backend`, else :data:`BACKEND` as it is now (None: the platform's backend)."""
        return self.backend or BACKEND


class GuardedSerial(GuardedPort, Serial):
    """``ble://...?guarded=1``: every line written passes obdident's read-only guard first
    (:mod:`obdident.transports.guarded`)."""


#: pyserial's hook: the URL without the ``guarded`` option, and :class:`GuardedSerial` when it asked for
#: ``guarded=1``, else :class:`Serial` (:func:`obdident.transports.guarded.url_hook`).
serial_class_for_url = url_hook(Serial, GuardedSerial)
