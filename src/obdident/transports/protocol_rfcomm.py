"""``rfcomm://MAC[:CHANNEL]``: a Bluetooth Classic (SPP) adapter over an RFCOMM socket, Linux only.

pyserial's ``socket://`` handler does all the reading and writing; this subclass only opens the socket
with Python's ``AF_BLUETOOTH`` / ``BTPROTO_RFCOMM`` (Linux, CPython built with BlueZ headers) instead of
TCP. Without them, bind the adapter to a serial device instead (``sudo rfcomm bind 0 MAC`` ->
``/dev/rfcomm0``). Most ELM327 SPP adapters listen on channel 1.
"""

from __future__ import annotations

import re
import socket
from typing import Any

from serial import SerialException
from serial.urlhandler import protocol_socket

from obdident.errors import PortOpenError, PortUrlError
from obdident.i18n import T
from obdident.transports.guarded import GuardedPort, url_hook
from obdident.transports.kinds import LinkKind, split_url

__all__ = ["DEFAULT_CHANNEL", "GuardedSerial", "Serial", "parse_rfcomm_url", "serial_class_for_url"]

DEFAULT_CHANNEL = 1
_MAC = re.compile(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}")
_MAX_CHANNEL = 30  # RFCOMM server channels are 1-30 (Bluetooth Core, RFCOMM)


def parse_rfcomm_url(url: str) -> tuple[str, int]:
    """Split ``rfcomm://AA:BB:CC:DD:EE:FF[:CHANNEL]`` into (MAC, channel).

    Raises:
        PortUrlError: (a ValueError) not an rfcomm URL, a malformed MAC address, or a channel outside 1-30.
    """
    parts = split_url(url)
    if parts.scheme != "rfcomm":
        raise PortUrlError(T("expected {form}, got '{url}'", form="rfcomm://MAC[:CHANNEL]", url=url))
    body = parts.netloc or parts.path.lstrip("/")
    pieces = body.split(":")
    if len(pieces) == 7:
        mac, channel_text = ":".join(pieces[:6]), pieces[6]
    else:
        mac, channel_text = body, str(DEFAULT_CHANNEL)
    if not _MAC.fullmatch(mac):
        raise PortUrlError(
            T("not a Bluetooth MAC address: '{mac}' (expected {form})", mac=mac, form="AA:BB:CC:DD:EE:FF")
        )
    if not channel_text.isdigit() or not 1 <= int(channel_text) <= _MAX_CHANNEL:
        raise PortUrlError(T("RFCOMM channel must be 1-30, got '{channel}'", channel=channel_text))
    return mac.upper(), int(channel_text)


class Serial(protocol_socket.Serial):  # type: ignore[misc]
    """pyserial port over an RFCOMM socket; everything but opening is pyserial's ``socket://`` code."""

    def _connect(self, address: tuple[str, int]) -> socket.socket:
        family = getattr(socket, "AF_BLUETOOTH", None)
        proto = getattr(socket, "BTPROTO_RFCOMM", None)
        if family is None or proto is None:
            raise PortOpenError(
                T("this Python has no Bluetooth sockets (AF_BLUETOOTH)"),
                hint=T(
                    "bind the adapter to a serial device instead ({command}) and use {option}",
                    command=f"sudo rfcomm bind 0 {address[0]}",
                    option="--port /dev/rfcomm0",
                ),
            )
        sock = socket.socket(family, socket.SOCK_STREAM, proto)
        sock.settimeout(protocol_socket.POLL_TIMEOUT * 50)
        try:
            sock.connect(address)
        except OSError:
            sock.close()
            raise
        return sock

    @property
    def link_kind(self) -> LinkKind:
        """Always :attr:`LinkKind.RFCOMM`."""
        return LinkKind.RFCOMM

    @property
    def link_description(self) -> str:
        """``Bluetooth Classic (RFCOMM socket)``."""
        return T("Bluetooth Classic (RFCOMM socket)")

    def open(self) -> None:
        """Connect to the adapter's RFCOMM channel.

        Raises:
            SerialException: no Bluetooth sockets, or the adapter did not accept the connection.
        """
        self.logger = None
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        try:
            sock = self._connect(self.from_url(self.portstr))
        except SerialException:
            raise
        except OSError as err:
            raise SerialException(err.errno, f"could not open port {self.portstr}: {err}") from err
        sock.setblocking(False)
        self._socket = sock
        self.is_open = True
        self.reset_input_buffer()
        self.reset_output_buffer()

    def from_url(self, url: Any) -> tuple[str, int]:
        """Return (MAC, channel) of ``rfcomm://MAC[:CHANNEL]`` (pyserial handler hook)."""
        return parse_rfcomm_url(str(url))


class GuardedSerial(GuardedPort, Serial):
    """``rfcomm://...?guarded=1``: every line written passes obdident's read-only guard first
    (:mod:`obdident.transports.guarded`)."""


#: pyserial's hook: the URL without the ``guarded`` option, and :class:`GuardedSerial` when it asked for
#: ``guarded=1``, else :class:`Serial` (:func:`obdident.transports.guarded.url_hook`).
serial_class_for_url = url_hook(Serial, GuardedSerial)
