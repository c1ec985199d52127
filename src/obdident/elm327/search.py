"""Finding the vehicle's protocol: ``0100`` on ISO 15765-4 CAN 11-bit 500k pinned first, else the adapter's
search (ELM327 datasheet, AT TP / AT TP A / AT DPN).

Functions over a driver (:class:`obdident.elm327.driver.ELM327`): every line goes through its ``at`` and
``command``, so through the guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obdident.elm327.addressing import first_line
from obdident.elm327.lines import PROTOCOLS, is_info, raise_for_status
from obdident.elm327.masking import mask_answer
from obdident.elm327.types import Response
from obdident.errors import AdapterError, AdapterReplyError, NoDataError, UnableToConnectError

if TYPE_CHECKING:
    from obdident.elm327.driver import ELM327

__all__ = ["CAN_RECEIVE_TIMEOUT_HEX", "SEARCH_RECEIVE_TIMEOUT_HEX", "connect_vehicle"]

#: Receive timeout on CAN, functional and physical requests alike: 0x0E x 4.096 ms = 57.3 ms, just over the
#: ISO 15765-4 P2(CAN) of 50 ms within which every ECU answers or sends response-pending (ELM327 datasheet,
#: AT ST; ISO 15765-4 §6.3.2). One value for the whole scan: set once on CAN; a repeat after silence or
#: response-pending lengthens it for that one request (obdident.scanning.ask) and sets it back.
CAN_RECEIVE_TIMEOUT_HEX = "0E"
#: Receive timeout during the automatic search: 0x19 x 4.096 ms = 102 ms, over SAE J1850's P2 of 100 ms.
SEARCH_RECEIVE_TIMEOUT_HEX = "19"


def connect_vehicle(driver: ELM327, timeout_s: float) -> Response:
    """Find the vehicle's protocol, trying ISO 15765-4 CAN 11-bit 500k first.

    Asks service 01 PID 00 on protocol 6 pinned (AT TP 6): an answer there shows the protocol with no
    search, no AT DPN and no second AT TP. Else sends AT TP A6 (try protocol 6, fall back to the automatic
    search: nothing is saved, unlike AT SP) and service 01 PID 00 again, which every OBD-II ECU answers, so
    the search completes; then reads the protocol with AT DPN and pins it with AT TP h. The receive timeout
    (AT ST) is :data:`CAN_RECEIVE_TIMEOUT_HEX` on CAN, :data:`SEARCH_RECEIVE_TIMEOUT_HEX` while searching.

    Args:
        driver: the adapter's driver, set up (``initialize``).
        timeout_s: deadline for the search, in seconds.

    Returns:
        The answer to ``0100``: which ECUs are present.

    Raises:
        UnableToConnectError: no protocol found (ignition off, or a vehicle without OBD emissions ECUs).
        AdapterReplyError: ``CAN ERROR``, ``BUS INIT: ...ERROR`` and the like.
        AdapterError: the adapter reports an unknown protocol.
    """
    driver.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
    pinned = _on_can_11_500(driver, timeout_s)
    if pinned is not None:
        return pinned
    driver.set_receive_timeout(SEARCH_RECEIVE_TIMEOUT_HEX)
    if not driver.at("ATTPA6", required=False):
        return _one_by_one(driver, timeout_s)  # a clone without AT TP Ah: no automatic search
    exchange = driver.command("0100", timeout_s=timeout_s)
    raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
    number = (first_line(driver.at("ATDPN")) or "").upper().lstrip("A")
    protocol = PROTOCOLS.get(number)
    if protocol is None:
        raise AdapterError(
            f"the adapter reports an unknown protocol {number!r}", request="ATDPN", response=[number]
        )
    driver.addressing.found(protocol)  # pinned with AT TP h, which saves nothing
    if protocol.can:
        driver.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
    answer = mask_answer(exchange.lines, protocol)
    if answer.error is not None:
        raise answer.error
    return Response(exchange, answer.messages or ())


#: The order protocols are tried in when the adapter has no automatic search (AT TP Ah answered ``?``): the
#: other CAN protocols, then ISO 9141-2 and ISO 14230-4, then SAE J1850 (ELM327 datasheet, protocol table).
#: Never AT TP A0, which locks some clones up until power-cycled (PowerBroker2/ELMduino issue #69).
ONE_BY_ONE = ("7", "8", "9", "3", "4", "5", "1", "2")


def _one_by_one(driver: ELM327, timeout_s: float) -> Response:
    """Ask ``0100`` on each protocol of :data:`ONE_BY_ONE` pinned (AT TP h) until one answers.

    Raises:
        UnableToConnectError: none answered.
    """
    for number in ONE_BY_ONE:
        protocol = PROTOCOLS[number]
        try:
            driver.addressing.pin(number)
        except AdapterReplyError:
            continue
        exchange = driver.command("0100", timeout_s=timeout_s)
        try:
            raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
        except (NoDataError, UnableToConnectError, AdapterReplyError):
            continue
        answer = mask_answer(exchange.lines, protocol)
        if answer.error is not None or not answer.messages:
            continue
        driver.addressing.protocol = driver.addressing.vehicle_protocol = protocol
        if protocol.can:
            driver.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
        return Response(exchange, answer.messages)
    raise UnableToConnectError(
        "no protocol answered 0100 (each was tried in turn: the adapter has no automatic search, AT TP A6)",
        status="UNABLE TO CONNECT",
        request="0100",
    )


def _on_can_11_500(driver: ELM327, timeout_s: float) -> Response | None:
    """Ask ``0100`` on protocol 6 pinned (AT TP 6, no search): the answer, or None when it is not the
    vehicle's protocol (the search runs then).

    AT TP A6 tries protocol 6 first anyway; an answer with 11-bit ids on a pinned protocol 6 shows the
    protocol without a search, so AT DPN and a second AT TP are not needed (ELM327 datasheet, AT TP, AT DPN).
    A 250k or 29-bit vehicle cannot answer there: NO DATA or CAN ERROR sends the scan to the search.
    """
    try:
        driver.addressing.pin("6")
    except AdapterReplyError:
        return None
    exchange = driver.command("0100", timeout_s=timeout_s)
    try:
        raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
    except (NoDataError, UnableToConnectError, AdapterReplyError):
        return None
    protocol = PROTOCOLS["6"]
    answer = mask_answer(exchange.lines, protocol)
    if answer.error is not None or not answer.messages:
        return None
    driver.addressing.protocol = driver.addressing.vehicle_protocol = protocol
    return Response(exchange, answer.messages)
