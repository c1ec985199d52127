"""The ``--sweep`` step: probe every 11-bit physical request id and list the units the tables do not name."""

from __future__ import annotations

from obdident.elm327.driver import ELM327
from obdident.model import Evidence, UnknownUnit
from obdident.scanning.ask import PROBE_TIMEOUT_HEX

__all__ = ["sweep", "sweep_ids"]


def sweep(driver: ELM327, skip: set[str]) -> list[UnknownUnit]:
    """Probe every 11-bit physical request id 700-7F7 not in ``skip`` with ``3E 00`` (TesterPresent).

    The receive filter accepts any 7xx id, so a unit that answers on an unexpected id is still seen
    (ELM327 datasheet, AT CRA). The caller puts the adapter on an 11-bit CAN protocol first.

    Args:
        driver: a driver on an 11-bit CAN protocol.
        skip: request ids already probed.

    Returns:
        One entry per answer, in id order.
    """
    found: list[UnknownUnit] = []
    driver.set_receive_timeout(PROBE_TIMEOUT_HEX)
    for request_id in sweep_ids():
        if request_id in skip:
            continue
        driver.address(request_id, "7XX", flow_control=False)
        response = driver.request(b"\x3e\x00")
        for message in response.messages:
            if message.response_id == request_id:
                continue  # our own request echoed by a clone
            found.append(
                UnknownUnit(
                    request_id,
                    message.response_id,
                    message.payload.hex(" ").upper(),
                    Evidence(response.exchange.request, message.lines),
                )
            )
    return found


def sweep_ids() -> list[str]:
    """Every 11-bit physical request id a ``--sweep`` probes: 700-7F7 (7F8-7FF are left alone)."""
    return [f"{i:03X}" for i in range(0x700, 0x7F8)]
