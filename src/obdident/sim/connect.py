"""The simulated ELM327's connection to the vehicle before the first request (ELM327 datasheet, "Selecting
Protocols"): the automatic search, a fixed protocol, and pins 3/11 (MS-CAN) for an STN or a switched clone.

Part of :class:`obdident.sim.elm.SimulatedELM327` (composition): pure functions over the chip's state.
"""

from __future__ import annotations

from obdident.sim.at import ChipState, is_auto
from obdident.sim.schema import PROTOCOLS, VehicleProfile
from obdident.sim.stn import MS_CAN_BIT_RATE

__all__ = ["connect"]

#: The K-line protocols, which need a bus initialisation (ELM327 datasheet, "BUS INIT").
_KLINE = frozenset("345")


def connect(state: ChipState, profile: VehicleProfile, ignition: bool, lines: list[str]) -> str | None:
    """Connect to the vehicle before the first request; return the error line if that fails.

    ELM327 datasheet, "Selecting Protocols": in automatic mode the chip shows ``SEARCHING...``
    and tries protocols until one answers the request, else ``UNABLE TO CONNECT``. A fixed
    protocol that the vehicle does not speak gives ``CAN ERROR`` (CAN) or ``BUS INIT: ...ERROR``
    (K-line); K-line protocols show ``BUS INIT: ...OK`` after their initialisation. A vehicle
    with no functional ECU is not found by a search, but a fixed protocol reaches its ECUs. A
    fixed 29-bit protocol reaches the 29-bit ECUs of an 11-bit vehicle (and the reverse).
    """
    vehicle = profile.protocol
    code = state.settings.protocol
    if state.transceiver.bus == "ms-can":
        return _connect_ms_can(state, profile, ignition, lines, code)
    bits = PROTOCOLS[vehicle].id_bits
    awake = ignition and any(
        ecu.functional and ecu.id_bits == bits and ecu.bus == "hs-can" for ecu in profile.ecus
    )
    if is_auto(code):
        lines.append("SEARCHING...")
        if not awake:
            return "UNABLE TO CONNECT"
        if vehicle in _KLINE:
            lines.append("BUS INIT: ...OK")
    else:
        number = code
        if number not in profile.bus_protocols:
            if PROTOCOLS[number].is_can:
                return "CAN ERROR"
            return "BUS INIT: ...ERROR" if number in _KLINE else "NO DATA"
        # The vehicle's protocol, or the other CAN id width on the same bus (same bit rate).
        vehicle = number
        if number in _KLINE:
            if not awake:
                return "BUS INIT: ...ERROR"
            lines.append("BUS INIT: ...OK")
        elif not ignition:
            # The bus is up (something still acknowledges frames) but no ECU answers.
            return "NO DATA"
    state.connected = vehicle
    return None


def _connect_ms_can(
    state: ChipState, profile: VehicleProfile, ignition: bool, lines: list[str], code: str
) -> str | None:
    """Connect on pins 3/11 (an STN's STP 53/54, or a clone's switch): only the profile's ``ms-can``
    units are there, none answers a search, and the bus is silent at another bit rate (CAN ERROR)."""
    if is_auto(code):
        lines.append("SEARCHING...")
        return "UNABLE TO CONNECT"
    info = PROTOCOLS[code]
    rate = state.transceiver.bit_rate or (500_000 if code in "67" else 250_000)
    if not info.is_can or rate != MS_CAN_BIT_RATE or not any(e.bus == "ms-can" for e in profile.ecus):
        return "CAN ERROR"
    if not ignition:
        return "NO DATA"
    state.connected = code
    return None
