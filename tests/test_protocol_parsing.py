"""Line parsing, ISO-TP reassembly and service 09 decoding, from literal adapter lines."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident.elm327 import isotp
from obdident.elm327.lines import (
    PROTOCOLS,
    group_messages,
    is_info,
    parse_frames,
    raise_for_status,
    split_lines,
    status_of,
    strip_echo,
)
from obdident.errors import (
    AdapterReplyError,
    DecodeError,
    IsoTpError,
    NoDataError,
    ObdidentError,
    ProtocolError,
    UnableToConnectError,
)
from obdident.services import obd09

CAN11 = PROTOCOLS["6"]
CAN29 = PROTOCOLS["7"]
ISO9141 = PROTOCOLS["3"]


# --- lines ------------------------------------------------------------------------------------------
def test_split_lines_tolerates_nul_crlf_and_prompt() -> None:
    raw = b"\x000902\r\n7e8 10 14 49 02 01 31 4e 34\r\r\n\x007E8 21 41 4C\r\r>"
    assert split_lines(raw) == ["0902", "7e8 10 14 49 02 01 31 4e 34", "7E8 21 41 4C"]


def test_strip_echo_only_drops_the_echo_of_the_command() -> None:
    assert strip_echo(["09 02", "7E8..."], "0902") == ["7E8..."]
    assert strip_echo(["ati", "ELM327 v1.5"], "ATI") == ["ELM327 v1.5"]
    assert strip_echo(["ELM327 v1.5"], "ATI") == ["ELM327 v1.5"]


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("NO DATA", "NO DATA"), ("CAN ERROR", "CAN ERROR"), ("BUFFER FULL", "BUFFER FULL"),
        ("BUS ERROR", "BUS ERROR"), ("DATA ERROR", "DATA ERROR"), ("<RX ERROR", "<RX ERROR"),
        ("FB ERROR", "FB ERROR"), ("LV RESET", "LV RESET"), ("STOPPED", "STOPPED"),
        ("UNABLE TO CONNECT", "UNABLE TO CONNECT"), ("ACT ALERT", "ACT ALERT"), ("?", "?"),
        ("BUS INIT: ...ERROR", "BUS ERROR"), ("7E8 03 41 00 <DATA ERROR", "DATA ERROR"),
        ("ERR94", "ERR94"), ("no data", "NO DATA"), ("7E8064100BE3FA813", None), ("SEARCHING...", None),
    ],
)
def test_status_lines_are_recognised(line: str, status: str | None) -> None:
    assert status_of(line) == status


def test_progress_lines_are_info_not_errors() -> None:
    assert is_info("SEARCHING...") and is_info("BUS INIT: ...OK") and is_info("Searching...")
    assert not is_info("BUS INIT: ...ERROR")


def test_raise_for_status_picks_the_specific_error() -> None:
    with pytest.raises(NoDataError):
        raise_for_status(["NO DATA"], "0902")
    with pytest.raises(UnableToConnectError) as info:
        raise_for_status(["UNABLE TO CONNECT"], "0100")
    assert info.value.request == "0100" and info.value.response == ("UNABLE TO CONNECT",)
    with pytest.raises(AdapterReplyError) as err:
        raise_for_status(["7E8 10 14 49 02 01 31 4E 34", "BUFFER FULL"], "0902")
    assert err.value.status == "BUFFER FULL"
    raise_for_status(["7E8 03 41 00 00", "NO DATA"], "0100")  # data from one ECU stands


# --- frames -----------------------------------------------------------------------------------------
def test_11_bit_frames_with_and_without_spaces_agree() -> None:
    spaced = parse_frames(["7E8 06 41 00 BE 3F A8 13"], CAN11)
    packed = parse_frames(["7E8064100BE3FA813"], CAN11)
    assert spaced[0].data == packed[0].data == bytes.fromhex("064100BE3FA813")
    assert spaced[0].sender == "7E8"


def test_29_bit_frames() -> None:
    for line in ("18 DA F1 10 06 41 00 BE 3F A8 13", "18DAF110064100BE3FA813"):
        frame = parse_frames([line], CAN29)[0]
        assert frame.header == "18DAF110" and frame.data[:3] == bytes.fromhex("064100")


def test_legacy_frames_drop_header_and_checksum() -> None:
    frame = parse_frames(["48 6B 10 49 02 01 00 00 00 31 B4"], ISO9141)[0]
    assert frame.sender == "10" and frame.data == bytes.fromhex("49020100000031")


@pytest.mark.parametrize("line", ["7E8 XY", "HELLO", "7E8 1", "7E8"])
def test_garbage_lines_raise_protocol_error(line: str) -> None:
    with pytest.raises(ProtocolError):
        parse_frames([line], CAN11)


def test_interleaved_ecus_reassemble_separately() -> None:
    lines = [
        "7E8 10 14 49 02 01 31 4E 34", "7E9 10 0B 49 06 02 11 22 33",
        "7E8 21 41 4C 33 41 50 38 4A", "7E9 21 44 AA BB CC DD 55 55",
        "7E8 22 43 31 32 33 34 35 30",
    ]
    messages = group_messages(parse_frames(lines, CAN11), CAN11)
    assert [(m.response_id, m.payload.hex().upper()) for m in messages] == [
        ("7E8", "490201314E34414C3341503" + "84A43313233343530"),
        ("7E9", "490602112233" + "44AABBCCDD"),
    ]
    assert messages[0].lines == (lines[0], lines[2], lines[4])


# --- ISO-TP -----------------------------------------------------------------------------------------
def test_single_frame_ignores_padding() -> None:
    assert isotp.reassemble([bytes.fromhex("0641 00 BE 3F A8 13 55".replace(" ", ""))]) == [
        bytes.fromhex("4100BE3FA813")
    ]


def test_pending_then_answer_gives_two_messages() -> None:
    frames = [bytes.fromhex("037F2278AAAAAAAA"), bytes.fromhex("0562F1904142AAAA")]
    assert isotp.reassemble(frames) == [bytes.fromhex("7F2278"), bytes.fromhex("62F1904142")]


@pytest.mark.parametrize(
    ("frames", "fragment"),
    [
        (["1014490201314E34", "2241"], "sequence number 2, expected 1"),
        (["1014490201314E34", "21414C33"], "ended after"),
        (["1014490201314E34", "0341"], "started a new message"),
        (["08414243"], "declares 8 bytes"),
        (["00"], "declares 0 bytes"),
        (["1005414243444546"], "fewer than 8"),
        (["F0"], "unknown PCI type"),
        ([""], "empty"),
    ],
)
def test_isotp_errors_name_the_fault(frames: list[str], fragment: str) -> None:
    with pytest.raises(IsoTpError, match=fragment):
        isotp.reassemble(bytes.fromhex(f) for f in frames)


def test_a_stray_consecutive_frame_is_ignored() -> None:
    # ISO 15765-2 §9.8.3: the tail of an earlier answer, then a whole new one
    frames = [bytes.fromhex("2141424344454647"), bytes.fromhex("034100FF55555555")]
    assert isotp.reassemble(frames) == [bytes.fromhex("4100FF")]


def test_sequence_number_wraps_after_f() -> None:
    payload = bytes(range(6 + 7 * 17))
    frames = [bytes([0x10 | (len(payload) >> 8), len(payload) & 0xFF]) + payload[:6]]
    for i in range(17):
        frames.append(bytes([0x20 | ((i + 1) & 0x0F)]) + payload[6 + 7 * i : 13 + 7 * i])
    assert isotp.reassemble(frames) == [payload]


@settings(max_examples=500)
@given(st.lists(st.binary(max_size=8), max_size=12))
def test_isotp_never_raises_anything_but_isotp_error(frames: list[bytes]) -> None:
    try:
        messages = isotp.reassemble(frames)
    except IsoTpError:
        return
    assert all(isinstance(m, bytes) for m in messages)


@settings(max_examples=300)
@given(st.binary(min_size=1, max_size=200))
def test_segmenting_then_reassembling_round_trips(payload: bytes) -> None:
    if len(payload) <= 7:
        frames = [bytes([len(payload)]) + payload + b"\x55" * (7 - len(payload))]
    else:
        frames = [bytes([0x10 | (len(payload) >> 8), len(payload) & 0xFF]) + payload[:6]]
        rest, sn = payload[6:], 1
        while rest:
            frames.append(bytes([0x20 | sn]) + rest[:7])
            rest, sn = rest[7:], (sn + 1) & 0x0F
    assert isotp.reassemble(frames) == [payload]


# --- service 09 -------------------------------------------------------------------------------------
def test_supported_bitmap_j10() -> None:
    # Qashqai J10 capture (balrog-kun/nissan-qashqai-can-info): 49 00 54 00 00 00 -> 02, 04, 06
    assert obd09.parse_supported(bytes.fromhex("490054000000")) == {2, 4, 6}
    assert obd09.parse_supported(bytes.fromhex("490001" "54400000")) == {2, 4, 6, 0x0A}


def test_vin_keeps_every_character_of_a_1_to_0_vin() -> None:
    vin = b"1N4AZ0CP4DC412340"
    items = obd09.parse_items([b"\x49\x02\x01" + vin], obd09.VIN, legacy=False)
    assert items.items == (vin,)


def test_legacy_vin_drops_the_three_fill_bytes_only() -> None:
    vin = b"1D4GP00R55B123456"
    data = b"\x00\x00\x00" + vin
    messages = [bytes([0x49, 0x02, n + 1]) + data[4 * n : 4 * n + 4] for n in range(5)]
    assert obd09.parse_items(list(reversed(messages)), obd09.VIN, legacy=True).items == (vin,)


def test_calids_and_cvns_from_the_emulator_car() -> None:
    calid = bytes.fromhex(
        "490402" "3331324A36303030" "0000000000000000" "4134373031303030" "0000000000000000"
    )
    items = obd09.parse_items([calid], obd09.CALID, legacy=False).items
    assert [obd09.decode_ascii(i) for i in items] == ["312J6000", "A4701000"]
    cvn = obd09.parse_items([bytes.fromhex("490602" "6953CD4B" "611F6EF2")], obd09.CVN, legacy=False)
    assert [obd09.format_cvn(i) for i in cvn.items] == ["6953CD4B", "611F6EF2"]


def test_ecu_name_and_unprintable_fields() -> None:
    field = b"ECM\x00-EngineControl\x00\x00"
    assert obd09.decode_ecu_name(field) == "ECM-EngineControl"
    assert obd09.decode_ascii(b"23710\x01BB31A\x00") is None
    assert obd09.decode_ascii(b"\x00" * 16) is None
    assert obd09.decode_ascii(b"0123710BB31A0\x00\x00\x00") == "0123710BB31A0"


@pytest.mark.parametrize(
    "payload",
    ["4902", "490301" "00", "4904023331", "490601AABBCC", "7F0912", "410203"],
)
def test_wrong_shapes_raise_decode_error(payload: str) -> None:
    with pytest.raises(DecodeError):
        info_type = bytes.fromhex(payload)[1] if len(payload) >= 4 else 2
        obd09.parse_items([bytes.fromhex(payload)], info_type if info_type in obd09.ITEM_SIZES else 2,
                          legacy=False)


@settings(max_examples=400)
@given(st.binary(max_size=60), st.sampled_from(sorted(obd09.ITEM_SIZES)), st.booleans())
def test_decoders_raise_only_documented_errors(payload: bytes, info_type: int, legacy: bool) -> None:
    try:
        data = obd09.parse_items([payload], info_type, legacy=legacy)
    except ObdidentError:
        return
    for item in data.items:
        assert len(item) == obd09.ITEM_SIZES[info_type]
        text = obd09.decode_ascii(item)
        assert text is None or text.isprintable()


@settings(max_examples=300)
@given(st.lists(st.text(alphabet="0123456789ABCDEFabcdef \t<>?:.", max_size=30), max_size=6),
       st.sampled_from(sorted(PROTOCOLS)))
def test_frame_parser_raises_only_protocol_errors(lines: list[str], number: str) -> None:
    protocol = PROTOCOLS[number]
    with contextlib.suppress(ProtocolError):
        group_messages(parse_frames(lines, protocol), protocol)
