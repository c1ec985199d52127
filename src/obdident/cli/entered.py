"""What the owner types in about the head unit: the ``--head-unit-*`` options, checked before any work, and
the offer to type the part and serial numbers after a scan that did not read them (on a terminal only).

The values are checked by :func:`obdident.vehicles.headunit_forms.check_entered`: a value of no accepted
form exits 2 with the accepted forms, before the adapter is touched. They are added to the report by
:func:`obdident.report.entered.add_entered`, marked "entered by the owner" in every output.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from obdident.cli.console import fail, hint_of, said
from obdident.i18n import N_, _
from obdident.journey.facts import LABEL_FIELDS, missing_label_fields
from obdident.report.sanitize import safe
from obdident.vehicles.headunit_forms import FIELD_NAMES, EnteredValueError, check_entered

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import EnteredField, EnteredValue, Report

__all__ = ["OFFERED", "checked", "interactive", "missing", "offer"]

#: The fields offered after a scan, with their output field: the two the dealer needs (the journey's table,
#: the window's too).
OFFERED: tuple[tuple[EnteredField, str], ...] = LABEL_FIELDS
#: How many times a refused value is asked for again before the field is skipped.
_ATTEMPTS = 3


def checked(
    err: Console,
    part: str | None,
    serial: str | None,
    software: str | None,
    hardware: str | None,
) -> tuple[EnteredValue, ...]:
    """Check the ``--head-unit-*`` options' values; exit 2 on the first of no accepted form.

    Raises:
        typer.Exit: exit code 2, with the value (shown safely) and the accepted forms on stderr.
    """
    given: tuple[tuple[EnteredField, str | None], ...] = (
        ("part_number", part),
        ("serial_number", serial),
        ("software_version", software),
        ("hardware_version", hardware),
    )
    values: list[EnteredValue] = []
    for field, text in given:
        if text is None:
            continue
        try:
            values.append(check_entered(field, text))
        except EnteredValueError as exc:
            fail(err, exc)
    return tuple(values)


#: What the owner is asked, by the fields the scan did not read (:data:`OFFERED`).
_OFFERS: dict[tuple[str, ...], str] = {
    ("part_number", "serial_number"): N_(
        "The scan did not read the head unit's part number and serial number; the dealer needs them. They "
        "are on the label on the unit's case (some units show them on a version screen). Type them to add "
        "them to the report, marked as entered by you, or press Enter to skip."
    ),
    ("part_number",): N_(
        "The scan did not read the head unit's part number; the dealer needs it. It is on the label on the "
        "unit's case (some units show it on a version screen). Type it to add it to the report, marked as "
        "entered by you, or press Enter to skip."
    ),
    ("serial_number",): N_(
        "The scan did not read the head unit's serial number; the dealer needs it. It is on the label on the "
        "unit's case (some units show it on a version screen). Type it to add it to the report, marked as "
        "entered by you, or press Enter to skip."
    ),
}
#: The prompt for each offered field.
_QUESTIONS: dict[str, str] = {
    "part_number": N_("Head unit part number"),
    "serial_number": N_("Head unit serial number"),
}


def interactive() -> bool:
    """Whether a person is at the terminal: stdin and stdout are both terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def missing(report: Report) -> list[EnteredField]:
    """The offered fields (part and serial numbers) neither read over OBD-II nor entered."""
    return missing_label_fields(report)


def offer(err: Console, report: Report) -> tuple[EnteredValue, ...]:
    """On a terminal, offer to take the head unit's part and serial numbers the scan did not read.

    Nothing is asked when stdin or stdout is not a terminal, or when both were read or entered. Enter skips a
    field; Ctrl-C or end of input skips the rest; a value of no accepted form is asked for again (at most
    three times), with the accepted forms.

    Args:
        err: where the questions go (stderr, so that stdout keeps only the report).
        report: the scan's report, with the values given as options already added.

    Returns:
        The values typed in, checked.
    """
    fields = missing(report)
    if not fields or not interactive():
        return ()
    err.print(safe(_(_OFFERS.get(tuple(fields), _OFFERS[("part_number", "serial_number")]))))
    values: list[EnteredValue] = []
    for field in fields:
        for _attempt in range(_ATTEMPTS):
            try:
                question = _(_QUESTIONS[field]) if field in _QUESTIONS else f"Head unit {FIELD_NAMES[field]}"
                text = typer.prompt(question, default="", show_default=False, err=True)
            except typer.Abort:  # Ctrl-C or end of input: skip the rest
                err.print("")
                return tuple(values)
            if not text.strip():
                break
            try:
                values.append(check_entered(field, text))
                break
            except EnteredValueError as exc:
                err.print(f"[red]{safe(said(exc))}[/] {safe(hint_of(exc))}")
    return tuple(values)
