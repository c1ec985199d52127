"""Transports: every adapter link is a pyserial port opened by URL (``serial.serial_for_url``).

Plain names open serial ports (``/dev/ttyUSB0``, ``/dev/rfcomm0``, ``COM5``, ``/dev/cu.OBDII-SPPDev``);
pyserial's own handlers open WiFi adapters (``socket://192.168.0.10:35000``); this package adds
``ble://ADDRESS`` (Bluetooth LE through bleak, :mod:`.protocol_ble`), ``rfcomm://MAC[:CHANNEL]``
(Bluetooth Classic sockets on Linux, :mod:`.protocol_rfcomm`) and ``sim://PROFILE``, an in-process ELM327
and simulated vehicle (:mod:`.protocol_sim`); ``replay://FILE`` lives with the recordings
(:mod:`obdident.recording.protocol_replay`). :mod:`.ports` finds candidate adapters.

Importing this package registers obdident's URL schemes with pyserial, so other programs open them too::

    import obdident.transports  # registers ble://, rfcomm://, sim://
    import obd                  # python-OBD
    connection = obd.OBD("sim://nissan-xtrail-t32", baudrate=38400, fast=False)

Such a program's lines pass no guard unless the URL asks for one: ``?guarded=1`` on any scheme but
``replay://`` (:mod:`.guarded`; ``protocol_socket`` and ``protocol_rfc2217`` add it to pyserial's schemes).
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from typing import TYPE_CHECKING, Any

import serial

from obdident.errors import (
    PortBusyError,
    PortNotFoundError,
    PortPermissionError,
    PortUrlError,
    TransportError,
)
from obdident.i18n import T, Text

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient

__all__ = ["DEFAULT_BAUDRATE", "HANDLER_PACKAGE", "HANDLER_PACKAGES", "MAX_BAUDRATE", "open_port", "register"]

#: Where pyserial looks for ``protocol_<scheme>`` modules of obdident's URL schemes.
HANDLER_PACKAGE = "obdident.transports"
#: ... and for ``replay://`` (:mod:`obdident.recording.protocol_replay`): a higher floor, named, not imported.
HANDLER_PACKAGES = (HANDLER_PACKAGE, "obdident.recording")
#: The ELM327's factory baud rate (ELM327 datasheet, "Communicating with the ELM327"; some clones use 9600).
DEFAULT_BAUDRATE = 38400
#: The fastest serial speed obdident asks for, baud: Linux's fastest named rate (``B4000000``, termios), above
#: every adapter's UART (STN chips and FTDI bridges stop at 3 Mbaud). A larger number cannot be a baud rate;
#: the operating system would refuse it with an overflow, not a reason.
MAX_BAUDRATE = 4_000_000
#: How long one read may block, in seconds: short, since the driver loops until its own deadline.
READ_SLICE_S = 0.02


def _permission_hint(port: str, platform: str | None = None) -> Text:
    """What to do when the operating system refuses a serial port: on Windows "access denied" usually means
    another program holds the COM port; on Linux the user is not in the group that owns the device."""
    platform = platform or sys.platform
    if platform.startswith("win"):
        return T(
            "close any other program that uses {port} (another OBD program, a terminal), then retry",
            port=port,
        )
    if platform == "darwin":
        return T(
            "close any other program that uses {port}, unplug the adapter and plug it in again", port=port
        )
    return T(
        "on Linux add yourself to the group that owns the port, then log out and in: {command} "
        "(Arch and Fedora: the group is uucp or dialout; {check} shows it)",
        command="`sudo usermod -aG dialout $USER`",
        check=f"`ls -l {port}`",
    )


def register() -> None:
    """Register obdident's URL schemes (``sim://``, ``replay://``...) with pyserial; idempotent.

    :data:`HANDLER_PACKAGE` goes first, before pyserial's own handlers: its ``protocol_socket`` and
    ``protocol_rfc2217`` add the ``guarded`` option (:mod:`obdident.transports.guarded`) to pyserial's
    ``socket://`` and ``rfc2217://`` and otherwise open pyserial's own classes.
    """
    packages = serial.protocol_handler_packages
    if HANDLER_PACKAGE in packages:
        packages.remove(HANDLER_PACKAGE)
    packages.insert(0, HANDLER_PACKAGE)
    for package in HANDLER_PACKAGES[1:]:
        if package not in packages:
            packages.append(package)


def open_port(
    url: str, *, baudrate: int = DEFAULT_BAUDRATE, ble_backend: type[BaseBleakClient] | None = None
) -> Any:
    """Open an adapter port by name or URL.

    The name or URL is checked first (:func:`obdident.transports.urls.check_port`): pyserial's other URL
    schemes (``spy://``, ``loop://``, ``hwgrep://``, ``alt://``, ``cp2110://``) are refused. Open errors
    are classified by exception type and errno, never by the words of a message.

    Args:
        url: ``/dev/ttyUSB0``, ``COM5``, ``socket://HOST:PORT``, ``sim://PROFILE`` ...
        baudrate: serial speed in baud (1 to :data:`MAX_BAUDRATE`); ignored by network and simulated ports.
        ble_backend: for a ``ble://`` URL, the bleak client backend class to connect with (bleak's
            ``BleakClient(..., backend=...)``: a fake device in tests); None: the platform's.

    Returns:
        An open ``serial.SerialBase`` whose reads block at most 20 ms.

    Raises:
        PortUrlError: a malformed or refused name or URL, a bad baud rate, or a device that is not a
            serial port (a directory, a file, ``/dev/null``).
        PortNotFoundError: no such device, host, or profile; nothing listening at the address.
        PortPermissionError: the operating system refused access.
        PortBusyError: another program holds the port.
        TransportError: any other failure to open.
    """
    from obdident.transports.urls import check_port

    register()
    check_port(url)
    if isinstance(baudrate, bool) or not isinstance(baudrate, int) or not 1 <= baudrate <= MAX_BAUDRATE:
        raise PortUrlError(
            T(
                "{value} is not a baud rate (a whole number of bits per second, from 1 to {most})",
                value=repr(baudrate),
                most=MAX_BAUDRATE,
            )
        )
    try:
        if ble_backend is not None and url.lower().startswith("ble://"):
            from obdident.transports.protocol_ble import Serial as BleSerial

            link = BleSerial(None, baudrate=baudrate, timeout=READ_SLICE_S, write_timeout=2.0)
            link.backend = ble_backend
            link.port = url
            link.open()
            return link
        return serial.serial_for_url(url, baudrate=baudrate, timeout=READ_SLICE_S, write_timeout=2.0)
    except TransportError:
        raise
    except OverflowError as err:  # a setting too large for the operating system's C types
        raise PortUrlError(
            T("cannot open {url}: a setting is out of range", url=url), detail=str(err)
        ) from err
    except (serial.SerialException, OSError, ValueError) as err:
        raise _classify(url, err) from err


def _errno_of(err: BaseException) -> int | None:
    """The errno behind an open error: its own, or that of the exception it was raised from.

    pyserial often wraps the operating system's error without its errno (``socket://``: "Could not open
    port ...: [Errno 111] ..."; ``termios.error`` when configuring): the chain still holds it.
    """
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "errno", None)
        if isinstance(code, int):
            return code
        if _TERMIOS_ERROR is not None and isinstance(current, _TERMIOS_ERROR):
            first = current.args[0] if current.args else None
            if isinstance(first, int):
                return first
        current = current.__cause__ or current.__context__
    return None


def _has(err: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, kind):
            return True
        current = current.__cause__ or current.__context__
    return False


def _classify(url: str, err: BaseException) -> TransportError:
    """Map an open error to obdident's tree by its type and errno (see :mod:`errno`)."""
    from obdident.transports.kinds import scheme_of

    scheme = scheme_of(url)
    serial_port = scheme is None
    network = scheme in ("socket", "rfc2217")
    code = _errno_of(err)
    reason = os.strerror(code) if code is not None else str(err)
    if isinstance(err, ValueError):  # pyserial: a bad setting such as the baud rate
        return PortUrlError(T("cannot open {url}: a setting is not valid", url=url), detail=str(err))
    if _has(err, socket.gaierror):
        return PortNotFoundError(
            T("no such host in {url}", url=url),
            hint=T("check the adapter's address (often {address})", address="192.168.0.10:35000"),
        )
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO):
        return PortNotFoundError(
            T("no adapter port {url}", url=url),
            hint=T("check the port name; plug the adapter in (USB), pair it (Bluetooth) or join its WiFi"),
        )
    if code in (errno.EACCES, errno.EPERM):
        return PortPermissionError(
            T("permission denied opening {url}", url=url),
            detail=reason,
            hint=_permission_hint(url) if serial_port else None,
        )
    if code == errno.EBUSY:
        return PortBusyError(
            T("{url} is in use by another program", url=url), hint=T("close the other OBD program and retry")
        )
    if code in (errno.EISDIR, errno.ENOTTY, errno.ENOTDIR):
        return PortUrlError(
            T("{url} is not a serial port", url=url), detail=reason, hint=T("give the adapter's port")
        )
    if code in _NO_LISTENER or _has(err, ConnectionError) or _has(err, TimeoutError):
        return PortNotFoundError(
            T("nothing answers at {url}", url=url),
            detail=reason,
            hint=T(
                "join the adapter's WiFi network and check its address (often {address})",
                address="192.168.0.10:35000",
            )
            if network
            else T("switch the adapter on and bring it within range"),
        )
    return TransportError(T("could not open {url}", url=url), detail=reason)


_NO_LISTENER = frozenset(
    {errno.ECONNREFUSED, errno.ETIMEDOUT, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN}
)
try:
    import termios

    _TERMIOS_ERROR: type[BaseException] | None = termios.error
except ImportError:  # Windows
    _TERMIOS_ERROR = None


register()
