"""The head unit's assessment: whether it was identified, how sure that is, and where to read what is still
missing; its reason is an owner sentence as data (:class:`~obdident.i18n.Text`), built from the parts that
apply (what was tried, what answered, why it cannot be reached)."""

from __future__ import annotations

from collections.abc import Sequence

from obdident.i18n import T, Text
from obdident.model import HEAD_UNIT_FIELDS, HeadUnit
from obdident.scanning.state import UnitResult
from obdident.vehicles import nissan
from obdident.vehicles.families import Family
from obdident.vehicles.nissan import Unit

__all__ = ["head_unit"]


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
