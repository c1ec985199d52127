"""The schema of simulated vehicle profiles: the data types a profile loads into, and the rules they share.

:mod:`obdident.sim.profile` finds and reads profile files; :mod:`obdident.sim.profile_loader` validates a
document against these rules; the simulator (:mod:`obdident.sim.elm`, :mod:`obdident.sim.vehicle`) reads the
types. ``hw-fixtures/README.md`` documents the format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from obdident.sim.quirks import QUIRKS

__all__ = [
    "ADAPTER_QUIRKS",
    "BUSES",
    "DEFAULT_SESSIONS",
    "ECU_KEYS",
    "EMPTY",
    "HEX_RE",
    "MAX_ISOTP_PAYLOAD",
    "MAX_LEGACY_PAYLOAD",
    "MAX_REQUEST",
    "PROTOCOLS",
    "PROVENANCES",
    "SESSION_CONTROL",
    "SIBLING_PROTOCOLS",
    "SPACE_RE",
    "VEHICLE_KEYS",
    "VEHICLE_PROTOCOLS",
    "EcuProfile",
    "ProtocolInfo",
    "Reply",
    "VehicleProfile",
    "parse_hex",
]


@dataclass(frozen=True)
class ProtocolInfo:
    """One ELM327 protocol (ELM327 datasheet, "AT SP h" protocol table).

    Attributes:
        number: the ELM327 protocol number, ``"1"`` ... ``"C"``.
        description: the text ``AT DP`` shows for it.
        id_bits: 11 or 29 for CAN protocols (ISO 15765-4), None for the legacy ones (J1850, K-line).
    """

    number: str
    description: str
    id_bits: int | None

    @property
    def is_can(self) -> bool:
        """True for the CAN protocols (ISO 15765-4 and the ELM327's other CAN modes)."""
        return self.id_bits is not None


#: Every protocol number the ELM327 accepts in AT SP / AT TP (ELM327 datasheet, "AT SP h").
PROTOCOLS: Mapping[str, ProtocolInfo] = MappingProxyType(
    {
        info.number: info
        for info in (
            ProtocolInfo("1", "SAE J1850 PWM", None),
            ProtocolInfo("2", "SAE J1850 VPW", None),
            ProtocolInfo("3", "ISO 9141-2", None),
            ProtocolInfo("4", "ISO 14230-4 (KWP 5BAUD)", None),
            ProtocolInfo("5", "ISO 14230-4 (KWP FAST)", None),
            ProtocolInfo("6", "ISO 15765-4 (CAN 11/500)", 11),
            ProtocolInfo("7", "ISO 15765-4 (CAN 29/500)", 29),
            ProtocolInfo("8", "ISO 15765-4 (CAN 11/250)", 11),
            ProtocolInfo("9", "ISO 15765-4 (CAN 29/250)", 29),
            ProtocolInfo("A", "SAE J1939 (CAN 29/250)", 29),
            ProtocolInfo("B", "USER1 (CAN 11/125)", 11),
            ProtocolInfo("C", "USER2 (CAN 11/50)", 11),
        )
    }
)

#: Protocols a simulated vehicle may speak (the OBD-II ones, SAE J1979).
VEHICLE_PROTOCOLS = frozenset("123456789")

#: Allowed ``[vehicle] provenance`` values; "recorded" only for data recorded on a real car.
PROVENANCES = frozenset({"synthesised from public captures", "synthesised", "recorded"})

#: Largest ISO 15765-2 (classic) message: the first frame's 12-bit length.
MAX_ISOTP_PAYLOAD = 0xFFF
#: Largest data field of one legacy (J1850 / ISO 9141-2 / ISO 14230-4) OBD message (SAE J1979).
MAX_LEGACY_PAYLOAD = 7
#: Largest request the ELM327 sends in one line (one CAN single frame; 7 data bytes on K-line).
MAX_REQUEST = 7

HEX_RE = re.compile(r"(?:[0-9A-F]{2})+")
SPACE_RE = re.compile(r"\s+")

#: Adapter quirks a profile may ask for (``[vehicle] adapter_quirks``): the clone quirks of
#: :mod:`obdident.sim.quirks`, such as ``"no-cra"`` (a chip that answers ``?`` to every AT CRA but
#: honours AT CF / AT CM).
ADAPTER_QUIRKS = frozenset(QUIRKS)

#: Diagnostic session ids that mean "default session": UDS 01 (ISO 14229-1 DiagnosticSessionControl)
#: and KWP2000 81 (ISO 14230-3 StartDiagnosticSession, defaultSession).
DEFAULT_SESSIONS = frozenset({0x01, 0x81})

#: ISO 14229-1 DiagnosticSessionControl; ECUs with ``sessions`` answer it themselves.
SESSION_CONTROL = 0x10

VEHICLE_KEYS = frozenset(
    {
        "name",
        "provenance",
        "sources",
        "protocol",
        "voltage_v",
        "ignition",
        "adapter_version",
        "interleave",
        "strict_flow_control",
        "adapter_quirks",
        "adapter_chip",
    }
)
ECU_KEYS = frozenset(
    {
        "name",
        "request_id",
        "response_id",
        "functional",
        "latency_ms",
        "pad",
        "responses",
        "sessions",
        "session_responses",
        "session_timing",
        "locked_nrc",
        "unsupported_nrc",
        "bus",
    }
)
#: The CAN buses an ECU may sit on (``[[ecu]] bus``): ``hs-can`` on OBD-II pins 6/14 (ISO 15765-4, every
#: adapter), ``ms-can`` on pins 3/11 (reached by an STN adapter's MS-CAN transceiver, OBDLink FRPM rev F,
#: STP 53/54, or by a clone whose HS/MS-CAN switch moves its transceiver there).
BUSES = frozenset({"hs-can", "ms-can"})
#: The 29-bit protocol on the same bus as an 11-bit one and back (same bit rate: 500 or 250 kbit/s).
SIBLING_PROTOCOLS: Mapping[str, str] = MappingProxyType({"6": "7", "7": "6", "8": "9", "9": "8"})

#: One table entry: the rounds of messages an ECU sends the 1st, 2nd ... time it gets the request
#: (the last round repeats); a plain entry has one round. A round may be empty (silence that time).
Reply = tuple[tuple[bytes, ...], ...]

EMPTY: Mapping[Any, Any] = MappingProxyType({})


@dataclass(frozen=True)
class EcuProfile:
    """One simulated ECU.

    Attributes:
        name: a label (``"ECM"``).
        request_id: the id it listens on: an 11- or 29-bit CAN id, or the 1-byte legacy address.
        response_id: the id it answers from (legacy: its address, normally equal to ``request_id``).
        functional: True if it answers functional (broadcast) OBD requests (ISO 15765-4 7DF / 18DB33F1).
        latency_ms: its answer delay, kept for a later timing model; the simulator never sleeps.
        pad: the byte it pads CAN frames with to 8 bytes (ISO 15765-2 frame padding).
        responses: request bytes -> the messages it sends back the first time, in order (the
            default table; see :attr:`replies` for repeated-request sequences).
        replies: the default table (available in every session): request -> :data:`Reply`.
        session_replies: session id -> the table available only while that session is active.
        sessions: the non-default session ids it accepts in ``10 xx``, or None if it has no
            session handling (then ``10 xx`` is an ordinary request).
        session_timing: bytes appended to every positive ``50 xx`` (UDS P2 / P2* timing), or empty.
        locked_nrc: the NRC for a request found only in an inactive session's table, or None.
        unsupported_nrc: service id -> NRC for requests found in no table; key None = any other
            service. Empty: such requests get no answer.
        id_bits: 11 or 29 for a CAN ECU, None on the legacy protocols.
        bus: the CAN bus it sits on, one of :data:`BUSES` (``hs-can``, pins 6/14, by default).
    """

    name: str
    request_id: int
    response_id: int
    functional: bool
    latency_ms: float
    pad: int
    responses: Mapping[bytes, tuple[bytes, ...]]
    replies: Mapping[bytes, Reply] = field(default_factory=lambda: EMPTY)
    session_replies: Mapping[int, Mapping[bytes, Reply]] = field(default_factory=lambda: EMPTY)
    sessions: frozenset[int] | None = None
    session_timing: bytes = b""
    locked_nrc: int | None = None
    unsupported_nrc: Mapping[int | None, int] = field(default_factory=lambda: EMPTY)
    id_bits: int | None = None
    bus: str = "hs-can"

    def unsupported_nrc_for(self, service: int) -> int | None:
        """The NRC for a request of ``service`` that no table holds, or None to stay silent."""
        return self.unsupported_nrc.get(service, self.unsupported_nrc.get(None))


@dataclass(frozen=True)
class VehicleProfile:
    """A simulated vehicle, as loaded from a TOML profile.

    Attributes:
        name: human-readable name.
        provenance: one of :data:`PROVENANCES`.
        sources: the public sources of the values.
        protocol: the ELM327 protocol number the vehicle speaks, ``"1"`` ... ``"9"``.
        voltage_v: battery voltage reported by AT RV.
        ignition: True if the ignition is on (the ECUs answer).
        adapter_version: the adapter's banner (ATZ, ATI), or None for the simulator's default.
        interleave: True to interleave frames of different ECUs round-robin.
        ecus: the ECUs, in file order.
        path: the file it was loaded from.
        strict_flow_control: True to deliver a multi-frame CAN answer in full only if the adapter's
            flow control frame reaches the ECU (see ``hw-fixtures/README.md``).
        adapter_quirks: the adapter quirks, a subset of :data:`ADAPTER_QUIRKS`.
        adapter_chip: the simulated chip (:data:`obdident.sim.stn.CHIPS`): ``elm327``, or an STN such as
            ``stn2255`` (OBDLink MX+, with MS-CAN on pins 3/11); a URL's ``chip=`` overrides it.
    """

    name: str
    provenance: str
    sources: tuple[str, ...]
    protocol: str
    voltage_v: float
    ignition: bool
    adapter_version: str | None
    interleave: bool
    ecus: tuple[EcuProfile, ...]
    path: Path
    strict_flow_control: bool = True
    adapter_quirks: frozenset[str] = frozenset()
    adapter_chip: str = "elm327"

    @property
    def protocol_info(self) -> ProtocolInfo:
        """The :class:`ProtocolInfo` of :attr:`protocol`."""
        return PROTOCOLS[self.protocol]

    @property
    def bus_protocols(self) -> frozenset[str]:
        """The protocols a fixed AT SP / AT TP can use on this vehicle: :attr:`protocol`, and on CAN
        also the other id width at the same bit rate (the bus acknowledges 11-bit and 29-bit frames
        alike; only ECUs of the protocol's id width answer)."""
        sibling = SIBLING_PROTOCOLS.get(self.protocol)
        return frozenset({self.protocol} if sibling is None else {self.protocol, sibling})


def parse_hex(text: str) -> bytes | None:
    """Hex digits with optional whitespace, any case -> bytes; None if not an even number of hex digits."""
    compact = SPACE_RE.sub("", text).upper()
    return bytes.fromhex(compact) if HEX_RE.fullmatch(compact) else None
