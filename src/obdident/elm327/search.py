"""Finding the vehicle's protocol: ``0100`` on each OBD-II protocol pinned in turn, ISO 15765-4 CAN 11-bit
500k first (ELM327 datasheet, AT TP h).

Functions over a driver (:class:`obdident.elm327.driver.ELM327`): every line goes through its ``at`` and
``command``, so through the guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from obdident.elm327.lines import PROTOCOLS, is_info, raise_for_status, shows_reset
from obdident.elm327.masking import mask_answer
from obdident.elm327.types import Response
from obdident.errors import AdapterReplyError, NoDataError, UnableToConnectError
from obdident.i18n import T

if TYPE_CHECKING:
    from obdident.elm327.driver import ELM327

__all__ = ["CAN_RECEIVE_TIMEOUT_HEX", "SEARCH_ORDER", "SEARCH_RECEIVE_TIMEOUT_HEX", "connect_vehicle"]

#: Receive timeout on CAN, functional and physical requests alike: 0x0E x 4.096 ms = 57.3 ms, just over the
#: ISO 15765-4 P2(CAN) of 50 ms within which every ECU answers or sends response-pending (ELM327 datasheet,
#: AT ST; ISO 15765-4 §6.3.2). One value for the whole scan: set once on CAN; a repeat after silence or
#: response-pending lengthens it for that one request (obdident.scanning.ask) and sets it back.
CAN_RECEIVE_TIMEOUT_HEX = "0E"
#: Receive timeout during the automatic search: 0x19 x 4.096 ms = 102 ms, over SAE J1850's P2 of 100 ms.
SEARCH_RECEIVE_TIMEOUT_HEX = "19"


def connect_vehicle(driver: ELM327, timeout_s: float) -> Response:
    """Find the vehicle's protocol: ask service 01 PID 00, which every OBD-II ECU answers, on each protocol
    of :data:`SEARCH_ORDER` pinned with AT TP h (which saves nothing), until one answers.

    ``NO DATA`` on ISO 15765-4 11-bit CAN means the bus at that bit rate acknowledged the frame: only the
    29-bit protocol at the same rate is tried after it. ``CAN ERROR`` means no CAN at that rate: its 29-bit
    sibling is skipped (ELM327 datasheet, "Messages and error codes"). Any answer to the first try but
    NO DATA (CAN ERROR, a garbled one: perhaps a glitch) has it tried once more at the end.

    Not the adapter's own search (AT TP A h): it tries protocols up to the one PP 07 stores, which may be
    SAE J1939 or a user CAN protocol (A-C), whose frames stored parameters shape, so the guard admits no
    request while one may be in use. Off 11-bit CAN the functional header is set first (AT SH: the
    adapter's default carries the stored tester address, PP 06). The receive timeout (AT ST) is
    :data:`CAN_RECEIVE_TIMEOUT_HEX` on CAN, :data:`SEARCH_RECEIVE_TIMEOUT_HEX` elsewhere.

    Args:
        driver: the adapter's driver, set up (``initialize``).
        timeout_s: deadline for each try, in seconds (a K-line initiation takes seconds).

    Returns:
        The answer to ``0100``: which ECUs are present.

    Raises:
        UnableToConnectError: no protocol answered (ignition off, or a vehicle without OBD emissions ECUs).
        AdapterTimeoutError: the adapter did not finish answering one try in time.
    """
    driver.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
    answers: list[str] = []
    order = list(SEARCH_ORDER)
    tried: list[str] = []
    for number in order:
        if number in tried and number != "6":
            continue
        if number != "6":
            driver.set_receive_timeout(SEARCH_RECEIVE_TIMEOUT_HEX)
        found = _try(driver, number, timeout_s, answers)
        tried.append(number)
        if found is not None:
            if PROTOCOLS[number].can:
                driver.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
            return found
        status = answers[-1].strip().upper() if answers else ""
        sibling = {"6": "7", "8": "9"}.get(number)
        if sibling is not None and status == "NO DATA":
            # The CAN bus at this bit rate acknowledged the frame and no OBD ECU answered (a Leaf, the
            # ignition off): only the 29-bit ids at the same rate are left to try.
            tried += [n for n in SEARCH_ORDER if n not in (sibling, number)]
        elif sibling is not None and status == "CAN ERROR":
            tried.append(sibling)  # nothing on CAN at this bit rate, whatever the id width
        if number == "6" and len(order) == len(SEARCH_ORDER) and status != "NO DATA":
            order.append("6")  # not the bus's plain silence: perhaps a glitch, so 6 once more at the end
    raise UnableToConnectError(
        T(
            "no OBD-II protocol answered {request} (tried {protocols})",
            request="0100",
            protocols=tuple(SEARCH_ORDER),
        ),
        status="UNABLE TO CONNECT",
        request="0100",
        response=answers,
        hint=T("switch the ignition on (the engine may stay off) and check the adapter sits in the socket"),
    )


#: The protocols tried, in order: ISO 15765-4 CAN 11-bit 500k (most cars since 2008), the other ISO 15765-4
#: ones, K-line (ISO 14230-4 fast init first, then the 5-baud initiations), then SAE J1850.
SEARCH_ORDER = ("6", "8", "7", "9", "5", "4", "3", "1", "2")


def _try(driver: ELM327, number: str, timeout_s: float, answers: list[str]) -> Response | None:
    """Ask ``0100`` on protocol ``number`` pinned: the answer, or None when the protocol is not the
    vehicle's (``?`` to AT TP, ``NO DATA``, ``CAN ERROR``, ``BUS INIT: ...ERROR``, or no OBD answer).

    An answer on a pinned protocol shows the protocol with no search and no AT DPN (ELM327 datasheet, AT TP,
    AT DPN). A 250k or 29-bit vehicle cannot answer on 11-bit 500k: NO DATA or CAN ERROR moves to the next.
    A garbled answer is asked again once. An answer showing the adapter reset itself sets it up again.

    Raises:
        ProtocolError: the answer was garbled twice.
    """
    try:
        driver.addressing.pin(number)
        driver.addressing.functional_header(number)
    except AdapterReplyError:
        answers.append(f"AT TP {number} not confirmed")
        return None
    protocol = PROTOCOLS[number]
    for attempt in range(2):
        exchange = driver.command("0100", timeout_s=timeout_s)
        answers.extend(exchange.lines)
        if shows_reset(exchange.lines):
            # The adapter reset itself: its stored settings are back, so it is set up again (AT CAF1 ...)
            # before the next try.
            driver.initialize()
            return None
        try:
            raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
        except (NoDataError, UnableToConnectError, AdapterReplyError):
            return None
        answer = mask_answer(exchange.lines, protocol, exchange.request)
        if answer.error is None:
            break
        if attempt:  # garbled twice: something answers on this protocol, but nothing readable
            raise answer.error
    if not answer.messages:
        return None
    driver.addressing.protocol = driver.addressing.vehicle_protocol = protocol
    return Response(exchange, answer.messages)
