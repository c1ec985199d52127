"""Head-unit identifiers the owner typed in, added to a report beside what was read, and compared with it.

:func:`add_entered` puts the checked values (:func:`obdident.vehicles.headunit_forms.check_entered`) under
``head_unit.entered`` with the provenance "entered by the owner": they never replace a read value, never
change the head unit's status or identification, and every output marks them. Where a value was read over
OBD-II too and the two differ (compared without case, spaces and dashes; a read ``21 83`` suffix agrees with
an entered part number that ends with it), both are kept and a ``head-unit-mismatch`` problem says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from obdident.model import EnteredField, EnteredValue, HeadUnit, Problem, Report
from obdident.report.headunit import head_unit_values
from obdident.vehicles.headunit_forms import FIELD_NAMES, comparable

__all__ = ["ENTERED_KEYS", "MISMATCH", "NOT_ASSESSED", "add_entered", "agrees", "entered_values"]

#: The output field (:data:`obdident.report.headunit.FIELDS`) each entered field stands beside.
ENTERED_KEYS: dict[EnteredField, str] = {
    "part_number": "HU",
    "serial_number": "SN",
    "software_version": "SW",
    "hardware_version": "HW",
}
#: The problem code of a read value and an entered one that differ.
MISMATCH = "head-unit-mismatch"
#: The head unit's reason when values are entered on a report whose scan did not reach the head unit.
NOT_ASSESSED = (
    "The scan did not get as far as the head unit: nothing was probed. Its identifiers below were entered "
    "by the owner."
)


def entered_values(report: Report) -> dict[str, EnteredValue]:
    """The entered values by output field (``HU``, ``SN``, ``SW``, ``HW``); empty when none was entered."""
    head = report.head_unit
    if head is None:
        return {}
    return {ENTERED_KEYS[e.field]: e for e in head.entered}


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
        shown = read.get(key) or f"ending {read.get('HUS')}"
        name = FIELD_NAMES[entered.field]
        problems.append(
            Problem(
                MISMATCH,
                f"The head unit's {name} read over OBD-II ({shown}) differs from the one entered by the "
                f"owner ({entered.value}): check the unit's label; both are shown.",
                head.response_id if head else None,
            )
        )
    return problems


def add_entered(report: Report, values: Iterable[EnteredValue]) -> Report:
    """Return ``report`` with ``values`` under ``head_unit.entered`` and the mismatch problems recomputed.

    A value replaces an earlier entered value of the same field (``obdident report SCAN.json
    --head-unit-serial ...`` corrects a typing error); values of other fields are kept. A report whose scan
    did not reach the head unit (``head_unit`` None) gets one with status ``not-asked``, nothing probed and
    :data:`NOT_ASSESSED` as its reason, to carry the values.

    Args:
        report: the report, as read (before ``--redact``).
        values: checked values (:func:`obdident.vehicles.headunit_forms.check_entered`).

    Returns:
        The new report; ``report`` itself when ``values`` is empty.
    """
    new = {v.field: v for v in values}
    if not new:
        return report
    head = report.head_unit or HeadUnit("not-asked", reason=NOT_ASSESSED)
    kept = tuple(e for e in head.entered if e.field not in new)
    order = list(ENTERED_KEYS)
    entered = tuple(sorted((*kept, *new.values()), key=lambda e: order.index(e.field)))
    updated = replace(report, head_unit=replace(head, entered=entered))
    problems = tuple(p for p in report.problems if p.code != MISMATCH)
    return replace(updated, problems=(*problems, *_mismatches(updated)))
