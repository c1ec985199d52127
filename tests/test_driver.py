"""The ELM327 driver against scripted literal adapter answers: set-up, quirks, errors, requests."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident import guard
from obdident.elm327.driver import ELM327, MAX_ANSWER_BYTES
from obdident.errors import (
    AdapterError,
    AdapterNotELM327Error,
    AdapterReplyError,
    AdapterTimeoutError,
    AnswerTooLongError,
    GuardRefusal,
    LinkLostError,
    ObdidentError,
    ScanTimeoutError,
    UnableToConnectError,
)
from tests.fakes import ScriptedPort

OK = b"OK\r\r>"


def virtual_clock(step: float = 0.01):
    ticks = itertools.count()
    return lambda: next(ticks) * step


def init_script(**overrides: bytes) -> dict[str, bytes]:
    script = {
        "ATD": OK, "ATE0": b"ATE0\rOK\r\r>", "ATL0": OK, "ATS0": OK, "ATH1": OK, "ATAT1": OK, "ATCAF1": OK,
        "ATI": b"ELM327 v1.5\r\r>", "ATRV": b"12.6V\r\r>", "ATST19": OK, "ATST0E": OK,
        **{f"ATTP{n}": OK for n in "123456789"},
        **{f"ATSH{h}": OK for h in ("7DF", "18DB33F1", "686AF1", "616AF1", "C133F1")},
        "0100": b"SEARCHING...\r7E8 06 41 00 98 1B 80 13 55\r7E9 06 41 00 80 00 00 01 55\r\r>",
    }
    script.update(overrides)
    return script


def test_initialize_sets_the_state_and_reads_identity() -> None:
    port = ScriptedPort(init_script())
    driver = ELM327(port, clock=virtual_clock())
    info = driver.initialize()
    # no AT @1: a fixed text (issue 13); AT CAF1 always (a reset restores the CAF PP 24 stores), after AT I
    assert port.sent == ["ATD", "ATE0", "ATS0", "ATH1", "ATI", "ATRV", "ATCAF1"]
    assert info.version == "ELM327 v1.5"
    assert info.description is None
    assert info.voltage_v == 12.6
    assert info.unsupported == ()


def test_clone_quirks_echo_left_on_question_marks_and_one_byte_reads() -> None:
    script = init_script(
        ATD=b"ATD\rOK\r\r>", ATL0=b"ATL0\r?\r\r>", ATS0=b"ATS0\r?\r\r>", ATI=b"ATI\relm327 v2.1\r\r>",
        **{"ATRV": b"ATRV\r\x00 12.1v\r\n\r\n>"},
    )
    port = ScriptedPort(script, chunk=1)
    info = ELM327(port, clock=virtual_clock()).initialize()
    assert info.version == "elm327 v2.1"
    assert info.description is None
    assert info.voltage_v == 12.1
    assert info.unsupported == ("ATS0",)


def test_silent_adapter_gets_nothing_more_and_the_message_says_what_to_do() -> None:
    # no prompt ever: AT Z would reach a chip that may still be busy (tests/test_wire_after_trouble.py
    # shows AT Z sent once a late prompt came)
    port = ScriptedPort({"ATD": b"", "ATZ": b""})
    with pytest.raises(AdapterTimeoutError) as info:
        ELM327(port, clock=virtual_clock()).initialize()
    assert port.sent == ["ATD"]
    assert "plugged into the car" in (info.value.hint or "")


def test_a_device_that_is_not_an_elm327_is_named() -> None:
    port = ScriptedPort({"ATD": b"ERROR: unknown command\r>"})
    with pytest.raises(AdapterNotELM327Error):
        ELM327(port, clock=virtual_clock()).initialize()


def test_headers_are_required() -> None:
    port = ScriptedPort(init_script(ATH1=b"?\r\r>"))
    with pytest.raises(AdapterReplyError, match="ATH1"):
        ELM327(port, clock=virtual_clock()).initialize()


def test_an_unexpected_banner_means_the_adapter_reset() -> None:
    port = ScriptedPort(init_script(ATH1=b"\r\rELM327 v1.5\r\r>"))
    with pytest.raises(AdapterError, match="reset itself"):
        ELM327(port, clock=virtual_clock()).initialize()


def test_connect_vehicle_reads_the_protocol_and_sets_the_receive_timeout() -> None:
    port = ScriptedPort(init_script())
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    first = driver.connect_vehicle()
    # ST set once, just over P2(CAN), for the whole scan; 0100 asked on protocol 6 pinned (AT TP 6): its
    # answer shows the protocol, no search, no AT DPN, no second AT TP
    assert port.sent[-3:] == ["ATST0E", "ATTP6", "0100"]
    assert driver.protocol is not None and driver.protocol.number == "6"
    assert [(m.response_id, m.payload.hex()) for m in first.messages] == [
        ("7E8", "4100981b8013"), ("7E9", "410080000001"),
    ]


def vehicle_on(protocol: str, answer: bytes) -> dict[str, Callable[[str], bytes]]:
    """A vehicle on ``protocol``: 0100 answered there (the protocol AT TP pinned last), elsewhere NO DATA
    (CAN at its bit rate, or J1850), CAN ERROR (CAN at another rate) or BUS INIT: ...ERROR (K-line), as an
    ELM327 answers on a fixed protocol."""
    pinned = {"tp": ""}

    def pin(line: str) -> bytes:
        pinned["tp"] = line[4:]
        return OK

    def ask(_line: str) -> bytes:
        tp = pinned["tp"]
        if tp == protocol:
            return answer
        if tp in "6789":  # the bus at the vehicle's bit rate acknowledges frames of either id width
            same_rate = {tp, protocol} in ({"6", "7"}, {"8", "9"})
            return b"NO DATA\r\r>" if same_rate else b"CAN ERROR\r\r>"
        return b"BUS INIT: ...ERROR\r\r>" if tp in "345" else b"NO DATA\r\r>"

    return {**{f"ATTP{n}": pin for n in "123456789"}, "0100": ask}


def test_connect_vehicle_searches_when_protocol_6_gets_no_answer() -> None:
    answer = b"7E8 06 41 00 98 1B 80 13 55\r\r>"
    port = ScriptedPort(init_script(**vehicle_on("8", answer)))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    first = driver.connect_vehicle()
    # each protocol pinned in turn (never the adapter's own search, which PP 07 may extend to A-C); past 6
    # the wait is over J1850's P2 (AT ST 19); the CAN protocol found gets the CAN timeout back
    assert port.sent[-7:] == ["ATST0E", "ATTP6", "0100", "ATST19", "ATTP8", "0100", "ATST0E"]
    assert "ATTPA6" not in port.sent and "ATDPN" not in port.sent
    assert driver.protocol is not None and driver.protocol.number == "8"
    assert [m.response_id for m in first.messages] == ["7E8"]


def test_unable_to_connect_is_its_own_error() -> None:
    port = ScriptedPort(init_script(**{"0100": b"SEARCHING...\rUNABLE TO CONNECT\r\r>"}))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    with pytest.raises(UnableToConnectError):
        driver.connect_vehicle()


def test_k_line_search_with_bus_init() -> None:
    port = ScriptedPort(init_script(**{
        **vehicle_on("3", b"BUS INIT: ...OK\r48 6B 10 41 00 BE 1F A8 13 5D\r\r>"),
    }))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    first = driver.connect_vehicle()
    assert driver.protocol is not None and not driver.protocol.can
    assert port.sent.count("ATST19") == 1  # set before the search, not changed for K-line
    # K-line: the functional header set explicitly (the default carries the tester address PP 06 stores)
    assert port.sent[-3:] == ["ATTP3", "ATSH686AF1", "0100"]
    assert first.messages[0].response_id == "10"
    assert first.messages[0].payload == bytes.fromhex("4100BE1FA813")


def test_request_appends_the_response_count_and_returns_messages() -> None:
    vin = "7E8 10 14 49 02 01 31 4E 34\r7E8 21 41 5A 30 43 50 34 44\r7E8 22 43 34 31 32 33 34 30\r\r>"
    port = ScriptedPort(init_script(**{"09023": vin.encode(), "0904": b"NO DATA\r\r>"}))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    driver.connect_vehicle()
    response = driver.request(b"\x09\x02", expected_frames=3)
    assert response.exchange.request == "09023"
    assert response.messages[0].payload[3:] == b"1N4AZ0CP4DC412340"
    assert driver.request(b"\x09\x04").messages == ()


def test_request_reports_status_lines_with_the_raw_answer() -> None:
    port = ScriptedPort(init_script(**{"0902": b"7E8 10 14 49 02 01 31 4E 34\rBUFFER FULL\r\r>"}))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    driver.connect_vehicle()
    with pytest.raises(AdapterReplyError) as info:
        driver.request(b"\x09\x02")
    assert info.value.status == "BUFFER FULL"
    assert info.value.response[0].startswith("7E8 10 14")


def test_request_before_connect_is_an_error() -> None:
    with pytest.raises(AdapterError, match="connect_vehicle"):
        ELM327(ScriptedPort({}), clock=virtual_clock()).request(b"\x09\x02")


def test_stall_without_prompt_times_out_with_what_was_read() -> None:
    port = ScriptedPort(init_script(**{"0902": b"7E8 10 14 49 02 01 31 4E 34\r"}))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    driver.connect_vehicle()
    with pytest.raises(AdapterTimeoutError) as info:
        driver.request(b"\x09\x02", timeout_s=0.5)
    assert info.value.response == ("7E8 10 14 49 02 01 31 4E 34",)


def test_link_lost_while_reading() -> None:
    class Dropping(ScriptedPort):
        def read(self, size: int = 1) -> bytes:
            raise OSError(5, "Input/output error")

    port = Dropping(init_script())
    with pytest.raises(LinkLostError, match="ATD"):
        ELM327(port, clock=virtual_clock()).initialize()


def test_the_guard_refuses_before_a_byte_is_written() -> None:
    port = ScriptedPort({})
    driver = ELM327(port, clock=virtual_clock())
    for line in ("04", "2783", "ATPP0CSV", "", "ATSP6"):
        with pytest.raises(GuardRefusal):
            driver.command(line)
    assert port.sent == []
    assert driver.guard.refused == ["04", "2783", "ATPP0CSV", "", "ATSP6"]


def connected(script: dict[str, bytes]) -> tuple[ScriptedPort, ELM327]:
    port = ScriptedPort(init_script(**script))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    driver.connect_vehicle()
    return port, driver


def test_address_sets_header_filter_and_flow_control_once() -> None:
    """One receive filter for every 11-bit unit (AT CF 700 + AT CM 700), not an AT CRA per unit."""
    port, driver = connected(
        {"ATSH745": OK, "ATCF700": OK, "ATCM700": OK, "ATFCSM1": OK, "ATFCSD300000": OK, "ATFCSH745": OK,
         "ATSH74D": OK, "ATFCSH74D": OK}
    )
    start = len(port.sent)
    driver.address("745", "765")
    driver.address("745", "765")  # unchanged: nothing sent
    driver.address("74D", "76D")
    assert port.sent[start:] == [
        "ATSH745", "ATCF700", "ATCM700", "ATFCSH745", "ATFCSD300000", "ATFCSM1", "ATSH74D", "ATFCSH74D",
    ]


def test_adapter_refusing_the_wide_filter_gets_a_receive_address_per_unit() -> None:
    port, driver = connected(
        {"ATSH745": OK, "ATCF700": b"?\r\r>", "ATCRA765": OK, "ATFCSM1": OK, "ATFCSD300000": OK,
         "ATFCSH745": OK, "ATSH74D": OK, "ATCRA76D": OK, "ATFCSH74D": OK}
    )
    start = len(port.sent)
    driver.address("745", "765")
    driver.address("74D", "76D")
    assert port.sent[start:] == [
        "ATSH745", "ATCF700", "ATCRA765", "ATFCSH745", "ATFCSD300000", "ATFCSM1", "ATSH74D", "ATCRA76D",
        "ATFCSH74D",
    ]


def test_an_obd_pair_uses_automatic_flow_control_until_flow_control_is_set_by_hand() -> None:
    """7E0/7E8 needs no AT FC SH while flow control is automatic (AT FC SM 0, the AT D default)."""
    port, driver = connected(
        {"ATSH7E0": OK, "ATCF700": OK, "ATCM700": OK, "ATSH745": OK, "ATFCSH745": OK, "ATFCSD300000": OK,
         "ATFCSM1": OK, "ATSH7E1": OK, "ATFCSH7E1": OK}
    )
    start = len(port.sent)
    driver.address("7E0", "7E8")
    driver.address("745", "765")
    driver.address("7E1", "7E9")  # flow control is now by hand: it must name 7E1
    assert port.sent[start:] == [
        "ATSH7E0", "ATCF700", "ATCM700", "ATSH745", "ATFCSH745", "ATFCSD300000", "ATFCSM1", "ATSH7E1",
        "ATFCSH7E1",
    ]


def test_clone_without_cra_gets_a_can_filter_and_mask() -> None:
    port, driver = connected(
        {"ATSH745": OK, "ATCF700": b"?\r\r>", "ATCRA765": b"?\r\r>", "ATCF765": OK, "ATCM7FF": OK,
         "ATFCSM1": OK, "ATFCSD300000": OK, "ATFCSH745": OK, "ATSH762": OK, "ATCF762": OK, "ATFCSH762": OK}
    )
    driver.address("745", "765")
    driver.address("762", "762")
    assert "ATCRA762" not in port.sent  # the quirk is remembered
    assert port.sent[-3:] == ["ATSH762", "ATCF762", "ATFCSH762"]


def test_bcm_pin_bytes_never_reach_the_transcript_or_errors() -> None:
    lines = (
        "765 10 1A 61 83 42 52 30 32\r765 21 41 45 44 03 17 00 05\r765 22 A5 5A 01 11 00 00 00\r"
        "765 23 00 00 00 00 00 80 00\r\r>"
    )
    _port, driver = connected({"ATSH745": OK, "ATCF700": OK, "ATCM700": OK, "ATFCSM1": OK,
                              "ATFCSD300000": OK, "ATFCSH745": OK, "2183": lines.encode(),
                              "2181": lines.encode()[:95]})
    driver.address("745", "765")
    response = driver.request(b"\x21\x83")
    assert response.messages[0].masked == tuple(range(13, 20))  # the frame that carries bytes 13-14
    with pytest.raises(AdapterTimeoutError) as info:
        driver.request(b"\x21\x81", timeout_s=0.3)  # stalls mid-answer
    everything = " ".join(line for e in driver.transcript for line in e.lines) + " ".join(info.value.response)
    assert "A5 5A" not in everything and "XX XX" in everything


# --- fuzzing: whatever the adapter prints, the driver answers with a value or a documented error ------

_ADAPTER_TEXT = st.one_of(
    st.binary(max_size=120),
    st.lists(
        st.sampled_from(
            ["7E8 10 14 49 02 01 31 4E 34", "7E8 21 41 5A", "7E8 03 7F 09 78", "7E9 06 49 06 01 AA BB CC",
             "NO DATA", "BUFFER FULL", "SEARCHING...", "765 22 XX XX 01", "?", "ELM327 v1.5", "7E8XX", "",
             "CAN ERROR", "7e8 02 49 0a", "18DAF110 10 14 49 02", "<RX ERROR", "7E8 22 00 00 00"]
        ),
        max_size=8,
    ).map(lambda lines: "\r".join(lines).encode()),
)


@settings(max_examples=300)
@given(_ADAPTER_TEXT, st.booleans())
def test_any_adapter_answer_gives_messages_or_a_documented_error(answer: bytes, prompt: bool) -> None:
    port = ScriptedPort(init_script(**{"0902": answer + (b"\r\r>" if prompt else b"")}))
    driver = ELM327(port, clock=virtual_clock())
    driver.initialize()
    driver.connect_vehicle()
    try:
        response = driver.request(b"\x09\x02", timeout_s=0.2)
    except ObdidentError:
        return
    for message in response.messages:
        assert isinstance(message.payload, bytes) and message.response_id


def _frames(header: str, payload: bytes) -> list[str]:
    frames = [bytes([0x10 | (len(payload) >> 8), len(payload) & 0xFF]) + payload[:6]]
    rest, sn = payload[6:], 1
    while rest:
        frames.append(bytes([0x20 | sn]) + rest[:7].ljust(7, b"\x00"))
        rest, sn = rest[7:], (sn + 1) & 0x0F
    return [f"{header} " + frame.hex(" ").upper() for frame in frames]


def test_a_short_count_guess_is_retried_for_exactly_the_declared_frames() -> None:
    # two ECUs answer 0904; the guess (one CALID each: 3 frames each = 6) cuts the ECM's answer short
    calids = b"23710BB31A".ljust(16, b"\x00") + b"23701BB36A".ljust(16, b"\x00")
    ecm = _frames("7E8", b"\x49\x04\x02" + calids)
    tcm = _frames("7E9", b"\x49\x04\x01" + b"310F63VX0B".ljust(16, b"\x00"))
    assert (len(ecm), len(tcm)) == (6, 3)
    interleaved = [ecm[0], tcm[0], ecm[1], tcm[1], ecm[2], tcm[2], *ecm[3:]]
    port, driver = connected({
        "09046": ("\r".join(interleaved[:6]) + "\r\r>").encode(),
        "09049": ("\r".join(interleaved) + "\r\r>").encode(),
    })
    response = driver.request(b"\x09\x04", expected_frames=6)
    assert port.sent[-2:] == ["09046", "09049"]  # 6 + 3 frames, read off the first frames' lengths
    assert sorted(m.response_id for m in response.messages) == ["7E8", "7E9"]


# -- deadlines against any byte stream (issue 10, section 4) -------------------------------------------


class StreamingPort:
    """A device that answers every line with ``chunk`` again and again and never a prompt (or, with
    ``then_prompt``, a prompt once ``total`` bytes went out). Each read advances the virtual clock by the
    time the bytes take at 38400 baud (10 bits a byte), at least one 20 ms read slice when nothing comes.
    Gives up loudly after ``budget`` reads, so a driver that never stops fails instead of hanging."""

    def __init__(self, chunk: bytes, *, total: int | None = None, budget: int = 200_000) -> None:
        self.chunk = chunk
        self.total = total
        self.sent_bytes = 0
        self.reads = 0
        self.budget = budget
        self.now = 0.0
        self.written: list[bytes] = []

    def clock(self) -> float:
        return self.now

    @property
    def in_waiting(self) -> int:
        return len(self.chunk) if self.written else 0  # it answers lines: nothing before the first

    def read(self, size: int = 1) -> bytes:
        self.reads += 1
        if self.reads > self.budget:
            raise RuntimeError(f"the driver kept reading: {self.reads} reads, {self.sent_bytes} bytes")
        if not self.written:
            self.now += 0.02
            return b""
        if self.total is not None and self.sent_bytes >= self.total:
            self.now += 0.02
            return b">"
        data = self.chunk[:size]
        self.sent_bytes += len(data)
        self.now += len(data) * 10 / 38400
        return data

    def write(self, data: bytes, /) -> int:
        self.written.append(data)
        return len(data)

    def reset_input_buffer(self) -> None:
        pass


def _after_reset_on_can() -> guard.GuardContext:
    return guard.GuardContext.set_up(guard.PROTOCOL_FAMILIES["6"])


def test_a_device_that_streams_without_a_prompt_is_stopped_at_the_command_deadline() -> None:
    port = StreamingPort(b"7E8 03 7F 09 78\r")
    driver = ELM327(port, clock=port.clock)
    driver.guard.context = _after_reset_on_can()  # as if AT D, AT CAF1 and AT TP 6 were answered OK
    with pytest.raises(AdapterTimeoutError) as caught:
        driver.command("0902", timeout_s=2.0)
    overrun_s = port.now - 2.0
    assert 0 <= overrun_s <= 16 * 10 / 38400  # at most one read past the deadline
    assert caught.value.response[:2] == ("7E8 03 7F 09 78", "7E8 03 7F 09 78")  # what came is kept
    assert driver.transcript[-1].outcome == "timeout"


def test_a_stream_is_stopped_at_the_overall_deadline_and_says_so() -> None:
    port = StreamingPort(b"SEARCHING...\r")
    driver = ELM327(port, clock=port.clock)
    driver.guard.context = _after_reset_on_can()  # as if AT D, AT CAF1 and AT TP 6 were answered OK
    driver.deadline = 5.0
    with pytest.raises(ScanTimeoutError, match="overall time limit") as caught:
        driver.command("0100", timeout_s=20.0)
    assert "--timeout" in (caught.value.hint or "")
    assert 5.0 <= port.now <= 5.0 + 13 * 10 / 38400


def test_a_command_deadline_inside_the_overall_one_is_a_plain_timeout() -> None:
    port = StreamingPort(b"x")
    driver = ELM327(port, clock=port.clock)
    driver.deadline = 100.0
    with pytest.raises(AdapterTimeoutError) as caught:
        driver.command("ATI", timeout_s=1.0)
    assert not isinstance(caught.value, ScanTimeoutError)


def test_a_flood_is_called_garbled_once_past_the_cap() -> None:
    line = b"7E8 21 41 42 43 44 45 46 47\r"
    port = StreamingPort(line * 100, total=4 * 1024 * 1024)
    driver = ELM327(port, clock=port.clock)
    driver.guard.context = _after_reset_on_can()  # as if AT D, AT CAF1 and AT TP 6 were answered OK
    with pytest.raises(AnswerTooLongError, match="garbled"):
        driver.command("0902", timeout_s=1000.0)
    assert MAX_ANSWER_BYTES < port.sent_bytes <= MAX_ANSWER_BYTES + len(line) * 100
    assert driver.transcript[-1].outcome == "oversize"
    # kept, masked: consecutive frames in no message are masked whole (issue 22: one of them may be a
    # masked unit's frame whose id was garbled)
    assert driver.transcript[-1].lines[0] == "7E8 XX XX XX XX XX XX XX XX"
    # and the cap fits the longest legitimate answer:
    # 4095 bytes (ISO 15765-2 12-bit FF_DL) from each of 8 ECUs, 29-bit headers, spaces, CR LF
    frames = 1 + -(-(4095 - 6) // 7)
    line = "18 DA F1 10 " + " ".join(["AA"] * 8) + "\r\n"
    longest = 8 * frames * len(line)
    assert longest < MAX_ANSWER_BYTES < 2 * longest
    text = (line * (8 * frames)).encode("ascii") + b"\r\n>"
    port = ScriptedPort({"ATD": OK, "ATCAF1": OK, "ATTP6": OK, "0902": text}, chunk=65536)
    driver = ELM327(port, clock=virtual_clock())
    driver.at("ATD")
    driver.at("ATCAF1")
    driver.at("ATTP6")
    assert len(driver.command("0902", timeout_s=2.0).lines) == 8 * frames


@pytest.mark.parametrize(
    ("found", "bits", "pinned"),
    [("6", 29, "7"), ("7", 11, "6"), ("8", 29, "9"), ("9", 11, "8"), ("6", 11, None), ("8", 11, None)],
)
def test_use_header_bits_pins_the_sibling_at_the_same_bit_rate(
    found: str, bits: int, pinned: str | None
) -> None:
    """ELM327 datasheet, protocol table: 6/7 are 11/29-bit CAN at 500 kbaud, 8/9 at 250 kbaud; the protocol
    in use, already pinned, sends nothing."""
    answer = b"7E8 06 41 00 98 1B 80 13 55" if found in "68" else b"18 DA F1 10 06 41 00 98 1B 80 13 55"
    port, driver = connected(vehicle_on(found, answer + b"\r\r>"))
    start = len(port.sent)
    driver.use_header_bits(bits)
    assert port.sent[start:] == ([f"ATTP{pinned}"] if pinned else [])
    assert driver.protocol is not None and driver.protocol.number == (pinned or found)
    assert driver.protocol.header_bits == bits
    assert driver.vehicle_protocol is not None and driver.vehicle_protocol.number == found
    driver.use_header_bits(29 if bits == 11 else 11)  # and back to the other width
    assert driver.protocol.header_bits == (29 if bits == 11 else 11)


def test_use_header_bits_keeps_a_protocol_without_a_sibling() -> None:
    """K-line has no CAN id width: the protocol stays, pinned. SAE J1939 and the user CAN protocols are
    never selected (the guard refuses AT TP A/B/C: stored parameters shape their frames)."""
    port, driver = connected(vehicle_on("5", b"83 F1 10 41 00 BE 1F A8 13 5D\r\r>"))
    start = len(port.sent)
    driver.use_header_bits(11)
    assert port.sent[start:] == []
    assert driver.protocol is not None and driver.protocol.number == "5"
    with pytest.raises(GuardRefusal):
        driver.use_protocol("A")


def test_use_header_bits_needs_a_protocol_and_a_can_id_width() -> None:
    driver = ELM327(ScriptedPort(init_script()), clock=virtual_clock())
    with pytest.raises(AdapterError):
        driver.use_header_bits(29)
    _port, connected_driver = connected({})
    with pytest.raises(ValueError, match="11 or 29"):
        connected_driver.use_header_bits(16)
