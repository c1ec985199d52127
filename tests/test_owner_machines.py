"""Owners' machines, with fakes (issue 20 point 6): Windows' two COM ports per paired Bluetooth adapter,
macOS's cu.* devices and BLE UUIDs, Linux's dialout and rfcomm hints."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from serial.tools import list_ports, list_ports_common
from typer.testing import CliRunner

from obdident import cli
from obdident.cli import adapter as cli_adapter
from obdident.transports import ports
from obdident.transports.urls import check_port

runner = CliRunner()
SPP = "BTHENUM\\{00001101-0000-1000-8000-00805F9B34FB}_LOCALMFG&0002\\7&2F1C3A&0&"


def port(device: str, description: str = "n/a", hwid: str = "n/a", vid: int | None = None) -> Any:
    info = list_ports_common.ListPortInfo(device, skip_link_detection=True)
    info.description, info.hwid, info.vid, info.pid = description, hwid, vid, 0x6001 if vid else None
    return info


# python-OBD issue #278: one paired adapter, two COM ports; the outgoing one carries the adapter's address
OUTGOING = port(
    "COM8",
    "Standard Serial over Bluetooth link (COM8)",
    SPP + "001D A5 6B 12 34".replace(" ", "") + "_C00000000",
)
INCOMING = port("COM9", "Standard Serial over Bluetooth link (COM9)", SPP + "000000000000_00000000")


def none_ble(_timeout: float) -> tuple[list[Any], str | None]:
    return [], None


def test_windows_bluetooth_ports_outgoing_first_then_the_incoming_one() -> None:
    assert ports.windows_bluetooth_direction(OUTGOING.hwid) == "outgoing"
    assert ports.windows_bluetooth_direction(INCOMING.hwid) == "incoming"
    assert ports.windows_bluetooth_direction("USB VID:PID=0403:6001") is None
    found = ports.serial_candidates([INCOMING, OUTGOING])
    likely = [c for c in found if c.likely]
    assert [c.url for c in likely] == ["COM8"] and likely[0].fallback == ("COM9",)
    assert [c.url for c in found] == ["COM8", "COM9"]
    # the outgoing one is tried first; when it does not answer, the incoming one
    assert ports.try_in_turn(likely[0], lambda url: url == "COM9") == "COM9"
    assert ports.try_in_turn(likely[0], lambda url: True) == "COM8"
    assert ports.try_in_turn(likely[0], lambda url: False) is None
    notes = ports.find_adapters(ports=[OUTGOING, INCOMING], ble_discover=none_ble, platform="win32").notes
    assert any("outgoing one first" in n for n in notes)


def test_windows_incoming_ports_alone_are_each_worth_trying() -> None:
    found = ports.serial_candidates([INCOMING])
    assert [c.url for c in found if c.likely] == ["COM9"]


@pytest.fixture
def system(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    entries: list[Any] = []
    monkeypatch.setattr(list_ports, "comports", lambda: entries)
    monkeypatch.setattr(ports, "_ble_discover", none_ble)
    yield entries


def test_scan_without_port_on_windows_uses_the_incoming_port_when_the_outgoing_one_is_silent(
    system: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    tried: list[str] = []
    silent = port("sim://nissan-xtrail-t32?ignition=off", OUTGOING.description, OUTGOING.hwid)
    working = port("sim://nissan-xtrail-t32", INCOMING.description, INCOMING.hwid)
    system += [silent, working]

    def answers(url: str) -> bool:
        tried.append(url)
        return url == working.device

    monkeypatch.setattr(cli_adapter, "answers", answers)
    result = runner.invoke(cli.app, ["scan", "--json", "-"])
    assert result.exit_code == 0, result.output
    assert tried == [silent.device, working.device]
    assert f"Using {working.device}" in result.stderr


def test_macos_lists_cu_devices_never_tty_ones() -> None:
    system = [
        port("/dev/cu.OBDII-SPPDev"),
        port("/dev/tty.OBDII-SPPDev"),
        port("/dev/cu.usbserial-A1", "FT232R USB UART", vid=0x0403),
        port("/dev/tty.usbserial-A1", "FT232R USB UART", vid=0x0403),
    ]
    urls = [c.url for c in ports.serial_candidates(system)]
    assert urls == ["/dev/cu.OBDII-SPPDev", "/dev/cu.usbserial-A1"]
    notes = ports.find_adapters(ports=[], ble_discover=none_ble, platform="darwin").notes
    assert any("/dev/cu.NAME" in n and "ble://UUID" in n for n in notes)


def test_macos_ble_devices_have_uuids_not_macs() -> None:
    uuid = "5A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9"
    device = SimpleNamespace(address=uuid, name="IOS-Vlink", reason="named IOS-Vlink")
    found = ports.find_adapters(ports=[], ble_discover=lambda _t: ([device], None), platform="darwin")
    assert f"ble://{uuid}" in [c.url for c in found.candidates]
    check_port(f"ble://{uuid}")  # accepted as a port (no error)


def test_linux_hints_rfcomm_and_dialout() -> None:
    usb = port("/dev/ttyUSB0", "FT232R USB UART", vid=0x0403)
    notes = ports.find_adapters(
        ports=[usb], ble_discover=none_ble, platform="linux", accessible=lambda path: False
    ).notes
    assert any("rfcomm bind" in n for n in notes)
    assert any("/dev/ttyUSB0" in n and "dialout" in n for n in notes)
    fine = ports.find_adapters(
        ports=[usb], ble_discover=none_ble, platform="linux", accessible=lambda p: True
    )
    assert not any("dialout" in n for n in fine.notes)
