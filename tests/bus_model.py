"""An independent model of what an ELM327 puts on the bus, for the guard's property test.

Written from the ELM327 datasheet ("CAN Message Formats", "Altering Flow Control Messages", "Setting the
Headers", AT CAF, AT CP, AT D, AT FC, AT SH, AT SP, AT TP, "Programmable Parameters": PP 06, 07, 24, 2C, 2E),
ISO 15765-2/-4, SAE J1979 and ISO 14230-4, independently of obdident.guard: it takes the lines the guard
admits and returns the frames the adapter would send. The read-only set is defined here too, from the
services' meanings, not from the guard's table.

The adapter's memory (:class:`Stored`) decides what a reset restores: the protocol AT SP saved (any of 1-C,
or automatic), CAF (PP 24), the tester address (PP 06), the last protocol an automatic search tries (PP 07,
up to C) and the user CAN protocols' options (PP 2C, 2E: id width, data format "none" / ISO 15765-4 /
J1939).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

PROTOCOLS = "123456789ABC"
DIAG_11 = range(0x700, 0x800)


def _diag_29(can_id: int) -> bool:
    return (can_id >> 16 == 0x18DA and can_id & 0xFF == 0xF1) or can_id == 0x18DB33F1


def read_only_request(data: bytes, can_id: int | None) -> bool:
    """Whether a request's service bytes only read (SAE J1979, ISO 14229-1, ISO 14230-3 meanings)."""
    if not data:
        return False
    sid, rest = data[0], data[1:]
    if sid == 0x01:
        return 1 <= len(rest) <= 6
    if sid == 0x09:
        return len(rest) == 1
    if sid == 0x22:
        return len(rest) == 2 and rest[0] == 0xF1 and 0x80 <= rest[1] <= 0x9F
    if sid == 0x21:
        return len(rest) == 1 and rest[0] in (0x80, 0x81, 0x83, 0xF0, 0xF1, 0xFE, 0xFF)
    if sid == 0x1A:
        return len(rest) == 1 and 0x80 <= rest[0] <= 0x9F
    if sid == 0x3E:
        return rest in (b"\x00", b"\x80")
    if sid == 0x10:
        # default sessions; Nissan's C0 only where a capture shows a Nissan unit needing it (BCM, EPS, on CAN)
        return rest in (b"\x01", b"\x81") or (rest == b"\xc0" and can_id in (0x745, 0x742))
    return False


def kline_header_is_diagnostic(header: int, size: int) -> bool:
    """A 3-byte J1850 / ISO 9141 / ISO 14230 header addressing a diagnostic target from the tester F1 (or FC):
    functional 68 6A F1, 61 6A F1, C? 33 F1 (the adapter puts the length in the low 6 bits), or physical
    8? tt F1|FC (SAE J1979; ISO 14230-4)."""
    if size != 3:
        return False
    fmt, target, source = header >> 16, header >> 8 & 0xFF, header & 0xFF
    if header in (0x686AF1, 0x616AF1):
        return True
    if fmt & 0xC0 == 0xC0 and target == 0x33 and source == 0xF1:
        return True
    return fmt & 0xC0 == 0x80 and source in (0xF1, 0xFC)


@dataclass(frozen=True)
class Frame:
    """One frame on the bus. ``kind``: ``can`` (a request), ``fc`` (flow control the adapter sends),
    ``kline`` (``ident`` the header, ``size`` its bytes)."""

    kind: str
    ident: int
    data: bytes
    size: int = 3

    def read_only(self) -> bool:
        if self.kind == "kline":
            # judged by its target: a physical header's target reads, 10 C0 goes to no K-line unit
            return kline_header_is_diagnostic(self.ident, self.size) and read_only_request(self.data, None)
        if not (self.ident in DIAG_11 or _diag_29(self.ident)):
            return False
        if self.kind == "fc":
            data = self.data
            return len(data) == 3 and data[0] == 0x30 and (data[2] <= 0x7F or 0xF1 <= data[2] <= 0xF9)
        pci = self.data[0] if self.data else 0xFF
        return pci >> 4 == 0 and pci == len(self.data) - 1 and read_only_request(self.data[1:], self.ident)


@dataclass
class Stored:
    """The adapter's non-volatile memory (ELM327 datasheet, AT SP and "Programmable Parameters")."""

    protocol: str  # "0" automatic, "Ah" automatic trying h first, or a fixed "1"-"C"
    caf: bool  # PP 24
    tester: int  # PP 06
    last_search: int  # PP 07: 9 (factory) up to 0x0C
    user_options: dict[str, int]  # PP 2C (B), PP 2E (C)


@dataclass
class Elm:
    """The ELM327's frame-shaping state. :meth:`reset` restores it from :attr:`stored`."""

    stored: Stored
    rng: random.Random
    protocol: str | None = None  # the protocol in use; None while the next request searches
    search_first: str | None = None  # the protocol a search tries first (AT TP A h), "" for none
    caf: bool = True
    cfc: bool = True
    fc_mode: int = 0
    fc_header: int | None = None
    fc_data: bytes | None = None
    header: str | None = None  # AT SH digits: 3, 6 or 8
    priority: int = 0x18
    frames: list[Frame] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """AT Z, AT WS, AT D, a brown-out: volatile settings to their defaults, stored ones from memory."""
        code = self.stored.protocol
        if code == "0" or (code.startswith("A") and len(code) == 2):
            self.protocol, self.search_first = None, code[1:]
        else:
            self.protocol, self.search_first = code, None
        self.caf = self.stored.caf
        self.cfc, self.fc_mode, self.fc_header, self.fc_data, self.header = True, 0, None, None, None
        self.priority = 0x18

    def at(self, text: str) -> None:
        """Carry out an AT (or STN) command the chip accepted."""
        if text in ("ATZ", "ATWS", "ATD"):
            self.reset()
        elif text.startswith(("ATTP", "ATSP")):
            code = text[4:]
            if text.startswith("ATSP"):
                self.stored.protocol = code if code != "00" else "0"
            if (code.startswith("A") and len(code) == 2) or code in ("0", "00"):
                self.protocol, self.search_first = None, code[1:] if len(code) == 2 else ""
            else:
                self.protocol, self.search_first = code, None
        elif text.startswith("STP") and text[3:].isdigit() and len(text) == 5:
            # OBDLink FRPM rev F, STP preset table: ISO 15765 presets 33-36 (HS-CAN), 53/54 (MS-CAN); odd
            # numbers send 11-bit ids, even ones 29-bit. Other presets (J1850 11/12, ISO 21-25) leave CAN.
            preset = int(text[3:])
            if preset in (31, 32, 33, 34, 35, 36, 51, 52, 53, 54):
                self.protocol = "6" if preset % 2 else "7"
            else:
                self.protocol = "5"
            self.search_first = None
        elif text.startswith("ATSH"):
            self.header = text[4:]
            if len(self.header) == 8:  # the four-byte form sets the priority too (AT SH, AT CP)
                self.priority = int(self.header[:2], 16)
        elif text.startswith("ATCP"):
            self.priority = int(text[4:], 16)
        elif text in ("ATCAF0", "ATCAF1"):
            self.caf = text == "ATCAF1"
        elif text in ("ATCFC0", "ATCFC1"):
            self.cfc = text == "ATCFC1"
        elif text.startswith("ATFCSH"):
            self.fc_header = int(text[6:], 16)
        elif text.startswith("ATFCSD"):
            self.fc_data = bytes.fromhex(text[6:])
        elif text.startswith("ATFCSM"):
            self.fc_mode = int(text[6:])

    def request(self, text: str) -> None:
        """Send a request line: on the protocol in use, or on every protocol a search tries."""
        hexdigits = text if len(text) % 2 == 0 else text[:-1]  # a trailing count digit is not sent
        data = bytes.fromhex(hexdigits)
        if self.protocol is not None:
            self._send(self.protocol, data)
            return
        # An automatic search sends the request on each protocol it tries: the one given first, then 1 up
        # to the one PP 07 stores; it stops where the vehicle answers (or nowhere).
        tried = [self.search_first] if self.search_first else []
        tried += [PROTOCOLS[n] for n in range(self.stored.last_search)]
        landing = self.rng.randrange(len(tried) + 1)
        for number in tried[: landing + 1]:
            self._send(number, data)
        if landing < len(tried):
            self.protocol, self.search_first = tried[landing], None

    def _send(self, protocol: str, data: bytes) -> None:
        tester = self.stored.tester
        if protocol in "12345":
            defaults = {"1": 0x616A00, "2": 0x686A00, "3": 0x686A00, "4": 0xC13300, "5": 0xC13300}
            if self.header is None:
                self.frames.append(Frame("kline", defaults[protocol] | tester, data))
            else:  # AT SH xyz is the header 00 0x yz; eight digits are four header bytes
                size = 4 if len(self.header) == 8 else 3
                self.frames.append(Frame("kline", int(self.header, 16), data, size))
            return
        if protocol == "A":  # SAE J1939: a PGN request from the tester to all, the data as it is
            self.frames.append(Frame("can", 0x18EAFF00 | tester, data))
            return
        if protocol in "BC":
            options = self.stored.user_options[protocol]
            eleven, formatted = bool(options & 0x80), options & 0x07 == 1  # PP 2C/2E b7, b2-b0
        else:
            eleven, formatted = protocol in "68", True
        can_id = self._can_id(eleven, tester)
        payload = bytes([len(data)]) + data if formatted and self.caf else data
        self.frames.append(Frame("can", can_id, payload))
        if self.cfc:  # an ECU may answer with a first frame: the adapter then sends flow control
            if self.fc_mode == 0:
                self.frames.append(Frame("fc", can_id, b"\x30\x00\x00"))
            elif self.fc_mode == 1:
                self.frames.append(Frame("fc", self.fc_header or 0, self.fc_data or b""))
            else:
                self.frames.append(Frame("fc", can_id, self.fc_data or b""))

    def _can_id(self, eleven: bool, tester: int) -> int:
        priority = (self.priority & 0x1F) << 24
        if self.header is None:
            return 0x7DF if eleven else priority | 0xDB3300 | tester
        value = int(self.header, 16)
        if eleven:
            return value & 0x7FF  # 11-bit CAN uses the low 11 bits (AT SH)
        return priority | (value & 0xFFFFFF)  # AT CP priority + 24 bits (AT SH)
