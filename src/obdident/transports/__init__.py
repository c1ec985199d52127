"""Transports: every adapter link is a pyserial port opened by URL (``serial.serial_for_url``).

Plain names open serial ports (``/dev/ttyUSB0``, ``/dev/rfcomm0``, ``COM5``, ``/dev/cu.OBDII-SPPDev``);
pyserial's own handlers open WiFi adapters (``socket://192.168.0.10:35000``); this package adds
``ble://ADDRESS`` (Bluetooth LE through bleak, :mod:`.protocol_ble`), ``rfcomm://MAC[:CHANNEL]``
(Bluetooth Classic sockets on Linux, :mod:`.protocol_rfcomm`) and ``sim://PROFILE``, an in-process ELM327
and simulated vehicle (:mod:`.protocol_sim`). :mod:`.ports` finds candidate adapters.

Importing this package registers obdident's URL schemes with pyserial, so other programs open them too::

    import obdident.transports  # registers ble://, rfcomm://, sim://
    import obd                  # python-OBD
    connection = obd.OBD("sim://nissan-xtrail-t32", baudrate=38400, fast=False)
"""

from __future__ import annotations

import errno
from typing import Any

import serial

from obdident.errors import (
    PortBusyError,
    PortNotFoundError,
    PortPermissionError,
    TransportError,
)

__all__ = ["DEFAULT_BAUDRATE", "HANDLER_PACKAGE", "open_port", "register"]

#: Where pyserial looks for ``protocol_<scheme>`` modules of obdident's URL schemes.
HANDLER_PACKAGE = "obdident.transports"
#: The ELM327's factory baud rate (ELM327 datasheet, "Communicating with the ELM327"; some clones use 9600).
DEFAULT_BAUDRATE = 38400
#: How long one read may block, in seconds: short, since the driver loops until its own deadline.
READ_SLICE_S = 0.02

_PERMISSION_HINT = (
    "on Linux add yourself to the group that owns the port, then log out and in: "
    "`sudo usermod -aG dialout $USER` (Arch and Fedora: the group is uucp or dialout; "
    "`ls -l PORT` shows it)"
)


def register() -> None:
    """Register obdident's URL schemes (``sim://``) with pyserial; idempotent."""
    if HANDLER_PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(HANDLER_PACKAGE)


def open_port(url: str, *, baudrate: int = DEFAULT_BAUDRATE) -> Any:
    """Open an adapter port by name or URL.

    Args:
        url: ``/dev/ttyUSB0``, ``COM5``, ``socket://HOST:PORT``, ``sim://PROFILE`` ...
        baudrate: serial speed in baud; ignored by network and simulated ports.

    Returns:
        An open ``serial.SerialBase`` whose reads block at most 20 ms.

    Raises:
        PortNotFoundError: no such device, host, or profile.
        PortPermissionError: the operating system refused access.
        PortBusyError: another program holds the port.
        TransportError: any other failure to open.
    """
    register()
    try:
        return serial.serial_for_url(url, baudrate=baudrate, timeout=READ_SLICE_S, write_timeout=2.0)
    except TransportError:
        raise
    except (serial.SerialException, OSError, ValueError) as err:
        raise _classify(url, err) from err


def _classify(url: str, err: BaseException) -> TransportError:
    code = getattr(err, "errno", None)
    text = str(err)
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO) or "No such file" in text:
        return PortNotFoundError(
            f"no adapter port {url}",
            hint="check the port name; plug the adapter in (USB), pair it (Bluetooth) or join its WiFi",
        )
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return PortPermissionError(
            f"permission denied opening {url}", hint=_PERMISSION_HINT.replace("PORT", url)
        )
    if code == errno.EBUSY or "busy" in text.lower():
        return PortBusyError(
            f"{url} is in use by another program", hint="close the other OBD program and retry"
        )
    if "refused" in text.lower() or "timed out" in text.lower():
        return PortNotFoundError(
            f"nothing answers at {url}: {text}",
            hint="join the adapter's WiFi network and check its address (often 192.168.0.10:35000)",
        )
    return TransportError(f"could not open {url}: {text}")


register()
