"""UDS and KWP2000 identification decoding, NRC names, and masking of security-bearing bytes, from
literal adapter lines."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident import guard
from obdident.elm327.lines import PROTOCOLS
from obdident.elm327.masking import mask_answer
from obdident.errors import DecodeError, ObdidentError
from obdident.services import common, kwp, uds

CAN11 = PROTOCOLS["6"]

# BCM 765 answer to 21 83 in the layout of the public J10 capture, with a stand-in (A5 5A) at bytes L-M,
# the field that carries an encrypted PIN on the real car.
BCM_83 = bytes.fromhex("6183" "4252303241" "45" "440317" "0005A55A01" "1100" "0000" "0000" "00000080")
BCM_FRAMES_S1 = [
    "765 10 1A 61 83 42 52 30 32",
    "765 21 41 45 44 03 17 00 05",
    "765 22 A5 5A 01 11 00 00 00",
    "765 23 00 00 00 00 00 80 00",
]


def test_nissan_83_fields_of_the_captured_units() -> None:
    ipdm = bytes.fromhex("4a443032440d4408070000000000763 52e307231000000 80".replace(" ", ""))
    fields = kwp.decode_nissan_83(ipdm)
    assert fields["part_number_suffix"] == "JD02D"
    assert fields["diag_id"] == "0D"
    assert fields["supplier_code"] == "440807"
    assert (fields["software_id"], fields["edition"], fields["calibration_id"]) == ("v5", ".0", "r1")
    eps = bytes.fromhex("4252303144424105023943303135870000000101000000 80".replace(" ", ""))
    assert kwp.decode_nissan_83(eps)["hardware_id"] == "9C015"
    assert kwp.decode_nissan_83(eps)["part_number_suffix"] == "BR01D"


def test_masked_bytes_read_as_stars_and_force_hex() -> None:
    data = BCM_83[2:]
    fields = kwp.decode_nissan_83(data, masked=(11, 12))
    assert fields["part_number_suffix"] == "BR02A"
    assert fields["hardware_id"] == "0005****01"
    assert "A5" not in "".join(fields.values()) and "5A" not in fields["hardware_id"]


def test_short_83_answer_is_a_decode_error_and_odd_lengths_are_noted() -> None:
    with pytest.raises(DecodeError):
        kwp.decode_nissan_83(b"BR0")
    assert "layout_note" in kwp.decode_nissan_83(b"BR02A\x45")


def test_uds_read_build_and_parse() -> None:
    assert uds.build_read(0xF187) == bytes.fromhex("22F187")
    assert uds.parse_read(bytes.fromhex("62F187") + b"476609HF0B", 0xF187) == b"476609HF0B"
    with pytest.raises(DecodeError):
        uds.parse_read(bytes.fromhex("62F188") + b"X", 0xF187)
    with pytest.raises(ValueError):
        uds.build_read(0x6C44)  # Leaf TCU SIM PIN: never built
    assert {d.key for d in uds.DIDS.values()} >= {"spare_part_number", "ecu_serial_number", "vin"}


def test_every_did_the_builder_builds_the_guard_admits_and_the_parser_reads_back() -> None:
    # behaviour, not the table retyped: whatever DID the codec will build is one the read-only guard lets out
    built = 0
    for did in range(0x10000):
        try:
            request = uds.build_read(did)
        except ValueError:
            continue
        built += 1
        assert guard.is_allowed(request.hex().upper()), f"{did:04X}"
        assert uds.parse_read(bytes([0x62]) + request[1:] + b"X", did) == b"X"
    assert built
    assert set(uds.READ_ORDER) <= set(uds.DIDS)  # the scan asks for nothing the builder refuses


def test_kwp_builders_refuse_what_the_guard_refuses() -> None:
    with pytest.raises(ValueError):
        kwp.build_read_lid(0x21)
    with pytest.raises(ValueError):
        kwp.build_read_ecu_id(0x7F)
    assert kwp.build_read_lid(0x83) == b"\x21\x83"
    assert kwp.parse_read_ecu_id(b"\x5a\x81BB31A", 0x81) == b"BB31A"
    assert kwp.ecu_id_key(0x81) == "ecu_id"


def test_negative_responses_are_named() -> None:
    negative = common.parse_negative(bytes.fromhex("7F2180"))
    assert negative is not None and negative.name == "ServiceNotSupportedInActiveDiagnosticMode"
    assert common.nrc_name(0x78) == "RequestCorrectlyReceived_ResponsePending"
    assert common.nrc_name(0x31) == "RequestOutOfRange"
    assert common.nrc_name(0xF5) == "NRC 0xF5"
    assert common.parse_negative(bytes.fromhex("6183")) is None


@pytest.mark.parametrize(
    ("data", "encoding", "shown"),
    [
        (b"476609HF0B", "auto", "476609HF0B"),
        (b"B408\x00\x00", "auto", "B408"),
        (b"\x01\x02", "auto", "0102"),
        (b"AB", "hex", "4142"),
        (b"23\xff\xff", "auto", "23"),
    ],
)
def test_render(data: bytes, encoding: common.Encoding, shown: str) -> None:
    assert common.render(data, encoding) == shown


# --- masking ---------------------------------------------------------------------------------------
def _no_marker(lines: tuple[str, ...]) -> bool:
    text = " ".join(lines).replace(" ", "")
    return "A55A" not in text


def test_bcm_pin_bytes_are_masked_in_lines_and_payload_spaces_on() -> None:
    answer = mask_answer(BCM_FRAMES_S1, CAN11)
    # the field (payload bytes 13-14) and the rest of the frame that carries it (bytes 13-19)
    assert answer.lines[2] == "765 22 XX XX XX XX XX XX XX"
    assert answer.lines[0] == BCM_FRAMES_S1[0]
    (message,) = answer.messages or ()
    assert message.masked == tuple(range(13, 20))
    assert message.payload[13:20] == bytes(7)
    assert message.payload[:13] == BCM_83[:13] and message.payload[20:] == BCM_83[20:]
    assert _no_marker(message.lines) and _no_marker(answer.lines)


def test_bcm_pin_bytes_are_masked_with_spaces_off() -> None:
    payload = BCM_83
    packed = [f"765101A{payload[:6].hex().upper()}"]
    rest, sn = payload[6:], 1
    while rest:
        packed.append(f"7652{sn:X}{rest[:7].hex().upper()}")
        rest, sn = rest[7:], sn + 1
    answer = mask_answer(packed, CAN11)
    assert "XXXX" in answer.lines[2]
    assert _no_marker(answer.lines)
    assert answer.messages and answer.messages[0].masked == tuple(range(13, 20))


def test_other_units_and_answers_are_not_masked() -> None:
    eps = [line.replace("765", "762") for line in BCM_FRAMES_S1]
    answer = mask_answer(eps, CAN11)
    assert answer.lines == tuple(eps)
    assert answer.messages and answer.messages[0].masked == ()


def test_a_garbled_bcm_answer_is_masked_whole() -> None:
    garbled = BCM_FRAMES_S1[:1] + BCM_FRAMES_S1[2:]  # a consecutive frame lost
    answer = mask_answer(garbled, CAN11)
    assert answer.error is not None and answer.messages is None
    assert all(line.split()[1:] == ["XX"] * 8 for line in answer.lines)
    assert _no_marker(answer.lines) and _no_marker(answer.error.response)


def test_without_a_protocol_bcm_lines_are_masked_conservatively() -> None:
    answer = mask_answer(BCM_FRAMES_S1, None)
    assert _no_marker(answer.lines)


@settings(max_examples=300)
@given(st.binary(min_size=15, max_size=40), st.booleans(), st.booleans())
def test_masking_property_no_masked_byte_survives(tail: bytes, spaced: bool, lose_frame: bool) -> None:
    marker = bytes.fromhex("A55A")
    payload = bytes.fromhex("6183") + tail[:11] + marker + tail[13:]
    frames = [bytes([0x10 | (len(payload) >> 8), len(payload) & 0xFF]) + payload[:6]]
    rest, sn = payload[6:], 1
    while rest:
        frames.append(bytes([0x20 | sn]) + rest[:7])
        rest, sn = rest[7:], (sn + 1) & 0x0F
    lost = lose_frame and len(frames) > 2
    if lost:
        del frames[1]
    sep = " " if spaced else ""
    lines = [f"765{sep}" + sep.join(f"{b:02X}" for b in frame) for frame in frames]
    try:
        answer = mask_answer(lines, CAN11)
    except ObdidentError:
        pytest.fail("mask_answer must not raise")
    if lost:
        assert answer.messages is None  # garbled: every data byte of the BCM's lines is masked
        assert all(set(line.replace(" ", "")[3:]) == {"X"} for line in answer.lines)
        return
    assert answer.messages is not None and answer.messages[0].payload[13:15] == b"\x00\x00"
    # payload offsets 13 and 14 travel in consecutive frame 2 (ISO 15765-2: 6 bytes in the first frame,
    # 7 in each consecutive frame), at data bytes 1 and 2
    tokens = answer.lines[2].split() if spaced else None
    if tokens is not None:
        assert tokens[2:4] == ["XX", "XX"]
    else:
        assert answer.lines[2][5:9] == "XXXX"
    assert answer.lines[0] == lines[0] and answer.lines[1] == lines[1]


def test_masked_lines_parse_back_to_the_same_masked_message() -> None:
    first = mask_answer(BCM_FRAMES_S1, CAN11)
    again = mask_answer(first.lines, CAN11)  # what a replayed recording feeds the driver
    assert again.lines == first.lines
    assert again.messages == first.messages


def test_xx_where_no_mask_rule_applies_is_refused() -> None:
    eps = [line.replace("765", "762") for line in BCM_FRAMES_S1]
    eps[1] = "762 21 XX 45 44 03 17 00 05"
    answer = mask_answer(eps, CAN11)
    assert answer.messages is None and answer.error is not None
