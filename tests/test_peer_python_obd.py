"""Interop: python-OBD (PyPI ``obd`` 0.7.3, GPL-2.0-only, test-only) runs over obdident's transports.

Importing :mod:`obdident.transports` registers ``sim://`` with pyserial, so python-OBD opens it like any
port. python-OBD writes to the transport itself (its own ``ATZ``, ``0600`` and bare-space lines), outside
obdident's guard: the wire audit lists those lines without failing the test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import obdident.transports  # noqa: F401  (registers sim://)
from obdident.services import obd09
from obdident.vehicles.vin import parse_vin_field

obd = pytest.importorskip("obd", reason="python-OBD is a test dependency: pip install -e '.[test]'")

pytestmark = pytest.mark.foreign_writer("python-OBD")


@pytest.fixture
def connection() -> Iterator[object]:
    conn = obd.OBD("sim://test-us-vin-1-0", baudrate=38400, fast=False)
    try:
        yield conn
    finally:
        conn.close()


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
