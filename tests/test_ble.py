"""The ``ble://`` port over fake bleak backends: every adapter family, chunking and options, clone quirks,
truncated notifications, dropped links (library and CLI), python-OBD interop, and the BLE scan."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import serial
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason, BleakError
from bleak.uuids import normalize_uuid_str
from typer.testing import CliRunner

import obdident
import obdident.errors
import obdident.transports
from obdident import cli
from obdident.errors import ObdidentError, PortNotFoundError, TransportError
from obdident.model import Report
from obdident.scanning import scan_port
from obdident.transports import ble, open_port, protocol_ble
from tests.fake_ble import (
    ADDRESS,
    ENDPOINTS,
    FAMILY_NAMES,
    FakeScanner,
    failing_scanner,
    fake_adapter,
    use_backend,
)

URL = f"ble://{ADDRESS}"
VIN = "SJNFBAT32U1000001"
SCAN_LIMIT_S = 20.0  # every scan here is bounded; the fakes answer in milliseconds


def _open(url: str = URL, **kwargs: Any) -> Any:
    kwargs.setdefault("timeout", 0.02)  # what obdident's open_port uses
    return serial.serial_for_url(url, **kwargs)


def _identification(report: Report) -> dict[str, object]:
    return {ecu.response_id: ecu.identification for ecu in report.ecus}


@pytest.fixture(scope="module")
def sim_report() -> Report:
    link = open_port("sim://nissan-xtrail-t32")
    try:
        return scan_port(link, "sim://nissan-xtrail-t32")
    finally:
        link.close()


def _ble_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("obdident-ble-")]


# --- every family, a whole scan ---------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_each_family_opens_picks_its_characteristics_and_scans_like_sim(
    family: str, sim_report: Report
) -> None:
    with use_backend(fake_adapter(family)) as fake:
        link = _open()
        try:
            assert link.family == family
            write, notify = ENDPOINTS[family]
            assert (link.write_uuid, link.notify_uuid) == (
                normalize_uuid_str(write),
                normalize_uuid_str(notify),
            )
            report = scan_port(link, URL, timeout_s=SCAN_LIMIT_S)
        finally:
            link.close()
    adapter = fake.instances[-1]
    assert report.complete and report.problems == ()
    assert report.vehicle.vin == VIN
    assert _identification(report) == _identification(sim_report)
    assert report.adapter.port == URL
    # the answers really came as BLE notifications: at most 20 bytes, split mid-line and before the prompt
    assert max(len(n) for n in adapter.notified) <= 20
    assert b">" in adapter.notified
    assert any(b"\r" not in n and n != b">" for n in adapter.notified)
    # write without response exactly where the characteristic offers it (vLinker: with response only)
    assert {with_response for _, _, with_response in adapter.chunks} == {family == "vlinker"}
    assert adapter.subscribed == normalize_uuid_str(notify)
    assert _ble_threads() == []  # close() stopped the port's event-loop thread


@pytest.mark.parametrize("family", FAMILY_NAMES)
def test_cli_scan_over_each_family_exits_0_with_the_vin(family: str) -> None:
    with use_backend(fake_adapter(family)):
        result = CliRunner().invoke(cli.app, ["scan", "--port", URL, "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["complete"] is True and data["vehicle"]["vin"] == VIN
    assert data["adapter"]["transport"] == f"Bluetooth LE ({family} family)"


def test_public_api_scans_a_ble_adapter() -> None:
    with use_backend(fake_adapter("vgate")):
        report = obdident.scan(URL, timeout_s=SCAN_LIMIT_S)
    assert report.complete and report.vehicle.vin == VIN
    assert {e.response_id for e in report.ecus} >= {"7E8", "7E9"}
    assert _ble_threads() == []


# --- chunking and options ---------------------------------------------------------------------------------


def _exchange(link: Any, payload: bytes, prompts: int, limit_s: float = 5.0) -> bytes:
    link.write(payload)
    received = b""
    deadline = time.monotonic() + limit_s
    while received.count(b">") < prompts and time.monotonic() < deadline:
        received += link.read(link.in_waiting or 1)
    return received


def test_long_writes_are_split_into_20_byte_chunks_without_response_where_offered() -> None:
    with use_backend(fake_adapter("fff0")) as fake:
        link = _open()
        try:
            answer = _exchange(link, b"ATI\r" * 8, prompts=8)
        finally:
            link.close()
    adapter = fake.instances[-1]
    assert [(size, response) for _, size, response in adapter.chunks] == [(20, False), (12, False)]
    assert adapter.lines == ["ATI"] * 8
    assert answer.count(b"ELM327 v1.5") == 8


def test_with_response_only_characteristic_gets_writes_with_response() -> None:
    with use_backend(fake_adapter("vlinker")) as fake:
        link = _open()
        try:
            assert link.write_with_response is True
            _exchange(link, b"ATI\r" * 6, prompts=6)
        finally:
            link.close()
    assert [(size, response) for _, size, response in fake.instances[-1].chunks] == [(20, True), (4, True)]


def test_negotiated_mtu_sets_the_chunk_size() -> None:
    with use_backend(fake_adapter("fff0", mtu=185)) as fake:
        link = _open()
        try:
            assert link.chunk_size == 182
            _exchange(link, b"ATI\r" * 8, prompts=8)
        finally:
            link.close()
    assert [size for _, size, _ in fake.instances[-1].chunks] == [32]


def test_mtu_and_response_options_are_honoured() -> None:
    with use_backend(fake_adapter("fff0", mtu=185)) as fake:
        link = _open(f"{URL}?mtu=30&response=1")
        try:
            assert (link.chunk_size, link.write_with_response) == (27, True)
            _exchange(link, b"ATI\r" * 8, prompts=8)
        finally:
            link.close()
    assert [(size, response) for _, size, response in fake.instances[-1].chunks] == [(27, True), (5, True)]


def test_write_and_notify_options_choose_other_characteristics() -> None:
    nus_write, nus_notify = (normalize_uuid_str(u) for u in ENDPOINTS["nordic-uart"])
    with use_backend(fake_adapter("fff0+nordic")) as fake:
        link = _open()
        try:
            assert link.family == "fff0"
        finally:
            link.close()
        link = _open(f"{URL}?write={nus_write.upper()}&notify={nus_notify}")
        try:
            assert (link.family, link.write_uuid, link.notify_uuid) == ("nordic-uart", nus_write, nus_notify)
            answer = _exchange(link, b"ATI\r", prompts=1)
        finally:
            link.close()
        link = _open(f"{URL}?write=fff2")  # one override: the other side from the same service
        try:
            assert (link.write_uuid, link.notify_uuid) == (
                normalize_uuid_str("fff2"),
                normalize_uuid_str("fff1"),
            )
        finally:
            link.close()
    adapter = fake.instances[1]
    assert b"ELM327" in answer
    assert {uuid for uuid, _, _ in adapter.chunks} == {nus_write}
    assert adapter.subscribed == nus_notify


def test_an_override_naming_a_missing_characteristic_is_a_transport_error() -> None:
    with use_backend(fake_adapter("fff0")), pytest.raises(TransportError, match="no characteristic"):
        open_port(f"{URL}?notify=6e400003-b5a3-f393-e0a9-e50e24dcca9e")
    with (
        use_backend(fake_adapter("fff0")),
        pytest.raises(TransportError, match="does not offer notifications"),
    ):
        open_port(f"{URL}?notify=fff2")
    assert _ble_threads() == []


@pytest.mark.parametrize(
    ("url", "part"),
    [
        ("ble://", "names no device"),
        ("ble://AA:BB:CC:DD:EE", "'AA:BB:CC:DD:EE'"),
        ("ble://AA:BB:CC:DD:EE:GG", "'AA:BB:CC:DD:EE:GG'"),
        (f"{URL}/path", "only an address"),
        (f"{URL}?speed=1", "unknown option 'speed'"),
        (f"{URL}?mtu=10", "option 'mtu'"),
        (f"{URL}?mtu=big", "option 'mtu'"),
        (f"{URL}?mtu=600", "option 'mtu'"),
        (f"{URL}?response=yes", "option 'response'"),
        (f"{URL}?timeout=0", "option 'timeout'"),
        (f"{URL}?timeout=nan", "option 'timeout'"),
        (f"{URL}?write=xyz", "option 'write'"),
        (f"{URL}?notify=12345", "option 'notify'"),
        (f"{URL}?mtu=30&mtu=40", "given twice"),
        (f"{URL}?mtu", "malformed options"),
    ],
)
def test_bad_urls_raise_value_error_naming_the_bad_part(url: str, part: str) -> None:
    with use_backend(fake_adapter("fff0")) as fake, pytest.raises(ValueError, match=part.replace("?", r"\?")):
        serial.serial_for_url(url)
    assert fake.connect_attempts == 0


def test_url_parsing_normalises_addresses_and_uuids() -> None:
    parsed = protocol_ble.parse_ble_url("ble://aa-bb-cc-dd-ee-ff?write=0xFFF2&notify=FFF1&timeout=2.5")
    assert parsed.address == ADDRESS
    assert parsed.write == normalize_uuid_str("fff2") and parsed.notify == normalize_uuid_str("fff1")
    assert parsed.timeout_s == 2.5 and parsed.mtu is None and parsed.response is False
    mac_os = protocol_ble.parse_ble_url("ble://5c3d2f1a-0b4e-4f6a-9c1d-2e3f4a5b6c7d/")
    assert mac_os.address == "5C3D2F1A-0B4E-4F6A-9C1D-2E3F4A5B6C7D"


def test_every_family_row_names_a_source_and_a_fake_device_scans_through_it() -> None:
    # no retyped list of names: every row must be exercised by a fake device of its layout (the scan tests
    # above run one per fake), whose characteristics are the ones the row picks
    assert ble.FAMILIES
    for family in ble.FAMILIES:
        assert family.source and family.adapters, family.name
        assert family.name in FAMILY_NAMES, f"no fake {family.name} device: that family's scan is untested"
        write, notify = ENDPOINTS[family.name]
        assert (family.write, family.notify) == (normalize_uuid_str(write), normalize_uuid_str(notify))


def test_a_device_without_a_usable_pair_is_refused_with_what_it_offers() -> None:
    from tests.fake_ble import LAYOUTS

    LAYOUTS["sensor"] = [("181a", [("2a6e", ["read", "notify"])])]
    try:
        with use_backend(fake_adapter("sensor")), pytest.raises(TransportError, match="2a6e"):
            open_port(URL)
    finally:
        del LAYOUTS["sensor"]
    assert _ble_threads() == []


# --- connecting -------------------------------------------------------------------------------------------


def test_an_absent_adapter_is_port_not_found_with_a_hint_after_three_attempts() -> None:
    with use_backend(fake_adapter("fff0", findable=False)) as fake, pytest.raises(PortNotFoundError) as info:
        open_port(URL)
    assert fake.connect_attempts == protocol_ble.CONNECT_ATTEMPTS == 3
    assert ADDRESS in str(info.value)
    hint = info.value.hint or ""
    assert "switch the adapter on" in hint and "closer" in hint and "phone" in hint
    assert _ble_threads() == []


def test_transient_connect_failures_are_retried() -> None:
    with use_backend(fake_adapter("ffe0", connect_failures=2)) as fake:
        link = open_port(URL)
        link.close()
    assert fake.connect_attempts == 3


def test_a_connection_that_never_completes_times_out_per_attempt() -> None:
    started = time.monotonic()
    with use_backend(fake_adapter("fff0", hang_connect=True)), pytest.raises(PortNotFoundError):
        open_port(f"{URL}?timeout=0.1")
    assert time.monotonic() - started < 2.0
    assert _ble_threads() == []


def test_bluetooth_switched_off_is_a_transport_error_without_retries() -> None:
    class Off(fake_adapter("fff0")):  # type: ignore[misc,valid-type]
        async def connect(self, pair: bool, **kwargs: Any) -> None:
            type(self).connect_attempts += 1
            raise BleakBluetoothNotAvailableError("radio off", BleakBluetoothNotAvailableReason.POWERED_OFF)

    with use_backend(Off), pytest.raises(TransportError, match="switched off") as info:
        open_port(URL)
    assert Off.connect_attempts == 1 and info.value.hint


# --- blocking semantics -----------------------------------------------------------------------------------


def test_read_waits_for_notifications_and_timeout_zero_does_not_wait() -> None:
    with use_backend(fake_adapter("fff0")):
        link = _open(timeout=None)
        try:
            link.timeout = 0
            assert link.read(10) == b"" and link.in_waiting == 0
            link.timeout = None
            link.write(b"ATI\r")
            first = link.read(100)  # blocks until the first notification, returns what is there
            assert first and len(first) <= 20
        finally:
            link.close()
    with pytest.raises(serial.PortNotOpenError):
        link.read(1)


def test_a_stalled_write_raises_write_timeout() -> None:
    class Stalls(fake_adapter("fff0")):  # type: ignore[misc,valid-type]
        async def write_gatt_char(self, characteristic: Any, data: Any, response: bool) -> None:
            await asyncio.Event().wait()

    with use_backend(Stalls):
        link = _open(write_timeout=0.1)
        try:
            with pytest.raises(serial.SerialTimeoutException):
                link.write(b"ATI\r")
        finally:
            link.close()
    assert _ble_threads() == []


# --- clone quirks and truncated notifications -------------------------------------------------------------


def test_clone_answering_question_marks_still_scans_completely(sim_report: Report) -> None:
    quirks = fake_adapter("fff0", question=frozenset({"ATS0", "ATRV"}), cra=False)
    with use_backend(quirks):
        link = _open()
        try:
            report = scan_port(link, URL, timeout_s=SCAN_LIMIT_S)
        finally:
            link.close()
    assert report.complete and report.vehicle.vin == VIN
    assert set(report.adapter.unsupported_commands) >= {"ATS0", "ATRV"}
    assert _identification(report) == _identification(sim_report)


@pytest.mark.parametrize(
    "knobs",
    [
        {"truncate": frozenset({"09023"})},  # the VIN answer loses bytes mid-line
        {"truncate": frozenset({"2183"})},  # a Nissan unit's answer loses bytes
        {"truncate": frozenset({"0100"})},  # the first vehicle answer loses bytes
        {"truncate": frozenset({"ATI"})},  # the version string loses bytes
        {"truncate": frozenset({"0904"}), "truncate_prompt": True},  # the prompt never comes
    ],
    ids=["vin", "nissan-2183", "0100", "ati", "0904-prompt"],
)
def test_truncated_notifications_end_the_scan_cleanly(knobs: dict[str, Any]) -> None:
    started = time.monotonic()
    with use_backend(fake_adapter("fff0", **knobs)):
        link = _open()
        try:
            report = scan_port(link, URL, timeout_s=SCAN_LIMIT_S)
        except ObdidentError as err:  # only obdident's own, documented errors
            assert type(err).__module__ == "obdident.errors", repr(err)
            report = None
        finally:
            link.close()
    assert time.monotonic() - started < 5.0
    if report is not None:
        clear = {"garbled-answer", "adapter-error", "adapter-stopped-answering", "adapter-drops-frames",
                 "decode-error", "scan-timeout", "no-vehicle-response"}  # fmt: skip
        assert report.complete or any(p.code in clear and p.message for p in report.problems)


# --- a dropped link ---------------------------------------------------------------------------------------


def test_link_dropped_after_the_vin_keeps_what_was_read() -> None:
    # 7 set-up lines (AT CAF1 last), AT ST 0E, AT TP 6, 0100, 09002, 09023 ...: the adapter goes after the VIN
    with use_backend(fake_adapter("nordic-uart", drop_after_lines=14)) as fake:
        link = _open()
        try:
            report = scan_port(link, URL, timeout_s=SCAN_LIMIT_S)
            with pytest.raises(serial.SerialException, match=f"BLE link to {ADDRESS} lost"):
                link.write(b"ATI\r")
        finally:
            link.close()
    assert fake.instances[-1].disconnects == 1
    assert report.complete is False
    assert report.problems[-1].code == "link-lost"
    assert report.vehicle.vin == VIN
    assert "7E8" in {e.response_id for e in report.ecus}


def test_a_drop_mid_answer_wakes_a_blocked_read_after_the_buffered_bytes() -> None:
    outcome: dict[str, Any] = {}
    with use_backend(fake_adapter("fff0", drop_mid_answer_of="ATI", awkward=False)):
        link = _open(timeout=None)  # a read that would otherwise wait forever

        def reader() -> None:
            received = b""
            try:
                while True:
                    received += link.read(1)
            except serial.SerialException as err:
                outcome["error"], outcome["received"] = err, received

        link.write(b"ATI\r")
        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        thread.join(5.0)
        try:
            assert not thread.is_alive(), "a read blocked past the drop"
            assert f"BLE link to {ADDRESS} lost" in str(outcome["error"])
            assert outcome["received"].startswith(b"ATI\r")  # what arrived before the drop was read first
            started = time.monotonic()
            with pytest.raises(serial.SerialException):
                link.write(b"ATI\r")
            with pytest.raises(serial.SerialException):
                link.read(1)
            assert time.monotonic() - started < 0.5
        finally:
            link.close()


def test_a_bleak_error_on_write_is_a_lost_link() -> None:
    with use_backend(fake_adapter("fff0")) as fake:
        link = _open()
        try:
            fake.instances[-1].connected = False  # gone without a disconnected callback
            with pytest.raises(serial.SerialException, match="lost: a write failed"):
                link.write(b"ATI\r")
            with pytest.raises(serial.SerialException, match="lost"):
                link.read(1)
        finally:
            link.close()


def test_cli_link_lost_mid_scan_exits_4_with_the_partial_json(tmp_path: Path) -> None:
    out = tmp_path / "partial.json"
    started = time.monotonic()
    with use_backend(fake_adapter("fff0", drop_mid_answer_of="09046")):
        result = CliRunner().invoke(cli.app, ["scan", "--port", URL, "--json", str(out)])
    assert time.monotonic() - started < 5.0
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    data = json.loads(out.read_text())
    assert data["complete"] is False
    assert data["vehicle"]["vin"] == VIN
    assert data["problems"][-1]["code"] == "link-lost"
    assert "Traceback" not in result.output
    assert _ble_threads() == []


# --- python-OBD over ble:// -------------------------------------------------------------------------------


@pytest.mark.foreign_writer("python-OBD")
def test_python_obd_reads_the_vin_over_a_ble_adapter() -> None:
    obd = pytest.importorskip("obd", reason="python-OBD is a test dependency: pip install -e '.[test]'")
    with use_backend(fake_adapter("fff0")):
        connection = obd.OBD(URL, baudrate=38400, fast=False)
        try:
            assert connection.status() == obd.OBDStatus.CAR_CONNECTED
            response = connection.query(obd.commands.VIN)
        finally:
            connection.close()
    payloads = [bytes(m.data) for m in response.messages]
    assert any(VIN.encode() in p for p in payloads), payloads


# --- discovery --------------------------------------------------------------------------------------------


def test_discover_lists_obd_adapters_strongest_first_and_not_the_heart_rate_strap() -> None:
    candidates, why = ble.discover(0.01, backend=FakeScanner)
    assert why is None
    assert [c.address for c in candidates] == ["11:22:33:44:55:02", "11:22:33:44:55:01", "11:22:33:44:55:04"]
    vlinker, obdii, unnamed = candidates
    assert (vlinker.name, vlinker.rssi, vlinker.family) == ("vLinker MC-IOS", -58, "vlinker")
    assert "vLinker" in vlinker.reason
    assert (obdii.family, "OBDII" in obdii.reason) == (None, True)
    assert unnamed.name is None and unnamed.family == "vgate" and "advertises" in unnamed.reason
    assert all("Polar" not in (c.name or "") and "Buds" not in (c.name or "") for c in candidates)


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (lambda: BleakError("No Bluetooth adapters found."), "No Bluetooth adapters found"),
        (
            lambda: BleakBluetoothNotAvailableError("off", BleakBluetoothNotAvailableReason.POWERED_OFF),
            "switched off",
        ),
        (
            lambda: BleakBluetoothNotAvailableError(
                "denied", BleakBluetoothNotAvailableReason.DENIED_BY_USER
            ),
            "denied",
        ),
        (lambda: FileNotFoundError(2, "No such file or directory"), "BlueZ"),
    ],
    ids=["no-adapter", "powered-off", "denied", "no-dbus"],
)
def test_discover_says_why_the_scan_could_not_run(error: Any, reason: str) -> None:
    candidates, why = ble.discover(0.01, backend=failing_scanner(error))
    assert candidates == []
    assert why is not None and reason in why


def test_discover_works_from_inside_a_running_event_loop() -> None:
    async def main() -> tuple[list[ble.BleCandidate], str | None]:
        return ble.discover(0.01, backend=FakeScanner)

    candidates, why = asyncio.run(main())
    assert why is None and len(candidates) == 3


def test_discover_rejects_a_non_positive_timeout() -> None:
    with pytest.raises(ValueError, match="timeout_s"):
        ble.discover(0)


def test_importing_the_ble_helpers_does_not_import_bleak() -> None:
    import subprocess
    import sys

    code = (
        "import sys, obdident.transports.ble, obdident.transports.protocol_ble; print('bleak' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.fixture(autouse=True)
def _no_backend_leak() -> Iterator[None]:
    yield
    assert protocol_ble.BACKEND is None
