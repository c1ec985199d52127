"""The head unit on a second CAN: families whose AV bus is on OBD-II pins 3/11 (Leaf ZE0/AZE0).

An ELM327 talks on pins 6/14 only. An STN adapter with an MS-CAN transceiver (OBDLink MX, MX+, EX) reaches
pins 3/11 with the protocol preset ``STP 53`` (ISO 15765, 11-bit) and ``STPBR`` (its bit rate); neither is
saved (OBDLink Family Reference and Programming Manual rev F, STP, STPBR; only ATSP saves a protocol). The
step runs only on a family whose record names a second CAN, so a scan of any other vehicle
costs no extra line:

1. ``STI``: an STN answers its firmware id (FRPM, STI); an ELM327 or clone answers ``?`` (then the owner is
   told how a clone's HS/MS-CAN switch may reach the unit, and the step ends).
2. ``STP 53`` (``?`` on an STN without MS-CAN: OBDLink SX, LX) and ``STPBR`` with the family's bit rate.
3. The family's head-unit candidates on that bus (its record), read as on the main bus
   (:func:`obdident.scanning.physical.identify`), each result marked with the bus.
4. Back to the main CAN with the HS-CAN preset of the vehicle's protocol (``STP 33`` for 11-bit 500k), also
   when a probe failed.
"""

from __future__ import annotations

import logging

from obdident.elm327.driver import ELM327
from obdident.errors import AdapterReplyError
from obdident.i18n import T, Text
from obdident.scanning import physical
from obdident.scanning.state import ScanState, UnitResult
from obdident.vehicles.families import Family, SecondCan
from obdident.vehicles.nissan import Unit

__all__ = ["MAIN_PRESETS", "switch_advice", "use_second_can"]

log = logging.getLogger(__name__)

#: The STN HS-CAN preset that acts as each ISO 15765-4 ELM327 protocol (OBDLink FRPM rev F, STP preset table:
#: 33/34 ISO 15765 11/29-bit 500 kbit/s, 35/36 the same at 250 kbit/s; ELM327 datasheet protocols 6-9).
MAIN_PRESETS: dict[str, str] = {"6": "33", "7": "34", "8": "35", "9": "36"}


def switch_advice(family: Family, route: SecondCan) -> Text:
    """What to tell an owner whose adapter is no STN: the head unit's bus, and the HS/MS-CAN switch."""
    return T(
        "On the {family} the audio / navigation unit is on OBD-II socket pins {pins}, which this adapter "
        "does "
        "not reach. An OBDLink MX, MX+ or EX reaches them, and obdident then probes the unit by itself. An "
        "adapter with an HS/MS-CAN switch may reach them too: switch it to MS-CAN, run the same scan again "
        "(the other units then stay silent, and obdident probes the head-unit addresses on those pins), then "
        "switch it back.",
        family=family.name,
        pins=route.pins,
    )


def use_second_can(
    driver: ELM327, state: ScanState, family: Family, route: SecondCan, units: tuple[Unit, ...]
) -> list[UnitResult]:
    """Probe the head-unit candidates on the family's second CAN, then return to the main CAN.

    Args:
        driver: a driver connected to a CAN vehicle (its :attr:`~ELM327.vehicle_protocol` is known).
        state: the scan's findings: problems are filed here, and each candidate is added to ``probed``.
        family: the vehicle's family.
        route: where its AV bus is (its record's ``second_can``).
        units: the candidates to ask there (the record's, 11-bit).

    Returns:
        What each candidate gave (``present`` False when silent), marked with the bus; each is also merged
        into ``state`` as it comes (what a unit gave before a failure is kept), and ``state.second_can``
        names the bus once it was in use.

    Raises:
        TransportError, AdapterError: the link or adapter failed (the runner keeps what was read).
    """
    firmware = driver.at("STI", required=False)
    if not firmware:
        state.problem(
            "head-unit-other-pins",
            switch_advice(family, route),
            detail="the adapter answered ? to STI: not an STN chip",
        )
        return []
    chip = firmware[0].strip()
    main = driver.vehicle_protocol
    back = MAIN_PRESETS.get(main.number) if main is not None else None
    if main is None or back is None:
        return []
    try:
        driver.addressing.use_preset(route.preset, "6")
    except AdapterReplyError:
        state.problem(
            "head-unit-other-pins",
            T(
                "On the {family} the audio / navigation unit is on OBD-II socket pins {pins}; this adapter "
                "({chip}) has no MS-CAN transceiver for them. An OBDLink MX, MX+ or EX has one.",
                family=family.name,
                pins=route.pins,
                chip=chip,
            ),
            detail=f"the adapter answered ? to STP {route.preset}",
        )
        return []
    rate = f"{route.bit_rate // 1000} kbit/s"
    bus = T(
        "MS-CAN on OBD-II pins {pins}, through {chip} STP {preset} at {rate}",
        pins=route.pins,
        chip=chip,
        preset=route.preset,
        rate=rate,
    )
    results: list[UnitResult] = []
    try:
        driver.at(f"STPBR{route.bit_rate}")
        state.second_can = bus
        for unit in units:
            result = UnitResult(unit, bus=bus)
            results.append(result)
            if unit not in state.probed:
                state.probed.append(unit)
            try:
                physical.identify(driver, unit, nissan=state.nissan_basis is not None, result=result)
            finally:
                state.merge(result)
    except AdapterReplyError as err:
        # CAN ERROR: nothing acknowledges frames on those pins at that bit rate (no bus, or another rate)
        state.problem(
            "second-can-silent",
            T(
                "Nothing answered on OBD-II pins {pins} at {rate}; the head unit may not be on those pins on "
                "this car, or uses another bit rate.",
                pins=route.pins,
                rate=rate,
            ),
            detail=f"the adapter said {err.status or err}",
        )
    finally:
        driver.addressing.use_preset(back, main.number)
    log.info("second CAN: %d of %d candidates answered", sum(r.present for r in results), len(results))
    return results
