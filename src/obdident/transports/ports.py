"""Finding the adapter: candidate ports for a user who does not know a port name or a MAC address.

USB serial adapters are recognised by the USB-serial chips ELM327 adapters use (VID:PID) or by name;
Bluetooth Classic adapters by their serial device (``/dev/rfcomm*``, ``/dev/cu.*``, a Bluetooth ``COMx``);
Bluetooth LE adapters by a bounded scan (:func:`obdident.transports.ble.discover`); WiFi adapters cannot be
found without joining their network, so the usual endpoint is offered as a hint.
"""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "NONE_FOUND_ADVICE",
    "USB_CHIPS",
    "WIFI_DEFAULT",
    "Candidate",
    "Found",
    "find_adapters",
    "probe_tcp",
    "serial_candidates",
]

Kind = Literal["usb", "bluetooth", "ble", "wifi"]


@dataclass(frozen=True)
class Candidate:
    """A port that may be an OBD-II adapter.

    Attributes:
        url: what to pass as ``--port``.
        kind: ``usb``, ``bluetooth`` (Classic, a serial device), ``ble`` or ``wifi``.
        description: what the operating system or the device calls it.
        reason: why obdident thinks it is (or may be) an adapter.
        likely: True for a known chip, an adapter's name or a known BLE service; False for a mere hint.
    """

    url: str
    kind: Kind
    description: str
    reason: str
    likely: bool


#: USB-serial chips found in ELM327 adapters (USB VID:PID), from the vendors' published ids.
USB_CHIPS: dict[tuple[int, int], str] = {
    (0x0403, 0x6001): "FTDI FT232R",
    (0x0403, 0x6015): "FTDI FT-X",
    (0x1A86, 0x7523): "WCH CH340",
    (0x067B, 0x2303): "Prolific PL2303",
    (0x10C4, 0xEA60): "Silicon Labs CP210x",
}
_NAMES = re.compile(r"OBD|ELM ?327|V-?LINK|VEEPEAK|KONNWEI|LELINK|VGATE|SCANTOOL", re.IGNORECASE)
#: The address and port most WiFi ELM327 adapters serve on their own network.
WIFI_DEFAULT = "socket://192.168.0.10:35000"
#: What to do when no adapter is found, one sentence each (``obdident scan`` without ``--port`` and
#: ``obdident ui`` say the same): plug in, pair and bind, join the WiFi network, the serial device group.
NONE_FOUND_ADVICE: tuple[str, ...] = (
    "Plug a USB adapter in, or pair a Bluetooth one (and switch it on: most take power from the car's "
    "OBD-II socket).",
    "On Linux a paired Bluetooth Classic adapter appears once bound: sudo rfcomm bind 0 MAC (then "
    "/dev/rfcomm0), or use the port rfcomm://MAC.",
    f"A WiFi adapter: join its WiFi network, then use the port {WIFI_DEFAULT}.",
    "On Linux, a USB or Bluetooth adapter that is there but cannot be opened needs your user in the "
    "dialout group (uucp on Arch): sudo usermod -aG dialout $USER, then log out and in again.",
)


def _bluetooth_serial(device: str, description: str) -> bool:
    if re.fullmatch(r"/dev/rfcomm\d+", device):
        return True
    if device.startswith("/dev/cu.") and "Bluetooth-Incoming-Port" not in device:
        return not device.startswith(("/dev/cu.usb", "/dev/cu.wchusb", "/dev/cu.SLAB"))
    return device.upper().startswith("COM") and "BLUETOOTH" in description.upper()


def serial_candidates(ports: Iterable[Any] | None = None) -> list[Candidate]:
    """Serial ports that may be OBD-II adapters, likely ones first.

    Args:
        ports: ``serial.tools.list_ports.comports()`` entries (``device``, ``description``, ``vid``, ``pid``,
            ``manufacturer``, ``product``); read from the system when None.

    Returns:
        USB ports with a known chip or an adapter's name (likely), other USB serial ports (possible),
        Bluetooth Classic serial ports (likely).
    """
    if ports is None:
        from serial.tools import list_ports

        ports = list_ports.comports()
    found: list[Candidate] = []
    for port in ports:
        device = str(port.device)
        description = " ".join(
            str(x) for x in (port.description, port.manufacturer, port.product) if x and x != "n/a"
        )
        vid, pid = getattr(port, "vid", None), getattr(port, "pid", None)
        if _bluetooth_serial(device, description):
            found.append(Candidate(device, "bluetooth", description, "Bluetooth Classic serial port", True))
        elif vid is not None and pid is not None:
            chip = USB_CHIPS.get((vid, pid))
            named = _NAMES.search(description)
            reason = (
                f"USB-serial chip {chip} ({vid:04X}:{pid:04X}), used in ELM327 adapters"
                if chip
                else f"named {named.group(0)!r}"
                if named
                else f"USB serial device {vid:04X}:{pid:04X}"
            )
            found.append(Candidate(device, "usb", description, reason, bool(chip or named)))
    return sorted(found, key=lambda c: not c.likely)


def probe_tcp(host: str, port: int, timeout_s: float = 1.0) -> bool:
    """Tell whether something accepts a TCP connection at host:port (a WiFi adapter's endpoint)."""
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError:
        return False
    return True


@dataclass(frozen=True)
class Found:
    """What :func:`find_adapters` found, and why parts of the search could not run.

    Attributes:
        candidates: likely ones first.
        notes: one sentence per part of the search that could not run (no Bluetooth adapter...).
    """

    candidates: tuple[Candidate, ...]
    notes: tuple[str, ...]


BleDiscover = Callable[[float], tuple[list[Any], str | None]]


def _ble_discover(timeout_s: float) -> tuple[list[Any], str | None]:
    from obdident.transports import ble

    devices, why = ble.discover(timeout_s)
    return list(devices), why


def find_adapters(
    *,
    ble_timeout_s: float | None = 5.0,
    ports: Iterable[Any] | None = None,
    ble_discover: BleDiscover | None = None,
) -> Found:
    """Look for adapters on serial ports and, unless ``ble_timeout_s`` is None, over Bluetooth LE.

    Args:
        ble_timeout_s: how long the BLE scan may take, seconds; None skips it.
        ports: serial port entries, as :func:`serial_candidates` takes.
        ble_discover: the BLE scan (tests pass a fake); :func:`obdident.transports.ble.discover` by default.

    Returns:
        The candidates (serial ones, then BLE, then the WiFi hint) and notes.
    """
    candidates = serial_candidates(ports)
    notes: list[str] = []
    if ble_timeout_s is not None:
        devices, why = (ble_discover or _ble_discover)(ble_timeout_s)
        if why:
            notes.append(f"Bluetooth LE scan not run: {why}")
        for device in devices:
            label = device.name or "(no name)"
            candidates.append(Candidate(f"ble://{device.address}", "ble", label, device.reason, True))
    candidates.append(
        Candidate(
            WIFI_DEFAULT,
            "wifi",
            "WiFi adapter (if you joined its network)",
            "the usual endpoint of WiFi ELM327 adapters; not probed",
            False,
        )
    )
    if sys.platform.startswith("linux") and not any(c.kind == "bluetooth" for c in candidates):
        notes.append(
            "Bluetooth Classic adapters appear once paired and bound: sudo rfcomm bind 0 MAC (then "
            "/dev/rfcomm0), or use --port rfcomm://MAC"
        )
    return Found(tuple(candidates), tuple(notes))
