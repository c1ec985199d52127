"""An in-process ELM327 that talks to a simulated vehicle.

It answers as the ELM327 datasheet (ELM327DS) describes: the command line and prompt format,
the AT commands obdident uses, the protocol search, CAN addressing and filtering (AT SH, AT CRA,
AT CF, AT CM), ISO 15765-2 segmentation of long answers and the ELM327's display of it (AT H, AT S,
AT CAF), the flow control frames that let an ECU send the rest of a long answer (AT CFC, AT FC SH /
SD / SM), 11-bit and 29-bit ECUs on one CAN bus (AT TP 6 / AT TP 7), and legacy (J1850, ISO 9141-2,
ISO 14230-4) messages with header and checksum. What each ECU answers, and its diagnostic sessions,
come from :mod:`obdident.sim.vehicle`.

Clone quirks (:mod:`obdident.sim.quirks`) change what the chip accepts and how it prints; injected
faults (:mod:`obdident.sim.faults`) break the answer to chosen command lines.

Everything is synchronous: :meth:`SimulatedELM327.feed` returns at once what the chip would send
back. Nothing sleeps and nothing runs in a thread; ECU latencies are kept in the profile only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from obdident.sim.at import DEVICE_DESCRIPTION, AtCommands, ChipState
from obdident.sim.can import (
    Frame,
    isotp_frames,
    round_robin,
)
from obdident.sim.connect import connect
from obdident.sim.display import deliverable, ecu_frames, passes
from obdident.sim.faults import Fault, FaultInjector, Stream
from obdident.sim.quirks import (
    FAKE_V21_VERSION,
    JUNK_BEFORE_BANNER,
    MULTIFRAME_STATUS,
    expand_quirks,
    format_output,
    locks_up,
)
from obdident.sim.schema import PROTOCOLS, EcuProfile, ProtocolInfo, VehicleProfile
from obdident.sim.stn import CHIPS, run_st
from obdident.sim.vehicle import SimulatedVehicle

__all__ = ["DEFAULT_VERSION", "DEVICE_DESCRIPTION", "SimulatedELM327", "isotp_frames"]

#: Banner of ATZ / ATI when neither the caller nor the profile gives one.
DEFAULT_VERSION = "ELM327 v1.5"

#: ISO 15765-4 functional request ids: 11-bit 7DF, 29-bit 18DB33F1.
FUNCTIONAL_CAN_IDS = {11: 0x7DF, 29: 0x18DB33F1}
#: Default (functional) headers of the legacy protocols (ELM327 datasheet, "AT SH"; SAE J1979).
FUNCTIONAL_LEGACY_HEADERS = {"1": 0x616AF1, "2": 0x686AF1, "3": 0x686AF1, "4": 0xC233F1, "5": 0xC233F1}
_HEX_LINE = re.compile(r"[0-9A-F]+")


class SimulatedELM327:
    """An ELM327 connected to a simulated vehicle.

    Attributes:
        profile: the vehicle.
        version: the banner (ATZ, ATI), such as ``"ELM327 v1.5"``.
        ignition: True if the vehicle's ignition is on.
        received: every complete command line received, as received (CR removed; LF and NUL,
            which the ELM327 ignores, removed too); a bare CR appears as ``""``.
        vehicle: the simulated ECUs and their state (sessions, request counts).
        quirks: the clone quirks in force (:data:`obdident.sim.quirks.QUIRKS`), those implied included.
        cra: False for a clone that answers ``?`` to AT CRA (quirk ``no-cra``, URL ``cra=0``).
        link_lost: True once a ``drop`` fault fired: the chip is gone and answers nothing more.
        stream: what the chip keeps sending after the output :meth:`feed` returned (``no-prompt``,
            ``flood``), or None; the next byte received stops it.
    """

    def __init__(
        self,
        profile: VehicleProfile,
        *,
        echo: bool = True,
        version: str | None = None,
        ignition: bool | None = None,
        cra: bool | None = None,
        quirks: Iterable[str] = (),
        faults: Iterable[Fault] = (),
        chip: str | None = None,
        switch: str = "hs-can",
    ) -> None:
        """Power the chip up.

        Args:
            profile: the simulated vehicle.
            echo: the echo setting at power-up and after a reset (some clones start with echo off).
            version: the banner; default ``ELM327 v2.1`` with the ``fake-v21`` quirk, else the profile's
                ``adapter_version``, else ``ELM327 v1.5``.
            ignition: overrides the profile's ignition state if given.
            cra: False: the chip answers ``?`` to AT CRA; True: it accepts AT CRA whatever the quirks
                say; None: it refuses AT CRA if a quirk (``no-cra``, ``fake-v21``) says so.
            quirks: clone quirks, added to the profile's ``adapter_quirks``.
            faults: faults to inject (:class:`~obdident.sim.faults.Fault`).
            chip: the chip, a key of :data:`obdident.sim.stn.CHIPS` (``stn2255``: an OBDLink MX+); None for
                the profile's ``adapter_chip``.
            switch: ``ms-can`` for a clone whose HS/MS-CAN switch routes it to pins 3/11.

        Raises:
            ValueError: an unknown quirk, chip or switch position.
        """
        chip = chip or profile.adapter_chip
        if chip not in CHIPS or switch not in ("hs-can", "ms-can"):
            raise ValueError(f"unknown chip {chip!r} or switch position {switch!r}")
        self.chip = CHIPS[chip]
        self.profile = profile
        self.vehicle = SimulatedVehicle(profile)
        self.quirks = expand_quirks([*profile.adapter_quirks, *quirks])
        self.cra = "no-cra" not in self.quirks if cra is None else cra
        fake = FAKE_V21_VERSION if "fake-v21" in self.quirks else None
        self.version = version or fake or profile.adapter_version or DEFAULT_VERSION
        self.ignition = profile.ignition if ignition is None else ignition
        self.received: list[str] = []
        self.link_lost = False
        self._faults = FaultInjector(faults)
        self._hung = False
        self._state = ChipState(
            power_on_echo=echo, switch_bus=switch, stored_caf="stored-caf0" not in self.quirks
        )
        self._at = AtCommands(self._state, profile, version=self.version, quirks=self.quirks, cra=self.cra)
        self._pending = ""
        self._last: str | None = None
        self.stream: Stream | None = None
        self._late = "\r>"  # late-answer: the answer the next line gets
        self._fresh = True  # junk-banner: the next answer is the first after power-up or a reset
        self._multi = False  # the request being answered drew a multi-frame answer
        self._froze = False  # freeze-multiframe fired on this line

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The injected faults, as given."""
        return self._faults.faults

    @property
    def faults_fired(self) -> list[tuple[int, str]]:
        """``(line, kind)`` for every fault that changed an answer so far, in order (line counted from 1)."""
        return self._faults.fired

    @property
    def connected_protocol(self) -> str | None:
        """The protocol number of the current connection to the vehicle, or None."""
        return self._state.connected

    @property
    def selected_protocol(self) -> str:
        """The protocol AT SP / AT TP selected: ``"0"``, ``"A6"``, ``"6"`` ..."""
        return self._state.settings.protocol

    def session_of(self, request_id: int) -> str:
        """The diagnostic session of the ECU with ``request_id``: ``"default"`` or its id (``"C0"``)."""
        return self.vehicle.session_of(request_id)

    def feed(self, data: bytes) -> bytes:
        """Receive bytes from the host; return everything the chip sends back.

        Input collects until CR; LF and NUL are ignored (ELM327 datasheet, "Communicating with
        the ELM327"). Each complete line is answered by: its echo and CR if echo is on, each response
        line and an end of line (CR, or CR LF after AT L1), one more end of line, and the ``>`` prompt.

        Args:
            data: bytes as written to the adapter; an unfinished line is kept for the next call.

        Returns:
            The chip's output for every line completed by ``data``; nothing once :attr:`link_lost`.
        """
        output: list[str] = []
        if data:
            self.stream = None  # a character from the host stops what the chip was still sending
        for byte in bytes(data):
            if self.link_lost:
                break
            if byte == 0x0D:
                line, self._pending = self._pending, ""
                output.append(self._line(line))
            elif byte not in (0x00, 0x0A):
                self._pending += chr(byte)
        return "".join(output).encode("latin-1")

    # -- command lines --------------------------------------------------------------------------

    def _line(self, raw: str) -> str:
        self.received.append(raw)
        faults = self._faults
        faults.begin(len(self.received))
        if self._hung:
            return ""
        if faults.take("drop"):
            self.link_lost = True  # the adapter is gone; the sim:// port raises from now on
            return ""
        if faults.take("stall"):
            self._hung = True
            return ""
        if faults.take("stall-once"):
            return ""  # the line is lost: not executed, not answered
        if "ignition-off" in faults.active and self.ignition:
            faults.fire("ignition-off")
            self.ignition = False
        # The echo goes out as the line arrives, under the settings before it.
        echo = raw + "\r" if self._state.settings.echo else ""
        body = self._answer_line(raw)
        if self._froze:
            self._hung = True  # freeze-multiframe: nothing more, ever
            return ""
        if "late-answer" in self.quirks:
            body, self._late = self._late, body
        if self._fresh and "junk-banner" in self.quirks:
            body = JUNK_BEFORE_BANNER + body
        self._fresh = False
        text = faults.output(format_output(echo, body, self.quirks))
        self.stream = faults.stream(text)
        if self.stream is not None:
            return text[: text.rindex(">")] if ">" in text else text
        return text

    def _answer_line(self, raw: str) -> str:
        """The chip's answer to one command line, up to and including the prompt (no echo)."""
        faults = self._faults
        for kind, first in (("lv-reset", "LV RESET"), ("reset", "")):
            if faults.take(kind):
                # A brown-out (ELM327 v1.3+ says LV RESET first) or a spontaneous reboot: the line
                # is lost and the chip starts afresh, as after power-up.
                self._state.reset()
                self._last = None
                return f"{first}\r\r{self.version}\r\r>"
        command = raw.replace(" ", "").upper()
        if not command:
            # ELM327 datasheet: a bare CR repeats the last command.
            if self._last is None:
                return self._render(["?"])
            command = self._last
        self._last = command
        if command.startswith("AT") and faults.refuses_at():
            return self._render(["?"])
        if command in ("ATZ", "ATWS"):
            # ELM327 datasheet, "AT Z" / "AT WS": full reset, then the banner.
            self._state.reset()
            self._fresh = True
            return f"\r\r{self.version}\r\r>"
        if command.startswith("ST"):
            lines, protocol = run_st(command, self.chip, self._state.transceiver)
            if protocol is not None:  # a preset acts like AT TP: a new connection on the next request
                self._state.settings.protocol = protocol
                self._state.connected = None
            return self._render(lines)
        if command.startswith("AT") and locks_up(command[2:], self.quirks):
            self._hung = True  # tp-a0-lockup: OK, then silence until power-cycled
            return self._render(["OK"])
        lines = self._at.run(command[2:]) if command.startswith("AT") else self._request(command)
        return self._render(lines)

    def _render(self, lines: Sequence[str]) -> str:
        eol = "\r\n" if self._state.settings.linefeeds else "\r"
        return "".join(line + eol for line in lines) + eol + ">"

    # -- OBD requests ---------------------------------------------------------------------------

    def _request(self, command: str) -> list[str]:
        self._multi = False
        lines = self._vehicle_lines(command)
        status = next((MULTIFRAME_STATUS[q] for q in MULTIFRAME_STATUS if q in self.quirks), None)
        if self._multi and status is not None:
            first = next((i for i, line in enumerate(lines) if _HEX_LINE.fullmatch(line.replace(" ", ""))), 0)
            lines = [*lines[: first + 1], status]
        return lines if lines == ["?"] else self._faults.request_lines(lines)

    def _vehicle_lines(self, command: str) -> list[str]:
        if not _HEX_LINE.fullmatch(command):
            return ["?"]
        count: int | None = None
        if len(command) % 2:
            # ELM327 v1.3+: a final single hex digit is the number of responses to wait for.
            if "no-count" in self.quirks:
                return ["?"]
            count = int(command[-1], 16)
            command = command[:-1]
            if not command or count == 0:
                return ["?"]
        request = bytes.fromhex(command)
        if len(request) > (7 if self._state.settings.auto_format else 8):
            return ["?"]
        lines: list[str] = []
        if self._state.connected is None:
            failure = self._connect(lines)
            if failure is not None:
                clone = "not-connected" in self.quirks and failure != "NO DATA"
                return [*lines, "NOT CONNECTED" if clone else failure]
        # two-byte-requests: only the first 2 bytes reach the bus (FORScan forum, topic 1575)
        cut = "two-byte-requests" in self.quirks and self._state.settings.auto_format and len(request) > 2
        shown = [frame for frame in self._answer(request, cut=cut) if passes(frame, self._state.settings)]
        if count is not None:
            shown = shown[:count]
        answer = [line for frame in shown for line in frame.lines]
        return [*lines, *(answer or ["NO DATA"])]  # also after SEARCHING...: the search found the bus

    def _connect(self, lines: list[str]) -> str | None:
        """Connect to the vehicle before the first request (:func:`obdident.sim.connect.connect`)."""
        return connect(self._state, self.profile, self.ignition, lines)

    def _answer(self, request: bytes, *, cut: bool = False) -> list[Frame]:
        """Every frame the addressed ECUs send for ``request``, in bus order."""
        if not self.ignition:
            return []  # switched off after the connection (fault ignition-off): the bus stays silent
        info = self._info()
        if info.is_can and not self._state.settings.auto_format:
            # AT CAF0: the line carries its own ISO 15765-2 single frame PCI byte.
            if len(request) < 2 or request[0] != len(request) - 1:
                return []
            request = request[1:]
        ecus, functional = self._targets(info)
        groups: list[list[Frame]] = []
        for ecu in sorted(ecus, key=lambda target: target.response_id):
            frames: list[Frame] = []
            preview = partial(self.vehicle.preview, ecu, request, functional=functional)
            reply = partial(self.vehicle.reply, ecu, request, functional=functional)
            if cut:
                heard = request[:2]
                preview = partial(self.vehicle.preview, ecu, heard, functional=functional)
                reply = partial(_length_refusal, self.vehicle.reply, ecu, heard, functional)
            for message in self._faults.ecu_reply(ecu.request_id, request, preview, reply):
                formatted = ecu_frames(ecu, message, self._state.settings, info)
                strict = self.profile.strict_flow_control
                delivered = deliverable(ecu, len(formatted), self._state.settings, strict=strict)
                if len(formatted) > 1:
                    self._multi = True
                    self._froze = "freeze-multiframe" in self.quirks
                    delivered = 1 if "first-frame-only" in self.quirks else delivered
                frames.extend(formatted[:delivered])
                if delivered < len(formatted):
                    break  # the ECU still waits for a flow control frame: nothing more comes
            if frames:
                groups.append(frames)
        self._faults.frames(groups)
        if self.profile.interleave:
            return round_robin(groups)
        return [frame for group in groups for frame in group]

    def _info(self) -> ProtocolInfo:
        """The protocol of the current connection (the profile's before any)."""
        return PROTOCOLS[self._state.connected or self.profile.protocol]

    def _targets(self, info: ProtocolInfo) -> tuple[list[EcuProfile], bool]:
        """The ECUs a request reaches, and whether it was functional: the functional ECUs, or the one
        AT SH addresses physically. On CAN only the ECUs of the protocol's id width hear it."""
        bus = self._state.transceiver.bus
        ecus = [ecu for ecu in self.profile.ecus if ecu.id_bits == info.id_bits and ecu.bus == bus]
        functional = [ecu for ecu in ecus if ecu.functional]
        header = self._state.settings.header
        if header is None:
            return functional, True
        if info.id_bits is None:
            # ISO 14230-4: the chip puts the length in the first byte's low 6 bits, so only its two high bits
            # (the address mode) count: C1 33 F1 is the functional header too (ELM327 datasheet, "Setting
            # the Headers").
            mask = 0xC0FFFF if info.number in "45" else 0xFFFFFF
            if header & mask == FUNCTIONAL_LEGACY_HEADERS[info.number] & mask:
                return functional, True
            target = header >> 8 & 0xFF  # the legacy header's target address byte
        else:
            # 11-bit: the low 11 bits of the header; 29-bit: AT CP priority + the 3 header bytes.
            priority = self._state.settings.priority & 0x1F
            target = header & 0x7FF if info.id_bits == 11 else priority << 24 | header
            if target == FUNCTIONAL_CAN_IDS[info.id_bits]:
                return functional, True
        return [ecu for ecu in ecus if ecu.request_id == target], False


def _length_refusal(
    reply: Callable[..., tuple[bytes, ...]], ecu: EcuProfile, heard: bytes, functional: bool
) -> tuple[bytes, ...]:
    """What a unit answers to a request cut to 2 bytes: nothing if it would not answer those 2 bytes, else
    7F SID 13, incorrect message length (ISO 14229-1 NRC 0x13; ISO 14230-3 uses the same code)."""
    answered = reply(ecu, heard, functional=functional)
    return (bytes([0x7F, heard[0], 0x13]),) if answered else ()
