"""What the scan concludes from what it read: the make, the units to probe, the VIN across sources, the
model family, the head unit.

Pure functions over the scan's results. Nothing is guessed: a VIN is given only when every usable source
agrees, a family only from a VIN model code, a part number or a CALID seen on that family in public
captures, and the head unit's status says what was tried.
"""

from __future__ import annotations

from collections.abc import Sequence

from obdident.elm327.addressing import auto_flow_control
from obdident.i18n import T, Text
from obdident.model import HEAD_UNIT_FIELDS, HeadUnit, Problem, Vehicle, VinSource
from obdident.scanning.state import Facts, ScanState, UnitResult
from obdident.vehicles import addresses, families, nissan
from obdident.vehicles.families import Family, Found
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
        Unit(addresses.name_for(rid) or f"ECU {rid}", "OBD-II ECU", req, rid, "uds", "confirmed",
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


def _read_kinds(fields: dict[str, str]) -> set[str]:
    """What a unit's identification gives of what the dealer asks for: ``serial`` (part and serial numbers
    both read), ``versions`` (software and hardware versions both read). Masked values do not count."""

    def has(name: str) -> bool:
        return any(fields.get(k) and "*" not in fields[k] for k in HEAD_UNIT_FIELDS[name])

    kinds = set()
    if (has("HU") or has("HUS")) and has("SN"):
        kinds.add("serial")
    if has("SW") and has("HW"):
        kinds.add("versions")
    return kinds


def _confidence(unit: Unit, fields: dict[str, str]) -> str:
    """How sure it is that ``unit`` is the head unit: ``confirmed`` when its part number is a Nissan audio
    or navigation number (:data:`obdident.vehicles.nissan.HEAD_UNIT_PART_PREFIXES`), else its address row's
    status (``likely`` / ``guess``; a ``confirmed`` address without such a part number counts as likely)."""
    part = next((fields[k] for k in HEAD_UNIT_FIELDS["HU"] if fields.get(k)), "")
    if part.replace("-", "").upper().startswith(nissan.HEAD_UNIT_PART_PREFIXES):
        return "confirmed"
    return "guess" if unit.status == "guess" else "likely"


def head_unit(
    probed: Sequence[Unit],
    physical: Sequence[UnitResult],
    known: Family | None,
    *,
    nissan_table: bool,
    second_can: str | None = None,
    is_nissan: bool = False,
    can: bool = True,
    quick: bool = False,
    cut_short: bool = False,
    adapter_limit: str | None = None,
    adapter_stopped: bool = False,
) -> HeadUnit:
    """Say whether the head unit was identified, how sure that is, and where to read what is still missing.

    Args:
        probed: every unit probed.
        physical: the units that answered.
        known: the vehicle's family, when established.
        nissan_table: the Nissan address table was probed (the vehicle is, or may be, a Nissan).
        second_can: the second CAN the candidates were also probed on (an STN adapter's MS-CAN), or None.
        is_nissan: the vehicle is shown to be a Nissan (WMI, CALID, ``--make nissan``).
        can: the vehicle's protocol is CAN (False on K-line and J1850, where no head-unit candidate, all
            CAN ids, can be addressed).
        quick: the candidates were asked TesterPresent ``3E 00`` first, and silence there counted as
            absence (no ``--full``): a head unit not found says how to ask them directly.
        cut_short: the scan has not run to its end (a partial report, or a scan stopped early): a head
            unit no address was asked for is ``not-asked``, never "not found" or "only for Nissan".
        adapter_limit: why the adapter's own limits cut the scan short (a problem's message), if they
            did: a candidate that answered without its identification, or candidates the scan never reached,
            are then the adapter's doing (``adapter-limited``), not the unit's.
        adapter_stopped: the adapter stopped answering and the scan stopped there: head-unit candidates not
            probed were not reached (``adapter-limited``), whatever the make.

    Returns:
        The head unit: ``guidance`` and ``advice`` hold only ways to read what was not read (none when the
        part number, serial number and versions were all read).
    """
    candidates = tuple(u.request_id for u in probed if u.head_unit)
    if adapter_stopped and adapter_limit is not None and not nissan_table:
        reason = T("The scan stopped before it reached the head unit. {why}", why=adapter_limit)
        return HeadUnit("adapter-limited", None, reason, nissan.GENERAL_HEAD_UNIT_GUIDANCE, ())
    identified = any(r.unit.head_unit and r.fields for r in physical)
    if cut_short and not candidates and not identified:
        why = T(
            "The scan stopped before it reached the head unit: no head-unit address was asked. Scan again."
        )
        return HeadUnit("not-asked", None, why, nissan.ANY_MAKE_HEAD_UNIT_GUIDANCE, ())
    if not nissan_table:
        if is_nissan and not can:
            return HeadUnit(
                "not-found",
                None,
                T(
                    "This Nissan talks over K-line, not CAN; every head-unit address obdident knows is a CAN "
                    "address, so none could be probed."
                ),
                nissan.GENERAL_HEAD_UNIT_GUIDANCE,
                (),
                advice=nissan.GENERAL_ADVICE,
            )
        return HeadUnit(
            "not-found",
            None,
            T("obdident knows head-unit addresses only for Nissan vehicles, so none was probed on this one."),
            nissan.ANY_MAKE_HEAD_UNIT_GUIDANCE,
            (),
        )
    advice = (known.advice if known else ()) + nissan.GENERAL_ADVICE
    for result in physical:
        if result.unit.head_unit and result.fields:
            unit = result.unit
            read = _read_kinds(result.fields)
            missing = tuple(a for a in advice if a.shows not in read and a.shows != "nothing")
            return HeadUnit(
                "identified",
                unit.response_id,
                _answered(unit, result.bus),
                tuple(a.text for a in missing),
                candidates,
                confidence=_confidence(result.unit, result.fields),
                advice=missing,
            )
    guidance = tuple(a.text for a in advice)
    tried = (
        T("no audio or navigation unit answered on {addresses}", addresses=candidates)
        if candidates
        else T("no audio or navigation address was probed")
    )
    silent = [r.unit for r in physical if r.unit.head_unit and r.present]
    unreachable = known is not None and known.head_unit_on_obd is False
    if adapter_limit is not None and not unreachable:
        answered = tuple(u.response_id for u in silent)
        if silent:
            reason = T(
                "The head unit could not be read with this adapter; {addresses} answered. {why}",
                addresses=answered,
                why=adapter_limit,
            )
        elif candidates:
            reason = T(
                "The head unit could not be read with this adapter (nothing answered on {addresses}, but "
                "answers were lost). {why}",
                addresses=candidates,
                why=adapter_limit,
            )
        else:
            reason = T("The head unit could not be read with this adapter. {why}", why=adapter_limit)
        return HeadUnit("adapter-limited", None, reason, guidance, candidates, advice=advice)
    if silent:
        tried = _and(
            tried,
            T(
                "{addresses} answered without its identification",
                addresses=tuple(u.response_id for u in silent),
            ),
        )
    miu = next((r.unit for r in physical if r.unit.media_gateway and r.present), None)
    if miu is not None:
        tried = _and(
            tried,
            T(
                "the media gateway (MIU) answered on {address}, so media units exist behind it that it does "
                "not pass identification requests to",
                address=miu.response_id,
            ),
        )
    if second_can is not None:
        tried = T("{tried}, on OBD-II pins 6/14 nor on {bus}", tried=tried, bus=second_can)
    elif known is not None and known.head_unit_on_obd is False:
        return HeadUnit(
            "not-reachable",
            None,
            T(
                "On the {family} {why}, so an OBD-II adapter cannot read it; {tried}.",
                family=known.name,
                why=known.why,
                tried=tried,
            ),
            guidance,
            candidates,
            advice=advice,
        )
    if quick and candidates and not silent:
        tried = _and(
            tried,
            T(
                "each was only asked whether it is there, so a unit that ignores that question is found by "
                "scanning again with {option}, which asks each address for its identification directly",
                option="--full",
            ),
        )
    if cut_short:
        tried = _and(tried, T("the scan stopped before its end, so scan again to ask every address"))
    return HeadUnit(
        "not-found",
        None,
        T("The head unit did not answer: {tried}.", tried=tried),
        guidance,
        candidates,
        advice=advice,
    )


def _and(before: Text, after: Text) -> Text:
    """Two parts of one head-unit reason, joined as the English joins them (``; ``)."""
    return T("{before}; {after}", before=before, after=after)


def _answered(unit: Unit, bus: str | None) -> Text:
    """The reason of an identified head unit: where it answered (and on which bus, off the main CAN)."""
    if unit.status == "guess":
        if bus:
            return T(
                "the {unit} answered on {address} (a 29-bit address obdident guessed from the alliance "
                "tables) "
                "({bus}) with its identification",
                unit=unit.description,
                address=unit.request_id,
                bus=bus,
            )
        return T(
            "the {unit} answered on {address} (a 29-bit address obdident guessed from the alliance tables) "
            "with its identification",
            unit=unit.description,
            address=unit.request_id,
        )
    if bus:
        return T(
            "the {unit} answered on {address} ({bus}) with its identification",
            unit=unit.description,
            address=unit.request_id,
            bus=bus,
        )
    return T(
        "the {unit} answered on {address} with its identification",
        unit=unit.description,
        address=unit.request_id,
    )
