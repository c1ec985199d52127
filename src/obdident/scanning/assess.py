"""What the scan concludes from what it read: the make, the units to probe, the VIN across sources, the
model family, the head unit.

Pure functions over the scan's results. Nothing is guessed: a VIN is given only when every usable source
agrees, a family only from a VIN model code, a part number or a CALID seen on that family in public
captures, and the head unit's status says what was tried (:mod:`~obdident.scanning.headunit`, re-exported
here as :func:`head_unit`).
"""

from __future__ import annotations

from collections.abc import Sequence

from obdident.elm327.addressing import auto_flow_control
from obdident.i18n import T
from obdident.model import Problem, Vehicle, VinSource
from obdident.scanning.headunit import head_unit
from obdident.scanning.state import Facts, ScanState, UnitResult
from obdident.vehicles import addresses, families, nissan
from obdident.vehicles.families import Found
from obdident.vehicles.nissan import Unit
from obdident.vehicles.vin import VIN_PLACES, VinInfo, decode_vin

__all__ = [
    "VIN_ELSEWHERE",
    "automatic_flow_control",
    "candidate_units",
    "captured_on_family",
    "derive",
    "family",
    "head_unit",
    "nissan_basis",
    "not_on_family",
    "probe_now",
    "probe_order",
    "second_can_units",
    "vehicle",
]

VIN_ELSEWHERE = T("Read the VIN from {places}.", places=VIN_PLACES)


def _vin_info(sources: Sequence[VinSource]) -> VinInfo | None:
    """The first usable VIN read so far, decoded."""
    vin = next((s.value for s in sources if s.value), None)
    return decode_vin(vin) if vin else None


def nissan_basis(state: ScanState) -> str | None:
    """Why the vehicle counts as a Nissan from what was read so far (``--make nissan``, WMI, CALID). A
    family found from a part-number suffix alone does not count: Nissan's session ``10 C0`` is sent only on
    firmer evidence (on a Ford it set neutral-tow mode)."""
    if state.options.make == "nissan":
        return T("{option} (given by the user)", option="--make nissan")
    info = _vin_info(state.vin_sources)
    calids = [c for ecu in state.ecus.values() for c in ecu.calibration_ids]
    return nissan.nissan_basis(info.manufacturer if info else None, info.wmi if info else None, calids)


def candidate_units(state: ScanState) -> list[Unit]:
    """The units to probe on their physical addresses: the Nissan table (with the head-unit candidates a
    family record defines beyond it) unless the vehicle is shown to be another make; then only the
    legislated OBD ECUs that answered (ISO 15765-4 ids), read with UDS."""
    other_make = False
    if state.facts.make_basis is None:
        info = _vin_info(state.vin_sources)
        other_make = info is not None and info.manufacturer is not None
    if not other_make and state.options.make in (None, "nissan"):
        extra = [u for u in families.knowledge().candidates(state.facts.family) if u not in nissan.UNITS]
        return [*nissan.UNITS, *extra]
    return [
        Unit(addresses.name_for(rid) or f"ECU {rid}", T("OBD-II ECU"), req, rid, "uds", "confirmed",
             "ISO 15765-4 legislated OBD ids")
        for rid, req in ((r, addresses.request_id_for(r)) for r in state.ecus)
        if req is not None and len(req) == 3
    ]  # fmt: skip


def second_can_units(found: Found) -> tuple[Unit, ...]:
    """The head-unit candidates to ask on the family's second CAN (its record's ``second`` bus)."""
    return families.knowledge().candidates(found, "second")


def automatic_flow_control(unit: Unit) -> bool:
    """Whether the adapter's automatic flow control reaches ``unit``: an ISO 15765-4 OBD pair, request
    7E0-7E7 answered on request + 8 (ISO 15765-4 §6.3.2; ELM327 datasheet, "Altering Flow Control
    Messages"). Other units need AT FC SH/SD/SM before a multi-frame answer."""
    return auto_flow_control(unit.request_id, unit.response_id)


def captured_on_family(unit: Unit, found: Found | None) -> bool:
    """Whether a public capture of the established family shows ``unit`` answering (its record's
    ``present`` units); False while the family is unknown."""
    return found is not None and unit.name in found[0].present


def probe_order(units: Sequence[Unit], found: Found | None) -> list[Unit]:
    """The order to probe ``units`` in, fewest adapter lines and the dealer's needs first.

    1. ISO 15765-4 OBD pairs (request 7E0-7E7 answered on request + 8: the ECM, the TCM), while the
       adapter's automatic flow control still reaches them: no flow-control line (ELM327 datasheet,
       "Altering Flow Control Messages").
    2. Head-unit candidates and the media gateway on 11-bit ids: what the dealer asks for, on the screen
       early.
    3. The other VIN sources (``reads_vin``): with the head unit, what the dealer needs.
    4. The other 11-bit units, then the 29-bit ones in table order (the gateway before the guesses behind
       it, one protocol switch).
    5. Last, the other units public captures show answering on the established family
       (their records' ``present`` units): the scan's last request is then the most
       likely answered, and the closing check (is the vehicle still there?) is not needed.

    Within a group the table's order is kept. Only the order changes: every unit is still probed.
    """
    table = {unit.request_id: index for index, unit in enumerate(units)}  # fmt: skip

    def group(unit: Unit) -> int:
        if automatic_flow_control(unit):
            return 0
        if unit.bits == 29:
            return 4
        if unit.head_unit or unit.media_gateway:
            return 1
        if unit.reads_vin:
            return 2
        return 5 if captured_on_family(unit, found) else 3

    return sorted(units, key=lambda unit: (group(unit), table[unit.request_id]))


def probe_now(unit: Unit, state: ScanState) -> bool:
    """Whether to probe ``unit`` now: a 29-bit normal-fixed head-unit guess only on a vehicle whose 29-bit
    gateway (:data:`obdident.vehicles.nissan.GATEWAY_RESPONSE_ID`) answered; every other unit always."""
    if not unit.needs_gateway:
        return True
    gateway = state.ecus.get(nissan.GATEWAY_RESPONSE_ID)
    return gateway is not None and gateway.physical is not None


def vehicle(sources: Sequence[VinSource], any_ecu: bool, problems: list[Problem]) -> Vehicle:
    """Cross-check the VIN sources and decode the VIN they agree on.

    Args:
        sources: every VIN source read (service 09, UDS 22 F190, KWP 21 81), placeholders already refused.
        any_ecu: some ECU answered at all (else there is nothing to say about the VIN).
        problems: appended to: sources without a VIN, disagreement, no VIN anywhere.

    Returns:
        The vehicle: ``vin`` None when no source gave one or sources disagree.
    """
    usable = {s.value for s in sources if s.value}
    empty: dict[str, list[VinSource]] = {}
    for source in sources:
        if source.value is None:
            empty.setdefault(source.response_id, []).append(source)
    for rid, held in empty.items():  # one problem per ECU, however many of its requests said so
        detail = "; ".join(f"{s.source}: {s.problem}" for s in held)
        problems.append(
            Problem.of(
                "vin-not-stored",
                T("The unit {unit} was asked for the VIN but gave none that can be used.", unit=rid),
                detail=detail,
                response_id=rid,
            )
        )
    if len(usable) > 1:
        listed = tuple(f"{s.response_id} {s.value}" for s in sources if s.value)
        problems.append(
            Problem.of(
                "vin-mismatch",
                T("The units disagree on the VIN ({vins}). {read_vin}", vins=listed, read_vin=VIN_ELSEWHERE),
            )
        )
        return Vehicle(vin_sources=tuple(sources))
    if not usable:
        if any_ecu:
            problems.append(
                Problem.of(
                    "vin-not-available",
                    T("No unit gave a usable VIN over OBD-II. {read_vin}", read_vin=VIN_ELSEWHERE),
                )
            )
        return Vehicle(vin_sources=tuple(sources))
    info = decode_vin(usable.pop())
    return Vehicle(
        vin=info.vin,
        vin_check_digit=info.check_digit,
        vin_sources=tuple(sources),
        wmi=info.wmi,
        manufacturer=info.manufacturer,
        country=info.country,
        model_year=info.model_year,
        model_year_note=info.model_year_note,
    )


def family(vin: str | None, physical: Sequence[UnitResult], calids: Sequence[str] = ()) -> Found | None:
    """The Nissan model family, from every basis: the VIN's model code, then a part-number suffix, then a
    CALID seen on that family (the family records, :mod:`obdident.vehicles.families`).

    Args:
        vin: the vehicle's VIN, when read.
        physical: what the units gave on their physical addresses.
        calids: the CALIDs read (service 09 InfoType 04): asked last, so a part number keeps its say.

    Returns:
        The family and what established it, or None.
    """
    known = families.knowledge()
    if vin is not None:
        found = known.by_vin(vin)
        if found is not None:
            return found
    for result in sorted(physical, key=lambda r: r.unit.response_id):  # the same basis in any probe order
        suffix = result.fields.get("part_number_suffix")
        if suffix:
            found = known.by_suffix(result.unit.response_id, suffix)
            if found is not None:
                return found
    for calid in calids:
        found = known.by_calid(calid)
        if found is not None:
            return found
    return None


def derive(state: ScanState) -> Facts:
    """The VIN, make and family from everything read so far, once: what :attr:`ScanState.facts` holds."""
    physicals = [s.physical for s in state.ecus.values() if s.physical]
    calids = [c for ecu in state.ecus.values() for c in ecu.calibration_ids]
    vin = vehicle(state.vin_sources, True, []).vin
    found = family(vin, physicals, calids)
    return Facts(vin, nissan_basis(state), found)


def not_on_family(unit: Unit, found: Found | None) -> str | None:
    """Why ``unit`` is not probed on the established family, or None: its record says the family has it
    not, or (a head-unit candidate) its record names other candidates."""
    if found is None:
        return None
    model = found[0]
    if unit.name in model.absent:
        return model.absent[unit.name]
    chosen = families.knowledge().candidates(found)
    if unit.head_unit and model.candidates is not None and unit not in chosen:
        return f"not among the {model.name}'s head-unit candidates by its record"
    return None
