"""Fault injection and clone quirks of the simulated ELM327 (``obdident.sim.faults``, ``.quirks``).

Every fault kind and every quirk is checked through ``SimulatedELM327.feed`` with the exact bytes the chip
sends; the handler-level ones (``drop``, ``slow-prompt``) and the URL syntax through
``serial.serial_for_url("sim://...")``, sending only AT commands and 01/09 requests (wire audit).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import serial

from obdident.sim.elm import SimulatedELM327
from obdident.sim.faults import FAULT_KINDS, GARBAGE, STATUS_FAULTS, Fault, parse_fault
from obdident.sim.profile import VehicleProfile, find_profile, load_profile
from obdident.sim.quirks import QUIRKS
from obdident.transports.protocol_sim import parse_sim_url

if "obdident.transports" not in serial.protocol_handler_packages:
    serial.protocol_handler_packages.append("obdident.transports")

FIXTURES = Path(__file__).resolve().parents[1] / "hw-fixtures"

# The X-Trail T32 demo car, as the chip shows it with AT H1 (ECM 7E8, CVT TCM 7E9).
VIN_FRAMES = "7E8 10 14 49 02 01 53 4A 4E\r7E8 21 46 42 41 54 33 32 55\r7E8 22 31 30 30 30 30 30 31\r"
ECM_PIDS = "7E8 06 41 00 BE 3F A8 12 55\r"
PIDS_FRAMES = ECM_PIDS + "7E9 06 41 00 80 18 00 00 55\r"
# The same without headers (AT H0, CAN automatic formatting).
VIN_LINES = "014\r0: 49 02 01 53 4A 4E\r1: 46 42 41 54 33 32 55\r2: 31 30 30 30 30 30 31\r"
PIDS_LINES = "41 00 BE 3F A8 12\r41 00 80 18 00 00\r"


def profile(name: str) -> VehicleProfile:
    return load_profile(find_profile(name))


def chip(
    *faults: str, name: str = "nissan-xtrail-t32", quirks: tuple[str, ...] = (), echo: bool = False
) -> SimulatedELM327:
    return SimulatedELM327(profile(name), echo=echo, quirks=quirks, faults=[parse_fault(f) for f in faults])


def ask(elm: SimulatedELM327, line: str) -> bytes:
    """Send one command line; return the exact bytes the chip sends back."""
    return elm.feed(line.encode("ascii") + b"\r")


def script(elm: SimulatedELM327, *exchanges: tuple[str, str]) -> None:
    """Send each line and check the chip's exact answer (text, latin-1)."""
    for line, expected in exchanges:
        assert ask(elm, line) == expected.encode("latin-1"), line


# -- fault specs --------------------------------------------------------------------------------------


def test_parse_fault_and_round_trip() -> None:
    assert parse_fault("stall@3") == Fault("stall", 3)
    assert parse_fault("busy@2+") == Fault("busy", 2, repeat=True)
    assert parse_fault(" isotp-short@12 ") == Fault("isotp-short", 12)
    for kind in FAULT_KINDS:
        assert parse_fault(f"{kind}@7+") == Fault(kind, 7, repeat=True)
        assert str(Fault(kind, 7, repeat=True)) == f"{kind}@7+"
        assert str(Fault(kind, 7)) == f"{kind}@7"
    assert Fault("stall", 3).applies(3) and not Fault("stall", 3).applies(4)
    assert not Fault("busy", 3, repeat=True).applies(2)
    assert Fault("busy", 3, repeat=True).applies(3) and Fault("busy", 3, repeat=True).applies(40)


@pytest.mark.parametrize(
    ("text", "bad"),
    [("stall", "'stall'"), ("stall@", "'stall@'"), ("@3", "'@3'"), ("melt@3", "'melt'"), ("stall@0", "'0'")],
)
def test_parse_fault_names_the_bad_part(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match=re.escape(bad)):
        parse_fault(text)


def test_fault_checks_its_fields() -> None:
    with pytest.raises(ValueError, match="melt"):
        Fault("melt", 1)
    with pytest.raises(ValueError, match="1 or more"):
        Fault("stall", 0)


def test_lines_count_every_command_line() -> None:
    """AT commands and bare CRs count: the fault line is len(elm.received) after the line."""
    elm = chip("can-error@4")
    script(elm, ("ATH1", "OK\r\r>"), ("", "OK\r\r>"), ("0100", f"SEARCHING...\r{PIDS_FRAMES}\r>"))
    assert len(elm.received) == 3 and elm.faults_fired == []
    script(elm, ("0100", "CAN ERROR\r\r>"), ("0100", f"{PIDS_FRAMES}\r>"))
    assert elm.faults_fired == [(4, "can-error")]
    assert elm.faults == (Fault("can-error", 4),)


# -- the link and the adapter ---------------------------------------------------------------------------


def test_drop_at_chip_level() -> None:
    elm = chip("drop@2")
    script(elm, ("ATH1", "OK\r\r>"))
    assert elm.feed(b"0100\rATI\r") == b""
    assert elm.link_lost and elm.faults_fired == [(2, "drop")]
    assert ask(elm, "ATI") == b""
    assert elm.received == ["ATH1", "0100"]  # the chip is gone: nothing more is received


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_drop_through_the_port() -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32?echo=0&fault=drop@2")
    try:
        port.write(b"ATH1\r")
        assert port.read(100) == b"OK\r\r>"
        with pytest.raises(serial.SerialException, match="link lost") as caught:
            port.write(b"0100\r")
        assert isinstance(caught.value, OSError)  # the driver's "lost link" catch
        assert "drop@2" in str(caught.value)
        for call in (lambda: port.read(1), lambda: port.write(b"ATI\r"), lambda: port.in_waiting):
            with pytest.raises(serial.SerialException, match="link lost"):
                call()
        with pytest.raises(serial.SerialException, match="link lost"):
            port.reset_input_buffer()
        assert port.elm.faults_fired == [(2, "drop")]
    finally:
        port.close()
    port.open()  # a fresh adapter: the fault counts lines from 1 again
    try:
        port.write(b"ATI\r")
        assert port.read(100) == b"ELM327 v1.5\r\r>"
    finally:
        port.close()


def test_stall_hangs_for_good() -> None:
    elm = chip("stall@2")
    script(elm, ("ATH1", "OK\r\r>"), ("0100", ""), ("ATZ", ""), ("ATI", ""), ("", ""))
    assert elm.faults_fired == [(2, "stall")]
    assert len(elm.received) == 5 and not elm.link_lost


def test_stall_once_loses_one_line() -> None:
    elm = chip("stall-once@1")
    # AT H1 is lost (never executed): the next answer has no headers.
    script(elm, ("ATH1", ""), ("0100", f"SEARCHING...\r{PIDS_LINES}\r>"), ("ATH1", "OK\r\r>"))
    script(elm, ("0100", f"{PIDS_FRAMES}\r>"))
    assert elm.faults_fired == [(1, "stall-once")]


def test_partial_answer_then_normal() -> None:
    elm = chip("partial@2", echo=True)
    script(
        elm,
        ("ATE0", "ATE0\rOK\r\r>"),
        ("0902", "SEARCHING...\r014\r0: 49 02 01 53 4A 4E\r1: 46"),  # first half, no prompt
        ("0902", f"{VIN_LINES}\r>"),
    )
    full = f"0902\rSEARCHING...\r{VIN_LINES}\r"  # what line 2 would have been, echo included
    assert ask(chip("partial@1", echo=True), "0902") == full[: len(full) // 2].encode()
    assert chip("partial@1").feed(b"ATI\r") == b"ELM327"  # AT commands too
    assert elm.faults_fired == [(2, "partial")]


def test_garbage_replaces_the_answer() -> None:
    assert GARBAGE == "\x00\xff7E8 ZZ 10 ?? \x1b[31m\r"
    elm = chip("garbage@1", "garbage@3")
    script(elm, ("ATH1", GARBAGE + "\r>"), ("0100", f"SEARCHING...\r{PIDS_FRAMES}\r>"))
    assert ask(elm, "0902") == b"\x00\xff7E8 ZZ 10 ?? \x1b[31m\r\r>"
    assert elm.faults_fired == [(1, "garbage"), (3, "garbage")]  # AT H1 was executed all the same


@pytest.mark.parametrize(("kind", "first"), [("lv-reset", "LV RESET"), ("reset", "")])
def test_resets_restore_power_up_settings(kind: str, first: str) -> None:
    elm = chip(f"{kind}@10", echo=True)
    script(
        elm,
        ("ATE0", "ATE0\rOK\r\r>"),
        ("ATH1", "OK\r\r>"),
        ("ATS0", "OK\r\r>"),
        ("ATTP6", "OK\r\r>"),
        ("ATCRA7E9", "OK\r\r>"),
        ("ATFCSH7E0", "OK\r\r>"),
        ("ATFCSD300000", "OK\r\r>"),
        ("ATFCSM1", "OK\r\r>"),
        ("0100", "7E90641008018000055\r\r>"),
    )
    assert elm.selected_protocol == "6" and elm.connected_protocol == "6"
    # Line 10 is lost in the reset; its answer is (LV RESET and) the banner.
    assert ask(elm, "0902") == f"{first}\r\rELM327 v1.5\r\r>".encode()
    assert elm.faults_fired == [(10, kind)]
    assert elm.selected_protocol == "0" and elm.connected_protocol is None
    # Echo on, no last command to repeat, headers off, spaces on, no filter, automatic search, flow
    # control back to automatic:
    script(
        elm,
        ("", "\r?\r\r>"),
        ("0100", f"0100\rSEARCHING...\r{PIDS_LINES}\r>"),
        ("0902", f"0902\r{VIN_LINES}\r>"),
    )


def test_reset_faults_on_at_commands() -> None:
    elm = chip("reset@1", "lv-reset@2", echo=True)
    script(elm, ("ATE0", "ATE0\r\r\rELM327 v1.5\r\r>"), ("ATE0", "ATE0\rLV RESET\r\rELM327 v1.5\r\r>"))
    script(elm, ("ATE0", "ATE0\rOK\r\r>"))


def test_ignition_off_mid_scan() -> None:
    elm = chip("ignition-off@3")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0100", f"SEARCHING...\r{PIDS_FRAMES}\r>"),
        ("0902", "NO DATA\r\r>"),  # connected on CAN: the bus is silent
        ("0100", "NO DATA\r\r>"),
        ("ATZ", "\r\rELM327 v1.5\r\r>"),
        ("0100", "SEARCHING...\rUNABLE TO CONNECT\r\r>"),  # a new search finds nothing
        ("ATTP6", "OK\r\r>"),
        ("0100", "NO DATA\r\r>"),
    )
    assert not elm.ignition and elm.faults_fired == [(3, "ignition-off")]


def test_ignition_off_on_an_at_line_counts_from_there() -> None:
    elm = chip("ignition-off@2")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("ATI", "ELM327 v1.5\r\r>"),
        ("0100", "SEARCHING...\rUNABLE TO CONNECT\r\r>"),
    )
    assert elm.faults_fired == [(2, "ignition-off")]


# -- the adapter's report of the answer --------------------------------------------------------------


def test_truncate_line() -> None:
    elm = chip("truncate-line@2", "truncate-line@3", "truncate-line@4", "truncate-line@6")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        (
            "0902",
            "SEARCHING...\r7E8 10 14 49 02 01 53 4A 4E\r7E8 21 46 42 41 54 33 32 55\r7E8 22 31 30 3\r\r>",
        ),
        ("0100", "7E8 06 41 00 BE 3F A8 12 55\r7E9 06 41 00 8\r\r>"),
        ("ATH0", "OK\r\r>"),  # an AT answer is never cut
        ("ATS0", "OK\r\r>"),
        ("0902", "014\r0:490201534A4E\r1:46424154333255\r2:3130303\r\r>"),
    )
    assert elm.faults_fired == [(2, "truncate-line"), (3, "truncate-line"), (6, "truncate-line")]
    elm = chip("truncate-line@1", name="nissan-leaf-aze0")
    script(elm, ("0100", "SEARCHING...\rUNABLE TO CONNECT\r\r>"))  # no data line: nothing to cut
    assert elm.faults_fired == []


@pytest.mark.parametrize("kind", sorted(STATUS_FAULTS))
def test_status_faults(kind: str) -> None:
    status = STATUS_FAULTS[kind]
    elm = chip(f"{kind}@2", f"{kind}@3", f"{kind}@4")
    first = "7E8 10 14 49 02 01 53 4A 4E\r" if kind == "buffer-full" else ""
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0902", f"SEARCHING...\r{first}{status}\r\r>"),
        ("0100", f"{ECM_PIDS if kind == 'buffer-full' else ''}{status}\r\r>"),
        ("ATH0", "?\r\r>"),  # on an AT command: ? and not executed
        ("0100", f"{PIDS_FRAMES}\r>"),
    )
    assert elm.faults_fired == [(2, kind), (3, kind), (4, kind)]


def test_status_fault_replaces_no_data_and_search_failures() -> None:
    elm = chip("data-error@1", "buffer-full@2", name="nissan-leaf-aze0")
    script(elm, ("0100", "SEARCHING...\rDATA ERROR\r\r>"), ("0100", "SEARCHING...\rBUFFER FULL\r\r>"))


# -- ISO 15765-2 frames ----------------------------------------------------------------------------


def test_isotp_sequence_swaps_two_consecutive_frames() -> None:
    elm = chip("isotp-sequence@2", "isotp-sequence@3", "isotp-sequence@5")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        (
            "0902",
            "SEARCHING...\r7E8 10 14 49 02 01 53 4A 4E\r7E8 22 31 30 30 30 30 30 31\r"
            "7E8 21 46 42 41 54 33 32 55\r\r>",
        ),
        ("0100", f"{PIDS_FRAMES}\r>"),  # single frames: nothing to swap
        ("ATH0", "OK\r\r>"),
        ("0902", "014\r0: 49 02 01 53 4A 4E\r2: 31 30 30 30 30 30 31\r1: 46 42 41 54 33 32 55\r\r>"),
    )
    assert elm.faults_fired == [(2, "isotp-sequence"), (5, "isotp-sequence")]


def test_isotp_short_drops_the_last_consecutive_frame() -> None:
    elm = chip("isotp-short@2", "isotp-short@3", "isotp-short@5")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0902", "SEARCHING...\r7E8 10 14 49 02 01 53 4A 4E\r7E8 21 46 42 41 54 33 32 55\r\r>"),
        ("0100", f"{PIDS_FRAMES}\r>"),
        ("ATH0", "OK\r\r>"),
        ("0902", "014\r0: 49 02 01 53 4A 4E\r1: 46 42 41 54 33 32 55\r\r>"),
    )
    assert elm.faults_fired == [(2, "isotp-short"), (5, "isotp-short")]


def test_isotp_faults_find_nothing_on_k_line() -> None:
    elm = chip("isotp-short@1", "isotp-sequence@1", name="test-kline-iso9141")
    plain = chip(name="test-kline-iso9141")
    assert ask(elm, "0902") == ask(plain, "0902")
    assert elm.faults_fired == []


# -- ECU answers: response pending, busy ---------------------------------------------------------------


def address_j10_bcm(elm: SimulatedELM327) -> None:
    """Address the Qashqai J10 BCM (745/765) physically, with flow control, as the driver does."""
    for line in ("ATH1", "ATSH745", "ATCRA765", "ATFCSH745", "ATFCSD300000", "ATFCSM1"):
        assert ask(elm, line) == b"OK\r\r>", line


def test_pending_storm_never_ends() -> None:
    elm = chip("pending-storm@7", name="nissan-qashqai-j10")
    address_j10_bcm(elm)
    script(
        elm,
        ("10C0", "SEARCHING...\r765 03 7F 10 78 FF FF FF FF\r\r>"),
        ("10C0", "765 03 7F 10 78 FF FF FF FF\r\r>"),
        ("10C0", "765 03 7F 10 78 FF FF FF FF\r\r>"),
    )
    assert elm.session_of(0x745) == "default"  # the real answer never came: no session change
    assert elm.vehicle.request_count(0x745, b"\x10\xc0") == 0
    script(elm, ("1081", "765 02 50 81 FF FF FF FF FF\r\r>"))  # other requests are answered
    assert elm.faults_fired == [(7, "pending-storm"), (8, "pending-storm"), (9, "pending-storm")]


def test_pending_storm_on_every_answering_ecu() -> None:
    elm = chip("pending-storm@2")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0100", "SEARCHING...\r7E8 03 7F 01 78 55 55 55 55\r7E9 03 7F 01 78 55 55 55 55\r\r>"),
        ("0902", f"{VIN_FRAMES}\r>"),
        ("0100", "7E8 03 7F 01 78 55 55 55 55\r7E9 03 7F 01 78 55 55 55 55\r\r>"),
    )


def test_busy_once_then_the_answer() -> None:
    elm = chip("busy@7", name="nissan-qashqai-j10")
    address_j10_bcm(elm)
    script(elm, ("10C0", "SEARCHING...\r765 03 7F 10 21 FF FF FF FF\r\r>"))
    assert elm.session_of(0x745) == "default"  # busy: the ECU did not act on it
    script(elm, ("10C0", "765 02 50 C0 FF FF FF FF FF\r\r>"))
    assert elm.session_of(0x745) == "C0"
    assert elm.faults_fired == [(7, "busy")]


def test_busy_from_a_line_on_once_per_request() -> None:
    elm = chip("busy@2+")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0100", "SEARCHING...\r7E8 03 7F 01 21 55 55 55 55\r7E9 03 7F 01 21 55 55 55 55\r\r>"),
        ("0100", f"{PIDS_FRAMES}\r>"),
        ("0902", "7E8 03 7F 09 21 55 55 55 55\r\r>"),  # the TCM has no VIN: it stays silent
        ("ATI", "ELM327 v1.5\r\r>"),
        ("0902", f"{VIN_FRAMES}\r>"),
        ("0100", f"{PIDS_FRAMES}\r>"),
    )
    assert elm.faults_fired == [(2, "busy"), (4, "busy")]


def test_several_faults_at_once() -> None:
    elm = chip("ignition-off@3", "can-error@2", "garbage@4")
    script(
        elm,
        ("ATH1", "OK\r\r>"),
        ("0100", "SEARCHING...\rCAN ERROR\r\r>"),
        ("0100", "NO DATA\r\r>"),
        ("0100", GARBAGE + "\r>"),
    )
    assert elm.faults_fired == [(2, "can-error"), (3, "ignition-off"), (4, "garbage")]


# -- the sim:// URL --------------------------------------------------------------------------------


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_url_fault_and_quirk_options() -> None:
    parsed = parse_sim_url(
        "sim://nissan-xtrail-t32?fault=stall@9&fault=busy@2+&fault=can-error@3%2B&quirk=crlf&quirk=no-s0&cra=1"
    )
    assert parsed.faults == (
        Fault("stall", 9),
        Fault("busy", 2, repeat=True),
        Fault("can-error", 3, repeat=True),
    )
    assert parsed.quirks == ("crlf", "no-s0") and parsed.cra is True
    assert parse_sim_url("sim://x?version=ELM327+v2.1").version == "ELM327 v2.1"  # '+' is a space elsewhere
    port = serial.serial_for_url("sim://nissan-xtrail-t32?echo=0&fault=can-error@2+&quirk=lowercase")
    try:
        port.write(b"ATH1\r")
        assert port.read(100) == b"ok\r\r>"
        port.write(b"0100\r0902\r")
        assert port.read(100) == b"searching...\rcan error\r\r>can error\r\r>"
        assert port.elm.faults_fired == [(2, "can-error"), (3, "can-error")]
        assert "lowercase" in port.elm.quirks
    finally:
        port.close()


@pytest.mark.parametrize(
    ("url", "word"),
    [
        ("sim://nissan-xtrail-t32?fault=melt@3", "melt"),
        ("sim://nissan-xtrail-t32?fault=stall", "fault"),
        ("sim://nissan-xtrail-t32?fault=stall@0", "fault"),
        ("sim://nissan-xtrail-t32?quirk=haunted", "haunted"),
        ("sim://nissan-xtrail-t32?cra=0&cra=1", "twice"),
        ("sim://nissan-xtrail-t32?fault", "malformed"),
        ("sim://nissan-xtrail-t32?echo=0&&cra=1", "malformed"),
    ],
)
def test_bad_fault_and_quirk_options(url: str, word: str) -> None:
    with pytest.raises(ValueError, match=word):
        serial.serial_for_url(url)


# -- clone quirks --------------------------------------------------------------------------------------


def test_echo_stuck() -> None:
    elm = chip(quirks=("echo-stuck",), echo=True)
    script(elm, ("ATE0", "ATE0\rOK\r\r>"), ("ATE0", "ATE0\rOK\r\r>"), ("ATI", "ATI\rELM327 v1.5\r\r>"))
    elm = chip(quirks=("echo-stuck",), echo=False)  # a chip that starts with echo off can still turn it on
    script(elm, ("ATE1", "OK\r\r>"), ("ATE0", "ATE0\rOK\r\r>"), ("ATI", "ATI\rELM327 v1.5\r\r>"))


def test_crlf() -> None:
    elm = chip(quirks=("crlf",), echo=True)
    script(
        elm,
        ("ATZ", "ATZ\r\n\r\n\r\nELM327 v1.5\r\n\r\n>"),
        ("ATL0", "ATL0\r\nOK\r\n\r\n>"),
        ("ATE0", "ATE0\r\nOK\r\n\r\n>"),
        ("0100", "SEARCHING...\r\n41 00 BE 3F A8 12\r\n41 00 80 18 00 00\r\n\r\n>"),
        ("ATL1", "OK\r\n\r\n>"),
        ("ATI", "ELM327 v1.5\r\n\r\n>"),
    )


def test_no_s0() -> None:
    elm = chip(quirks=("no-s0",))
    script(elm, ("ATS0", "?\r\r>"), ("ATS1", "?\r\r>"), ("ATH1", "OK\r\r>"))
    script(elm, ("0100", f"SEARCHING...\r{PIDS_FRAMES}\r>"))  # spaces stay on


def test_no_cra_quirk_name() -> None:
    elm = chip(quirks=("no-cra",))
    assert not elm.cra
    script(elm, ("ATCRA7E9", "?\r\r>"), ("ATCRA", "?\r\r>"), ("ATCF7E9", "OK\r\r>"), ("ATCM7FF", "OK\r\r>"))
    script(elm, ("0100", "SEARCHING...\r41 00 80 18 00 00\r\r>"))
    assert SimulatedELM327(profile("nissan-xtrail-t32"), quirks=["no-cra"], cra=True).cra  # cra=1 wins
    port = serial.serial_for_url("sim://nissan-xtrail-t32?quirk=no-cra&echo=0")
    try:
        port.write(b"ATCRA7E8\r")
        assert port.read(100) == b"?\r\r>"
    finally:
        port.close()


def test_no_count() -> None:
    elm = chip(quirks=("no-count",))
    script(elm, ("01001", "?\r\r>"), ("0100", f"SEARCHING...\r{PIDS_LINES}\r>"), ("09021", "?\r\r>"))
    script(chip(), ("01001", "SEARCHING...\r41 00 BE 3F A8 12\r\r>"))  # the v1.3+ behaviour


def test_fake_v21() -> None:
    elm = chip(quirks=("fake-v21",), echo=True)
    assert elm.version == "ELM327 v2.1"
    assert elm.quirks == {"fake-v21", "no-cra", "no-count", "no-s0", "no-at1"}
    script(elm, ("ATZ", "ATZ\r\r\rELM327 v2.1\r\r>"), ("ATE0", "ATE0\rOK\r\r>"), ("ATI", "ELM327 v2.1\r\r>"))
    for line in (
        "ATFCSH7E0", "ATFCSD300000", "ATFCSM1", "ATFCSM0",  # v1.1
        "ATAR", "ATAT0", "ATAT1", "ATAT2", "ATIIA10", "ATKW0", "ATKW1",  # v1.2
        "ATCRA7E8", "ATCRA", "ATS0", "ATS1", "01001",  # v1.3
    ):  # fmt: skip
        assert ask(elm, line) == b"?\r\r>", line
    for line in ("ATH1", "ATCAF1", "ATCFC1", "ATCF7E8", "ATCM7FF", "ATSH7E0", "ATST19", "ATAL", "ATTPA6"):
        assert ask(elm, line) == b"OK\r\r>", line
    script(elm, ("AT@1", "OBDII to RS232 Interpreter\r\r>"), ("ATDPN", "A6\r\r>"))
    script(elm, ("0100", f"SEARCHING...\r{ECM_PIDS}\r>"))  # AT H1, and AT CF / AT CM keep 7E8 only
    named = SimulatedELM327(profile("nissan-xtrail-t32"), quirks=["fake-v21"], version="ELM327 v1.4")
    assert named.version == "ELM327 v1.4"  # an explicit banner wins


def test_no_at1() -> None:
    elm = chip(quirks=("no-at1",))
    script(elm, ("ATAT0", "?\r\r>"), ("ATAT1", "?\r\r>"), ("ATAT2", "?\r\r>"), ("ATST19", "OK\r\r>"))


@pytest.mark.foreign_writer("this test, writing raw lines to the sim port with no reset first")
def test_slow_prompt_through_the_port() -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32?echo=0&quirk=slow-prompt")
    try:
        port.write(b"ATI\r")
        assert port.in_waiting == len(b"ELM327 v1.5\r\r")
        assert port.read(100) == b"ELM327 v1.5\r\r"
        assert port.in_waiting == 1
        assert port.read(100) == b">"
        assert port.read(100) == b""
        port.write(b"ATH1\r")
        assert port.read(2) == b"OK"  # the prompt waits until everything before it was read
        assert port.read(1) == b"\r"
        assert port.read(100) == b"\r"
        assert port.read(100) == b">"
        port.write(b"0100\r")
        port.reset_input_buffer()
        assert port.in_waiting == 0 and port.read(10) == b""
        port.write(b"ATE1\rATI\r")  # two lines in one write: only the last prompt is held back
        assert port.read(100) == b"OK\r\r>ATI\rELM327 v1.5\r\r"
        assert port.read(100) == b">"
    finally:
        port.close()
    assert ask(chip(quirks=("slow-prompt",)), "ATI") == b"ELM327 v1.5\r\r>"  # feed() is not affected


def test_lowercase() -> None:
    elm = chip(quirks=("lowercase",), echo=True)
    script(
        elm,
        ("ATZ", "ATZ\r\r\relm327 v1.5\r\r>"),
        ("ATH1", "ATH1\rok\r\r>"),
        ("0100", "0100\rsearching...\r7e8 06 41 00 be 3f a8 12 55\r7e9 06 41 00 80 18 00 00 55\r\r>"),
        ("atdp", "atdp\rauto, iso 15765-4 (can 11/500)\r\r>"),
    )


def test_nul_padding() -> None:
    elm = chip(quirks=("nul-padding",), echo=True)
    script(
        elm,
        ("ATE0", "ATE0\r\x00OK\r\x00\r\x00>"),
        ("0100", "SEARCHING...\r\x0041 00 BE 3F A8 12\r\x0041 00 80 18 00 00\r\x00\r\x00>"),
    )
    both = chip(quirks=("nul-padding", "crlf"))
    script(both, ("ATI", "ELM327 v1.5\r\n\x00\r\n\x00>"))


def test_quirks_from_profile_and_unknown_names(tmp_path: Path) -> None:
    text = (FIXTURES / "profiles" / "test-us-vin-1-0.toml").read_text("utf-8")
    text = text.replace("[vehicle]", '[vehicle]\nadapter_quirks = ["lowercase", "no-count"]', 1)
    path = tmp_path / "clone.toml"
    path.write_text(text, encoding="utf-8")
    elm = SimulatedELM327(load_profile(path), echo=False, quirks=["crlf"])
    assert elm.quirks == {"lowercase", "no-count", "crlf"}
    assert ask(elm, "01001") == b"?\r\n\r\n>"
    with pytest.raises(ValueError, match="haunted"):
        SimulatedELM327(profile("nissan-xtrail-t32"), quirks=["haunted"])


# -- documentation ------------------------------------------------------------------------------------


def test_every_fault_kind_is_documented() -> None:
    readme = (FIXTURES / "README.md").read_text("utf-8")
    section = readme[readme.index("## Fault injection") :]
    for kind in FAULT_KINDS:
        assert f"| `{kind}` |" in section, kind


def test_every_quirk_is_documented() -> None:
    table = (FIXTURES / "quirks.md").read_text("utf-8")
    for name in QUIRKS:
        assert f"| `{name}` |" in table, name
