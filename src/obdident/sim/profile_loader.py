"""Strict validation of simulated vehicle profiles: every problem named with its file and key."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from obdident.errors import ProfileError
from obdident.i18n import T
from obdident.sim.schema import (
    ADAPTER_QUIRKS,
    BUSES,
    DEFAULT_SESSIONS,
    ECU_KEYS,
    EMPTY,
    MAX_ISOTP_PAYLOAD,
    MAX_LEGACY_PAYLOAD,
    MAX_REQUEST,
    PROTOCOLS,
    PROVENANCES,
    SESSION_CONTROL,
    VEHICLE_KEYS,
    VEHICLE_PROTOCOLS,
    EcuProfile,
    ProtocolInfo,
    Reply,
    VehicleProfile,
    parse_hex,
)
from obdident.sim.stn import CHIPS

__all__ = ["Loader"]


class Loader:
    """Validates one profile document, naming the file and key in every error."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, where: str, message: str) -> ProfileError:
        error = ProfileError(T("{file}: not a valid simulated vehicle profile", file=str(self.file)))
        error.detail, error.message = (
            f"{where}: {message}",
            f"{self.file}: {where}: {message}",
        )  # str(err) as before
        return error

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
        vehicle = self.table(document.get("vehicle"), "[vehicle]", VEHICLE_KEYS)
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
        chip = vehicle.get("adapter_chip", "elm327")
        if chip not in CHIPS:
            raise self.fail(f"{where}.adapter_chip", f"expected one of {', '.join(CHIPS)}, got {chip!r}")
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
            adapter_chip=chip,
        )

    def ecu(self, raw: Any, where: str, info: ProtocolInfo) -> EcuProfile:
        ecu = self.table(raw, where, ECU_KEYS)
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
        timing_bytes = parse_hex(timing) if isinstance(timing, str) and timing else b""
        if timing_bytes is None or not isinstance(timing, str) or len(timing_bytes) > MAX_REQUEST:
            expected = f'expected hex bytes such as "00 32 01 F4", got {timing!r}'
            raise self.fail(f"{where}.session_timing", expected)
        locked = ecu.get("locked_nrc")
        bus = ecu.get("bus", "hs-can")
        if bus not in BUSES or (bus != "hs-can" and not info.is_can):
            raise self.fail(
                f"{where}.bus", f"expected one of {', '.join(sorted(BUSES))} (CAN only), got {bus!r}"
            )
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
            bus=bus,
        )

    def byte(self, text: Any, where: str) -> int:
        value = parse_hex(text) if isinstance(text, str) else None
        if value is None or len(value) != 1:
            raise self.fail(where, f'expected one hex byte such as "11", got {text!r}')
        return value[0]

    def unsupported(self, value: Any, where: str) -> Mapping[int | None, int]:
        """``"11"`` (any service) or a table ``{ "21" = "12", "*" = "11" }`` (service id -> NRC)."""
        if value is None:
            return EMPTY
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
            request = parse_hex(key)
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
            payload = parse_hex(item) if isinstance(item, str) else None
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
