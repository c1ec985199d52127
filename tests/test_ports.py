"""Finding the adapter: serial port candidates, the ports command, scanning without --port, rfcomm://."""

from __future__ import annotations

import itertools
import socket
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import serial
from serial.tools import list_ports, list_ports_common
from typer.testing import CliRunner

import obdident
from obdident import cli
from obdident.journey import Seams
from obdident.sim.elm import SimulatedELM327
from obdident.sim.profile import find_profile, load_profile
from obdident.transports import ports, protocol_rfcomm

runner = CliRunner()


def port(device: str, vid: int | None = None, pid: int | None = None, description: str = "n/a") -> Any:
    info = list_ports_common.ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.description = vid, pid, description
    return info


SYSTEM = [
    port("/dev/ttyS0", description="ttyS0"),  # a built-in UART: not an adapter
    port("/dev/ttyUSB0", 0x0403, 0x6001, "FT232R USB UART"),
    port("/dev/ttyUSB1", 0x2341, 0x0043, "Arduino Uno"),
    port("/dev/ttyUSB2", 0x9999, 0x0001, "OBDII ELM327 interface"),
    port("/dev/rfcomm0", description="n/a"),
    port("/dev/cu.OBDII-SPPDev", description="n/a"),
    port("/dev/cu.Bluetooth-Incoming-Port", description="n/a"),
    port("COM5", description="Standard Serial over Bluetooth link (COM5)"),
]


def test_serial_candidates_recognise_chips_names_and_bluetooth() -> None:
    found = {c.url: c for c in ports.serial_candidates(SYSTEM)}
    assert found["/dev/ttyUSB0"].likely and "FTDI FT232R" in found["/dev/ttyUSB0"].reason
    assert found["/dev/ttyUSB2"].likely and "OBD" in found["/dev/ttyUSB2"].reason
    assert not found["/dev/ttyUSB1"].likely  # some other USB serial device: listed, not chosen
    assert (
        found["/dev/rfcomm0"].kind == found["COM5"].kind == found["/dev/cu.OBDII-SPPDev"].kind == "bluetooth"
    )
    assert "/dev/ttyS0" not in found and "/dev/cu.Bluetooth-Incoming-Port" not in found
    order = [c.likely for c in ports.serial_candidates(SYSTEM)]
    assert order == sorted(order, reverse=True)


def fake_ble(devices: list[Any], why: str | None = None) -> Any:
    return lambda _timeout: (devices, why)


def test_find_adapters_adds_ble_and_the_wifi_hint() -> None:
    vlinker = SimpleNamespace(address="AA:BB:CC:DD:EE:01", name="vLinker MC-IOS", reason="named vLinker")
    found = ports.find_adapters(ports=SYSTEM[:2], ble_discover=fake_ble([vlinker]))
    urls = [c.url for c in found.candidates]
    assert urls == ["/dev/ttyUSB0", "ble://AA:BB:CC:DD:EE:01", ports.WIFI_DEFAULT]
    assert not found.candidates[-1].likely
    none = ports.find_adapters(ports=[], ble_discover=fake_ble([], "no Bluetooth adapter"))
    assert any("no Bluetooth adapter" in n for n in none.notes)


def test_probe_tcp_on_loopback() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        number = server.getsockname()[1]
        assert ports.probe_tcp("127.0.0.1", number, 1.0)
    assert not ports.probe_tcp("127.0.0.1", number, 0.5)


@pytest.fixture
def system(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    entries: list[Any] = []
    monkeypatch.setattr(list_ports, "comports", lambda: entries)
    monkeypatch.setattr(ports, "_ble_discover", fake_ble([]))
    yield entries


def test_ports_command_lists_a_fake_usb_and_a_fake_ble_adapter(
    system: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    system.append(port("/dev/ttyUSB0", 0x1A86, 0x7523, "USB2.0-Serial"))
    ble = SimpleNamespace(address="AA:BB:CC:DD:EE:FF", name="OBDII", reason="named OBDII")
    monkeypatch.setattr(ports, "_ble_discover", fake_ble([ble]))
    result = runner.invoke(cli.app, ["ports"])
    assert result.exit_code == 0, result.output
    assert "/dev/ttyUSB0" in result.stdout and "CH340" in result.stdout
    assert "ble://AA:BB:CC:DD:EE:FF" in result.stdout
    assert "socket://192.168.0.10:35000" in result.stdout


def test_scan_without_port_uses_the_single_adapter(system: list[Any]) -> None:
    # the one "USB adapter" found is a simulated car, so the whole path runs
    system.append(port("sim://nissan-xtrail-t32", 0x0403, 0x6015, "FT231X USB UART"))
    result = runner.invoke(cli.app, ["scan", "--json", "-"])
    assert result.exit_code == 0, result.output
    assert "Using sim://nissan-xtrail-t32" in result.stderr
    assert '"vin": "SJNFBAT32U1000001"' in result.stdout


def test_scan_without_port_explains_when_there_is_none(system: list[Any]) -> None:
    result = runner.invoke(cli.app, ["scan"])
    assert result.exit_code == cli.EXIT_NO_CONTACT
    assert "No adapter found" in result.stderr and "--demo" in result.stderr


def test_scan_without_port_and_several_adapters_asks_for_one(system: list[Any]) -> None:
    system += [port("/dev/ttyUSB0", 0x0403, 0x6001, "FT232R"), port("/dev/rfcomm0")]
    result = runner.invoke(cli.app, ["scan"])  # CliRunner's stdin is not a terminal
    assert result.exit_code == cli.EXIT_USAGE
    assert "/dev/ttyUSB0" in result.stderr and "/dev/rfcomm0" in result.stderr and "--port" in result.stderr


def test_a_device_that_is_not_an_elm327_is_refused_before_scanning(system: list[Any]) -> None:
    # the "USB adapter" found echoes what it is sent (pyserial's loop://, opened here: --port refuses it)
    system.append(port("/dev/ttyUSB7", 0x0403, 0x6001, "FT232R"))

    def echo(url: str, **_kw: object) -> Any:
        return serial.serial_for_url("loop://", timeout=0)

    # the scan's deadlines run on a virtual clock that advances 0.5 s per reading: no real seconds waited
    ticks = itertools.count(1)
    fakes = Seams(opener=echo, clock=lambda: next(ticks) / 2)
    # a limit long enough for the set-up's own deadlines to end it (an expired --timeout would exit 4)
    result = runner.invoke(cli.app, ["scan", "--timeout", "60"], obj=fakes)
    assert result.exit_code == cli.EXIT_NO_CONTACT, result.output
    assert "does not answer like an ELM327" in result.stderr or "did not answer" in result.stderr


# --- rfcomm:// ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "parsed"),
    [
        ("rfcomm://aa:bb:cc:dd:ee:ff", ("AA:BB:CC:DD:EE:FF", 1)),
        ("rfcomm://AA:BB:CC:DD:EE:FF:3", ("AA:BB:CC:DD:EE:FF", 3)),
    ],
)
def test_rfcomm_urls(url: str, parsed: tuple[str, int]) -> None:
    assert protocol_rfcomm.parse_rfcomm_url(url) == parsed


@pytest.mark.parametrize(
    "url", ["rfcomm://AA:BB:CC", "rfcomm://AA:BB:CC:DD:EE:FF:0", "rfcomm://AA:BB:CC:DD:EE:FF:31"]
)
def test_bad_rfcomm_urls(url: str) -> None:
    with pytest.raises(ValueError):
        protocol_rfcomm.parse_rfcomm_url(url)


def test_scan_over_rfcomm_with_a_simulated_adapter_on_the_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    ours, theirs = socket.socketpair()
    elm = SimulatedELM327(load_profile(find_profile("nissan-xtrail-t32")))

    def adapter() -> None:
        with theirs:
            while data := theirs.recv(4096):
                theirs.sendall(elm.feed(data))

    thread = threading.Thread(target=adapter, daemon=True)
    thread.start()
    monkeypatch.setattr(protocol_rfcomm.Serial, "_connect", lambda self, address: ours)
    report = obdident.scan("rfcomm://AA:BB:CC:DD:EE:FF")
    assert report.complete and report.vehicle.vin == "SJNFBAT32U1000001"
    thread.join(timeout=5)


def test_rfcomm_without_bluetooth_sockets_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(socket, "AF_BLUETOOTH", raising=False)
    with pytest.raises(serial.SerialException) as info:
        serial.serial_for_url("rfcomm://AA:BB:CC:DD:EE:FF")
    assert "rfcomm bind" in (getattr(info.value, "hint", None) or "")
