"""Physical-address discovery and identification reads (part of the scan).

For each candidate unit: address it (AT SH, receive filter, flow control), probe it with a short receive
timeout, and read its identification: Nissan's KWP2000 ``21 83`` (opening Nissan's session ``10 C0`` where a
unit answers only there, on a vehicle established as Nissan, and returning it to its default session
after), the VIN LIDs, UDS ``22`` identification DIDs. Negative responses are named; ``7F xx 78``
(response pending) and ``7F xx 21`` (busy, repeat request) are retried a bounded number of times.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from obdident.elm327.driver import ELM327, Response
from obdident.elm327.isotp import can_frames
from obdident.elm327.lines import EcuMessage
from obdident.errors import ProtocolError
from obdident.model import Evidence, Problem, VinSource
from obdident.services import kwp, uds
from obdident.services.diag import BUSY_REPEAT_REQUEST, RESPONSE_PENDING, Negative, parse_negative, render
from obdident.vehicles.nissan import Unit
from obdident.vehicles.vin import parse_vin_field

__all__ = [
    "PROBE_TIMEOUT_HEX",
    "UNDECODABLE",
    "Responder",
    "UnitResult",
    "identify",
    "identify_kline",
    "sweep",
    "sweep_ids",
    "undecodable_message",
]

log = logging.getLogger(__name__)

#: Receive timeout while probing and reading physical addresses: 0x0E x 4.096 ms = 57.3 ms, just over the
#: ISO 15765-4 P2(CAN) of 50 ms (the longest a unit may take to answer), so an absent unit costs little
#: (ELM327 datasheet, AT ST). A present unit that misses it is asked once more with 205 ms.
PROBE_TIMEOUT_HEX = "0E"
_SLOW_TIMEOUT_HEX = "32"  # 205 ms: one more try for a present unit that missed the short timeout
_PENDING_TIMEOUT_HEX = "FF"  # 1.04 s: after 7F xx 78, the unit promised an answer
_MAX_PENDING = 2  # bounded: ISO 14229-2 P2*(server) is 5 s; two long waits are enough for identification
_MAX_BUSY = 3
_LOCKED = {0x7F, 0x80, 0x22, 0x7E}  # not in this session / conditions not correct: Nissan's 7F 21 80
_NOT_SUPPORTED = {0x11, 0x12, 0x31, 0x10}
_SERVICE_NOT_SUPPORTED = 0x11
_NISSAN_SESSION, _KWP_DEFAULT, _UDS_DEFAULT = 0xC0, 0x81, 0x01
VIN_LID_SOURCE = "KWP2000 21 81 (local identifier 81)"
VIN_DID_SOURCE = "UDS 22 F190 (VINDataIdentifier)"


@dataclass
class UnitResult:
    """What one unit gave.

    Attributes:
        unit: the candidate.
        present: it answered anything at all.
        dialect: ``kwp2000`` or ``uds`` once known.
        fields: identification key -> value as shown (:func:`obdident.services.diag.render`).
        field_requests: identification key -> the request it came from.
        evidence: each request and the unit's lines.
        vin_sources: VINs it gave (21 81, 22 F190).
        problems: what went wrong with this unit.
        session: ``10 C0`` when Nissan's session was opened to read it.
    """

    unit: Unit
    present: bool = False
    dialect: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    field_requests: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    vin_sources: list[VinSource] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    session: str | None = None

    def _problem(self, code: str, message: str) -> None:
        self.problems.append(Problem(code, message, self.unit.response_id))

    def _undecodable(self, request: bytes, answer: Sequence[str], err: Exception) -> None:
        self._problem(UNDECODABLE, undecodable_message(request.hex(" ").upper(), answer, err))


class _Asker:
    """Sends one request to the addressed unit and keeps its evidence, with bounded retries."""

    def __init__(self, driver: ELM327, result: UnitResult) -> None:
        self.driver = driver
        self.result = result

    def _send(self, payload: bytes, frames: int | None) -> tuple[Response, list[EcuMessage]]:
        response = self.driver.request(payload, expected_frames=frames)
        own = [m for m in response.messages if m.response_id == self.result.unit.response_id]
        lines = tuple(line for m in own for line in m.lines)
        unique = tuple(dict.fromkeys(lines))
        self.result.evidence.append(Evidence(response.exchange.request, unique or response.exchange.lines))
        return response, own

    def ask(self, payload: bytes, answer_bytes: int | None = None) -> EcuMessage | None:
        """The unit's final answer to ``payload``, or None when it gave none.

        Args:
            payload: the request.
            answer_bytes: the usual length of the positive answer, when known: the response-count digit
                then lets the adapter return at once (a longer answer is read again in full).
        """
        pending = busy = 0
        slow_retry_done = False
        frames = can_frames(answer_bytes) if answer_bytes else None
        while True:
            _, own = self._send(payload, None if (pending or busy or slow_retry_done) else frames)
            if not own:
                if self.result.present and not slow_retry_done:
                    slow_retry_done = True
                    self.driver.set_receive_timeout(_SLOW_TIMEOUT_HEX)
                    continue
                self._restore_timeout()
                if self.result.present:
                    self.result._problem(
                        "stopped-answering",
                        f"{self.result.unit.name} answered before but not {payload.hex(' ').upper()} "
                        "(was the ignition switched off?); what it gave before is kept.",
                    )
                return None
            final = own[-1]
            negative = parse_negative(final.payload)
            if negative is not None and negative.nrc == RESPONSE_PENDING:
                if pending < _MAX_PENDING:
                    pending += 1
                    self.driver.set_receive_timeout(_PENDING_TIMEOUT_HEX)
                    continue
                self.result._problem(
                    "response-pending-storm",
                    f"{self.result.unit.name} kept answering {payload.hex(' ').upper()} with 'response "
                    f"pending' ({negative}) and never gave the answer; asked {pending + 1} times.",
                )
            if negative is not None and negative.nrc == BUSY_REPEAT_REQUEST:
                if busy < _MAX_BUSY:
                    busy += 1
                    continue
                self.result._problem(
                    "busy",
                    f"{self.result.unit.name} stayed busy ({negative}) for {payload.hex(' ').upper()}; asked "
                    f"{busy + 1} times.",
                )
            self._restore_timeout()
            self.result.present = True
            return final

    def _restore_timeout(self) -> None:
        self.driver.set_receive_timeout(PROBE_TIMEOUT_HEX)


Reporter = Callable[[str], None]

#: The problem code of an answer that arrived whole but could not be decoded: the step still ran to its end.
UNDECODABLE = "undecodable-answer"


def undecodable_message(request: str, answer: Sequence[str], err: Exception) -> str:
    """The problem message of an undecodable answer, with the raw request and the answer's lines.

    Args:
        request: the request as hex (``09 02``).
        answer: the lines (or hex payload) that carried the answer, masked.
        err: what the decoder found wrong.
    """
    shown = " / ".join(answer) or "nothing"
    return (
        f"The answer to {request} could not be decoded ({err}); the value is missing, the scan went on. "
        f"Answer: {shown}."
    )


def _read_lid(asker: _Asker, lid: int) -> tuple[bytes, tuple[int, ...]] | Negative | None:
    message = asker.ask(kwp.build_read_lid(lid), kwp.EXPECTED_ANSWER_BYTES.get(lid))
    if message is None:
        return None
    negative = parse_negative(message.payload)
    if negative is not None:
        return negative
    try:
        data = kwp.parse_read_lid(message.payload, lid)
    except ProtocolError as err:
        asker.result._undecodable(kwp.build_read_lid(lid), message.lines, err)
        return None
    return data, tuple(o - 2 for o in message.masked)


def _kwp_reads(asker: _Asker, first: tuple[bytes, tuple[int, ...]] | None) -> None:
    """Decode ``61 83`` (None when the unit lacks LID 83) and read the unit's other identification LIDs."""
    result = asker.result
    result.dialect = "kwp2000"
    if first is not None:
        data, masked = first
        try:
            decoded = kwp.decode_nissan_83(data, masked)
        except ProtocolError as err:
            result._undecodable(kwp.build_read_lid(0x83), [data.hex(" ").upper()], err)
            decoded = {}
        for key, text in decoded.items():
            result.fields[key] = text
            result.field_requests[key] = "2183"
    lids = [0x81] if result.unit.reads_vin else []
    if result.unit.name == "ECM":
        lids += [0x80, 0xFE, 0xFF]
    for lid in lids:
        answer = _read_lid(asker, lid)
        if not isinstance(answer, tuple):
            continue
        value, masked = answer
        if lid == 0x81:
            parsed = parse_vin_field(value)
            result.vin_sources.append(
                VinSource(VIN_LID_SOURCE, result.unit.response_id, parsed.value, parsed.problem)
            )
        else:
            key = kwp.LIDS[lid]
            result.fields[key] = render(value, "auto", masked)
            result.field_requests[key] = f"21{lid:02X}"


def _uds_reads(asker: _Asker) -> None:
    result = asker.result
    for did in uds.READ_ORDER:
        message = asker.ask(uds.build_read(did))
        if message is None:
            if did == uds.READ_ORDER[0] and not result.present:
                return  # absent: nothing answered the first DID
            continue
        negative = parse_negative(message.payload)
        if negative is not None:
            if negative.nrc not in _NOT_SUPPORTED:
                result._problem("negative-response", f"22 {did:04X}: {negative}")
            continue
        result.dialect = result.dialect or "uds"
        try:
            value = uds.parse_read(message.payload, did)
        except ProtocolError as err:
            result._undecodable(uds.build_read(did), message.lines, err)
            continue
        info = uds.DIDS[did]
        if did == 0xF190:
            parsed = parse_vin_field(value)
            result.vin_sources.append(
                VinSource(VIN_DID_SOURCE, result.unit.response_id, parsed.value, parsed.problem)
            )
            continue
        result.fields[info.key] = render(value, info.encoding, tuple(o - 3 for o in message.masked))
        result.field_requests[info.key] = f"22{did:04X}"
    if result.present and result.dialect is None:
        result.dialect = "uds"


def _session(asker: _Asker, session: int) -> Negative | bool:
    message = asker.ask(kwp.build_session(session), 2)
    if message is None:
        return False
    negative = parse_negative(message.payload)
    if negative is not None:
        return negative
    try:
        kwp.parse_session(message.payload, session)
    except ProtocolError:
        return False
    return True


def identify(driver: ELM327, unit: Unit, *, nissan: bool, result: UnitResult | None = None) -> UnitResult:
    """Probe one unit on its physical address and read its identification.

    Args:
        driver: a driver connected to a CAN vehicle (protocol 6 or 8 for 11-bit units; the driver switches
            to 7 or 9 for 29-bit units).
        unit: the candidate.
        nissan: the vehicle is established as a Nissan (only then is ``10 C0`` sent).
        result: where to put what the unit gives, as it comes (so a caller keeps it if a later request
            fails); a new one when omitted.

    Returns:
        What the unit gave; ``present`` False when it never answered.

    Raises:
        TransportError, AdapterError: the link or adapter failed (the caller keeps what was read).
        GuardRefusal: a defect tried to send a line off the allowlist.
    """
    result = result if result is not None else UnitResult(unit)
    protocol = driver.protocol
    assert protocol is not None and protocol.can
    base = {"6": "6", "7": "6", "8": "8", "9": "8"}.get(protocol.number, protocol.number)
    driver.use_protocol(base if unit.bits == 11 else {"6": "7", "8": "9"}.get(base, base))
    driver.address(unit.request_id, unit.response_id)
    driver.set_receive_timeout(PROBE_TIMEOUT_HEX)
    asker = _Asker(driver, result)
    if unit.dialect == "uds":
        _uds_reads(asker)
        return result
    first = _read_lid(asker, 0x83)
    if isinstance(first, Negative) and first.nrc in _LOCKED:
        if not nissan:
            result._problem(
                "needs-nissan-session",
                f"{unit.name} answers identification only in Nissan's diagnostic session (it said {first}); "
                "not opened, because the vehicle is not established as a Nissan. If it is one, scan with "
                "--make nissan.",
            )
            return result
        opened = _session(asker, _NISSAN_SESSION)
        if opened is not True:
            result._problem("session-refused", f"{unit.name} refused Nissan's session 10 C0: {opened}")
            return result
        result.session = "10 C0"
        try:
            first = _read_lid(asker, 0x83)
            if isinstance(first, tuple):
                _kwp_reads(asker, first)
        finally:
            back = _session(asker, _KWP_DEFAULT)
            if back is not True:
                result._problem(
                    "session-not-restored",
                    f"{unit.name} did not confirm its return to the default session (10 81): {back}. It "
                    "returns by itself after a few seconds without requests.",
                )
        return result
    if isinstance(first, tuple):
        _kwp_reads(asker, first)
    elif isinstance(first, Negative) and first.nrc == _SERVICE_NOT_SUPPORTED:
        _uds_reads(asker)  # no KWP2000 service 21: a UDS unit
    elif isinstance(first, Negative):
        _kwp_reads(asker, None)  # KWP2000, but no LID 83 (the J10's Renault-built ECM)
    return result


def identify_kline(driver: ELM327, address: str = "10") -> UnitResult:
    """Read ``1A 81`` (Nissan's ECU id) from a K-line ECU with ISO 14230 physical addressing.

    The header is ``81 <address> FC`` (format 0x81, target, tester 0xFC: fenugrec/nisprog).

    Args:
        driver: a driver connected over ISO 14230-4 (protocol 4 or 5).
        address: the ECU's K-line address (0x10: the engine ECU).

    Returns:
        What the ECU gave.
    """
    unit = Unit("ECM", "engine control module (K-line)", address, address, "kwp", "confirmed",
                "fenugrec/nisprog (ISO 14230, tester 0xFC, ECU 0x10)")  # fmt: skip
    result = UnitResult(unit)
    driver.address(f"81{address}FC", None)
    asker = _Asker(driver, result)
    message = asker.ask(kwp.build_read_ecu_id(0x81))
    if message is None or parse_negative(message.payload) is not None:
        return result
    try:
        data = kwp.parse_read_ecu_id(message.payload, 0x81)
    except ProtocolError as err:
        result._undecodable(kwp.build_read_ecu_id(0x81), message.lines, err)
        return result
    result.dialect = "kwp2000"
    key = kwp.ecu_id_key(0x81)
    result.fields[key] = render(data, "auto")
    result.field_requests[key] = "1A81"
    return result


@dataclass(frozen=True)
class Responder:
    """An unknown unit a sweep found.

    Attributes:
        request_id: the id probed.
        response_id: the id that answered.
        answer: what it answered, as hex.
        evidence: the request and lines.
    """

    request_id: str
    response_id: str
    answer: str
    evidence: Evidence


def sweep(driver: ELM327, skip: set[str]) -> list[Responder]:
    """Probe every 11-bit physical request id 700-7F7 not in ``skip`` with ``3E 00`` (TesterPresent).

    The receive filter accepts any 7xx id, so a unit that answers on an unexpected id is still seen.

    Returns:
        One entry per id that drew an answer.
    """
    found: list[Responder] = []
    driver.set_receive_timeout(PROBE_TIMEOUT_HEX)
    for request_id in sweep_ids():
        if request_id in skip:
            continue
        driver.address(request_id, "7XX", flow_control=False)
        response = driver.request(b"\x3e\x00")
        for message in response.messages:
            if message.response_id == request_id:
                continue  # our own request echoed by a clone
            found.append(
                Responder(
                    request_id,
                    message.response_id,
                    message.payload.hex(" ").upper(),
                    Evidence(response.exchange.request, message.lines),
                )
            )
    return found


def sweep_ids() -> list[str]:
    """Every 11-bit physical request id a ``--sweep`` probes: 700-7F7 (7F8-7FF are left alone)."""
    return [f"{i:03X}" for i in range(0x700, 0x7F8)]
