"""What the scan concludes from what it read: the VIN across sources, the model family, the head unit.

Pure functions over the scan's results. Nothing is guessed: a VIN is given only when every usable source
agrees, a family only from a VIN model code or a part number seen on that family in public captures, and
the head unit's status says what was tried.
"""

from __future__ import annotations

from collections.abc import Sequence

from obdident.discovery import UnitResult
from obdident.model import HeadUnit, Problem, Vehicle, VinSource
from obdident.vehicles import nissan
from obdident.vehicles.nissan import Family, Unit
from obdident.vehicles.vin import decode_vin

__all__ = ["VIN_ELSEWHERE", "family", "head_unit", "vehicle"]

VIN_ELSEWHERE = (
    "Read the VIN from the plate at the bottom of the windscreen, the label on the driver's door pillar, "
    "or the registration document."
)


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
    for source in sources:
        if source.value is None:
            problems.append(
                Problem("vin-not-stored", f"{source.response_id} ({source.source}): {source.problem}",
                        source.response_id)
            )  # fmt: skip
    if len(usable) > 1:
        listed = ", ".join(f"{s.response_id} {s.value}" for s in sources if s.value)
        problems.append(Problem("vin-mismatch", f"ECUs disagree on the VIN ({listed}). " + VIN_ELSEWHERE))
        return Vehicle(vin_sources=tuple(sources))
    if not usable:
        if any_ecu:
            problems.append(
                Problem("vin-not-available", "No ECU gave a usable VIN over OBD-II. " + VIN_ELSEWHERE)
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


def family(vin: str | None, physical: Sequence[UnitResult]) -> tuple[Family, str] | None:
    """The Nissan model family, from the VIN's model code or a part number seen on that family.

    Returns:
        The family and what established it, or None.
    """
    if vin is not None:
        found = nissan.family_from_vin(vin)
        if found is not None:
            return found
    for result in physical:
        suffix = result.fields.get("part_number_suffix")
        if suffix:
            found = nissan.family_from_fingerprint(result.unit.response_id, suffix)
            if found is not None:
                return found
    return None


def head_unit(
    probed: Sequence[Unit], physical: Sequence[UnitResult], known: Family | None, *, nissan_table: bool
) -> HeadUnit:
    """Say whether the head unit was identified, and if not, why and where to read its identifiers.

    Args:
        probed: every unit probed.
        physical: the units that answered.
        known: the vehicle's family, when established.
        nissan_table: the Nissan address table was probed (the vehicle is, or may be, a Nissan).
    """
    candidates = tuple(u.request_id for u in probed if u.head_unit)
    if not nissan_table:
        return HeadUnit(
            "not-found",
            None,
            "obdident knows head-unit addresses only for Nissan vehicles, so none was probed on this one.",
            nissan.ANY_MAKE_HEAD_UNIT_GUIDANCE,
            (),
        )
    guidance = (known.guidance if known else ()) + nissan.GENERAL_HEAD_UNIT_GUIDANCE
    for result in physical:
        if result.unit.head_unit and result.fields:
            return HeadUnit(
                "identified",
                result.unit.response_id,
                f"the {result.unit.description} answered on {result.unit.request_id} with its identification",
                guidance,
                candidates,
            )
    tried = (
        f"no audio or navigation unit answered on {', '.join(candidates)}"
        if candidates
        else ("no audio or navigation address was probed")
    )
    if known is not None and known.head_unit_on_obd is False:
        return HeadUnit(
            "not-reachable",
            None,
            f"On the {known.name} {known.why} ({known.source}), so an OBD-II adapter cannot read it; "
            f"{tried}.",
            guidance,
            candidates,
        )
    return HeadUnit("not-found", None, f"The head unit did not answer: {tried}.", guidance, candidates)
