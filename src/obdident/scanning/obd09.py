"""Service 09 (SAE J1979 vehicle information) read from every ECU: supported InfoTypes, VIN, CALIDs, CVNs,
ECU names. Each function is one step the runner runs (with its reset recovery); busy and pending answers
are repeated within :data:`obdident.scanning.ask.FUNCTIONAL`'s limits."""

from __future__ import annotations

from obdident.elm327.driver import ELM327
from obdident.elm327.isotp import can_frames
from obdident.errors import ProtocolError
from obdident.i18n import T, Text
from obdident.model import VinSource
from obdident.scanning.ask import UNDECODABLE, UNDECODABLE_TEXT, ask_functional, undecodable_detail
from obdident.scanning.state import MAX_COUNT_DIGIT, EcuState, ScanState
from obdident.services import obd09
from obdident.vehicles.vin import parse_vin_field

__all__ = ["READS", "VIN_SOURCE_09", "read_infotype", "read_supported"]

VIN_SOURCE_09 = "SAE J1979 service 09 InfoType 02"

#: The InfoTypes read after the supported ones, in order: (InfoType, its message-count InfoType, label).
READS: tuple[tuple[int, int | None, Text], ...] = (
    (obd09.VIN, obd09.VIN_COUNT, T("Reading the VIN")),
    (obd09.CALID, obd09.CALID_COUNT, T("Reading calibration IDs")),
    (obd09.CVN, obd09.CVN_COUNT, T("Reading calibration verification numbers")),
    (obd09.ECU_NAME, None, T("Reading ECU names")),
)


def read_supported(driver: ELM327, state: ScanState, count: int | None) -> None:
    """Ask every ECU which InfoTypes it supports (``09 00``, SAE J1979 service 09 InfoType 00).

    Args:
        driver: a driver on functional addressing.
        state: where each ECU's supported InfoTypes, evidence and problems go.
        count: the response-count digit (the number of ECUs that answered before), or None.
    """
    request = obd09.build_request(obd09.SUPPORTED)
    for rid, messages in ask_functional(driver, state, request, count).items():
        try:
            state.ecu(rid).supported = obd09.parse_supported(messages[0].payload)
        except ProtocolError as err:
            shown = request.hex(" ").upper()
            state.problem(
                UNDECODABLE,
                UNDECODABLE_TEXT,
                detail=undecodable_detail(shown, messages[0].lines, err),
                response_id=rid,
            )


def read_infotype(
    driver: ELM327,
    state: ScanState,
    info_type: int,
    count_type: int | None,
    holders: list[EcuState],
    legacy: bool,
) -> None:
    """Read one InfoType from the ECUs that declare it.

    Args:
        driver: a driver on functional addressing.
        state: where values, VIN sources, evidence and problems go.
        info_type: the InfoType (02 VIN, 04 CALID, 06 CVN, 0A ECU name).
        count_type: the InfoType giving its message count on legacy protocols, or None.
        holders: the ECUs that declare it.
        legacy: the vehicle is on a non-CAN protocol (one message per item, SAE J1979 §8.9).
    """
    expected = _expected_frames(driver, state, info_type, count_type, holders, legacy)
    by_ecu = ask_functional(driver, state, obd09.build_request(info_type), expected)
    for ecu in holders:
        messages = by_ecu.get(ecu.response_id, [])
        if not messages:
            state.problem(
                "no-answer",
                T(
                    "The unit {unit} offers a piece of vehicle information but did not give it when asked.",
                    unit=ecu.response_id,
                ),
                detail=f"{ecu.response_id} declares InfoType {info_type:02X} but did not answer it",
                response_id=ecu.response_id,
            )
            continue
        try:
            data = obd09.parse_items([m.payload for m in messages], info_type, legacy=legacy)
        except ProtocolError as err:
            request = obd09.build_request(info_type).hex(" ").upper()
            lines = [line for m in messages for line in m.lines]
            state.problem(
                UNDECODABLE,
                UNDECODABLE_TEXT,
                detail=undecodable_detail(request, lines, err),
                response_id=ecu.response_id,
            )
            continue
        _apply(state, ecu, data)


def _expected_frames(
    driver: ELM327, state: ScanState, info_type: int, count_type: int | None, holders: list[EcuState],
    legacy: bool,
) -> int | None:  # fmt: skip
    """The response-count digit, only where the number of frames is certain."""
    if legacy:
        if count_type is None or len(holders) != 1 or count_type not in holders[0].supported:
            return None
        reply = driver.request(obd09.build_request(count_type), expected_frames=1)
        for rid, messages in state.record(reply).items():
            if rid == holders[0].response_id:
                try:
                    return obd09.parse_message_count(messages[0].payload, count_type) or None
                except ProtocolError:
                    return None
        return None
    # one item per ECU: exact for the VIN and the ECU name; for CALIDs and CVNs the common case (an ECU
    # with two CALIDs makes the adapter stop early, and the driver asks again without the digit)
    frames = can_frames(3 + obd09.ITEM_SIZES[info_type]) * len(holders)
    return frames if frames <= MAX_COUNT_DIGIT else None


def _apply(state: ScanState, ecu: EcuState, data: obd09.InfoTypeData) -> None:
    rid = ecu.response_id
    if data.info_type == obd09.VIN:
        parsed = parse_vin_field(data.items[0])
        ecu.vin = parsed.value
        state.vin_sources.append(VinSource(VIN_SOURCE_09, rid, parsed.value, parsed.problem))
    elif data.info_type == obd09.CALID:
        for index, item in enumerate(data.items, 1):
            text = obd09.decode_ascii(item)
            if text is None:
                state.problem(
                    "unreadable-calid",
                    T(
                        "Calibration number {index} from the unit {unit} is not readable text; its raw bytes "
                        "are kept in the report.",
                        index=index,
                        unit=rid,
                    ),
                    detail=f"CALID {index} from {rid} is not printable ASCII",
                    response_id=rid,
                )
            else:
                ecu.calibration_ids.append(text)
    elif data.info_type == obd09.CVN:
        ecu.cvns.extend(obd09.format_cvn(item) for item in data.items)
    elif data.info_type == obd09.ECU_NAME:
        ecu.ecu_name = obd09.decode_ecu_name(data.items[0])
