"""Tests of the simulated ELM327, the vehicle profiles and the ``sim://`` pyserial handler.

Chip behaviour is tested through ``SimulatedELM327.feed`` directly; the handler through
``serial.serial_for_url``, sending only OK-answering AT commands and 01/09 requests (wire audit).
"""

from __future__ import annotations

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


CAN29 = """\
    [vehicle]
    name = "29-bit test car"
    provenance = "synthesised"
    sources = []
    protocol = "7"

    [[ecu]]
    name = "ECM"
    request_id = "18DA10F1"
    response_id = "18DAF110"
    [ecu.responses]
    "0100" = "41 00 BE 3F A8 13"
    "0902" = "49 02 01 53 4A 4E 46 42 41 54 33 32 55 31 30 30 30 30 30 31"
"""


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
        "ATFCSM 1",
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
    assert answer_lines(elm, "ATSP7") == ["OK"]
    assert answer_lines(elm, "0100") == ["CAN ERROR"]
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


def test_physical_only_ecu(tmp_path: Path) -> None:
    path = write_profile(
        tmp_path,
        """\
        [vehicle]
        name = "car with a body ECU"
        provenance = "synthesised"
        sources = []
        protocol = "6"
        [[ecu]]
        name = "ECM"
        request_id = "7E0"
        response_id = "7E8"
        [ecu.responses]
        "0100" = "41 00 00 00 00 01"
        [[ecu]]
        name = "BCM"
        request_id = "745"
        response_id = "765"
        functional = false
        pad = "FF"
        [ecu.responses]
        "0100" = "41 00 80 00 00 00"
        """,
    )
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
    ecm, tcm = demo.ecus
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


BASE = """\
    [vehicle]
    name = "bad car"
    provenance = "synthesised"
    sources = []
    protocol = "PROTO"

    [[ecu]]
    name = "ECM"
    request_id = "REQ"
    response_id = "RSP"
    [ecu.responses]
    KEY = VALUE
"""


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({'name = "bad car"\n': ""}, "[vehicle].name"),
        ({'    request_id = "REQ"\n': ""}, "request_id"),
        ({"VALUE": '"41 00 BE 3F A8 1"'}, "responses.'0100'"),
        ({"VALUE": '"41 00 ZZ"'}, "responses.'0100'"),
        ({"KEY": '"01 0"'}, "responses.'01 0'"),
        ({"PROTO": "3", "REQ": "10", "RSP": "10", "VALUE": '"49 02 01 00 00 00 53 4A"'}, "responses.'0100'"),
        ({"PROTO": "6", "REQ": "18DA10F1"}, "request_id"),
        ({"PROTO": "0"}, "protocol"),
        ({'provenance = "synthesised"': 'provenance = "recorded"'}, "sources"),
        ({'provenance = "synthesised"': 'provenance = "real"'}, "provenance"),
        ({"sources = []": 'sources = []\ncolour = "red"'}, "colour"),
        ({"VALUE": '"41 00"\n    [ecu.extra]'}, "extra"),
    ],
)
def test_bad_profiles_raise_profile_error(tmp_path: Path, changes: dict[str, str], key: str) -> None:
    text = BASE
    defaults = {"PROTO": "6", "REQ": "7E0", "RSP": "7E8", "KEY": '"0100"', "VALUE": '"41 00"'}
    for old, new in changes.items():
        text = text.replace(old, new)
    for old, new in defaults.items():
        text = text.replace(old, new)
    path = write_profile(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value)
    assert key in str(caught.value)


def test_valid_base_profile_loads(tmp_path: Path) -> None:
    text = BASE.replace("PROTO", "6").replace("REQ", "7E0").replace("RSP", "7E8")
    loaded = load_profile(write_profile(tmp_path, text.replace("KEY", '"01 00"').replace("VALUE", '"41 00"')))
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
