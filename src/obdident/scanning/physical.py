"""Physical-address identification: one unit on its 11-bit or 29-bit CAN id, or the K-line engine ECU.

For each candidate unit: address it (AT SH, the receive filter), probe it with a short receive timeout, and
read its identification: Nissan's KWP2000 ``21 83`` (opening Nissan's session ``10 C0`` where a unit answers
only there, on a vehicle established as Nissan, and returning it to its default session after), the VIN
LIDs, UDS ``22`` identification DIDs. Negative responses are named; busy, pending and slow answers are
repeated within :data:`obdident.scanning.ask.PHYSICAL`'s limits.

Flow control (AT FC SH, and once AT FC SD / SM) is set only for a unit that answered: its first request is
one whose answer is a single frame, TesterPresent ``3E 00`` (:data:`PRESENCE_REQUEST`) for a unit that may
be absent (the caller's ``presence_first``) or Nissan's session ``10 C0``, so an absent unit costs AT SH and
one request. A unit a public capture shows on the vehicle's family is read at once. A unit that answered
only ``3E 00`` is there: silence to its next request is that request's answer (no repeat, no problem).

A head-unit candidate or the media gateway (MIU) is asked, in the default session only: the alliance
identification ``21 80`` and Nissan's ``21 83``, then UDS ``22`` :data:`HEAD_UNIT_DIDS`. Silence to ``3E 00``
(which UDS and KWP2000 units both answer) means absent; a candidate that answered it but is silent to
``21 80`` is asked its first DID (it may ignore KWP2000). Asked without it (``--full``), a candidate silent
to ``21 80`` is not asked more, except a UDS candidate (the 29-bit guesses), which is asked its first DID
before it counts as absent. Silence to a later request is a normal answer (a unit without that service),
and silence or ``7F 22 11`` to the first DID ends the UDS reads.
"""

from __future__ import annotations

from obdident.elm327.driver import ELM327
from obdident.errors import GuardRefusal, ProtocolError
from obdident.i18n import T
from obdident.model import VinSource
from obdident.scanning.ask import PROBE_TIMEOUT_HEX, Asker
from obdident.scanning.state import UnitResult
from obdident.services import kwp, uds
from obdident.services.common import Negative, parse_negative, render
from obdident.vehicles.nissan import Unit
from obdident.vehicles.vin import parse_vin_field

__all__ = [
    "HEAD_UNIT_DIDS",
    "PRESENCE_REQUEST",
    "VIN_DID_SOURCE",
    "VIN_LID_SOURCE",
    "identify",
]

_LOCKED = {0x7F, 0x80, 0x22, 0x7E}  # not in this session / conditions not correct: Nissan's 7F 21 80
_NOT_SUPPORTED = {0x11, 0x12, 0x31, 0x10}
_SERVICE_NOT_SUPPORTED = 0x11
_NISSAN_SESSION, _KWP_DEFAULT = 0xC0, 0x81
#: The one-frame request that shows whether a unit is there, before any flow-control line: TesterPresent
#: ``3E 00`` (ISO 14229-1 §10.5; ISO 14230-3 service 3E), for every unit. A UDS server answers it ``7E 00``; a
#: KWP2000 unit answers it too, if only with ``7F 3E xx``. Not ``10 81``, though openpilot's Nissan firmware
#: query (commaai/opendbc ``nissan/values.py``) opens every unit so: in UDS, ``81`` asks for no positive
#: answer (suppressPosRspMsgIndicationBit, ISO 14229-1 §8.2.2), so the 2017+ Nissans' UDS units the table
#: lists under KWP2000 would stay silent and count as absent.
PRESENCE_REQUEST = bytes([0x3E, 0x00])
VIN_LID_SOURCE = "KWP2000 21 81 (local identifier 81)"
VIN_DID_SOURCE = "UDS 22 F190 (VINDataIdentifier)"

#: What a head-unit candidate is asked with UDS (ISO 14229-1:2020 Annex C.1): spare part number, software
#: number, supplier, serial number, hardware number, supplier software number and version, system name, VIN.
HEAD_UNIT_DIDS: tuple[int, ...] = (0xF187, 0xF188, 0xF18A, 0xF18C, 0xF191, 0xF194, 0xF195, 0xF197, 0xF190)
#: 61 80 in the alliance layout: SID, LID and 24 data bytes (research/headunit.md §2.1).
_ALLIANCE_80_ANSWER_BYTES = 26


def _read_lid(
    asker: Asker, lid: int, answer_bytes: int | None = None, *, silence_answers: bool = False
) -> tuple[bytes, tuple[int, ...]] | Negative | None:
    expected = answer_bytes or kwp.EXPECTED_ANSWER_BYTES.get(lid)
    message = asker.ask(kwp.build_read_lid(lid), expected, silence_answers=silence_answers)
    if message is None:
        return None
    negative = parse_negative(message.payload)
    if negative is not None:
        return negative
    try:
        data = kwp.parse_read_lid(message.payload, lid)
    except ProtocolError as err:
        asker.undecodable(kwp.build_read_lid(lid), message.lines, err)
        return None
    return data, tuple(o - 2 for o in message.masked)


def _kwp_reads(asker: Asker, first: tuple[bytes, tuple[int, ...]] | None) -> None:
    """Decode ``61 83`` (None when the unit lacks LID 83) and read the unit's other identification LIDs."""
    result = asker.result
    result.dialect = "kwp2000"
    if first is not None:
        data, masked = first
        try:
            decoded = kwp.decode_nissan_83(data, masked)
        except ProtocolError as err:
            asker.undecodable(kwp.build_read_lid(0x83), [data.hex(" ").upper()], err)
            decoded = {}
        for key, text in decoded.items():
            result.set_field(key, text, kwp.build_read_lid(0x83))
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
            result.set_field(key, render(value, "auto", masked), kwp.build_read_lid(lid))


def _uds_reads(asker: Asker, order: tuple[int, ...] = uds.READ_ORDER, *, head_unit: bool = False) -> None:
    """Read ``order``'s DIDs; ``head_unit``: silence is an answer, and silence or ``7F 22 11`` to the first
    DID ends the reads (the unit lacks the service)."""
    result = asker.result
    for did in order:
        first = did == order[0]
        message = asker.ask(
            uds.build_read(did), silence_answers=head_unit or (first and result.presence_only)
        )
        if message is None:
            if result.truncated:
                return  # the adapter cuts 3-byte requests: every DID would be refused the same way
            if first and (head_unit or not result.present or result.presence_only):
                return  # absent, or without the service: nothing answered the first DID
            continue
        negative = parse_negative(message.payload)
        if negative is not None:
            if head_unit and did == order[0] and negative.nrc == _SERVICE_NOT_SUPPORTED:
                return
            if negative.nrc not in _NOT_SUPPORTED:
                result.problem(
                    "negative-response",
                    T("The {unit} refused a request for its identification.", unit=result.unit.name),
                    detail=f"22 {did:04X}: {negative}",
                )
            continue
        result.dialect = result.dialect or "uds"
        try:
            value = uds.parse_read(message.payload, did)
        except ProtocolError as err:
            asker.undecodable(uds.build_read(did), message.lines, err)
            continue
        info = uds.DIDS[did]
        if did == 0xF190:
            parsed = parse_vin_field(value)
            result.vin_sources.append(
                VinSource(VIN_DID_SOURCE, result.unit.response_id, parsed.value, parsed.problem)
            )
            continue
        shown = render(value, info.encoding, tuple(o - 3 for o in message.masked))
        result.set_field(info.key, shown, uds.build_read(did))
    if result.present and result.dialect is None and not head_unit:
        result.dialect = "uds"


def _media_reads(asker: Asker) -> None:
    """Identify a head-unit candidate or the MIU in its default session (module docstring)."""
    result = asker.result
    uds_unit = result.unit.dialect == "uds"
    first = _read_lid(asker, 0x80, _ALLIANCE_80_ANSWER_BYTES, silence_answers=uds_unit)
    if first is None:
        if uds_unit or result.presence_only:  # a UDS unit may ignore KWP: its first UDS request decides
            _uds_reads(asker, HEAD_UNIT_DIDS, head_unit=True)
        return  # silent: not asked more
    if isinstance(first, tuple):
        result.dialect = "kwp2000"
        data, masked = first
        try:
            decoded = kwp.decode_alliance_80(data, masked)
        except ProtocolError:
            decoded = {"product_number": render(data, "auto", masked)}  # another layout: kept as read
        for key, text in decoded.items():
            result.set_field(key, text, kwp.build_read_lid(0x80))
    elif first.nrc in _LOCKED:
        result.problem(
            "needs-session",
            T(
                "The {unit} gives its identification only in a diagnostic session; obdident opens none on a "
                "head-unit candidate, because no public capture shows one needing it.",
                unit=result.unit.name,
            ),
            detail=f"it said {first}",
        )
    if not isinstance(first, Negative) or first.nrc != _SERVICE_NOT_SUPPORTED:
        _media_83(asker)
    _uds_reads(asker, HEAD_UNIT_DIDS, head_unit=True)


def _media_83(asker: Asker) -> None:
    """Read ``21 83``; a field 21 80 gave is kept, and a different 21 83 value is a problem."""
    result = asker.result
    answer = _read_lid(asker, 0x83, silence_answers=True)
    if not isinstance(answer, tuple):
        return
    result.dialect = "kwp2000"
    data, masked = answer
    try:
        decoded = kwp.decode_nissan_83(data, masked)
    except ProtocolError as err:
        asker.undecodable(kwp.build_read_lid(0x83), [data.hex(" ").upper()], err)
        return
    for key, text in decoded.items():
        if key not in result.fields:
            result.set_field(key, text, kwp.build_read_lid(0x83))
        elif key == "part_number_suffix" and result.fields[key] != text:
            result.problem(
                "identification-mismatch",
                T(
                    "The {unit} gave two different part-number suffixes: {first} and {second}.",
                    unit=result.unit.name,
                    first=result.fields[key],
                    second=text,
                ),
                detail=f"{result.fields[key]} in 21 80, {text} in 21 83",
            )


def _session(asker: Asker, session: int) -> Negative | bool:
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


def _in_session(asker: Asker) -> None:
    """Read the identification in Nissan's session ``10 C0`` (just opened), then return the unit to its
    default session ``10 81`` whatever happened."""
    result = asker.result
    result.session = "10 C0"
    try:
        first = _read_lid(asker, 0x83)
        if isinstance(first, tuple):
            _kwp_reads(asker, first)
    finally:
        try:
            back: Negative | bool | str = _session(asker, _KWP_DEFAULT)
        except GuardRefusal:
            # The adapter reset itself (its stored settings are back, unknown to the guard): nothing goes
            # out before it is set up again; the unit leaves 10 C0 by itself (ISO 14230-3 S3 timeout).
            back = "the adapter reset itself first, so 10 81 was not sent"
        if back is not True:
            result.problem(
                "session-not-restored",
                T(
                    "The {unit} did not confirm its return to its normal mode. It returns by itself after a "
                    "few seconds without requests.",
                    unit=result.unit.name,
                ),
                detail=f"default session 10 81: {back}",
            )


def identify(
    driver: ELM327,
    unit: Unit,
    *,
    nissan: bool,
    result: UnitResult | None = None,
    session_first: bool = False,
    presence_first: bool = False,
) -> UnitResult:
    """Probe one unit on its physical address and read its identification.

    Args:
        driver: a driver connected to a CAN vehicle (protocol 6 or 8 for 11-bit units; the driver switches
            to 7 or 9 for 29-bit units).
        unit: the candidate.
        nissan: the vehicle is established as a Nissan (only then is ``10 C0`` sent).
        result: where to put what the unit gives, as it comes (so a caller keeps it if a later request
            fails); a new one when omitted.
        session_first: the vehicle's family is one whose captures show this unit (``needs_session``)
            refusing identification outside ``10 C0``: open the session at once, without asking first.
        presence_first: the unit may well be absent (no public capture shows it on this family): ask
            :data:`PRESENCE_REQUEST` first (one frame back), and set flow control only once it answered.
            Silence there means absent.

    Returns:
        What the unit gave; ``present`` False when it never answered.

    Raises:
        TransportError, AdapterError: the link or adapter failed (the caller keeps what was read).
        GuardRefusal: a defect tried to send a line off the allowlist.
    """
    result = result if result is not None else UnitResult(unit)
    protocol = driver.protocol
    assert protocol is not None and protocol.can
    driver.use_header_bits(unit.bits)
    session = nissan and session_first and unit.needs_session
    # A first request whose answer is one frame needs no flow control: the flow-control lines (AT FC SH,
    # and once AT FC SD / SM) wait until the unit has answered, so an absent unit costs two lines, not three.
    single_first = session or presence_first
    driver.address(unit.request_id, unit.response_id, flow_control=not single_first)
    driver.set_receive_timeout(PROBE_TIMEOUT_HEX)
    asker = Asker(driver, result)
    opened: Negative | bool | None = None
    if session:
        # A capture shows this unit answering identification only in Nissan's session: open it at once
        # rather than be refused first (the refusal is what the capture shows; asking again tells nothing).
        opened = _session(asker, _NISSAN_SESSION)
    elif presence_first:
        asker.ask(PRESENCE_REQUEST, 2, any_answer=True)
        result.presence_only = result.present
    if single_first:
        if not result.present:
            return result  # silent: absent
        driver.address(unit.request_id, unit.response_id)  # now the flow control for multi-frame answers
    if opened is True:
        _in_session(asker)
        return result
    if unit.head_unit or unit.media_gateway:
        _media_reads(asker)
        return result
    if unit.dialect == "uds":
        _uds_reads(asker)
        return result
    first = _read_lid(asker, 0x83)
    if isinstance(first, Negative) and first.nrc in _LOCKED:
        if not nissan:
            result.problem(
                "needs-nissan-session",
                T(
                    "The {unit} gives its identification only in Nissan's diagnostic session, which obdident "
                    "opens only on a vehicle shown to be a Nissan. If it is one, scan with {option}.",
                    unit=unit.name,
                    option="--make nissan",
                ),
                detail=f"it said {first}; session 10 C0 not opened",
            )
            return result
        if not unit.needs_session:
            # The session is sent only where a capture shows a Nissan unit needing it (the guard's targets):
            # on another unit 10 C0 may mean something else (on a Ford engine ECU it set neutral-tow mode).
            result.problem(
                "needs-nissan-session",
                T(
                    "The {unit} gives its identification only in a diagnostic session; obdident does not "
                    "open one on this unit, because no public capture shows it needs it.",
                    unit=unit.name,
                ),
                detail=f"it said {first}; Nissan's session 10 C0 not opened",
            )
            return result
        opened = opened if opened is not None else _session(asker, _NISSAN_SESSION)
        if opened is not True:
            result.problem(
                "session-refused",
                T(
                    "The {unit} refused Nissan's diagnostic session, so its identification was not read.",
                    unit=unit.name,
                ),
                detail=f"10 C0: {opened}",
            )
            return result
        _in_session(asker)
        return result
    if isinstance(first, tuple):
        _kwp_reads(asker, first)
    elif isinstance(first, Negative) and first.nrc == _SERVICE_NOT_SUPPORTED:
        _uds_reads(asker)  # no KWP2000 service 21: a UDS unit
    elif first is None and result.presence_only:
        _uds_reads(asker)  # there (it answered 3E 00) but silent to service 21: perhaps a UDS unit
    elif isinstance(first, Negative):
        _kwp_reads(asker, None)  # KWP2000, but no LID 83 (the J10's Renault-built ECM)
    return result
