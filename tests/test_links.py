"""What kind of link a port is, in the report's words: the same sentences the scan wrote before
(once ``scanner.describe_link``, which read the link with getattr), now told by each port class through a
typed property."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from obdident.transports import open_port, protocol_rfcomm
from obdident.transports.links import DescribedLink, LinkKind, describe, link_kind, provenance
from tests.fake_ble import ADDRESS, fake_adapter, use_backend

SESSION = str(
    Path(__file__).resolve().parents[1] / "hw-fixtures" / "sessions" / "nissan-qashqai-j10-simulated.txt"
)


@pytest.fixture
def tcp_url() -> Iterator[str]:
    server = socket.create_server(("127.0.0.1", 0))
    try:
        yield f"socket://127.0.0.1:{server.getsockname()[1]}"
    finally:
        server.close()


def _described(url: str, link: object) -> str:
    return describe(link, url)


def test_obdidents_own_ports_describe_themselves() -> None:
    with open_port("sim://nissan-xtrail-t32") as sim:
        assert isinstance(sim, DescribedLink) and sim.link_kind is LinkKind.SIM
        assert _described("sim://nissan-xtrail-t32", sim) == "simulated adapter and vehicle"
    with open_port(f"replay://{SESSION}") as replay:
        assert _described(f"replay://{SESSION}", replay) == "recorded session"
    rfcomm = protocol_rfcomm.Serial()  # not opened: no Bluetooth socket needed to tell what it is
    assert _described("rfcomm://00:11:22:33:44:55", rfcomm) == "Bluetooth Classic (RFCOMM socket)"


@pytest.mark.parametrize("family", ["fff0", "vgate"])
def test_a_ble_port_names_the_adapter_family_it_chose(family: str) -> None:
    with use_backend(fake_adapter(family)), open_port(f"ble://{ADDRESS}") as link:
        assert link.link_kind is LinkKind.BLE
        assert _described(f"ble://{ADDRESS}", link) == f"Bluetooth LE ({family} family)"
    assert _described(f"ble://{ADDRESS}", object()) == "Bluetooth LE (unknown family)"


def test_pyserials_ports_are_described_by_their_url(tcp_url: str) -> None:
    with open_port(tcp_url) as tcp:
        assert not isinstance(tcp, DescribedLink)
        assert _described(tcp_url, tcp) == "TCP (WiFi adapter)"
    assert _described("/dev/ttyUSB0", serial.Serial()) == "serial port"
    assert _described("COM5", serial.Serial()) == "serial port"
    assert _described("rfc2217://127.0.0.1:2217", object()) == "serial port"


def test_a_port_of_another_kind_than_its_url_is_described_by_the_url() -> None:
    with open_port("sim://nissan-xtrail-t32") as sim:
        assert describe(sim, "/dev/ttyUSB0") == "serial port"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("/dev/rfcomm0", LinkKind.SERIAL),
        ("COM5", LinkKind.SERIAL),
        ("SIM://nissan-leaf", LinkKind.SIM),
        ("socket://192.168.0.10:35000", LinkKind.TCP),
        ("rfc2217://host:1", LinkKind.RFC2217),
        ("ble://AA:BB:CC:DD:EE:FF", LinkKind.BLE),
        ("rfcomm://00:11:22:33:44:55", LinkKind.RFCOMM),
        ("replay://x.txt", LinkKind.REPLAY),
        ("loop://", LinkKind.SERIAL),
    ],
)
def test_link_kind_reads_the_scheme(url: str, kind: LinkKind) -> None:
    assert link_kind(url) is kind


def test_provenance_says_whether_a_real_car_was_read() -> None:
    assert provenance("sim://nissan-leaf") == "simulated (sim://nissan-leaf): not a real car"
    assert provenance("replay://a.txt") == "replayed from replay://a.txt"
    assert provenance("/dev/ttyUSB0") == "recorded through an adapter at /dev/ttyUSB0"
