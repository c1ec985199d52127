"""Simulated vehicle profiles: load, validate and find the TOML files in ``hw-fixtures/profiles``.

A profile describes a vehicle as the OBD-II connector sees it: the protocol it speaks (ELM327
protocol numbers, ELM327 datasheet "AT SP"), and for each ECU its request and response
addresses, the exact answer payloads it gives to exact requests, and its diagnostic behaviour
(sessions, negative responses, repeated-request sequences). ``hw-fixtures/README.md`` documents the
format and the provenance rules.

Every problem is reported as :class:`~obdident.errors.ProfileError` naming the file and the key.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from obdident.errors import ProfileError
from obdident.sim.quirks import QUIRKS

__all__ = [
    "ADAPTER_QUIRKS",
    "DEFAULT_SESSIONS",
    "PROTOCOLS",
    "PROVENANCES",
    "EcuProfile",
    "ProtocolInfo",
    "Reply",
    "VehicleProfile",
    "find_profile",
    "list_profiles",
    "load_profile",
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

_HEX_RE = re.compile(r"(?:[0-9A-F]{2})+")
_SPACE_RE = re.compile(r"\s+")
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")

#: Adapter quirks a profile may ask for (``[vehicle] adapter_quirks``): the clone quirks of
#: :mod:`obdident.sim.quirks`, such as ``"no-cra"`` (a chip that answers ``?`` to every AT CRA but
#: honours AT CF / AT CM).
ADAPTER_QUIRKS = frozenset(QUIRKS)

#: Diagnostic session ids that mean "default session": UDS 01 (ISO 14229-1 DiagnosticSessionControl)
#: and KWP2000 81 (ISO 14230-3 StartDiagnosticSession, defaultSession).
DEFAULT_SESSIONS = frozenset({0x01, 0x81})

#: ISO 14229-1 DiagnosticSessionControl; ECUs with ``sessions`` answer it themselves.
SESSION_CONTROL = 0x10

_VEHICLE_KEYS = frozenset(
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
    }
)
_ECU_KEYS = frozenset(
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
    }
)
#: The 29-bit protocol on the same bus as an 11-bit one and back (same bit rate: 500 or 250 kbit/s).
SIBLING_PROTOCOLS: Mapping[str, str] = MappingProxyType({"6": "7", "7": "6", "8": "9", "9": "8"})

#: One table entry: the rounds of messages an ECU sends the 1st, 2nd ... time it gets the request
#: (the last round repeats); a plain entry has one round. A round may be empty (silence that time).
Reply = tuple[tuple[bytes, ...], ...]

_EMPTY: Mapping[Any, Any] = MappingProxyType({})


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
    """

    name: str
    request_id: int
    response_id: int
    functional: bool
    latency_ms: float
    pad: int
    responses: Mapping[bytes, tuple[bytes, ...]]
    replies: Mapping[bytes, Reply] = field(default_factory=lambda: _EMPTY)
    session_replies: Mapping[int, Mapping[bytes, Reply]] = field(default_factory=lambda: _EMPTY)
    sessions: frozenset[int] | None = None
    session_timing: bytes = b""
    locked_nrc: int | None = None
    unsupported_nrc: Mapping[int | None, int] = field(default_factory=lambda: _EMPTY)
    id_bits: int | None = None

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


def load_profile(path: str | Path) -> VehicleProfile:
    """Load and strictly validate a vehicle profile.

    Args:
        path: the ``.toml`` file.

    Returns:
        The profile.

    Raises:
        ProfileError: the file is missing, is not TOML, or a key is missing, unknown or invalid;
            the message names the file and the key.
    """
    file = Path(path)
    try:
        with file.open("rb") as stream:
            document = tomllib.load(stream)
    except FileNotFoundError as err:
        raise ProfileError(f"{file}: no such profile file") from err
    except OSError as err:
        raise ProfileError(f"{file}: cannot read the profile: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{file}: not valid TOML: {err}") from err
    return _Loader(file).vehicle(document)


def find_profile(name: str) -> Path:
    """Find a profile by name.

    Looks in order in the package data ``obdident/sim/profiles/NAME.toml`` (the wheel force-includes
    ``hw-fixtures/profiles`` there), then in ``hw-fixtures/profiles/NAME.toml`` of the source checkout
    (the nearest directory above this module holding ``pyproject.toml``).

    Args:
        name: the profile name, such as ``"nissan-xtrail-t32"`` (lowercase, digits, ``.``, ``_``, ``-``).

    Returns:
        The path of the profile file.

    Raises:
        ProfileError: the name is malformed or no such profile exists.
    """
    if not _NAME_RE.fullmatch(name):
        raise ProfileError(f"{name!r} is not a profile name (lowercase letters, digits, '.', '_', '-')")
    for directory in _profile_dirs():
        candidate = directory / f"{name}.toml"
        if candidate.is_file():
            return candidate
    known = ", ".join(list_profiles()) or "none"
    raise ProfileError(f"no simulated vehicle profile named {name!r} (known: {known})")


def list_profiles() -> list[str]:
    """The names of every profile :func:`find_profile` can find, sorted."""
    names: set[str] = set()
    for directory in _profile_dirs():
        names.update(file.stem for file in directory.glob("*.toml") if _NAME_RE.fullmatch(file.stem))
    return sorted(names)


def _profile_dirs() -> list[Path]:
    """The existing profile directories: package data first, then the source checkout's."""
    found: list[Path] = []
    try:
        packaged = importlib.resources.files("obdident.sim").joinpath("profiles")
    except ModuleNotFoundError:  # pragma: no cover - obdident.sim is this package
        packaged = None
    if isinstance(packaged, Path) and packaged.is_dir():
        found.append(packaged)
    here = Path(__file__).resolve().parent
    for directory in (here, *here.parents):
        if (directory / "pyproject.toml").is_file():
            fixtures = directory / "hw-fixtures" / "profiles"
            if fixtures.is_dir():
                found.append(fixtures)
            break
    return found


def _parse_hex(text: str) -> bytes | None:
    """Hex digits with optional whitespace, any case -> bytes; None if not an even number of hex digits."""
    compact = _SPACE_RE.sub("", text).upper()
    return bytes.fromhex(compact) if _HEX_RE.fullmatch(compact) else None


class _Loader:
    """Validates one profile document, naming the file and key in every error."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, where: str, message: str) -> ProfileError:
        return ProfileError(f"{self.file}: {where}: {message}")

    def table(self, value: Any, where: str, allowed: frozenset[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{where}.{unknown[0]}", f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def get(self, table: dict[str, Any], key: str, where: str, kind: type | tuple[type, ...]) -> Any:
        if key not in table:
            raise self.fail(f"{where}.{key}", "missing required key")
        value = table[key]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise self.fail(f"{where}.{key}", f"expected {_kind_name(kind)}, got {value!r}")
        if not isinstance(value, kind):
            raise self.fail(f"{where}.{key}", f"expected {_kind_name(kind)}, got {value!r}")
        return value

    def vehicle(self, document: dict[str, Any]) -> VehicleProfile:
        self.table(document, "(top level)", frozenset({"vehicle", "ecu"}))
        if "vehicle" not in document:
            raise self.fail("[vehicle]", "missing required table")
        vehicle = self.table(document.get("vehicle"), "[vehicle]", _VEHICLE_KEYS)
        where = "[vehicle]"
        name = self.get(vehicle, "name", where, str)
        provenance = self.get(vehicle, "provenance", where, str)
        if provenance not in PROVENANCES:
            allowed = ", ".join(repr(p) for p in sorted(PROVENANCES))
            raise self.fail(f"{where}.provenance", f"{provenance!r} is not one of {allowed}")
        sources = self.get(vehicle, "sources", where, list)
        if not all(isinstance(source, str) and source for source in sources):
            raise self.fail(f"{where}.sources", "expected a list of non-empty strings")
        if provenance != "synthesised" and not sources:
            raise self.fail(f"{where}.sources", f"a {provenance!r} profile must list its sources")
        protocol = self.get(vehicle, "protocol", where, str).upper()
        if protocol not in VEHICLE_PROTOCOLS:
            raise self.fail(f"{where}.protocol", f"{protocol!r} is not an OBD-II ELM327 protocol '1'..'9'")
        voltage = vehicle.get("voltage_v", 12.6)
        if isinstance(voltage, bool) or not isinstance(voltage, int | float) or not 0 <= voltage < 100:
            raise self.fail(f"{where}.voltage_v", f"expected a voltage 0..99.9, got {voltage!r}")
        ignition = vehicle.get("ignition", "on")
        if ignition not in ("on", "off"):
            raise self.fail(f"{where}.ignition", f'expected "on" or "off", got {ignition!r}')
        version = vehicle.get("adapter_version")
        if version is not None and (not isinstance(version, str) or not version.strip()):
            raise self.fail(f"{where}.adapter_version", f"expected a non-empty string, got {version!r}")
        interleave = vehicle.get("interleave", False)
        if not isinstance(interleave, bool):
            raise self.fail(f"{where}.interleave", f"expected true or false, got {interleave!r}")
        strict = vehicle.get("strict_flow_control", True)
        if not isinstance(strict, bool):
            raise self.fail(f"{where}.strict_flow_control", f"expected true or false, got {strict!r}")
        quirks = vehicle.get("adapter_quirks", [])
        if not isinstance(quirks, list) or not set(quirks) <= ADAPTER_QUIRKS:
            allowed = ", ".join(repr(q) for q in sorted(ADAPTER_QUIRKS))
            raise self.fail(f"{where}.adapter_quirks", f"expected a list of {allowed}, got {quirks!r}")
        raw_ecus = document.get("ecu")
        if not isinstance(raw_ecus, list) or not raw_ecus:
            raise self.fail("[[ecu]]", "missing: a profile needs at least one [[ecu]] table")
        info = PROTOCOLS[protocol]
        ecus = tuple(self.ecu(raw, f"[[ecu]] #{index + 1}", info) for index, raw in enumerate(raw_ecus))
        for attribute in ("request_id", "response_id"):
            ids = [getattr(ecu, attribute) for ecu in ecus]
            if len(set(ids)) != len(ids):
                raise self.fail(f"[[ecu]].{attribute}", "two ECUs share the same id")
        return VehicleProfile(
            name=name,
            provenance=provenance,
            sources=tuple(sources),
            protocol=protocol,
            voltage_v=float(voltage),
            ignition=ignition == "on",
            adapter_version=version,
            interleave=interleave,
            ecus=ecus,
            path=self.file,
            strict_flow_control=strict,
            adapter_quirks=frozenset(quirks),
        )

    def ecu(self, raw: Any, where: str, info: ProtocolInfo) -> EcuProfile:
        ecu = self.table(raw, where, _ECU_KEYS)
        name = self.get(ecu, "name", where, str)
        where = f"{where} ({name})"
        request_text = self.get(ecu, "request_id", where, str)
        request_id = self.address(request_text, f"{where}.request_id", info)
        if "response_id" in ecu or info.is_can:
            response_text = self.get(ecu, "response_id", where, str)
            response_id = self.address(response_text, f"{where}.response_id", info)
            if len(response_text) != len(request_text):
                widths = f"{request_text!r} and response_id {response_text!r} differ in width"
                raise self.fail(f"{where}.request_id", widths)
        else:
            response_id = request_id
        id_bits = (11 if len(request_text) == 3 else 29) if info.is_can else None
        functional = ecu.get("functional", True)
        if not isinstance(functional, bool):
            raise self.fail(f"{where}.functional", f"expected true or false, got {functional!r}")
        latency = ecu.get("latency_ms", 0)
        if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
            raise self.fail(f"{where}.latency_ms", f"expected a number of milliseconds >= 0, got {latency!r}")
        pad = self.byte(ecu.get("pad", "55"), f"{where}.pad")
        sessions: frozenset[int] | None = None
        if "sessions" in ecu:
            raw_sessions = self.get(ecu, "sessions", where, list)
            sessions = frozenset(
                self.byte(item, f"{where}.sessions[{index}]") for index, item in enumerate(raw_sessions)
            )
        replies = self.replies(self.get(ecu, "responses", where, dict), f"{where}.responses", info, sessions)
        session_replies: dict[int, Mapping[bytes, Reply]] = {}
        raw_session_tables = ecu.get("session_responses", {})
        if not isinstance(raw_session_tables, dict):
            raise self.fail(f"{where}.session_responses", "expected a table of session id -> responses")
        for key, table in raw_session_tables.items():
            table_where = f"{where}.session_responses.{key}"
            session = self.byte(key, table_where)
            if sessions is None or session not in sessions or session in DEFAULT_SESSIONS:
                raise self.fail(table_where, "not a non-default session listed in 'sessions'")
            if not isinstance(table, dict):
                raise self.fail(table_where, "expected a table")
            session_replies[session] = self.replies(table, table_where, info, sessions)
        timing = ecu.get("session_timing", "")
        timing_bytes = _parse_hex(timing) if isinstance(timing, str) and timing else b""
        if timing_bytes is None or not isinstance(timing, str) or len(timing_bytes) > MAX_REQUEST:
            expected = f'expected hex bytes such as "00 32 01 F4", got {timing!r}'
            raise self.fail(f"{where}.session_timing", expected)
        locked = ecu.get("locked_nrc")
        return EcuProfile(
            name=name,
            request_id=request_id,
            response_id=response_id,
            functional=functional,
            latency_ms=float(latency),
            pad=pad,
            responses=MappingProxyType({request: reply[0] for request, reply in replies.items()}),
            replies=replies,
            session_replies=MappingProxyType(session_replies),
            sessions=sessions,
            session_timing=timing_bytes,
            locked_nrc=None if locked is None else self.byte(locked, f"{where}.locked_nrc"),
            unsupported_nrc=self.unsupported(ecu.get("unsupported_nrc"), f"{where}.unsupported_nrc"),
            id_bits=id_bits,
        )

    def byte(self, text: Any, where: str) -> int:
        value = _parse_hex(text) if isinstance(text, str) else None
        if value is None or len(value) != 1:
            raise self.fail(where, f'expected one hex byte such as "11", got {text!r}')
        return value[0]

    def unsupported(self, value: Any, where: str) -> Mapping[int | None, int]:
        """``"11"`` (any service) or a table ``{ "21" = "12", "*" = "11" }`` (service id -> NRC)."""
        if value is None:
            return _EMPTY
        if isinstance(value, str):
            return MappingProxyType({None: self.byte(value, where)})
        if not isinstance(value, dict):
            expected = f'expected an NRC such as "11" or a table of service -> NRC, got {value!r}'
            raise self.fail(where, expected)
        nrcs: dict[int | None, int] = {}
        for key, nrc in value.items():
            service = None if key == "*" else self.byte(key, f"{where}.{key}")
            nrcs[service] = self.byte(nrc, f"{where}.{key}")
        return MappingProxyType(nrcs)

    def replies(
        self, table: dict[str, Any], where: str, info: ProtocolInfo, sessions: frozenset[int] | None
    ) -> Mapping[bytes, Reply]:
        replies: dict[bytes, Reply] = {}
        for key, value in table.items():
            key_where = f"{where}.{key!r}"
            request = _parse_hex(key)
            if request is None or not 1 <= len(request) <= MAX_REQUEST:
                raise self.fail(key_where, f"request must be 1..{MAX_REQUEST} bytes of hex")
            if request in replies:
                raise self.fail(key_where, "the same request appears twice")
            if sessions is not None and len(request) == 2 and request[0] == SESSION_CONTROL:
                raise self.fail(key_where, "an ECU with 'sessions' answers 10 xx itself")
            if isinstance(value, list) and value and all(isinstance(item, list) for item in value):
                replies[request] = tuple(
                    self.payloads(item, f"{key_where}[{index}]", info, allow_empty=True)
                    for index, item in enumerate(value)
                )
            else:
                replies[request] = (self.payloads(value, key_where, info),)
        return MappingProxyType(replies)

    def address(self, text: str, where: str, info: ProtocolInfo) -> int:
        widths = {11: (3, 8), 29: (8, 3), None: (2,)}[info.id_bits]
        if not any(re.fullmatch(rf"[0-9A-Fa-f]{{{digits}}}", text) for digits in widths):
            raise self.fail(
                where,
                f"expected {widths[0]} hex digits for protocol {info.number} ({info.description}),"
                f" got {text!r}"
                + (" (or 8/3 for an ECU of the other id width on the same CAN bus)" if info.is_can else ""),
            )
        value = int(text, 16)
        bits = 29 if len(text) == 8 else 11
        if info.is_can and value >= 1 << bits:
            raise self.fail(where, f"{text!r} does not fit in {bits} bits")
        return value

    def payloads(
        self, value: Any, where: str, info: ProtocolInfo, *, allow_empty: bool = False
    ) -> tuple[bytes, ...]:
        """A hex string or a list of them -> the messages; ``allow_empty``: ``[]`` means silence."""
        items = value if isinstance(value, list) else [value]
        if not items and not allow_empty:
            raise self.fail(where, "expected a hex string or a non-empty list of them")
        limit = MAX_ISOTP_PAYLOAD if info.is_can else MAX_LEGACY_PAYLOAD
        result: list[bytes] = []
        for index, item in enumerate(items):
            item_where = f"{where}[{index}]" if isinstance(value, list) else where
            payload = _parse_hex(item) if isinstance(item, str) else None
            if payload is None:
                raise self.fail(item_where, f'expected bytes in hex such as "41 00 BE 3F", got {item!r}')
            if len(payload) > limit:
                kind = "an ISO 15765-2 message" if info.is_can else f"one {info.description} message"
                raise self.fail(item_where, f"{len(payload)} bytes is longer than {kind} can carry ({limit})")
            result.append(payload)
        return tuple(result)


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "a string", list: "a list", dict: "a table", bool: "true or false"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
