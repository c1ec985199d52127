"""Finding the adapter: candidate ports for a user who does not know a port name or a MAC address.

USB serial adapters are recognised by the USB-serial chips ELM327 adapters use (VID:PID) or by name;
Bluetooth Classic adapters by their serial device (``/dev/rfcomm*``, ``/dev/cu.*``, a Bluetooth ``COMx``);
Bluetooth LE adapters by a bounded scan (:func:`obdident.transports.ble.discover`); WiFi adapters cannot be
found without joining their network, so the usual endpoint is offered as a hint.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from obdident.i18n import T, Text

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
        reason: why obdident thinks it is (or may be) an adapter (a :class:`~obdident.i18n.Text`).
        likely: True for a known chip, an adapter's name or a known BLE service; False for a mere hint.
        fallback: ports to try, in order, when this one does not answer: the incoming COM ports Windows makes
            beside a paired Bluetooth adapter's outgoing one (:func:`try_in_turn`).
    """

    url: str
    kind: Kind
    description: str
    reason: str
    likely: bool
    fallback: tuple[str, ...] = ()


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
NONE_FOUND_ADVICE: tuple[Text, ...] = (
    T(
        "Plug a USB adapter in, or pair a Bluetooth one (and switch it on: most take power from the car's "
        "OBD-II socket)."
    ),
    T(
        "On Linux a paired Bluetooth Classic adapter appears once bound: {command} (then {device}), "
        "or use the port {url}.",
        command="sudo rfcomm bind 0 MAC",
        device="/dev/rfcomm0",
        url="rfcomm://MAC",
    ),
    T("A WiFi adapter: join its WiFi network, then use the port {url}.", url=WIFI_DEFAULT),
    T(
        "On Linux, a USB or Bluetooth adapter that is there but cannot be opened needs your user in the "
        "dialout group (uucp on Arch): {command}, then log out and in again.",
        command="sudo usermod -aG dialout $USER",
    ),
)


#: Windows' hardware id of a Bluetooth serial port (SPP, service 0x1101) holds the paired device's address,
#: or twelve zeros on the incoming port (pyserial's ``hwid``: ``BTHENUM\{00001101-...}...&MAC_C0``).
_WINDOWS_SPP = re.compile(r"BTHENUM\\\{0*1101-.*&([0-9A-F]{12})_", re.IGNORECASE)


def windows_bluetooth_direction(hwid: str | None) -> Literal["outgoing", "incoming"] | None:
    """Which of the two COM ports Windows makes for a paired Bluetooth serial (SPP) device this is.

    Windows makes an outgoing port (the computer connects to the adapter: the one to use) and an incoming
    one (the adapter would connect to the computer) for each paired SPP device; the outgoing one's hardware
    id carries the device's address, the incoming one's twelve zeros (brendan-w/python-OBD issue #278: an
    owner whose adapter answered on one of the two only).

    Args:
        hwid: pyserial's ``ListPortInfo.hwid`` on Windows.

    Returns:
        ``outgoing``, ``incoming``, or None for a port that is not a Bluetooth serial port.
    """
    match = _WINDOWS_SPP.search(hwid or "")
    if match is None:
        return None
    return "incoming" if set(match[1]) == {"0"} else "outgoing"


def try_in_turn(candidate: Candidate, answers: Callable[[str], bool]) -> str | None:
    """The first of ``candidate``'s port and its :attr:`~Candidate.fallback` ports that answers, or None.

    Args:
        candidate: the adapter chosen.
        answers: opens a port and tells whether an ELM327 answers there (tests pass a fake).
    """
    return next((url for url in (candidate.url, *candidate.fallback) if answers(url)), None)


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
    incoming: list[Candidate] = []
    for port in ports:
        device = str(port.device)
        if device.startswith("/dev/tty."):
            continue  # macOS: the dial-in twin of /dev/cu.*, which waits for carrier detect; never tty.*
        description = " ".join(
            str(x) for x in (port.description, port.manufacturer, port.product) if x and x != "n/a"
        )
        vid, pid = getattr(port, "vid", None), getattr(port, "pid", None)
        direction = windows_bluetooth_direction(getattr(port, "hwid", None))
        if direction == "incoming":
            reason = T("Bluetooth Classic serial port, incoming: tried when the outgoing one does not answer")
            incoming.append(Candidate(device, "bluetooth", description, reason, False))
        elif direction == "outgoing":
            reason = T("Bluetooth Classic serial port, outgoing (the one to use)")
            found.append(Candidate(device, "bluetooth", description, reason, True))
        elif _bluetooth_serial(device, description):
            found.append(
                Candidate(device, "bluetooth", description, T("Bluetooth Classic serial port"), True)
            )
        elif vid is not None and pid is not None:
            chip = USB_CHIPS.get((vid, pid))
            named = _NAMES.search(description)
            reason = (
                T(
                    "USB-serial chip {chip} ({id}), used in ELM327 adapters",
                    chip=chip,
                    id=f"{vid:04X}:{pid:04X}",
                )
                if chip
                else T("named '{name}'", name=named.group(0))
                if named
                else T("USB serial device {id}", id=f"{vid:04X}:{pid:04X}")
            )
            found.append(Candidate(device, "usb", description, reason, bool(chip or named)))
    if incoming:
        fallback = tuple(c.url for c in incoming)
        outgoing = [c for c in found if c.reason.endswith("(the one to use)")]
        # only incoming ports: each is worth trying; else the outgoing one first, then the others
        found = [replace(c, fallback=fallback) if c in outgoing else c for c in found]
        found += [replace(c, likely=not outgoing) for c in incoming]
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


def _accessible(path: str) -> bool:
    return os.access(path, os.R_OK | os.W_OK)


def find_adapters(
    *,
    ble_timeout_s: float | None = 5.0,
    ports: Iterable[Any] | None = None,
    ble_discover: BleDiscover | None = None,
    platform: str = sys.platform,
    accessible: Callable[[str], bool] = _accessible,
) -> Found:
    """Look for adapters on serial ports and, unless ``ble_timeout_s`` is None, over Bluetooth LE.

    Args:
        ble_timeout_s: how long the BLE scan may take, seconds; None skips it.
        ports: serial port entries, as :func:`serial_candidates` takes.
        ble_discover: the BLE scan (tests pass a fake); :func:`obdident.transports.ble.discover` by default.
        platform: ``sys.platform`` (tests pass another): the hints differ on Linux, macOS and Windows.
        accessible: whether the user may open a device file (``os.access``; tests pass a fake).

    Returns:
        The candidates (serial ones, then BLE, then the WiFi hint) and notes.
    """
    candidates = serial_candidates(ports)
    notes: list[str] = []
    if ble_timeout_s is not None:
        devices, why = (ble_discover or _ble_discover)(ble_timeout_s)
        if why:
            notes.append(T("Bluetooth LE scan not run: {why}", why=why))
        for device in devices:
            label = device.name or T("(no name)")
            candidates.append(Candidate(f"ble://{device.address}", "ble", label, device.reason, True))
    candidates.append(
        Candidate(
            WIFI_DEFAULT,
            "wifi",
            T("WiFi adapter (if you joined its network)"),
            T("the usual endpoint of WiFi ELM327 adapters; not probed"),
            False,
        )
    )
    notes.extend(_platform_notes(candidates, platform, accessible))
    return Found(tuple(candidates), tuple(notes))


def _platform_notes(
    candidates: list[Candidate], platform: str, accessible: Callable[[str], bool]
) -> list[str]:
    """Linux: the rfcomm bind hint, and the dialout group for a device the user may not open; macOS: the
    cu.* device and the BLE UUID; Windows: the two COM ports of a paired Bluetooth adapter."""
    notes: list[str] = []
    bluetooth = any(c.kind == "bluetooth" for c in candidates)
    if platform.startswith("linux"):
        if not bluetooth:
            notes.append(
                T(
                    "Bluetooth Classic adapters appear once paired and bound: {command} (then {device}), "
                    "or use {option}",
                    command="sudo rfcomm bind 0 MAC",
                    device="/dev/rfcomm0",
                    option="--port rfcomm://MAC",
                )
            )
        for c in candidates:
            if c.url.startswith("/dev/") and not accessible(c.url):
                notes.append(
                    T(
                        "You may not open {url} yet: add yourself to the dialout group (uucp on Arch): "
                        "{command}, then log out and in again",
                        url=c.url,
                        command="sudo usermod -aG dialout $USER",
                    )
                )
    elif platform == "darwin" and not bluetooth:
        notes.append(
            T(
                "Bluetooth Classic adapters appear once paired (System Settings, Bluetooth) as {cu}: use "
                "that, never {tty}; Bluetooth LE adapters show a UUID in place of a MAC ({url})",
                cu="/dev/cu.NAME",
                tty="/dev/tty.NAME",
                url="ble://UUID",
            )
        )
    elif platform == "win32" and any(c.fallback for c in candidates):
        notes.append(
            T(
                "Windows makes two COM ports for a paired Bluetooth adapter: obdident tries the outgoing one "
                "first, then the incoming one"
            )
        )
    return notes
