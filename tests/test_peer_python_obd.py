"""Interop: python-OBD (PyPI ``obd`` 0.7.3, GPL-2.0-only, test-only) runs over obdident's transports.

Importing :mod:`obdident.transports` registers ``sim://`` with pyserial, so python-OBD opens it like any
port. python-OBD writes to the transport itself (its own ``ATZ``, ``AT SP 0``, ``0600`` lines), outside
obdident's guard: the wire audit lists those lines without failing the test. With the URL option
``guarded=1`` (:mod:`obdident.transports.guarded`) the port judges them: the tests below show how far
python-OBD gets, and the wire audit holds them to the allowlist like obdident's own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import serial

import obdident.transports  # noqa: F401  (registers sim://)
from obdident.services import obd09
from obdident.vehicles.vin import parse_vin_field

obd = pytest.importorskip("obd", reason="python-OBD is a test dependency: pip install -e '.[test]'")


@pytest.fixture
def connection() -> Iterator[object]:
    conn = obd.OBD("sim://test-us-vin-1-0", baudrate=38400, fast=False)
    try:
        yield conn
    finally:
        conn.close()


@pytest.mark.foreign_writer("python-OBD")
def test_python_obd_connects_over_sim_and_reads_the_vin_frames(connection: object) -> None:
    assert connection.status() == obd.OBDStatus.CAR_CONNECTED  # type: ignore[attr-defined]
    response = connection.query(obd.commands.VIN)  # type: ignore[attr-defined]
    (message,) = [m for m in response.messages if bytes(m.data[:2]) == b"\x49\x02"]
    payload = bytes(message.data)
    # the frames python-OBD received carry the whole VIN; obdident's decoder keeps every character
    items = obd09.parse_items([payload[:20]], obd09.VIN, legacy=False).items
    vin = parse_vin_field(items[0]).value
    assert vin == "1N4BL4BV7LC123450"
    # python-OBD 0.7.3's own decoder strips '0', '1' and '2' from both ends (its issues #275, #276):
    # the reason obdident decodes service 09 itself.
    assert bytes(response.value).decode() != vin


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The ports python-OBD opens, kept to look at their guard after python-OBD dropped them."""
    ports: list[object] = []
    real = serial.serial_for_url

    def keep(*args: object, **kwargs: object) -> object:
        port = real(*args, **kwargs)
        ports.append(port)
        return port

    monkeypatch.setattr(serial, "serial_for_url", keep)
    return ports


def test_guarded_python_obd_is_stopped_at_its_at_sp_0(opened: list[object], wire_audit: object) -> None:
    # python-OBD's automatic protocol search starts with AT SP 0, which saves the protocol in the adapter's
    # memory: refused, python-OBD drops the connection; the adapter got only its set-up lines
    conn = obd.OBD("sim://test-us-vin-1-0?guarded=1", baudrate=38400, fast=False)
    try:
        assert conn.status() == obd.OBDStatus.NOT_CONNECTED
    finally:
        conn.close()
    (port,) = opened
    assert port.judge.guard.refused == ["ATSP0"]  # type: ignore[attr-defined]
    assert port.elm.received == ["ATZ", "ATE0", "ATH1", "ATL0", "AT RV"]  # type: ignore[attr-defined]


def test_guarded_python_obd_on_a_given_protocol_stops_at_its_first_request_without_at_caf1(
    opened: list[object],
) -> None:
    # with protocol="6" python-OBD pins it with AT TP 6 (which saves nothing), but it never sends AT CAF1:
    # after its AT Z, CAF is what the adapter's PP 24 stores (off, and 0100 would be the raw frame 01 00),
    # so its first request is refused; python-OBD 0.7.3 then closes the port and trips over it (its own
    # AttributeError, reading the closed port's baud rate) before any query of its user
    with pytest.raises(AttributeError, match="baudrate"):
        obd.OBD("sim://test-us-vin-1-0?guarded=1", baudrate=38400, fast=False, protocol="6")
    (port,) = opened
    assert port.judge.guard.refused == ["0100"]  # type: ignore[attr-defined]
    received = port.elm.received  # type: ignore[attr-defined]
    assert received == ["ATZ", "ATE0", "ATH1", "ATL0", "AT RV", "ATTP6"]


def test_guarded_python_obd_without_a_baud_rate_gets_the_refusal_of_its_baud_probe() -> None:
    # without baudrate=, python-OBD probes the baud rate with a line of DEL characters (\x7F\x7F), which is
    # no command on the allowlist: refused, and python-OBD lets the SerialException out of obd.OBD()
    with pytest.raises(serial.SerialException, match="refused by the read-only guard"):
        obd.OBD("sim://test-us-vin-1-0?guarded=1", fast=False)
