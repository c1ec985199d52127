"""The ``guarded=1`` URL option (issue 22, point 7): obdident's guard inside the port, for other programs.

A program that opens obdident's URLs through pyserial (python-OBD) writes its own lines; with ``guarded=1``
each line is judged before any byte of it goes out, and a refused one raises a ``serial.SerialException``.
How far python-OBD gets under it: tests/test_peer_python_obd.py.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
import serial

import obdident
from obdident.errors import GuardRefusal, LineRefusedError, PortUrlError
from obdident.transports import open_port
from obdident.transports.guarded import GuardedPort, LineJudge, split_guarded
from obdident.transports.urls import check_port


@pytest.mark.parametrize(
    ("url", "rest", "guarded"),
    [
        ("sim://nissan-xtrail-t32?guarded=1", "sim://nissan-xtrail-t32", True),
        ("sim://nissan-xtrail-t32?guarded=0", "sim://nissan-xtrail-t32", False),
        ("sim://x?fault=stall@3+&guarded=1&quirk=crlf", "sim://x?fault=stall@3+&quirk=crlf", True),
        ("socket://192.168.0.10:35000?guarded=1", "socket://192.168.0.10:35000", True),
        ("ble://AA:BB:CC:DD:EE:FF?write=fff2&guarded=1", "ble://AA:BB:CC:DD:EE:FF?write=fff2", True),
        ("socket://192.168.0.10:35000", "socket://192.168.0.10:35000", False),
    ],
)
def test_the_option_is_taken_out_of_the_url_and_the_rest_kept_byte_for_byte(
    url: str, rest: str, guarded: bool
) -> None:
    assert split_guarded(url) == (rest, guarded)


@pytest.mark.parametrize(
    "url",
    [
        "sim://nissan-xtrail-t32?guarded=yes",
        "sim://nissan-xtrail-t32?guarded",
        "sim://nissan-xtrail-t32?guarded=1&guarded=1",
        "socket://192.168.0.10:35000?guarded=2",
        "replay://scan.txt?guarded=1",
        "/dev/ttyUSB0?guarded=1",
    ],
)
def test_a_malformed_or_misplaced_option_is_a_clear_url_error(url: str) -> None:
    with pytest.raises(PortUrlError, match="guarded"):
        check_port(url)


@pytest.mark.parametrize(
    "url",
    [
        "sim://nissan-xtrail-t32?guarded=1",
        "socket://192.168.0.10:35000?guarded=1",
        "rfc2217://192.168.0.10:2217?guarded=1",
        "ble://AA:BB:CC:DD:EE:FF?guarded=1",
        "rfcomm://AA:BB:CC:DD:EE:FF?guarded=1",
    ],
)
def test_every_url_scheme_that_reaches_an_adapter_takes_the_option(url: str) -> None:
    check_port(url)


def test_a_guarded_sim_port_refuses_what_the_guard_refuses_with_a_serial_exception() -> None:
    port = open_port("sim://nissan-xtrail-t32?guarded=1")
    try:
        assert isinstance(port, GuardedPort)
        port.write(b"ATZ\r")
        assert b"ELM327" in port.read(100)
        with pytest.raises(serial.SerialException, match="ATSP0") as caught:
            port.write(b"ATSP0\r")  # would save the protocol in the adapter's memory
        assert isinstance(caught.value, GuardRefusal)
        assert port.read(100) == b""  # nothing of it reached the adapter
        assert port.elm.received == ["ATZ"]
        port.write(b"ATI\r")
        assert b"ELM327" in port.read(100)
        assert port.judge.guard.refused == ["ATSP0"]
    finally:
        port.close()


def test_without_the_option_the_ports_are_the_schemes_own() -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32")
    try:
        assert not isinstance(port, GuardedPort)
    finally:
        port.close()


class FakeTcpAdapter:
    """A WiFi adapter on localhost: answers every line with OK and its prompt, and keeps what it got."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.received = bytearray()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            while data := conn.recv(1024):
                self.received += data
                conn.sendall(b"OK\r\r>" * data.count(b"\r"))

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def tcp_adapter() -> Iterator[FakeTcpAdapter]:
    adapter = FakeTcpAdapter()
    yield adapter
    adapter.close()


def test_a_guarded_socket_url_writes_only_admitted_lines(tcp_adapter: FakeTcpAdapter) -> None:
    port = serial.serial_for_url(f"socket://127.0.0.1:{tcp_adapter.port}?guarded=1", timeout=1.0)
    try:
        assert isinstance(port, GuardedPort)
        port.write(b"ATZ\r")
        assert port.read(5) == b"OK\r\r>"
        with pytest.raises(serial.SerialException, match="refused by the read-only guard"):
            port.write(b"AT SP 6\r")  # saves the protocol in the adapter's memory
        port.write(b"ATI\r")
        assert port.read(5) == b"OK\r\r>"
    finally:
        port.close()
    tcp_adapter.thread.join(timeout=5)
    assert bytes(tcp_adapter.received) == b"ATZ\rATI\r"


def test_a_plain_socket_url_is_pyserials_own(tcp_adapter: FakeTcpAdapter) -> None:
    from serial.urlhandler import protocol_socket

    port = serial.serial_for_url(f"socket://127.0.0.1:{tcp_adapter.port}", timeout=1.0)
    try:
        assert type(port) is protocol_socket.Serial
    finally:
        port.close()


def judged(judge: LineJudge, line: str, answer: bytes) -> bytes:
    admitted, refusal = judge.admit(line.encode("ascii") + b"\r")
    if refusal is not None:
        raise refusal
    judge.heard(answer)
    return admitted


@pytest.mark.parametrize(
    ("caf0_answer", "raw_0104_admitted"),
    [(b"OK\r\r>", False), (b"?\r\r>", True), (b"\x00\x1bgarbled\r\r>", False)],
    ids=["OK", "refused", "garbled"],
)
def test_the_answers_read_tell_the_guard_what_the_adapter_did(
    caf0_answer: bytes, raw_0104_admitted: bool
) -> None:
    # under AT CAF0 the line 0104 is the raw frame 01 04: "clear DTCs"; refused unless CAF0 did not happen
    judge = LineJudge()
    judged(judge, "ATZ", b"\r\rELM327 v1.5\r\r>")
    judged(judge, "ATCAF1", b"OK\r\r>")  # a reset restores the CAF that PP 24 stores
    judged(judge, "ATTP6", b"OK\r\r>")
    judged(judge, "ATCAF0", caf0_answer)
    admitted, refusal = judge.admit(b"0104\r")
    assert (refusal is None) is raw_0104_admitted
    assert admitted == (b"0104\r" if raw_0104_admitted else b"")


def test_an_answer_never_read_counts_as_unknown() -> None:
    judge = LineJudge()
    judged(judge, "ATZ", b"\r\rELM327 v1.5\r\r>")
    judged(judge, "ATTP6", b"OK\r\r>")
    judge.admit(b"ATCAF0\r")  # its answer is dropped unread (reset_input_buffer): it may have been "?"
    assert isinstance(judge.admit(b"0104\r")[1], LineRefusedError)
    assert isinstance(judge.admit(b"020902\r")[1], LineRefusedError)


def test_a_line_is_judged_whole_and_nothing_after_a_refusal_goes_out() -> None:
    judge = LineJudge()
    assert judge.admit(b"AT") == (b"", None)  # held until its CR
    assert judge.admit(b"Z\rATSP") == (b"ATZ\r", None)
    judge.heard(b"ELM327 v1.5\r\r>")
    admitted, refusal = judge.admit(b"0\rATI\r")  # ATSP0, then ATI in the same write
    assert admitted == b"" and isinstance(refusal, LineRefusedError)
    assert judge.admit(b"ATI\r") == (b"ATI\r", None)
    assert judge.admit(b"\r")[1] is not None  # an empty line repeats the last command


def _meaning(report: object) -> dict[str, object]:
    data = json.loads(report.to_json())  # type: ignore[attr-defined]
    for key in ("started_at", "duration_s"):
        data.pop(key)
    data["adapter"].pop("port")
    return data


def test_obdidents_own_scan_through_a_guarded_port_reads_the_same() -> None:
    # obdident's lines pass its own guard already; the port's guard admits them too
    plain = obdident.scan("sim://nissan-altima-2019-uds")
    guarded = obdident.scan("sim://nissan-altima-2019-uds?guarded=1")
    assert _meaning(guarded) == _meaning(plain)
    assert guarded.complete and guarded.vehicle.vin


def test_the_ports_guard_knows_no_make_so_nissans_session_is_refused_there() -> None:
    # 10 C0 goes only to a vehicle established as a Nissan: scan-level knowledge the port does not have,
    # so the refusal surfaces as the guard's (exit 5), never as a lost link
    with pytest.raises(GuardRefusal, match="10C0"):
        obdident.scan("sim://nissan-qashqai-j10?guarded=1")


def _set_up_judge() -> LineJudge:
    judge = LineJudge()
    for line, answer in [
        (b"ATZ\r", b"\r\rELM327 v1.5\r\r>"),
        (b"ATE0\r", b"OK\r\r>"),
        (b"ATTP6\r", b"OK\r\r>"),
        (b"ATCAF1\r", b"OK\r\r>"),
    ]:
        assert judge.admit(line)[1] is None
        judge.heard(answer)
    return judge


def test_two_lines_in_one_write_never_take_each_others_answers() -> None:
    # A plain ELM327 answers ? to STI and OK to AT CAF0: read in one go, the ? must not count as AT CAF0
    # refused (the adapter is in CAF0: 0104 would go out as the raw frame 01 04, clear DTCs).
    judge = _set_up_judge()
    judge.admit(b"STI\rATCAF0\r")
    judge.heard(b"?\r\r>OK\r\r>")
    assert False in judge.guard.context.values("auto_format")
    admitted, refusal = judge.admit(b"0104\r")
    assert admitted == b"" and refusal is not None


def test_after_the_owed_prompts_answers_are_in_step_again() -> None:
    judge = _set_up_judge()
    judge.admit(b"ATH1\rATS0\r")
    judge.heard(b"OK\r\r>")  # one prompt of two: still out of step
    judge.heard(b"OK\r\r>")
    judge.admit(b"ATCAF1\r")
    judge.heard(b"OK\r\r>")  # in step again: confirmed
    assert judge.guard.context.values("auto_format") == frozenset({True})
    assert judge.admit(b"0902\r") == (b"0902\r", None)
