"""The STN commands of a simulated OBDLink (``sim://...?chip=stn2255``), and the bus each chip reaches.

An STN chip answers the ELM327 command set and its own ``ST`` commands (OBDLink Family Reference and
Programming Manual, FRPM, rev F). The simulator models the few obdident may send: ``STI`` (firmware id),
``STDI`` (device id), ``STP p`` (the current protocol preset: ISO 15765 on the HS-CAN transceiver, OBD-II
pins 6/14, presets 33-36; or on the MS-CAN transceiver, pins 3/11, presets 53/54, 125 kbit/s by default) and
``STPBR`` (the current preset's bit rate). None is saved: AT Z / AT D return to pins 6/14 and the protocol
AT SP saved (FRPM, ATSP and STRSTNVM). A chip without MS-CAN (OBDLink SX/LX: FRPM device table) answers ``?``
to STP 53/54; an ELM327 answers ``?`` to every ``ST`` command.

A clone with an HS/MS-CAN switch (URL ``switch=ms``) routes its one transceiver to pins 3/11: every protocol
then reaches the ``ms-can`` bus.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CHIPS", "DEFAULT_BIT_RATE", "MS_CAN_BIT_RATE", "Chip", "Transceiver", "run_st"]

#: The bit rate of the simulated ``ms-can`` bus. The Leaf's AV-CAN rate is not documented; "11-bit/500k" is
#: the one note found (shared/evidence/nissan-identification.md section 8) [L].
MS_CAN_BIT_RATE = 500_000
#: The bit rate of presets 53/54 until STPBR changes it (FRPM, STP preset table: MS CAN 125 kbit/s).
DEFAULT_BIT_RATE = {"33": 500_000, "34": 500_000, "35": 250_000, "36": 250_000, "53": 125_000, "54": 125_000}
_STPBR = re.compile(r"STPBR(\d{4,7})")


@dataclass(frozen=True)
class Chip:
    """A simulated adapter chip.

    Attributes:
        name: the ``chip=`` URL value.
        firmware: the STI answer, or None for an ELM327 (``?``).
        device: the STDI answer.
        ms_can: it has the MS-CAN transceiver (STP 53/54).
    """

    name: str
    firmware: str | None
    device: str | None
    ms_can: bool


#: The chips ``chip=`` accepts (FRPM rev F device table and STI/STDI formats; the version numbers are the
#: manual's examples, not read from a device).
CHIPS: dict[str, Chip] = {
    c.name: c
    for c in (
        Chip("elm327", None, None, False),
        Chip("stn2255", "STN2255 v5.10.3", "OBDLink MX+ r3.2.1", True),
        Chip("stn2230", "STN2230 v5.10.3", "OBDLink EX r1.0.0", True),
        Chip("stn1155", "STN1155 v5.6.19", "OBDLink LX r1.1.0", False),
    )
}


@dataclass
class Transceiver:
    """Which pins the chip talks on, and at what CAN bit rate (volatile: AT Z / AT D restore it).

    Attributes:
        bus: ``hs-can`` (pins 6/14) or ``ms-can`` (pins 3/11).
        bit_rate: bits per second of the current CAN preset, or None for the ELM327 protocol's own.
    """

    bus: str = "hs-can"
    bit_rate: int | None = None


def run_st(command: str, chip: Chip, transceiver: Transceiver) -> tuple[list[str], str | None]:
    """Carry out one ``ST`` command (spaces removed, upper case).

    Returns:
        The answer lines and, when it selected a preset, the ELM327 protocol number that preset acts as
        (``6`` for 11-bit Tx, ``7`` for 29-bit Tx at 500k; ``8``/``9`` at 250k), else None.
    """
    if chip.firmware is None:
        return ["?"], None
    if command == "STI":
        return [chip.firmware], None
    if command == "STDI":
        return [chip.device or "?"], None
    if command.startswith("STP") and command[3:] in DEFAULT_BIT_RATE:
        preset = command[3:]
        if preset in ("53", "54") and not chip.ms_can:
            return ["?"], None  # FRPM, STP: "Returns '?' if the protocol is unsupported"
        transceiver.bus = "ms-can" if preset[0] == "5" else "hs-can"
        transceiver.bit_rate = DEFAULT_BIT_RATE[preset]
        width = "6" if int(preset) % 2 else "7"
        return ["OK"], width if preset not in ("35", "36") else {"6": "8", "7": "9"}[width]
    if match := _STPBR.fullmatch(command):
        # FRPM, STPBR: rounds to the closest rate it can generate; no error for an odd one
        transceiver.bit_rate = int(match[1])
        return ["OK"], None
    return ["?"], None
