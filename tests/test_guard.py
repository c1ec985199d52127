"""The read-only guard: allowlist rows, refusals, and property tests over arbitrary lines."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident import guard
from obdident.errors import GuardRefusal

ALLOWED = [
    "ATZ", "AT Z", "atz", "ATWS", "ATD", "ATE0", "ATE1", "ATL0", "ATS0", "ATH1", "ATI", "AT@1", "AT@2",
    "ATRV", "ATDP", "ATDPN", "ATTP6", "ATTPA6", "ATST19", "ATST FF",
    "ATAT0", "ATAT2", "ATSH7E0", "ATSH 7DF", "ATSH18DA10F1", "ATSH8110FC", "ATCRA7E8", "ATCRA", "ATCRA7EX",
    "ATCF7E8", "ATCM7F0", "ATFCSH7E0", "ATFCSD300000", "ATFCSM0", "ATCAF0", "ATCAF1", "ATCFC0", "ATAL",
    "ATNL", "ATAR", "ATPC", "ATCP18", "ATIIA10", "ATSI", "ATFI", "ATKW", "ATKW0", "ATSW96", "ATV1", "ATR1",
    "STI", "STDI", "0100", "01 00", "01001", "010C0D", "010C0D0E0F1011", "0902", "09 02", "09021", "0900",
    "090A", "0904 2",
]

REFUSED = {
    "ATPP0CSV": "EEPROM programmable parameter",
    "ATPP 0C ON": "EEPROM programmable parameter",
    "AT@3 12345678": "one-time identifier write",
    "ATSD12": "EEPROM save data byte",
    "ATBRD23": "baud rate change",
    "ATBRT40": "baud rate timeout",
    "ATWM8110FC3E": "wakeup message: the adapter would send it by itself",
    "ATSP6": "SP with a fixed protocol saves it as the default",
    "ATSP0": "SP saves the protocol, even the automatic one",
    "ATSPA6": "SP saves the protocol, even an automatic one",
    "AT SP A6": "SP saves the protocol",
    "ATSPD": "SP saves the protocol",
    "ATPPFFOFF": "EEPROM: all programmable parameters off",
    "ATPP2CSV81": "EEPROM: protocol B options",
    "AT@3 ABCDEFGHIJKL": "one-time device identifier write",
    "ATBRD08": "baud rate divisor",
    "ATTPA": "SAE J1939: frames on 18EAFFF9, shaped by PP 2B",
    "ATTPB": "USER1 CAN: the factory PP 2C (E0) sends the line as the raw frame",
    "ATTPC": "USER2 CAN: the factory PP 2E (80) sends the line as the raw frame",
    "ATTPAB": "tries USER1 first",
    "ATTPAC": "tries USER2 first",
    "ATTPAA": "tries J1939 first",
    "ATCP00": "29-bit priority 00: 18 DB 33 F1 would go out as 00 DB 33 F1",
    "ATCP1F": "29-bit priority other than the diagnostic 18",
    "ATBRT19": "baud rate handshake timeout",
    "STSBR115200": "STN: set baud rate (saved)",
    "STSAVCAL": "STN: save calibration",
    "STUIL1": "STN",
    "ATFCSD022701": "flow control data forged as SecurityAccess",
    "ATFCSD0104": "flow control data forged as clear DTCs",
    "ATFCSD30": "flow control frame without BS and STmin",
    "ATFCSD310000": "flow control Wait: not ContinueToSend",
    "ATFCSD300080": "reserved STmin",
    "ATFCSH0F1": "flow control on a non-diagnostic id",
    "ATSH0F1": "a non-diagnostic 11-bit id",
    "ATSH18FF00F1": "a non-diagnostic 29-bit id",
    "ATSH123456": "no diagnostic header on any protocol",
    "ATM1": "memory on",
    "ATMA": "monitor all (floods the link; not needed)",
    "04": "OBD service 04 clears trouble codes",
    "08": "OBD service 08 controls on-board systems",
    "0801": "OBD service 08",
    "03": "service 03 is a read, but not on the allowlist yet",
    "2783": "UDS SecurityAccess",
    "2701": "SecurityAccess seed",
    "23400000": "ReadMemoryByAddress",
    "2EF190": "WriteDataByIdentifier",
    "3101FF00": "RoutineControl",
    "1101": "ECUReset",
    "14FFFFFF": "ClearDiagnosticInformation",
    "1003": "extended session",
    "2121": "Nissan BCM serial for PIN calculation",
    "": "bare CR repeats the previous command",
    "   ": "bare CR after spaces",
    "0902\r04": "two commands in one write",
    "0902\n": "LF inside",
    "01": "service 01 without a PID",
    "0100000000000000": "more than six PIDs",
    "09": "service 09 without an InfoType",
    "090203": "service 09 takes one InfoType",
    "ATSTXYZ": "malformed",
    "ATSH7E": "malformed header",
    "AT": "bare AT",
    "0902\x00\x0d": "NUL then CR",
    "ÀT Z": "non-ASCII",
}


def _reset_guard() -> guard.Guard:
    g = guard.Guard()
    g.check("ATD")
    g.check("ATCAF1")  # a reset restores the CAF default PP 24 stores: set explicitly
    g.check("ATTP6")  # 11-bit CAN: a 3-digit header is the frame's id as it is
    return g


@pytest.mark.parametrize("line", ALLOWED)
def test_allowed_lines_pass_and_are_canonical(line: str) -> None:
    checked = _reset_guard().check(line)
    assert checked == line.replace(" ", "").upper()
    assert guard.is_allowed(line)


@pytest.mark.parametrize(("line", "why"), REFUSED.items())
def test_refused_lines_raise_before_anything_is_written(line: str, why: str) -> None:
    g = guard.Guard()
    with pytest.raises(GuardRefusal) as info:
        g.check(line)
    assert info.value.line == line
    assert info.value.reason
    assert g.refused == [line]
    assert not guard.is_allowed(line), why


@pytest.mark.parametrize("line", ["ATSI", "ATFI", "ATSW96", "ATIIA10"])
def test_k_line_wakeup_commands_wait_for_a_reset(line: str) -> None:
    # the wakeup message a K-line initiation repeats is whatever an earlier program's AT WM left (it may
    # be a KWP clear) until a reset restores the default
    for before in ([], ["ATE0", "ATTP3"]):
        with pytest.raises(GuardRefusal, match="wakeup message"):
            _guard_after(before).check(line)
    assert _guard_after(["ATZ"]).check(line) == line
    g = guard.Guard()
    g.check("ATD")
    g.settle("unknown")  # a garbled answer: the reset may not have happened, the stale message may remain
    with pytest.raises(GuardRefusal, match="wakeup message"):
        g.check(line)


def _guard_after(lines: list[str]) -> guard.Guard:
    g = guard.Guard()
    for line in lines:
        g.check(line)
    return g


def test_every_rule_names_a_reason_and_a_source() -> None:
    names = [rule.name for rule in guard.ALLOWLIST]
    assert len(names) == len(set(names))
    for rule in guard.ALLOWLIST:
        assert rule.reason and rule.source


# --- property tests ----------------------------------------------------------------------------------

@settings(max_examples=600)
@given(st.text(max_size=40))
def test_any_text_is_admitted_only_as_one_adapter_command_or_one_read_request(line: str) -> None:
    """What is admitted, judged by what it does, not by the guard's own patterns: one line, either an
    adapter command or one request whose service reads (the exact identifiers each service admits are
    property-tested below, and every frame in tests/test_guard_frames.py)."""
    text = guard.canonical(line)
    allowed = guard.is_allowed(line)
    if allowed:
        assert "\r" not in line and "\n" not in line and text
        if not text.startswith(("AT", "ST")):
            assert re.fullmatch(r"[0-9A-F]+", text), text
            assert int(text[:2], 16) in READ_SIDS, text
    else:
        with pytest.raises(GuardRefusal):
            _reset_guard().check(line)


NISSAN = guard.GuardContext(
    header="745", nissan_basis="test", reset_seen=True, families=guard.PROTOCOL_FAMILIES["6"]
)
READ_SIDS = {0x01, 0x09, 0x10, 0x1A, 0x21, 0x22, 0x3E}


@settings(max_examples=600)
@given(st.integers(0, 255).filter(lambda sid: sid not in READ_SIDS), st.binary(max_size=7))
def test_every_other_sid_is_refused(sid: int, data: bytes) -> None:
    line = f"{sid:02X}{data.hex().upper()}"
    for context in (None, NISSAN):
        assert not guard.is_allowed(line, context)
        assert not guard.is_allowed(line + "1", context)


@settings(max_examples=800)
@given(st.integers(0, 0xFFFF), st.binary(max_size=4))
def test_uds_22_admits_exactly_one_identification_did(did: int, extra: bytes) -> None:
    line = f"22{did:04X}"
    assert guard.is_allowed(line) == (0xF180 <= did <= 0xF19F)
    if extra:
        assert not guard.is_allowed(line + extra.hex().upper())  # one DID per request


@settings(max_examples=300)
@given(st.integers(0, 255), st.binary(max_size=3))
def test_kwp_21_admits_exactly_the_identification_lids(lid: int, extra: bytes) -> None:
    allowed = {0x80, 0x81, 0x83, 0xF0, 0xF1, 0xFE, 0xFF}
    assert guard.is_allowed(f"21{lid:02X}", NISSAN) == (lid in allowed)
    if extra:
        assert not guard.is_allowed(f"21{lid:02X}{extra.hex().upper()}", NISSAN)


@settings(max_examples=300)
@given(st.integers(0, 255))
def test_1a_3e_and_session_identifiers(value: int) -> None:
    assert guard.is_allowed(f"1A{value:02X}") == (0x80 <= value <= 0x9F)
    assert guard.is_allowed(f"3E{value:02X}") == (value in (0x00, 0x80))
    assert guard.is_allowed(f"10{value:02X}", NISSAN) == (value in (0x01, 0x81, 0xC0))


@pytest.mark.parametrize(
    "line",
    ["2121", "2110", "2111", "211E", "226C44", "226C3D", "22FE9D", "22FE9A", "1003", "1002", "1085", "10FB",
     "10DA", "2701", "2702", "23", "2E", "2F", "30", "31", "14", "2181FF"],
)
def test_named_security_requests_stay_refused_even_on_a_nissan(line: str) -> None:
    assert not guard.is_allowed(line, NISSAN)


def test_nissan_session_only_to_a_nissan_physical_address_on_a_nissan() -> None:
    g = _reset_guard()
    g.check("ATSH745")
    with pytest.raises(GuardRefusal, match="established as a Nissan"):
        g.check("10C0")
    g.establish_nissan("WMI SJN")
    assert g.check("10 C0") == "10C0"
    g.check("ATSH747")  # the unconfirmed AV candidate
    with pytest.raises(GuardRefusal, match="not 747"):
        g.check("10C0")
    g.check("ATSH7DF")  # functional: never
    with pytest.raises(GuardRefusal):
        g.check("10C0")
    g.check("ATSH745")
    g.check("ATD")  # a reset returns the header to the functional default
    with pytest.raises(GuardRefusal):
        g.check("10C0")


def test_mask_table_finds_the_bcm_pin_bytes_only_in_the_bcm_answer() -> None:
    answer = bytes.fromhex("6183" "425230324145440317000511" "223301110000000000000080")
    assert guard.mask_offsets("765", answer) == (13, 14)
    assert guard.mask_offsets("762", answer) == ()  # the EPS's same layout carries no PIN
    assert guard.mask_offsets("765", bytes.fromhex("6181" + "00" * 19)) == ()
    for rule in guard.MASKS:
        assert rule.source and rule.offsets


@settings(max_examples=300)
@given(st.integers(0, 255), st.sampled_from(["", "1", "2", "F"]))
def test_service_09_admits_exactly_one_infotype(info_type: int, count: str) -> None:
    assert guard.is_allowed(f"09{info_type:02X}{count}")
    assert not guard.is_allowed(f"09{info_type:02X}00{count}")


@settings(max_examples=300)
@given(st.from_regex(r"AT(PP|SD|BR|WM|@3|M[01]|MA|MR|MT|BD|CS|LP|IGN|JE|JS)[0-9A-F ]{0,8}", fullmatch=True))
def test_adapter_writes_and_unlisted_at_commands_are_refused(line: str) -> None:
    assert not guard.is_allowed(line)
