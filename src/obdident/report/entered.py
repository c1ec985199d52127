"""Identifiers the owner typed in (the head unit's, the VIN and model year), added to a report beside what was
read, and compared with it.

:func:`add_entered` puts the checked values (:func:`obdident.vehicles.headunit_forms.check_entered`) under
``head_unit.entered`` with the provenance "entered by the owner": they never replace a read value, never
change the head unit's status or identification, and every output marks them. Where a value was read over
OBD-II too and the two differ (compared without case, spaces and dashes; a read ``21 83`` suffix agrees with
an entered part number that ends with it), both are kept and a ``head-unit-mismatch`` problem says so.

The VIN and model year (``--vin``, ``--model-year``; :mod:`obdident.vehicles.vin_entry`) go under
``vehicle.entered`` the same way: ``vehicle.vin`` keeps only what was read, and a VIN read over OBD-II that
differs from the one entered raises ``vin-mismatch``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from obdident.i18n import T
from obdident.model import EnteredValue, HeadUnit, OwnerField, Problem, Report
from obdident.report.headunit import head_unit_values
from obdident.vehicles.headunit_forms import FIELD_NAMES, comparable

__all__ = [
    "ENTERED_KEYS",
    "MISMATCH",
    "NOT_ASSESSED",
    "VIN_MISMATCH",
    "add_entered",
    "agrees",
    "entered_model_year",
    "entered_values",
    "entered_vin",
    "label_fields_missing",
    "vin_missing",
]

#: The output field (:data:`obdident.report.headunit.FIELDS`) each entered field stands beside.
ENTERED_KEYS: dict[OwnerField, str] = {
    "part_number": "HU",
    "serial_number": "SN",
    "software_version": "SW",
    "hardware_version": "HW",
}
#: The problem code of a read value and an entered one that differ.
MISMATCH = "head-unit-mismatch"
#: The problem code of a VIN read over OBD-II and one entered by the owner that differ (as for sources that
#: disagree: :func:`obdident.scanning.assess.vehicle`).
VIN_MISMATCH = "vin-mismatch"
#: The head unit's reason when values are entered on a report whose scan did not reach the head unit.
NOT_ASSESSED = T(
    "The scan did not get as far as the head unit: nothing was probed. Its identifiers below were entered "
    "by the owner."
)


def entered_values(report: Report) -> dict[str, EnteredValue]:
    """The entered values by output field (``HU``, ``SN``, ``SW``, ``HW``); empty when none was entered."""
    head = report.head_unit
    if head is None:
        return {}
    return {ENTERED_KEYS[e.field]: e for e in head.entered}


def entered_vin(report: Report) -> EnteredValue | None:
    """The VIN the owner entered (``--vin``), or None."""
    return next((e for e in report.vehicle.entered if e.field == "vin"), None)


def entered_model_year(report: Report) -> EnteredValue | None:
    """The model year the owner entered (``--model-year``), or None."""
    return next((e for e in report.vehicle.entered if e.field == "model_year"), None)


def vin_missing(report: Report) -> bool:
    """True when no VIN was read over OBD-II and none was entered: what the terminal's prompt and the window's
    box ask for."""
    return report.vehicle.vin is None and entered_vin(report) is None


def label_fields_missing(report: Report) -> list[str]:
    """The output keys (``HU``, ``SN``) neither read over OBD-II nor entered: what the terminal's prompt and
    the window's label step ask for. ``HU`` is asked for when only the part number's suffix (``21 83``) was
    read: the dealer needs the whole number, which is on the label."""
    read, mine = head_unit_values(report), entered_values(report)
    return [key for key in ("HU", "SN") if key not in read and key not in mine]


def agrees(key: str, entered: str, read: dict[str, str]) -> bool | None:
    """Whether ``entered`` agrees with what was read for ``key``; None when nothing comparable was read."""
    if key in read:
        return comparable(read[key]) == comparable(entered)
    if key == "HU" and "HUS" in read:
        return comparable(entered).endswith(comparable(read["HUS"]))
    return None


def _mismatches(report: Report) -> list[Problem]:
    read = head_unit_values(report)
    head = report.head_unit
    problems: list[Problem] = []
    for key, entered in entered_values(report).items():
        if agrees(key, entered.value, read) is not False:
            continue
        shown = read.get(key) or T("ending {suffix}", suffix=read.get("HUS"))
        problems.append(
            Problem.of(
                MISMATCH,
                T(
                    "The head unit's {field} read over OBD-II ({read}) differs from the one entered by the "
                    "owner ({entered}): check the unit's label; both are shown.",
                    field=FIELD_NAMES[entered.field],
                    read=shown,
                    entered=entered.value,
                ),
                response_id=head.response_id if head else None,
            )
        )
    return problems


def _vin_mismatch(report: Report) -> Problem | None:
    """The ``vin-mismatch`` problem of an entered VIN that differs from one read over OBD-II, or None."""
    mine = entered_vin(report)
    if mine is None:
        return None
    usable = [s for s in report.vehicle.vin_sources if s.value and "*" not in s.value]  # masked: not the VIN
    differ = [s for s in usable if s.value != mine.value]
    if not differ:
        return None
    read = tuple(T("{vin} from {unit}", vin=s.value, unit=s.response_id) for s in differ)
    return Problem.of(
        VIN_MISMATCH,
        T(
            "The VIN read over OBD-II ({read}) differs from the one entered by the owner ({entered}): check "
            "the VIN plate; both are shown.",
            read=read,
            entered=mine.value,
        ),
        response_id=differ[0].response_id,
    )


def _add_vehicle(report: Report, values: dict[str, EnteredValue]) -> Report:
    """``report`` with the entered VIN and model year under ``vehicle.entered``, its mismatch recomputed."""
    if not values:
        return report
    old = _vin_mismatch(report)
    kept = tuple(e for e in report.vehicle.entered if e.field not in values)
    order = ["vin", "model_year"]
    entered = tuple(sorted((*kept, *values.values()), key=lambda e: order.index(e.field)))
    updated = replace(report, vehicle=replace(report.vehicle, entered=entered))
    problems = tuple(p for p in report.problems if p != old)
    new = _vin_mismatch(updated)
    return replace(updated, problems=(*problems, new) if new else problems)


def add_entered(report: Report, values: Iterable[EnteredValue]) -> Report:
    """Return ``report`` with ``values`` under ``head_unit.entered`` (the head unit's) or ``vehicle.entered``
    (``vin``, ``model_year``) and the mismatch problems recomputed.

    A value replaces an earlier entered value of the same field (``obdident report SCAN.json
    --head-unit-serial ...`` corrects a typing error); values of other fields are kept. A report whose scan
    did not reach the head unit (``head_unit`` None) gets one with status ``not-asked``, nothing probed and
    :data:`NOT_ASSESSED` as its reason, to carry the values. An entered VIN that differs from a VIN read over
    OBD-II (any source) raises ``vin-mismatch``; the sources' own ``vin-mismatch`` (they disagree among
    themselves) is kept.

    Args:
        report: the report, as read (before ``--redact``).
        values: checked values (:func:`obdident.vehicles.headunit_forms.check_entered`).

    Returns:
        The new report; ``report`` itself when ``values`` is empty.
    """
    given = list(values)
    report = _add_vehicle(report, {v.field: v for v in given if v.field in ("vin", "model_year")})
    new = {v.field: v for v in given if v.field not in ("vin", "model_year")}
    if not new:
        return report
    head = report.head_unit or HeadUnit("not-asked", reason=NOT_ASSESSED)
    kept = tuple(e for e in head.entered if e.field not in new)
    order = list(ENTERED_KEYS)
    entered = tuple(sorted((*kept, *new.values()), key=lambda e: order.index(e.field)))
    updated = replace(report, head_unit=replace(head, entered=entered))
    problems = tuple(p for p in report.problems if p.code != MISMATCH)
    return replace(updated, problems=(*problems, *_mismatches(updated)))
