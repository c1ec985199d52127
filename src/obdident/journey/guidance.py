"""What to do, in words for owners who never open a terminal: no shell command and no command-line option.

The command line says ``sudo usermod -aG dialout $USER`` or ``--port``; the window says the same thing as
steps in the operating system's settings. :func:`for_window` turns a note or a hint written for the
terminal into those words; :data:`ADAPTER_HELP` is the window's help when no adapter is found, with
Bluetooth pairing explained per operating system.

The scan-time estimate, :data:`SCAN_TIME`, is the one measured by ``benchmarks/scan_speed.py`` on a timing
model of real adapters (README, "What it reads": 1.28 s over USB, 5.10 s over Bluetooth LE at 80 ms a line,
8.53 s over a cheap Bluetooth LE clone; ``--full`` takes 1.6-1.7 times as long).
"""

from __future__ import annotations

import re

from obdident.i18n import T, Text
from obdident.report.shown import for_window as switched

__all__ = ["ADAPTER_HELP", "EVERY_UNIT", "SCAN_TIME", "SCAN_TIME_EVERY_UNIT", "WIFI_CHOICE", "for_window"]

#: The measured time of a scan (``benchmarks/scan_speed.py``, the reference Nissan), in words.
SCAN_TIME = T("from about 1 second (USB) to about 9 seconds (a slow Bluetooth adapter)")
#: The same, asking every unit (``--full``: 2.09 s to 14.22 s measured).
SCAN_TIME_EVERY_UNIT = T("from about 2 seconds (USB) to about 15 seconds (a slow Bluetooth adapter)")
#: The usual address of WiFi adapters, as the window offers it (a choice to click; never tried unasked).
WIFI_CHOICE = "socket://192.168.0.10:35000"

#: Help when no adapter is found: (heading, sentence), in the owner's words.
ADAPTER_HELP: tuple[tuple[Text, Text], ...] = (
    (
        T("USB adapter"),
        T(
            "Plug it into the computer and into the car's OBD-II socket (it takes its power from the car), "
            "then press Look again."
        ),
    ),
    (
        T("Bluetooth adapter on Windows"),
        T(
            "Open Settings, then Bluetooth & devices, then Add device, and choose the adapter (its PIN is "
            "usually 1234 or 0000). It then appears here as a COM port. A Bluetooth LE adapter needs no "
            "pairing: it appears here by its name."
        ),
    ),
    (
        T("Bluetooth adapter on a Mac"),
        T(
            "Open System Settings, then Bluetooth, and connect the adapter (PIN usually 1234 or 0000). It "
            "then "
            "appears here as a port whose name starts with /dev/cu. A Bluetooth LE adapter needs no pairing; "
            "if it does not appear, allow Bluetooth for the browser or terminal that started obdident in "
            "System Settings, Privacy & Security, Bluetooth."
        ),
    ),
    (
        T("Bluetooth adapter on Linux"),
        T(
            "Pair it in the Bluetooth settings (PIN usually 1234 or 0000), then type rfcomm:// followed by "
            "its "
            "address (for example rfcomm://AA:BB:CC:DD:EE:FF) in the box below. A Bluetooth LE adapter needs "
            "no pairing: it appears here by its name."
        ),
    ),
    (
        T("WiFi adapter"),
        T(
            "Join the adapter's WiFi network (its name often contains OBD or WiFi), then choose the usual "
            "WiFi "
            "address below."
        ),
    ),
    (
        T("An adapter that is there but cannot be opened (Linux)"),
        T(
            "Your user account needs permission to use serial ports: ask whoever looks after this computer "
            "to "
            "add your account to the dialout group (uucp on Arch Linux), then log out and in again."
        ),
    ),
)

_PERMISSION = T(
    "your user account needs permission to use the adapter's port: on Linux, ask whoever looks after this "
    "computer to add your account to the dialout group (uucp on Arch Linux), then log out and in again"
)
_BLUETOOTH_GROUP = T(
    "your user account needs permission to use Bluetooth: on Linux, ask whoever looks after this computer "
    "to add your account to the bluetooth group, then log out and in again"
)
_RFCOMM = T(
    "a paired Bluetooth Classic adapter on Linux: type rfcomm:// followed by its address (for example "
    "rfcomm://AA:BB:CC:DD:EE:FF) as the adapter's port"
)
_SLOW = T("scan again; a slow car or adapter may need the scan started once more")

#: The window's switch that is ``--full`` on the command line.
EVERY_UNIT = T("ask every unit (slower)")
EVERY_UNIT_SWITCHED_ON = T('with "{switch}" switched on', switch=EVERY_UNIT)
_FULL = re.compile(r"with --full\b")

#: Words that mark a shell command or a command-line option: never shown in the window.
_COMMANDS = re.compile(r"\bsudo\b|\busermod\b|\bsystemctl\b|\brfcomm bind\b|(?<![\w-])--[a-z]|`")


def for_window(text: str | None) -> str | None:
    """``text`` (a note or a hint written for the terminal) in words for the window: a known advice with a
    shell command or an option becomes its settings-and-steps form; any other sentence holding one is left
    out. None stays None; "" when nothing is left. A :class:`~obdident.i18n.Text` whose only option is a
    ``--full`` parameter stays a Text (the switch's words in its place); one holding any other command is
    handled by its English rendering."""
    if text is None:
        return None
    if isinstance(text, Text):
        shown = switched(text)
        if isinstance(shown, Text) and not _COMMANDS.search(shown):
            return shown  # still a Text: translated where it is shown
    text = _FULL.sub(EVERY_UNIT_SWITCHED_ON, text)
    if not _COMMANDS.search(text):
        return text
    if "dialout" in text or "usermod -aG dialout" in text:
        return _PERMISSION
    if "bluetooth group" in text:
        return _BLUETOOTH_GROUP
    if "rfcomm" in text:
        return _RFCOMM
    sentences = re.split(r"(?<=[.;:])\s+", text)
    kept = " ".join(s for s in sentences if not _COMMANDS.search(s))
    return kept or (_SLOW if "time limit" in text else "")
