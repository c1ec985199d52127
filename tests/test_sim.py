"""Tests of the simulated ELM327, the vehicle profiles and the ``sim://`` pyserial handler.

Chip behaviour is tested through ``SimulatedELM327.feed`` directly (diagnostic requests such as
``21 83`` and ``10 C0`` only there); the handler through ``serial.serial_for_url``, sending only AT
commands and 01/09 requests (wire audit).
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import serial

from obdident.errors import PortNotFoundError, ProfileError
from obdident.sim.elm import SimulatedELM327, isotp_frames
from obdident.sim.profile import (
    PROVENANCES,
    VehicleProfile,
    find_profile,
    list_profiles,
    load_profile,
)

if "obdident.transports" not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append("obdident.transports")

PROFILE_DIR = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
TEST_PROFILES = Path(__file__).with_name("profiles")  # test-only profiles: not packaged, not pinned by golden


def profile(name: str) -> VehicleProfile:
    return load_profile(find_profile(name))


def chip(
    name: str = "nissan-xtrail-t32",
    *,
    echo: bool = True,
    version: str | None = None,
    ignition: bool | None = None,
) -> SimulatedELM327:
    return SimulatedELM327(profile(name), echo=echo, version=version, ignition=ignition)


def ask(elm: SimulatedELM327, line: str) -> str:
    """Send one command line; return the raw answer text."""
    return elm.feed(line.encode("ascii") + b"\r").decode("latin-1")


def answer_lines(elm: SimulatedELM327, line: str) -> list[str]:
    """Send one line with echo off; return the response lines without the prompt."""
    text = ask(elm, line)
    assert text.endswith("\r\r>"), repr(text)
    return text[: -len("\r\r>")].split("\r")


def quiet(name: str = "nissan-xtrail-t32", *, ignition: bool | None = None) -> SimulatedELM327:
    elm = chip(name, ignition=ignition)
    assert ask(elm, "ATE0") == "ATE0\rOK\r\r>"
    return elm


def write_profile(tmp_path: Path, text: str, name: str = "car.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


CAN29 = (TEST_PROFILES / "can29.toml").read_text(encoding="utf-8")


# -- command line format ----------------------------------------------------------------------


def test_defaults_echo_on_and_prompt() -> None:
    elm = chip()
    assert ask(elm, "ATI") == "ATI\rELM327 v1.5\r\r>"
    assert ask(elm, "AT@1") == "AT@1\rOBDII to RS232 Interpreter\r\r>"
    assert ask(elm, "ATRV") == "ATRV\r12.6V\r\r>"
    assert ask(elm, "ATE0") == "ATE0\rOK\r\r>"  # echoed: echo was still on when it arrived
    assert ask(elm, "ATI") == "ELM327 v1.5\r\r>"
    assert elm.received == ["ATI", "AT@1", "ATRV", "ATE0", "ATI"]


def test_echo_off_at_power_up_survives_reset() -> None:
    elm = chip(echo=False)
    assert ask(elm, "ATI") == "ELM327 v1.5\r\r>"
    assert ask(elm, "ATZ") == "\r\rELM327 v1.5\r\r>"
    assert ask(elm, "ATH1") == "OK\r\r>"


def test_linefeeds_spaces_headers() -> None:
    elm = quiet()
    assert ask(elm, "ATL1") == "OK\r\n\r\n>"
    assert ask(elm, "0100") == "SEARCHING...\r\n41 00 BE 3F A8 12\r\n41 00 80 18 00 00\r\n\r\n>"
    assert ask(elm, "ATL0") == "OK\r\r>"
    assert answer_lines(elm, "ATS0") == ["OK"]
    assert answer_lines(elm, "0100") == ["4100BE3FA812", "410080180000"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "0100") == ["7E8064100BE3FA81255", "7E90641008018000055"]
    assert answer_lines(elm, "ATS1") == ["OK"]
    assert answer_lines(elm, "0100") == ["7E8 06 41 00 BE 3F A8 12 55", "7E9 06 41 00 80 18 00 00 55"]


def test_atz_banner_and_reset() -> None:
    elm = chip(version="ELM327 v2.1")
    assert ask(elm, "ATE0") == "ATE0\rOK\r\r>"
    assert ask(elm, "ATH1") == "OK\r\r>"
    assert ask(elm, "ATZ") == "\r\rELM327 v2.1\r\r>"  # not echoed: echo was off before the reset
    assert ask(elm, "ATZ") == "ATZ\r\r\rELM327 v2.1\r\r>"  # the reset turned echo back on
    assert ask(elm, "ATWS") == "ATWS\r\r\rELM327 v2.1\r\r>"
    elm = quiet()
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATD") == ["OK"]
    # AT D restored the defaults: echo on, headers off.
    assert ask(elm, "0100") == "0100\rSEARCHING...\r41 00 BE 3F A8 12\r41 00 80 18 00 00\r\r>"


def test_bare_cr_repeats_last_command() -> None:
    elm = chip()
    assert ask(elm, "") == "\r?\r\r>"  # nothing to repeat yet
    assert ask(elm, "ATRV") == "ATRV\r12.6V\r\r>"
    assert ask(elm, "") == "\r12.6V\r\r>"
    assert ask(elm, "   ") == "   \r12.6V\r\r>"
    assert elm.received == ["", "ATRV", "", "   "]


def test_nul_lf_lowercase_and_spaces_are_ignored() -> None:
    elm = chip()
    out = elm.feed(b"a\x00t  r v\n\r").decode()
    assert out == "at  r v\r12.6V\r\r>"
    assert elm.received == ["at  r v"]
    assert elm.feed(b"at") == b""  # an unfinished line waits for its CR
    assert elm.feed(b"e0\r\n") == b"ate0\rOK\r\r>"
    assert elm.feed(b"01 0\x000\r") == b"SEARCHING...\r41 00 BE 3F A8 12\r41 00 80 18 00 00\r\r>"


@pytest.mark.parametrize(
    "line",
    [
        "ATPP 0C SV",
        "AT@2",
        "AT@3 ABCDEFGHIJKL",
        "ATSD 00",
        "ATBRD 23",
        "STI",
        "STDI",
        "AT",
        "ATE2",
        "ATSH 7E",
        "ATST",
        "ATSP D",
        "01ZZ",
        "0",
        "010",
        "ATZZ",
        "01 00 00 00 00 00 00 00",
    ],
)
def test_unknown_or_malformed_lines_answer_question_mark(line: str) -> None:
    assert answer_lines(quiet(), line) == ["?"]


@pytest.mark.parametrize(
    "line",
    [
        "ATAT1",
        "ATST 32",
        "ATCFC1",
        "ATAL",
        "ATNL",
        "ATIIA 10",
        "ATSI",
        "ATFI",
        "ATKW0",
        "ATSW 00",
        "ATV0",
        "ATR1",
        "ATM0",
        "ATFCSH 7E0",
        "ATFCSD 30 00 00",
        "ATFCSM 0",  # AT FC SM 1 needs AT FC SH and SD first: test_flow_control_mode_needs_header_and_data
        "ATCFC0",
        "ATCAF1",
        "ATCP 18",
        "ATCF 7E8",
        "ATCM 7F0",
        "ATAR",
        "ATPC",
        "ATTP 6",
        "ATSP A6",
        "ATSP 0",
        "ATSH 68 6A F1",
    ],
)
def test_settings_answer_ok(line: str) -> None:
    assert answer_lines(quiet(), line) == ["OK"]


# -- protocol search ----------------------------------------------------------------------------


def test_search_then_connected() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATDPN") == ["A0"]
    assert answer_lines(elm, "ATDP") == ["AUTO"]
    assert elm.connected_protocol is None
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    assert elm.connected_protocol == "6"
    assert answer_lines(elm, "ATDPN") == ["A6"]
    assert answer_lines(elm, "ATDP") == ["AUTO, ISO 15765-4 (CAN 11/500)"]
    assert answer_lines(elm, "0100") == ["41 00 BE 3F A8 12", "41 00 80 18 00 00"]  # no new search
    assert answer_lines(elm, "ATPC") == ["OK"]
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."


def test_ignition_off_unable_to_connect() -> None:
    elm = quiet(ignition=False)
    assert answer_lines(elm, "0100") == ["SEARCHING...", "UNABLE TO CONNECT"]
    assert elm.connected_protocol is None
    assert answer_lines(elm, "0902") == ["SEARCHING...", "UNABLE TO CONNECT"]
    assert answer_lines(elm, "ATDPN") == ["A0"]
    assert answer_lines(elm, "ATSP6") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]


def test_fixed_protocol() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATSP8") == ["OK"]  # 250 kbit/s on a 500 kbit/s bus
    assert answer_lines(elm, "0100") == ["CAN ERROR"]
    assert answer_lines(elm, "ATSP7") == ["OK"]  # 29-bit on the same 500 kbit/s bus: frames are acknowledged
    assert answer_lines(elm, "0100") == ["NO DATA"]  # but no 29-bit ECU answers
    assert answer_lines(elm, "ATTP3") == ["OK"]
    assert answer_lines(elm, "0100") == ["BUS INIT: ...ERROR"]
    assert elm.connected_protocol is None
    assert answer_lines(elm, "ATTP6") == ["OK"]
    assert answer_lines(elm, "0100") == ["41 00 BE 3F A8 12", "41 00 80 18 00 00"]
    assert answer_lines(elm, "ATDPN") == ["6"]
    assert answer_lines(elm, "ATDP") == ["ISO 15765-4 (CAN 11/500)"]
    assert answer_lines(elm, "ATTPA8") == ["OK"]
    assert answer_lines(elm, "ATDPN") == ["A8"]
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    assert answer_lines(elm, "ATDPN") == ["A6"]


def test_sp_is_stored_tp_is_not() -> None:
    elm = chip(echo=False)
    assert answer_lines(elm, "ATTP7") == ["OK"]
    assert answer_lines(elm, "ATD") == ["OK"]
    assert elm.selected_protocol == "0"
    assert answer_lines(elm, "ATSP7") == ["OK"]
    assert answer_lines(elm, "ATD") == ["OK"]
    assert elm.selected_protocol == "7"


# -- addressing and filtering ---------------------------------------------------------------------


def test_functional_and_physical_addressing() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATSH 7E1") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "7E9 06 41 00 80 18 00 00 55"]
    assert answer_lines(elm, "0902") == ["NO DATA"]  # the TCM holds no VIN
    assert answer_lines(elm, "ATSH 7DF") == ["OK"]
    assert len(answer_lines(elm, "0100")) == 2
    assert answer_lines(elm, "ATSH 7E5") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]
    assert answer_lines(elm, "ATSH 0007E0") == ["OK"]
    assert answer_lines(elm, "0100") == ["7E8 06 41 00 BE 3F A8 12 55"]


def test_physical_only_ecu() -> None:
    path = TEST_PROFILES / "physical-only-ecu.toml"
    elm = SimulatedELM327(load_profile(path), echo=False)
    assert ask(elm, "ATH1") == "OK\r\r>"
    assert answer_lines(elm, "0100") == ["SEARCHING...", "7E8 06 41 00 00 00 00 01 55"]
    assert answer_lines(elm, "ATSH745") == ["OK"]
    assert answer_lines(elm, "0100") == ["765 06 41 00 80 00 00 00 FF"]


def test_cra_filter() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATCRA 7E9") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "7E9 06 41 00 80 18 00 00 55"]
    assert answer_lines(elm, "ATCRA 7EX") == ["OK"]
    assert len(answer_lines(elm, "0100")) == 2
    assert answer_lines(elm, "ATCRA 18DAF1XX") == ["OK"]  # 29-bit filter: no 11-bit frame passes
    assert answer_lines(elm, "0100") == ["NO DATA"]
    assert answer_lines(elm, "ATCRA") == ["OK"]
    assert len(answer_lines(elm, "0100")) == 2
    assert answer_lines(elm, "ATCF 7E8") == ["OK"]
    assert answer_lines(elm, "0100") == ["7E8 06 41 00 BE 3F A8 12 55"]
    assert answer_lines(elm, "ATCM 7F0") == ["OK"]
    assert len(answer_lines(elm, "0100")) == 2
    assert answer_lines(elm, "ATAR") == ["OK"]
    assert len(answer_lines(elm, "0100")) == 2


# -- ISO 15765-2 frames and their display -----------------------------------------------------------


def test_isotp_segmentation() -> None:
    assert isotp_frames(bytes.fromhex("4100BE3FA813"), 0x55) == [bytes.fromhex("064100BE3FA81355")]
    payload = bytes(range(20))
    assert isotp_frames(payload, 0xAA) == [
        bytes.fromhex("1014000102030405"),
        bytes.fromhex("2106070809 0A0B0C"),
        bytes.fromhex("220D0E0F10111213"),
    ]
    frames = isotp_frames(bytes(6 + 7 * 16), 0)
    assert [frame[0] for frame in frames[14:]] == [0x2E, 0x2F, 0x20]


def test_multi_frame_vin_with_headers() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "0902") == [
        "SEARCHING...",
        "7E8 10 14 49 02 01 53 4A 4E",
        "7E8 21 46 42 41 54 33 32 55",
        "7E8 22 31 30 30 30 30 30 31",
    ]
    assert answer_lines(elm, "ATS0") == ["OK"]
    assert answer_lines(elm, "0902")[0] == "7E81014490201534A4E"
    # Padding of the last consecutive frame: 19 bytes = 6 + 7 + 6, one AA byte.
    elm = quiet("test-us-vin-1-0")
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATSH7E0") == ["OK"]
    assert answer_lines(elm, "0904") == [
        "SEARCHING...",
        "7E8 10 13 49 04 01 32 33 37",
        "7E8 21 31 30 39 48 53 30 41",
        "7E8 22 00 00 00 00 00 00 AA",
    ]


def test_multi_frame_without_headers() -> None:
    elm = quiet()
    assert answer_lines(elm, "0902") == [
        "SEARCHING...",
        "014",
        "0: 49 02 01 53 4A 4E",
        "1: 46 42 41 54 33 32 55",
        "2: 31 30 30 30 30 30 31",
    ]
    assert answer_lines(elm, "ATS0") == ["OK"]
    assert answer_lines(elm, "0906") == ["4906011A2B3C4D", "4906015E6F7081"]
    assert answer_lines(elm, "090A")[:2] == ["017", "0:490A0145434D"]
    assert answer_lines(elm, "ATCAF0") == ["OK"]  # raw frames: PCI and padding shown
    assert answer_lines(elm, "020906") == ["074906011A2B3C4D", "074906015E6F7081"]
    assert answer_lines(elm, "0906") == ["NO DATA"]  # with CAF0 the line must carry its PCI byte


def test_response_count_stops_early() -> None:
    elm = quiet()
    assert answer_lines(elm, "01001") == ["SEARCHING...", "41 00 BE 3F A8 12"]
    assert answer_lines(elm, "01002") == ["41 00 BE 3F A8 12", "41 00 80 18 00 00"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "09021") == ["7E8 10 14 49 02 01 53 4A 4E"]
    assert answer_lines(elm, "0902 2") == ["7E8 10 14 49 02 01 53 4A 4E", "7E8 21 46 42 41 54 33 32 55"]
    assert len(answer_lines(elm, "0902F")) == 3


def test_interleaved_ecus() -> None:
    elm = quiet("test-us-vin-1-0")
    assert answer_lines(elm, "ATH1") == ["OK"]
    lines = answer_lines(elm, "0904")[1:]
    assert [line[:6] for line in lines] == [
        "7E8 10",
        "7E9 10",
        "7E8 21",
        "7E9 21",
        "7E8 22",
        "7E9 22",
        "7E9 23",
        "7E9 24",
        "7E9 25",
    ]
    assert lines[1] == "7E9 10 23 49 04 02 33 31 30"
    assert lines[4] == "7E8 22 00 00 00 00 00 00 AA"
    assert lines[-2:] == ["7E9 24 31 42 00 00 00 00 00", "7E9 25 00 00 00 00 00 00 00"]
    # Without interleave, the same ECUs send their frames one ECU after the other.
    elm = quiet()
    assert answer_lines(elm, "ATH1") == ["OK"]
    ids = [line[:3] for line in answer_lines(elm, "090A")[1:]]
    assert ids == ["7E8"] * 4 + ["7E9"] * 4


def test_29_bit_can(tmp_path: Path) -> None:
    elm = SimulatedELM327(load_profile(write_profile(tmp_path, CAN29)), echo=False)
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "18 DA F1 10 06 41 00 BE 3F A8 13 55"]
    assert answer_lines(elm, "ATDP") == ["AUTO, ISO 15765-4 (CAN 29/500)"]
    assert answer_lines(elm, "ATS0") == ["OK"]
    assert answer_lines(elm, "0902")[0] == "18DAF1101014490201534A4E"
    assert answer_lines(elm, "ATSH DA10F1") == ["OK"]  # priority 18 from AT CP's default
    assert answer_lines(elm, "0100") == ["18DAF110064100BE3FA81355"]
    assert answer_lines(elm, "ATSH 18DB33F1") == ["OK"]
    assert answer_lines(elm, "0100") == ["18DAF110064100BE3FA81355"]
    assert answer_lines(elm, "ATCP 19") == ["OK"]
    assert answer_lines(elm, "ATSH DA10F1") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]
    assert answer_lines(elm, "ATSH 7DF") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]


# -- legacy protocols ---------------------------------------------------------------------------------


def test_kline_iso9141_messages() -> None:
    elm = quiet("test-kline-iso9141")
    assert answer_lines(elm, "0100") == ["SEARCHING...", "BUS INIT: ...OK", "41 00 BE 1F B8 10"]
    assert answer_lines(elm, "ATDPN") == ["A3"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    header_and_data = bytes.fromhex("486B10 4100BE1FB810")
    checksum = sum(header_and_data) % 256
    assert answer_lines(elm, "0100") == [f"48 6B 10 41 00 BE 1F B8 10 {checksum:02X}"]
    lines = answer_lines(elm, "0902")
    assert len(lines) == 5
    assert lines[0] == "48 6B 10 49 02 01 00 00 00 53 62"  # 0x48+0x6B+0x10+0x49+0x02+0x01+0x53 = 0x162
    vin = "".join(bytes.fromhex(line)[6:-1].decode() for line in lines)
    assert vin.lstrip("\x00") == "SJNBAAN16U1234562"
    assert answer_lines(elm, "09023") == lines[:3]
    assert answer_lines(elm, "ATH0") == ["OK"]
    assert answer_lines(elm, "0901") == ["49 01 05"]


def test_kwp_header_and_fixed_kline(tmp_path: Path) -> None:
    text = CAN29.replace('protocol = "7"', 'protocol = "5"')
    text = text.replace('"18DA10F1"', '"10"').replace('"18DAF110"', '"10"')
    text = text.replace('"0902" = ', "# ").replace("29-bit test car", "KWP test car")
    elm = SimulatedELM327(load_profile(write_profile(tmp_path, text)), echo=False)
    assert answer_lines(elm, "ATSP5") == ["OK"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    body = bytes.fromhex("86F110 4100BE3FA813")
    expected = f"86 F1 10 41 00 BE 3F A8 13 {sum(body) % 256:02X}"
    assert answer_lines(elm, "0100") == ["BUS INIT: ...OK", expected]
    assert answer_lines(elm, "ATSH 81 10 F1") == ["OK"]  # physical: target address 10
    assert len(answer_lines(elm, "0100")) == 1
    assert answer_lines(elm, "ATSH 81 11 F1") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]
    elm = SimulatedELM327(load_profile(write_profile(tmp_path, text)), echo=False, ignition=False)
    assert answer_lines(elm, "ATSP5") == ["OK"]
    assert answer_lines(elm, "0100") == ["BUS INIT: ...ERROR"]
    assert answer_lines(elm, "ATSP6") == ["OK"]
    assert answer_lines(elm, "0100") == ["CAN ERROR"]


# -- profiles -------------------------------------------------------------------------------------------


def test_every_profile_loads() -> None:
    names = list_profiles()
    files = sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))
    assert files and set(files) <= set(names)
    for name in names:
        loaded = profile(name)
        assert loaded.provenance in PROVENANCES
        assert loaded.provenance != "recorded"
        assert loaded.ecus
        if loaded.provenance == "synthesised from public captures":
            assert loaded.sources


def test_demo_profile_contents() -> None:
    demo = profile("nissan-xtrail-t32")
    assert demo.protocol == "6"
    ecm, tcm = demo.ecus[:2]  # then the physically addressed units (test_xtrail_physical_units)
    assert (ecm.request_id, ecm.response_id, tcm.request_id, tcm.response_id) == (0x7E0, 0x7E8, 0x7E1, 0x7E9)
    vin = ecm.responses[bytes.fromhex("0902")][0][3:].decode()
    assert vin == "SJNFBAT32U1000001"
    assert not set(vin) & set("IOQ")
    assert bytes.fromhex("0902") not in tcm.responses
    assert ecm.responses[bytes.fromhex("0900")] == (bytes.fromhex("490054400000"),)


def test_us_vin_check_digit() -> None:
    vin = profile("test-us-vin-1-0").ecus[0].responses[bytes.fromhex("0902")][0][3:].decode()
    values = {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    }
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    remainder = sum(values[c] * w for c, w in zip(vin, weights, strict=True)) % 11
    assert vin[0] == "1" and vin[-1] == "0" and len(vin) == 17
    assert vin[8] == ("X" if remainder == 10 else str(remainder))


def test_j10_profile_as_captured() -> None:
    elm = quiet("nissan-qashqai-j10")
    assert answer_lines(elm, "0906") == ["SEARCHING...", "49 06 01 44 D8 62 A7"]
    assert answer_lines(elm, "090A") == ["NO DATA"]
    lines = answer_lines(elm, "0902")
    assert lines[0] == "014" and lines[1] == "0: 49 02 01 FF FF FF"
    assert answer_lines(elm, "0904")[0] == "023"


MINIMAL = (TEST_PROFILES / "minimal.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({'name = "bad car"\n': ""}, "[vehicle].name"),
        ({'request_id = "7E0"\n': ""}, "request_id"),
        ({'"41 00"': '"41 00 BE 3F A8 1"'}, "responses.'0100'"),
        ({'"41 00"': '"41 00 ZZ"'}, "responses.'0100'"),
        ({'"0100" =': '"01 0" ='}, "responses.'01 0'"),
        (
            {'"6"': '"3"', '"7E0"': '"10"', '"7E8"': '"10"', '"41 00"': '"49 02 01 00 00 00 53 4A"'},
            "responses.'0100'",
        ),
        ({'request_id = "7E0"': 'request_id = "18DA10F1"'}, "request_id"),
        ({'protocol = "6"': 'protocol = "0"'}, "protocol"),
        ({'provenance = "synthesised"': 'provenance = "recorded"'}, "sources"),
        ({'provenance = "synthesised"': 'provenance = "real"'}, "provenance"),
        ({"sources = []": 'sources = []\ncolour = "red"'}, "colour"),
        ({'"41 00"': '"41 00"\n[ecu.extra]'}, "extra"),
    ],
)
def test_bad_profiles_raise_profile_error(tmp_path: Path, changes: dict[str, str], key: str) -> None:
    text = MINIMAL
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert key in str(caught.value)


def test_valid_base_profile_loads(tmp_path: Path) -> None:
    loaded = load_profile(write_profile(tmp_path, MINIMAL.replace('"0100" =', '"01 00" =')))
    assert loaded.ecus[0].responses == {b"\x01\x00": (b"\x41\x00",)}
    assert loaded.ecus[0].pad == 0x55 and loaded.ignition and not loaded.interleave


def test_missing_and_unparsable_profiles(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "absent.toml")
    with pytest.raises(ProfileError, match="not valid TOML"):
        load_profile(write_profile(tmp_path, "[vehicle\n"))
    with pytest.raises(ProfileError, match="no simulated vehicle profile named"):
        find_profile("no-such-car")
    with pytest.raises(ProfileError, match="not a profile name"):
        find_profile("../etc/passwd")


# -- the sim:// pyserial handler -----------------------------------------------------------------------


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_serial_for_url_round_trip() -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32", timeout=1.0)
    try:
        assert port.is_open and port.in_waiting == 0
        assert port.read(10) == b""  # nothing buffered: returns at once, whatever the timeout
        assert port.write(b"ATE0\r") == 5
        assert port.read_until(b">") == b"ATE0\rOK\r\r>"
        port.write(b"0902\r")
        assert port.in_waiting > 0
        assert port.read(3) == b"SEA"
        assert port.read(1000).endswith(b"2: 31 30 30 30 30 30 31\r\r>")
        port.write(b"0100\r")
        port.reset_input_buffer()
        assert port.in_waiting == 0
        assert port.elm.received == ["ATE0", "0902", "0100"]
        assert port.elm.feed(b"ATDPN\r") == b"A6\r\r>"
    finally:
        port.close()
    assert not port.is_open
    with pytest.raises(serial.serialutil.PortNotOpenError):
        port.read(1)


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_serial_url_options(tmp_path: Path) -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32?ignition=off&echo=0&version=ELM327%20v2.1")
    try:
        port.write(b"0100\r")
        assert port.read(100) == b"SEARCHING...\rUNABLE TO CONNECT\r\r>"
        assert port.elm.version == "ELM327 v2.1"
    finally:
        port.close()
    path = write_profile(tmp_path, CAN29)
    port = serial.serial_for_url(f"sim://{path}?echo=0")
    try:
        port.write(b"0100\r")
        assert port.read(100) == b"SEARCHING...\r41 00 BE 3F A8 13\r\r>"
    finally:
        port.close()


def test_unknown_profile_name_is_port_not_found(tmp_path: Path) -> None:
    with pytest.raises(PortNotFoundError, match="no-such-car"):
        serial.serial_for_url("sim://no-such-car")
    with pytest.raises(PortNotFoundError):
        serial.serial_for_url(f"sim://{tmp_path}/absent.toml")


def test_malformed_profile_through_url_is_profile_error(tmp_path: Path) -> None:
    path = write_profile(tmp_path, "[vehicle]\nname = 1\n")
    with pytest.raises(ProfileError, match="name"):
        serial.serial_for_url(f"sim://{path}")


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("sim://nissan-xtrail-t32?colour=red", "colour"),
        ("sim://nissan-xtrail-t32?ignition=maybe", "ignition"),
        ("sim://nissan-xtrail-t32?echo=2", "echo"),
        ("sim://", "profile"),
    ],
)
def test_bad_url_options_raise_value_error(url: str, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        serial.serial_for_url(url)


# -- diagnostic sessions, negative responses, sequences (obdident.sim.vehicle) ------------------------

J10_BCM_2183 = "61 83 42 52 30 32 41 45 44 03 17 00 05 A5 5A 01 11 00 00 00 00 00 00 00 00 80"
J10_BCM_FRAMES = [
    "765 10 1A 61 83 42 52 30 32",
    "765 21 41 45 44 03 17 00 05",
    "765 22 A5 5A 01 11 00 00 00",
    "765 23 00 00 00 00 00 80 FF",
]


def physical(elm: SimulatedELM327, request_id: str, response_id: str, *, cra: bool = True) -> None:
    """Address one unit as the driver does: header, receive filter, flow control (SH, SD, then SM 1)."""
    assert answer_lines(elm, f"ATSH{request_id}") == ["OK"]
    if cra:
        assert answer_lines(elm, f"ATCRA{response_id}") == ["OK"]
    else:
        assert answer_lines(elm, f"ATCF{response_id}") == ["OK"]
        assert answer_lines(elm, "ATCM" + ("7FF" if len(response_id) == 3 else "1FFFFFFF")) == ["OK"]
    assert answer_lines(elm, f"ATFCSH{request_id}") == ["OK"]
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["OK"]


def test_session_control_and_locked_nrc() -> None:
    elm = quiet("nissan-qashqai-j10")
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "7E8 06 41 00 98 1B 80 12 55"]
    physical(elm, "745", "765")
    assert elm.session_of(0x745) == "default"
    assert answer_lines(elm, "2183") == ["765 03 7F 21 80 FF FF FF FF"]  # only in session C0: locked
    assert answer_lines(elm, "10C0") == ["765 02 50 C0 FF FF FF FF FF"]
    assert elm.session_of(0x745) == "C0"
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES
    assert answer_lines(elm, "3E00") == ["765 02 7E 00 FF FF FF FF FF"]  # default table: every session
    assert elm.session_of(0x745) == "C0"
    assert answer_lines(elm, "1081") == ["765 02 50 81 FF FF FF FF FF"]  # KWP default session ends C0
    assert elm.session_of(0x745) == "default"
    assert answer_lines(elm, "2183") == ["765 03 7F 21 80 FF FF FF FF"]
    assert answer_lines(elm, "10C0") == ["765 02 50 C0 FF FF FF FF FF"]
    assert answer_lines(elm, "1001") == ["765 02 50 01 FF FF FF FF FF"]  # the UDS default id ends it too
    assert elm.session_of(0x745) == "default"
    assert answer_lines(elm, "1003") == ["765 03 7F 10 12 FF FF FF FF"]  # a session it does not know
    assert answer_lines(elm, "10C001") == ["765 03 7F 10 13 FF FF FF FF"]  # wrong length
    assert elm.session_of(0x745) == "default"
    assert elm.vehicle.session_counts(0x745) == {"C0": 2, "81": 1, "01": 1}
    assert elm.vehicle.session_counts(0x742) == {}  # the EPS was never addressed
    assert elm.session_of(0x742) == "default"
    with pytest.raises(KeyError):
        elm.session_of(0x7FF)
    # The session belongs to the ECU, not the adapter: a reset of the chip keeps it.
    assert answer_lines(elm, "10C0") == ["765 02 50 C0 FF FF FF FF FF"]
    assert ask(elm, "ATZ") == "\r\rELM327 v1.5\r\r>"
    assert elm.session_of(0x745) == "C0"


def test_unsupported_requests() -> None:
    elm = quiet("nissan-qashqai-j10")
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    physical(elm, "745", "765")
    assert answer_lines(elm, "22F187") == ["7F 22 11"]  # a service it does not know
    assert answer_lines(elm, "2184") == ["7F 21 12"]  # a LID it lacks
    physical(elm, "7E0", "7E8")
    assert answer_lines(elm, "2183") == ["7F 21 12"]  # the J10 ECM: no 21 83 was captured
    assert answer_lines(elm, "0120") == ["NO DATA"]  # OBD services: unsupported PIDs stay silent
    assert answer_lines(elm, "090A") == ["NO DATA"]
    # Functional requests: NRCs 11, 12, 31 are suppressed (ISO 14229-1), so nobody answers.
    assert answer_lines(elm, "ATSH7DF") == ["OK"]
    assert answer_lines(elm, "ATCRA") == ["OK"]
    assert answer_lines(elm, "22F187") == ["NO DATA"]
    # An ECU without unsupported_nrc stays silent (the X-Trail's CVT unit).
    elm = quiet()
    physical(elm, "7E1", "7E9")
    assert answer_lines(elm, "2183") == ["SEARCHING...", "NO DATA"]
    assert answer_lines(elm, "10C0") == ["NO DATA"]  # no 'sessions': 10 xx is an ordinary request


def test_repeated_request_sequence() -> None:
    elm = quiet("nissan-altima-2019-uds")
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATTP6") == ["OK"]
    physical(elm, "740", "760")
    answer = ["760 10 0D 62 F1 87 34 37 36", "760 21 36 30 39 48 46 30 42"]
    assert answer_lines(elm, "22F187") == ["760 03 7F 22 78 AA AA AA AA"]  # pending; the adapter times out
    assert answer_lines(elm, "22F187") == ["760 03 7F 22 78 AA AA AA AA", *answer]
    assert answer_lines(elm, "22F1871") == ["760 03 7F 22 78 AA AA AA AA"]  # the last round repeats
    assert answer_lines(elm, "22F187") == ["760 03 7F 22 78 AA AA AA AA", *answer]
    assert elm.vehicle.request_count(0x740, bytes.fromhex("22F187")) == 4


def test_sequence_profile_format() -> None:
    path = TEST_PROFILES / "busy-ecu.toml"
    loaded = load_profile(path)
    ecm = loaded.ecus[0]
    assert ecm.replies[bytes.fromhex("2183")] == ((), (bytes.fromhex("7F2121"),), (bytes.fromhex("618301"),))
    assert ecm.responses[bytes.fromhex("0904")] == (bytes.fromhex("7F0978"), bytes.fromhex("49040100"))
    assert ecm.sessions is None and ecm.unsupported_nrc_for(0x21) is None
    elm = SimulatedELM327(loaded, echo=False)
    assert answer_lines(elm, "2183") == ["SEARCHING...", "NO DATA"]  # silent the first time
    assert answer_lines(elm, "2183") == ["7F 21 21"]  # busy, repeat request
    assert answer_lines(elm, "2183") == ["61 83 01"]
    assert answer_lines(elm, "2183") == ["61 83 01"]
    assert answer_lines(elm, "0904") == ["7F 09 78", "49 04 01 00"]
    assert answer_lines(elm, "0904") == ["7F 09 78", "49 04 01 00"]


# -- flow control -----------------------------------------------------------------------------------


def test_flow_control_mode_needs_header_and_data() -> None:
    elm = quiet()
    assert answer_lines(elm, "ATFCSM1") == ["?"]  # ELM327 datasheet: set FC SH and FC SD first
    assert answer_lines(elm, "ATFCSM2") == ["?"]  # mode 2: FC SD first
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM2") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["?"]
    assert answer_lines(elm, "ATFCSH7E0") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["OK"]
    assert answer_lines(elm, "ATD") == ["OK"]  # AT D forgets them (and turns echo back on)
    assert ask(elm, "ATFCSM1") == "ATFCSM1\r?\r\r>"


def test_strict_flow_control_first_frame_only() -> None:
    elm = quiet("nissan-qashqai-j10")
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    assert answer_lines(elm, "ATSH745") == ["OK"]
    assert answer_lines(elm, "10C0") == ["50 C0"]
    # Automatic flow control (mode 0) answers 765 on no id the BCM listens to: only the first frame.
    assert answer_lines(elm, "2183") == ["01A", "0: 61 83 42 52 30 32"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:1]
    assert answer_lines(elm, "ATFCSH742") == ["OK"]
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["OK"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:1]  # flow control sent to the EPS's id
    assert answer_lines(elm, "ATFCSH745") == ["OK"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES  # now it reaches the BCM
    assert answer_lines(elm, "21831") == J10_BCM_FRAMES[:1]  # the response count still counts frames
    assert answer_lines(elm, "ATFCSD320000") == ["OK"]  # flow status overflow: the sender aborts
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:1]
    assert answer_lines(elm, "ATFCSD300100") == ["OK"]  # block size 1: one consecutive frame, then wait
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:2]
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM2") == ["OK"]  # mode 2: own data, automatic id: misses the BCM
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:1]
    assert answer_lines(elm, "ATFCSM0") == ["OK"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES[:1]
    # 7E8-7EF responders get automatic flow control (mode 0) ...
    ecm_vin = answer_lines(elm, "ATSH7E0"), answer_lines(elm, "0902")
    assert ecm_vin[1] == ["7E8 10 14 49 02 01 FF FF FF", "7E8 21" + " FF" * 7, "7E8 22" + " FF" * 7]
    # ... but mode 1 sends the user's flow control to AT FC SH, even for them.
    assert answer_lines(elm, "ATFCSM1") == ["OK"]
    assert answer_lines(elm, "0902") == ["7E8 10 14 49 02 01 FF FF FF"]
    assert answer_lines(elm, "ATFCSH7E0") == ["OK"]
    assert len(answer_lines(elm, "0902")) == 3
    assert answer_lines(elm, "ATFCSM0") == ["OK"]
    assert answer_lines(elm, "ATCFC0") == ["OK"]  # no flow control at all: every sender stalls
    assert answer_lines(elm, "0902") == ["7E8 10 14 49 02 01 FF FF FF"]
    assert answer_lines(elm, "0100") == ["7E8 06 41 00 98 1B 80 12 55"]  # single frames need none


def test_loose_flow_control_delivers_everything(tmp_path: Path) -> None:
    text = (PROFILE_DIR / "nissan-qashqai-j10.toml").read_text(encoding="utf-8")
    path = write_profile(tmp_path, text.replace("strict_flow_control = true", "strict_flow_control = false"))
    elm = SimulatedELM327(load_profile(path), echo=False)
    assert not elm.profile.strict_flow_control
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATSH745") == ["OK"]
    assert answer_lines(elm, "10C0") == ["SEARCHING...", "765 02 50 C0 FF FF FF FF FF"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES


# -- AT CRA clone quirk ------------------------------------------------------------------------------


def test_cra_quirk_with_cf_and_cm() -> None:
    elm = SimulatedELM327(profile("nissan-qashqai-j10"), echo=False, cra=False)
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATSH745") == ["OK"]
    assert answer_lines(elm, "ATCRA765") == ["?"]
    assert answer_lines(elm, "ATCRA") == ["?"]
    assert answer_lines(elm, "ATCF765") == ["OK"]
    assert answer_lines(elm, "ATCM7FF") == ["OK"]
    assert answer_lines(elm, "ATFCSH745") == ["OK"]
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["OK"]
    assert answer_lines(elm, "10C0") == ["SEARCHING...", "765 02 50 C0 FF FF FF FF FF"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES
    assert answer_lines(elm, "ATCF762") == ["OK"]  # a filter for another unit hides the BCM's frames
    assert answer_lines(elm, "2183") == ["NO DATA"]
    assert answer_lines(elm, "ATCF700") == ["OK"]
    assert answer_lines(elm, "ATCM700") == ["OK"]  # 7xx passes
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES
    assert answer_lines(elm, "ATCF18DAF1D0") == ["OK"]  # a 29-bit filter: no 11-bit frame passes
    assert answer_lines(elm, "2183") == ["NO DATA"]
    assert answer_lines(elm, "ATAR") == ["OK"]
    assert answer_lines(elm, "2183") == J10_BCM_FRAMES


def test_cra_quirk_from_profile(tmp_path: Path) -> None:
    text = CAN29.replace('protocol = "7"', 'protocol = "7"\n    adapter_quirks = ["no-cra"]')
    loaded = load_profile(write_profile(tmp_path, text))
    assert loaded.adapter_quirks == {"no-cra"}
    assert answer_lines(SimulatedELM327(loaded, echo=False), "ATCRA18DAF110") == ["?"]
    assert answer_lines(SimulatedELM327(loaded, echo=False, cra=True), "ATCRA18DAF110") == ["OK"]


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_cra_url_option() -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32?cra=0&echo=0")
    try:
        for line, expected in [
            (b"ATH1\r", b"OK\r\r>"),
            (b"ATCRA7E9\r", b"?\r\r>"),
            (b"ATCF7E9\r", b"OK\r\r>"),
            (b"ATCM7FF\r", b"OK\r\r>"),
            (b"0100\r", b"SEARCHING...\r7E9 06 41 00 80 18 00 00 55\r\r>"),
        ]:
            port.write(line)
            assert port.read(200) == expected
        assert port.elm.cra is False
    finally:
        port.close()
    port = serial.serial_for_url("sim://nissan-xtrail-t32?cra=1")
    try:
        assert port.elm.cra is True
    finally:
        port.close()
    with pytest.raises(ValueError, match="cra"):
        serial.serial_for_url("sim://nissan-xtrail-t32?cra=yes")


# -- 11-bit and 29-bit ECUs on one bus -----------------------------------------------------------------


GATEWAY_F180 = [
    "18 DA F1 D0 10 11 62 F1 80 42 4C 2D",
    "18 DA F1 D0 21 52 33 2E 35 2D 32 31",
    "18 DA F1 D0 22 30 39 30 33 AA AA AA",
]


def test_29_bit_gateway_beside_11_bit_units() -> None:
    elm = quiet("nissan-altima-2019-uds")
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "7E8 06 41 00 98 3B 80 10 55"]
    assert answer_lines(elm, "ATTP7") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]  # no search; no functional 29-bit ECU answers
    assert answer_lines(elm, "ATDPN") == ["7"]
    assert answer_lines(elm, "ATSH18DAD0F1") == ["OK"]
    assert answer_lines(elm, "ATCRA18DAF1D0") == ["OK"]
    # 18 DA F1 D0 gets automatic flow control (18 DA D0 F1: ISO 15765-4 fixed addressing): mode 0 works.
    assert answer_lines(elm, "22F180") == GATEWAY_F180
    assert answer_lines(elm, "ATFCSH18DAD0F1") == ["OK"]
    assert answer_lines(elm, "ATFCSD300000") == ["OK"]
    assert answer_lines(elm, "ATFCSM1") == ["OK"]
    assert answer_lines(elm, "22F180") == GATEWAY_F180
    assert answer_lines(elm, "1001") == ["18 DA F1 D0 06 50 01 00 32 01 F4 AA"]
    assert answer_lines(elm, "22F190") == ["18 DA F1 D0 03 7F 22 31 AA AA AA AA"]
    assert answer_lines(elm, "ATSH740") == ["OK"]  # an 11-bit unit is not on protocol 7
    assert answer_lines(elm, "ATCRA") == ["OK"]
    assert answer_lines(elm, "22F18A") == ["NO DATA"]
    assert answer_lines(elm, "ATTP6") == ["OK"]
    assert answer_lines(elm, "22F18A") == ["760 07 62 F1 8A 42 34 30 38"]
    assert answer_lines(elm, "ATDPN") == ["6"]
    assert answer_lines(elm, "ATSH18DAD0F1") == ["OK"]  # a 29-bit unit is not on protocol 6
    assert answer_lines(elm, "22F180") == ["NO DATA"]


def test_29_bit_ecu_in_11_bit_profile_loads(tmp_path: Path) -> None:
    loaded = profile("nissan-altima-2019-uds")
    assert loaded.bus_protocols == {"6", "7"}
    gateway = loaded.ecus[-1]
    assert (gateway.request_id, gateway.response_id, gateway.id_bits) == (0x18DAD0F1, 0x18DAF1D0, 29)
    assert {ecu.id_bits for ecu in loaded.ecus[:-1]} == {11}
    assert profile("test-kline-iso9141").bus_protocols == {"3"}


# -- the Leaf: no OBD ECU, physical requests under a fixed protocol --------------------------------------


def test_leaf_unable_to_connect_then_physical() -> None:
    elm = quiet("nissan-leaf-aze0")
    assert answer_lines(elm, "0100") == ["SEARCHING...", "UNABLE TO CONNECT"]
    assert answer_lines(elm, "0902") == ["SEARCHING...", "UNABLE TO CONNECT"]
    assert answer_lines(elm, "ATTP6") == ["OK"]
    assert answer_lines(elm, "0100") == ["NO DATA"]  # the bus is there, nobody answers 7DF
    assert answer_lines(elm, "ATH1") == ["OK"]
    assert answer_lines(elm, "ATSH797") == ["OK"]
    assert answer_lines(elm, "ATCRA79A") == ["OK"]
    assert answer_lines(elm, "2181") == ["79A 10 15 61 81 53 4A 4E 46"]  # no flow control: first frame
    physical(elm, "797", "79A")
    lines = answer_lines(elm, "2181")
    assert lines == [
        "79A 10 15 61 81 53 4A 4E 46",
        "79A 21 41 41 5A 45 30 55 36",
        "79A 22 30 31 32 33 34 35 1B",
        "79A 23 1B FF FF FF FF FF FF",
    ]
    payload = message_of(lines)
    assert payload[2:19].decode() == "SJNFAAZE0U6012345" and payload[19:] == b"\x1b\x1b"
    assert answer_lines(elm, "2183") == ["79A 03 7F 21 12 FF FF FF FF"]
    physical(elm, "746", "783")
    tcu = answer_lines(elm, "2183")
    assert tcu[0] == "783 10 1A 61 83 33 4E 44 30" and len(tcu) == 4  # suffix 3N D0...
    assert tcu[1].startswith("783 21 44 01")  # ... D, then diag id 01
    assert answer_lines(elm, "2110") == ["783 03 7F 21 12 FF FF FF FF"]
    physical(elm, "79B", "7BB")
    assert answer_lines(elm, "2183")[0] == "7BB 10 1A 61 83 33 4E 46 30"
    assert answer_lines(elm, "10C0") == ["7BB 02 50 C0 FF FF FF FF FF"]


def test_vehicle_without_functional_ecu_loads() -> None:
    leaf = profile("nissan-leaf-aze0")
    assert leaf.ecus and not any(ecu.functional for ecu in leaf.ecus)
    ids = [(ecu.request_id, ecu.response_id) for ecu in leaf.ecus]
    assert ids == [(0x797, 0x79A), (0x79B, 0x7BB), (0x746, 0x783)]


# -- K-line physical addressing ----------------------------------------------------------------------------


def test_kline_physical_1a81() -> None:
    path = TEST_PROFILES / "kline-physical.toml"
    elm = SimulatedELM327(load_profile(path), echo=False)
    assert answer_lines(elm, "ATSP5") == ["OK"]
    assert answer_lines(elm, "ATSH8110FC") == ["OK"]  # format 81 (physical), target 10, tester FC
    assert answer_lines(elm, "1A81") == ["BUS INIT: ...OK", "5A 81 41 42 43 44 45"]
    assert answer_lines(elm, "ATH1") == ["OK"]
    body = bytes.fromhex("87 FC 10 5A 81 41 42 43 44 45")  # 80 + 7 bytes, to the tester FC, from 10
    assert answer_lines(elm, "1A81") == [f"{body.hex(' ').upper()} {sum(body) % 256:02X}"]
    assert answer_lines(elm, "ATSH8118FC") == ["OK"]
    assert answer_lines(elm, "1A81")[0].startswith("87 FC 18 5A 81 54 43 4D")
    assert answer_lines(elm, "ATSH8111FC") == ["OK"]
    assert answer_lines(elm, "1A81") == ["NO DATA"]


# -- the Nissan profiles ----------------------------------------------------------------------------------


def message_of(lines: list[str], *, headers: bool = True) -> bytes:
    """Reassemble one ISO 15765-2 message from its displayed frames (AT H1 lines, or AT H0 ``n:`` lines)."""
    if not headers:
        data = bytes.fromhex("".join(line.split(":")[1] for line in lines).replace(" ", ""))
        return data
    frames = [bytes.fromhex(line.split(" ", 1)[1].replace(" ", "")) for line in lines]
    length = (frames[0][0] & 0x0F) << 8 | frames[0][1]
    return (frames[0][2:] + b"".join(frame[1:] for frame in frames[1:]))[:length]


def ascii_of(message: bytes, start: int) -> str:
    return message[start:].decode("ascii")


def test_j10_physical_units() -> None:
    j10 = {ecu.name: ecu for ecu in profile("nissan-qashqai-j10").ecus}
    assert [(e.request_id, e.response_id) for e in j10.values()] == [
        (0x7E0, 0x7E8), (0x745, 0x765), (0x74D, 0x76D), (0x742, 0x762), (0x743, 0x763)
    ]
    assert not any("AV" in name or "audio" in name.lower() for name in j10)
    ecm = j10["ECM"]
    assert ecm.responses[bytes.fromhex("2181")] == (b"\x61\x81" + bytes(19),)
    assert ascii_of(ecm.responses[bytes.fromhex("2180")][0], 2) == "BB36AF4BE0669R"
    assert ascii_of(ecm.responses[bytes.fromhex("21FE")][0], 2) == "BB36AF4BE0669R"
    assert ascii_of(ecm.responses[bytes.fromhex("21FF")][0], 2) == "BB31ANMUK"
    assert bytes.fromhex("2183") not in ecm.replies
    suffixes = {"BCM": "BR02A", "IPDM E/R": "JD02D", "EPS": "BR01D", "Combination meter": "BR50E"}
    for name, suffix in suffixes.items():
        ecu = j10[name]
        table = ecu.session_replies[0xC0] if name in ("BCM", "EPS") else ecu.replies
        (message,) = table[bytes.fromhex("2183")][0]
        assert len(message) == 26 and message[:2] == b"\x61\x83" and message[-1] == 0x80
        assert message[2:7].decode() == suffix
        assert ecu.sessions == {0xC0} and ecu.unsupported_nrc_for(0x22) == 0x11
        assert (ecu.locked_nrc == 0x80) == (name in ("BCM", "EPS"))
    assert j10["EPS"].session_replies[0xC0][bytes.fromhex("2183")][0][0] == bytes.fromhex(
        "61 83 42 52 30 31 44 42 41 05 02 39 43 30 31 35 87 00 00 00 01 01 00 00 00 80"
    )
    elm = quiet("nissan-qashqai-j10")
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    for request_id, response_id in [("74D", "76D"), ("743", "763")]:
        physical(elm, request_id, response_id)
        assert answer_lines(elm, "2183")[0] == "01A"  # default session, full answer
        assert len(answer_lines(elm, "2183")) == 5
        assert answer_lines(elm, "22F187") == ["7F 22 11"]
    physical(elm, "742", "762")
    assert answer_lines(elm, "2183") == ["7F 21 80"]
    assert answer_lines(elm, "10C0") == ["50 C0"]
    assert answer_lines(elm, "2183")[1] == "0: 61 83 42 52 30 31"


def test_xtrail_physical_units() -> None:
    demo = profile("nissan-xtrail-t32")
    assert demo.provenance == "synthesised" and demo.strict_flow_control
    units = {ecu.name: ecu for ecu in demo.ecus}
    ids = {name: (ecu.request_id, ecu.response_id) for name, ecu in units.items()}
    assert ids == {
        "ECM": (0x7E0, 0x7E8),
        "TCM (CVT)": (0x7E1, 0x7E9),
        "ABS/VDC": (0x740, 0x760),
        "EPS": (0x742, 0x762),
        "Combination meter": (0x743, 0x763),
        "BCM": (0x745, 0x765),
    }
    assert not any(ecu.functional for ecu in demo.ecus[2:])
    elm = quiet()
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    suffixes = {"7E0": "6FR9A", "740": "4BA0A", "742": "4CE0B", "743": "4CC3A", "745": "4BB2A"}
    for request_id, suffix in suffixes.items():
        response_id = f"{int(request_id, 16) + (8 if request_id == '7E0' else 0x20):03X}"
        physical(elm, request_id, response_id)
        if request_id == "745":
            assert answer_lines(elm, "2183") == ["7F 21 80"]
            assert answer_lines(elm, "10C0") == ["50 C0"]
        lines = answer_lines(elm, "2183")
        assert len(lines) == 5, request_id
        payload = message_of(lines[1:], headers=False)
        assert payload[2:7].decode() == suffix
    physical(elm, "740", "760")
    assert answer_lines(elm, "10C0") == ["7F 10 12"]  # the ABS knows only its default session
    assert answer_lines(elm, "1081") == ["50 81"]


def test_altima_uds_profile() -> None:
    altima = profile("nissan-altima-2019-uds")
    assert altima.provenance == "synthesised from public captures" and altima.sources
    ecm, camera, abs_unit, gateway = altima.ecus
    assert [(e.request_id, e.response_id) for e in altima.ecus] == [
        (0x7E0, 0x7E8), (0x707, 0x727), (0x740, 0x760), (0x18DAD0F1, 0x18DAF1D0)
    ]
    assert [e.functional for e in altima.ecus] == [True, False, False, False]
    vin = ascii_of(ecm.responses[bytes.fromhex("0902")][0], 3)
    assert vin == ascii_of(ecm.responses[bytes.fromhex("22F190")][0], 3) == "1N4BL4CV2KC256789"
    assert_us_check_digit(vin)
    assert ascii_of(ecm.responses[bytes.fromhex("22F188")][0], 3) == "237106GU3B"
    assert ascii_of(camera.responses[bytes.fromhex("22F188")][0], 3) == "284N86CA1D"
    assert ascii_of(camera.responses[bytes.fromhex("22F190")][0], 3) == "123456789ABCDEFGH"
    expected = {
        "22F18A": "B408",
        "22F18C": "8640100001608230602",
        "22F191": "0265956924",
        "22F194": "1267983913",
        "22F195": "23",
    }
    for request, text in expected.items():
        assert ascii_of(abs_unit.responses[bytes.fromhex(request)][0], 3) == text
    rounds = abs_unit.replies[bytes.fromhex("22F187")]
    assert rounds[0] == (bytes.fromhex("7F2278"),) and ascii_of(rounds[1][1], 3) == "476609HF0B"
    assert ascii_of(gateway.responses[bytes.fromhex("22F180")][0], 3) == "BL-R3.5-210903"
    for ecu in altima.ecus:
        assert ecu.unsupported_nrc_for(0x22) == 0x31 and ecu.unsupported_nrc_for(0x21) == 0x11
    elm = quiet("nissan-altima-2019-uds")
    assert answer_lines(elm, "0100")[0] == "SEARCHING..."
    physical(elm, "707", "727")
    assert answer_lines(elm, "1001") == ["50 01 00 32 01 F4"]
    assert answer_lines(elm, "22F187") == ["7F 22 31"]
    assert answer_lines(elm, "2183") == ["7F 21 11"]
    assert answer_lines(elm, "22F188")[:2] == ["00D", "0: 62 F1 88 32 38 34"]


def test_search_without_answer_says_no_data() -> None:
    elm = quiet("nissan-altima-2019-uds")
    assert answer_lines(elm, "ATSH740") == ["OK"]
    assert answer_lines(elm, "0100") == ["SEARCHING...", "NO DATA"]


def assert_us_check_digit(vin: str) -> None:
    values = {
        **{str(d): d for d in range(10)},
        **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
        **dict(zip("JKLMN", range(1, 6), strict=True)),
        "P": 7,
        "R": 9,
        **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
    }
    weights = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
    remainder = sum(values[c] * w for c, w in zip(vin, weights, strict=True)) % 11
    assert vin[8] == ("X" if remainder == 10 else str(remainder))


# -- security: what no profile may hold ---------------------------------------------------------------

FORBIDDEN_REQUESTS = (
    {bytes.fromhex("2121")}  # BCM serial usable for PIN calculation
    | {bytes([0x21, lid]) for lid in range(0x10, 0x1F)}  # Leaf TCU APN / PPP passwords
    | {bytes.fromhex("22") + bytes.fromhex(did) for did in ("6C44", "6C3D", "FE9D", "FE9A")}  # SIM PIN ...
)


def every_message(ecu_profile: object) -> list[tuple[bytes, bytes]]:
    """(request, message) for every message in every table of an ECU."""
    from obdident.sim.profile import EcuProfile

    assert isinstance(ecu_profile, EcuProfile)
    found = []
    for table in (ecu_profile.replies, *ecu_profile.session_replies.values()):
        for request, rounds in table.items():
            found.extend((request, message) for messages in rounds for message in messages)
    return found


def test_profiles_hold_no_security_data() -> None:
    bcm_answers = 0
    for path in sorted(PROFILE_DIR.glob("*.toml")):
        loaded = load_profile(path)
        for ecu in loaded.ecus:
            tables = (ecu.replies, *ecu.session_replies.values())
            requests = {request for table in tables for request in table}
            assert not requests & FORBIDDEN_REQUESTS, (path.name, ecu.name)
            for request in requests:
                assert not any(did in request.hex().upper() for did in ("6C44", "6C3D", "FE9D", "FE9A"))
            if "BCM" not in ecu.name:
                continue
            for _request, message in every_message(ecu):
                if message[:2] == b"\x61\x83":
                    bcm_answers += 1
                    assert message[13:15] == b"\xa5\x5a", (path.name, message.hex(" "))  # the test marker
                    assert message[13:15] != b"\x03\x68"
        # The raw text too: no 21 21 key, no forbidden DID anywhere, no captured PIN next to the BCM bytes.
        text = path.read_text(encoding="utf-8").upper()
        assert not re.search(r'"21\s*21\s*"\s*=', text), path.name
        assert not re.search(r'"21\s*1[0-9A-E]\s*"\s*=', text), path.name
        for did in ("6C44", "6C3D", "FE9D", "FE9A"):
            assert not re.search(rf'"22\s*{did[:2]}\s*{did[2:]}', text), (path.name, did)
        assert "05 03 68 01" not in text, path.name
    assert bcm_answers == 3  # the J10, X-Trail and benchmark reference BCMs


# -- profile format errors for the new keys ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('sessions = "C0"', "sessions"),
        ('sessions = ["C00"]', "sessions[0]"),
        ('locked_nrc = "8"', "locked_nrc"),
        ('unsupported_nrc = "ZZ"', "unsupported_nrc"),
        ('unsupported_nrc = { "21" = "1" }', "unsupported_nrc.21"),
        ("unsupported_nrc = 17", "unsupported_nrc"),
        ('session_timing = "00 3"', "session_timing"),
        ('sessions = []\n    [ecu.session_responses.C0]\n    "2183" = "61 83"', "session_responses.C0"),
        ('sessions = ["C0"]\n    [ecu.session_responses.81]\n    "2183" = "61 83"', "session_responses.81"),
        ('sessions = ["C0"]\n    [ecu.session_responses]\n    C0 = "61 83"', "session_responses.C0"),
        ('sessions = []\n    [ecu.responses]\n    "10C0" = "50 C0"', "responses.'10C0'"),
        ('[ecu.responses]\n    "2183" = [["61 83"], "61 83"]', "responses.'2183'"),
        ('[ecu.responses]\n    "2183" = [["61 83 ZZ"]]', "responses.'2183'[0][0]"),
    ],
)
def test_bad_diagnostic_keys_raise_profile_error(tmp_path: Path, extra: str, key: str) -> None:
    # the key goes into the unit's table; what follows a [ecu.responses] in it goes into the unit's responses
    ecu_keys, _, responses = extra.partition("[ecu.responses]")
    text = (TEST_PROFILES / "bcm.toml").read_text(encoding="utf-8")
    text = text.replace("[ecu.responses]\n", f"{ecu_keys}\n[ecu.responses]\n") + responses + "\n"
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert key in str(caught.value), str(caught.value)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('protocol = "7"', 'protocol = "7"\n    strict_flow_control = "yes"'), "strict_flow_control"),
        (('protocol = "7"', 'protocol = "7"\n    adapter_quirks = ["no-such-quirk"]'), "adapter_quirks"),
        (('response_id = "18DAF110"', 'response_id = "7E8"'), "request_id"),
        (('request_id = "18DA10F1"', 'request_id = "FFF"'), "request_id"),
    ],
)
def test_bad_vehicle_keys_raise_profile_error(tmp_path: Path, change: tuple[str, str], key: str) -> None:
    path = write_profile(tmp_path, CAN29.replace(*change))
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert key in str(caught.value), str(caught.value)


def test_a_uds_ecu_suppresses_its_positive_answer_to_10_81_and_a_kwp_ecu_answers_it() -> None:
    """ISO 14229-1 §8.2.2: bit 7 of the sub-function leaves out the positive answer (the Altima's ABS, a UDS
    ECU with session timing); in KWP2000 81 is the default session's own number (the T32's BCM answers)."""
    elm = quiet("nissan-altima-2019-uds")
    for line in ("ATH1", "ATS0", "ATTP6", "ATSH740", "ATFCSH740", "ATFCSD300000", "ATFCSM1"):
        assert answer_lines(elm, line) == ["OK"], line
    assert answer_lines(elm, "1081") == ["NO DATA"]
    assert answer_lines(elm, "1001")[0].startswith("760065001")  # asked with a positive answer wanted
    assert answer_lines(elm, "3E00")[0].startswith("760027E00")
    kwp = quiet("nissan-xtrail-t32")
    for line in ("ATH1", "ATS0", "ATTP6", "ATSH745"):
        assert answer_lines(kwp, line) == ["OK"], line
    assert answer_lines(kwp, "1081")[0].startswith("765025081")
