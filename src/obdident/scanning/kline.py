"""The K-line engine ECU's identification: Nissan's ``1A 81`` over ISO 14230 physical addressing."""

from __future__ import annotations

from obdident.elm327.driver import ELM327
from obdident.errors import ProtocolError
from obdident.i18n import T
from obdident.scanning.ask import Asker
from obdident.scanning.state import UnitResult
from obdident.services import kwp
from obdident.services.common import parse_negative, render
from obdident.vehicles.nissan import Unit

__all__ = ["identify_kline"]


def identify_kline(driver: ELM327, address: str = "10") -> UnitResult:
    """Read ``1A 81`` (Nissan's ECU id) from a K-line ECU with ISO 14230 physical addressing.

    The header is ``81 <address> FC`` (format 0x81, target, tester 0xFC: fenugrec/nisprog).

    Args:
        driver: a driver connected over ISO 14230-4 (protocol 4 or 5).
        address: the ECU's K-line address (0x10: the engine ECU).

    Returns:
        What the ECU gave.
    """
    unit = Unit("ECM", T("engine control module (K-line)"), address, address, "kwp", "confirmed",
                "fenugrec/nisprog (ISO 14230, tester 0xFC, ECU 0x10)")  # fmt: skip
    result = UnitResult(unit)
    driver.address(f"81{address}FC", None)
    asker = Asker(driver, result)
    message = asker.ask(kwp.build_read_ecu_id(0x81))
    if message is None or parse_negative(message.payload) is not None:
        return result
    try:
        data = kwp.parse_read_ecu_id(message.payload, 0x81)
    except ProtocolError as err:
        asker.undecodable(kwp.build_read_ecu_id(0x81), message.lines, err)
        return result
    result.dialect = "kwp2000"
    key = kwp.ecu_id_key(0x81)
    result.set_field(key, render(data, "auto"), kwp.build_read_ecu_id(0x81))
    return result
