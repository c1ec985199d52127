"""The simulated ELM327's AT commands and the settings they change (ELM327 datasheet, AT command summary).

:class:`AtCommands` is a part of :class:`obdident.sim.elm.SimulatedELM327` (composition): it interprets AT
commands over the chip's :class:`ChipState`, which the vehicle side reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from obdident.sim.can import Filter
from obdident.sim.quirks import refuses_at
from obdident.sim.schema import PROTOCOLS, VehicleProfile
from obdident.sim.stn import Transceiver

__all__ = ["DEFAULT_PRIORITY", "DEVICE_DESCRIPTION", "AtCommands", "ChipState", "Settings", "is_auto"]

#: Answer of AT@1 (ELM327 datasheet, "AT @1").
DEVICE_DESCRIPTION = "OBDII to RS232 Interpreter"
#: Default CAN priority byte of 29-bit headers (ELM327 datasheet, "AT CP").
DEFAULT_PRIORITY = 0x18

# AT commands (after "AT", spaces removed) that answer OK and change nothing the simulator models.
_ACCEPTED = re.compile(
    r"AT[012]|ST[0-9A-F]{2}|AL|NL|IIA[0-9A-F]{2}|SI|FI|KW[01]?|SW[0-9A-F]{2}|V[01]|R[01]|M[01]"
)
_FLAG = re.compile(r"(E|L|S|H|CAF|CFC)([01])")
_FC_HEADER = re.compile(r"FCSH([0-9A-F]{3}|[0-9A-F]{8})")
_FC_DATA = re.compile(r"FCSD((?:[0-9A-F]{2}){1,5})")
_FC_MODE = re.compile(r"FCSM([012])")
_SET_PROTOCOL = re.compile(r"(SP|TP)(A?[0-9A-C])")
_SET_HEADER = re.compile(r"SH([0-9A-F]{3}|[0-9A-F]{6}|[0-9A-F]{8})")
_RECEIVE_ADDRESS = re.compile(r"CRA([0-9A-FX]{3}|[0-9A-FX]{8})?")
_FILTER_OR_MASK = re.compile(r"(CF|CM)([0-9A-F]{3}|[0-9A-F]{8})")
_PRIORITY = re.compile(r"CP([0-9A-F]{2})")


@dataclass
class Settings:
    """The ELM327's settings that AT Z / AT WS / AT D restore (ELM327 datasheet, "AT D")."""

    echo: bool
    protocol: str  # "0" = automatic, "A6" = automatic starting with 6, "6" = fixed
    linefeeds: bool = False
    spaces: bool = True
    headers: bool = False
    auto_format: bool = True
    header: int | None = None  # the 24 bits of AT SH; None = the protocol's functional default
    priority: int = DEFAULT_PRIORITY
    rx_filter: Filter | None = None
    flow_control: bool = True  # AT CFC1: answer first frames with a flow control frame
    fc_mode: int = 0  # AT FC SM
    fc_header: int | None = None  # AT FC SH: the CAN id of the flow control frame
    fc_data: bytes | None = None  # AT FC SD: its data bytes


def is_auto(code: str) -> bool:
    """Whether a protocol code (``0``, ``A6``, ``6``) lets the chip search automatically (ELM327, AT SP)."""
    return code == "0" or (len(code) == 2 and code[0] == "A")


@dataclass
class ChipState:
    """What the chip remembers between lines.

    Attributes:
        power_on_echo: the echo setting at power-up and after a reset.
        saved_protocol: the protocol AT SP stored (the default after a reset).
        stored_caf: the CAF default programmable parameter 24 stores (ELM327 datasheet, PP 24).
        settings: the settings in force.
        connected: the protocol number of the connection to the vehicle, or None.
        switch_bus: the bus the chip's transceiver reaches at power-up: ``hs-can`` (pins 6/14), or
            ``ms-can`` on a clone whose HS/MS-CAN switch is flipped.
        transceiver: the bus and bit rate an STN's STP / STPBR selected (:mod:`obdident.sim.stn`).
    """

    power_on_echo: bool
    saved_protocol: str = "0"
    stored_caf: bool = True
    settings: Settings = field(init=False)
    connected: str | None = None
    switch_bus: str = "hs-can"
    transceiver: Transceiver = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """AT Z, AT WS, AT D, a brown-out: the settings as at power-up, no connection."""
        self.settings = Settings(
            echo=self.power_on_echo, protocol=self.saved_protocol, auto_format=self.stored_caf
        )
        self.connected = None
        self.transceiver = Transceiver(self.switch_bus)  # STP / STPBR are not saved (OBDLink FRPM rev F)


class AtCommands:
    """The AT command interpreter of one simulated chip.

    Args:
        state: the chip's state, changed by the commands.
        profile: the vehicle (AT RV reads its voltage).
        version: the banner (AT I).
        quirks: the clone quirks in force.
        cra: False when the chip answers ``?`` to AT CRA.
    """

    def __init__(
        self, state: ChipState, profile: VehicleProfile, *, version: str, quirks: frozenset[str], cra: bool
    ) -> None:
        self.state = state
        self.profile = profile
        self.version = version
        self.quirks = quirks
        self.cra = cra

    def run(self, command: str) -> list[str]:
        """Carry out one AT command (``command`` without ``AT``, spaces removed); return its answer lines."""
        settings = self.state.settings
        if refuses_at(command, self.quirks):
            return ["?"]
        if command == "D":
            self.state.reset()
            return ["OK"]
        if command == "I":
            return [self.version]
        if command == "@1":
            return [DEVICE_DESCRIPTION]
        if command == "RV":
            return [f"{self.profile.voltage_v:.1f}V"]
        if command == "DP":
            return [self._describe_protocol()]
        if command == "DPN":
            return [self._protocol_number()]
        if match := _FLAG.fullmatch(command):
            self._set_flag(match[1], match[2] == "1")
            return ["OK"]
        if match := _SET_PROTOCOL.fullmatch(command):
            code = "0" if match[2] == "A0" else match[2]
            settings.protocol = code
            if match[1] == "SP":  # AT SP also stores the protocol as the new default; AT TP does not
                self.state.saved_protocol = code
            self.state.connected = None
            self.state.transceiver = Transceiver(self.state.switch_bus)  # AT TP / SP: the ELM327 protocol
            return ["OK"]
        if match := _SET_HEADER.fullmatch(command):
            value = int(match[1], 16)
            if len(match[1]) == 8:
                settings.priority = value >> 24
            settings.header = value & 0xFFFFFF
            return ["OK"]
        if match := _PRIORITY.fullmatch(command):
            settings.priority = int(match[1], 16)
            return ["OK"]
        if match := _RECEIVE_ADDRESS.fullmatch(command):
            if not self.cra:  # some clones: AT CRA unknown, AT CF / AT CM work
                return ["?"]
            settings.rx_filter = Filter.from_pattern(match[1]) if match[1] else None
            return ["OK"]
        if match := _FILTER_OR_MASK.fullmatch(command):
            self._set_filter_or_mask(match[1], match[2])
            return ["OK"]
        if match := _FC_HEADER.fullmatch(command):
            settings.fc_header = int(match[1], 16)
            return ["OK"]
        if match := _FC_DATA.fullmatch(command):
            settings.fc_data = bytes.fromhex(match[1])
            return ["OK"]
        if match := _FC_MODE.fullmatch(command):
            # ELM327 datasheet, "Altering Flow Control Messages": mode 1 needs AT FC SH and AT FC SD
            # first, mode 2 needs AT FC SD; otherwise the command is an error.
            mode = int(match[1])
            if (mode == 1 and settings.fc_header is None) or (mode and settings.fc_data is None):
                return ["?"]
            settings.fc_mode = mode
            return ["OK"]
        if command == "AR":
            settings.rx_filter = None
            return ["OK"]
        if command == "PC":
            self.state.connected = None
            return ["OK"]
        if _ACCEPTED.fullmatch(command):
            return ["OK"]
        return ["?"]

    def _set_flag(self, name: str, on: bool) -> None:
        settings = self.state.settings
        if name == "E":
            settings.echo = on or ("echo-stuck" in self.quirks and settings.echo)
        elif name == "L":
            settings.linefeeds = on
        elif name == "S":
            settings.spaces = on
        elif name == "H":
            settings.headers = on
        elif name == "CFC":
            settings.flow_control = on
        else:
            settings.auto_format = on

    def _set_filter_or_mask(self, which: str, digits: str) -> None:
        """AT CF / AT CM: set the CAN filter or mask; the other half keeps its value."""
        bits = 11 if len(digits) == 3 else 29
        current = self.state.settings.rx_filter
        if current is None or current.bits != bits:
            current = Filter(bits, 0, (1 << bits) - 1)
        value = int(digits, 16) & ((1 << bits) - 1)
        if which == "CF":
            self.state.settings.rx_filter = replace(current, value=value)
        else:
            self.state.settings.rx_filter = replace(current, mask=value)

    def _describe_protocol(self) -> str:
        """AT DP: ``AUTO, ISO 15765-4 (CAN 11/500)``, ``ISO 9141-2``, or ``AUTO`` before any search."""
        code = self.state.settings.protocol
        number = self.state.connected or code[-1]
        if number == "0":
            return "AUTO"
        text = PROTOCOLS[number].description
        return f"AUTO, {text}" if is_auto(code) else text

    def _protocol_number(self) -> str:
        """AT DPN: the protocol number, preceded by ``A`` when chosen automatically (``A6``, ``A0``)."""
        code = self.state.settings.protocol
        number = self.state.connected or code[-1]
        return f"A{number}" if is_auto(code) else number
