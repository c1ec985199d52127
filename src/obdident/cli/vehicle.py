"""What the owner types in about the vehicle: ``--vin`` and ``--model-year``, checked before any work, and the
offer to type the VIN after a scan that did not read it (when stdin is a terminal).

The rules live below the command line, in :mod:`obdident.vehicles.vin_entry` (ISO 3779 structure, the
49 CFR 565.15 check digit of North-American VINs, a plausible model year);
:func:`obdident.report.entered.add_entered` marks the values "entered by the owner" in every output.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import typer

from obdident.cli.console import fail, said
from obdident.cli.entered import checked as checked_entered
from obdident.cli.entered import offer as offer_entered
from obdident.i18n import T, _
from obdident.report.entered import add_entered, vin_missing
from obdident.report.sanitize import safe
from obdident.vehicles.headunit_forms import EnteredValueError
from obdident.vehicles.vin import VIN_PLACES
from obdident.vehicles.vin_entry import check_entered_model_year, check_entered_vin

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import EnteredValue, Report

__all__ = [
    "ask_owner",
    "checked_owner",
    "checked_vehicle",
    "offer_vin",
    "offered_values",
    "stdin_is_terminal",
]

#: How many times a refused VIN is asked for again before it is skipped.
_ATTEMPTS = 3


def stdin_is_terminal() -> bool:
    """Whether a person can answer: stdin is a terminal (the question goes to stderr, so stdout may be a
    file or a pipe)."""
    return sys.stdin.isatty()


def checked_vehicle(err: Console, vin: str | None, model_year: str | None) -> tuple[EnteredValue, ...]:
    """Check ``--vin`` and ``--model-year``; exit 2 with the reason on the first refused.

    Raises:
        typer.Exit: exit code 2, with the value (shown safely), why it is refused and where to read it.
    """
    values: list[EnteredValue] = []
    try:
        if vin is not None:
            values.append(check_entered_vin(vin))
        if model_year is not None:
            values.append(check_entered_model_year(model_year, this_year=date.today().year))
    except EnteredValueError as exc:
        fail(err, exc)
    return tuple(values)


def offer_vin(err: Console, report: Report) -> tuple[EnteredValue, ...]:
    """When stdin is a terminal and the scan read no VIN (and none was given), offer to take it.

    Enter, Ctrl-C or end of input skips; a refused VIN is asked for again (at most three times), with why.

    Args:
        err: where the question goes (stderr, so that stdout keeps only the report).
        report: the scan's report, with the values given as options already added.

    Returns:
        The VIN typed in, checked; empty when skipped or not asked.
    """
    if not vin_missing(report) or not stdin_is_terminal():
        return ()
    offer = T(
        "The car did not give its VIN over OBD-II; the dealer needs it. It is on {places}. Type it to add it "
        "to the report, marked as entered by you, or press Enter to skip.",
        places=VIN_PLACES,
    )
    err.print(safe(offer.render()))
    for _attempt in range(_ATTEMPTS):
        try:
            text = typer.prompt(_("VIN"), default="", show_default=False, err=True)
        except typer.Abort:  # Ctrl-C or end of input
            err.print("")
            return ()
        if not text.strip():
            return ()
        try:
            return (check_entered_vin(text),)
        except EnteredValueError as exc:
            err.print(f"[red]{safe(said(exc))}[/]")
    return ()


def checked_owner(
    err: Console,
    vin: str | None,
    model_year: str | None,
    part: str | None,
    serial: str | None,
    software: str | None,
    hardware: str | None,
) -> tuple[EnteredValue, ...]:
    """Check every value the owner gave as an option (``--vin`` ... ``--head-unit-hardware``); exit 2 on the
    first refused (:func:`checked_vehicle`, :func:`obdident.cli.entered.checked`)."""
    return checked_vehicle(err, vin, model_year) + checked_entered(err, part, serial, software, hardware)


def ask_owner(err: Console, report: Report, entered: tuple[EnteredValue, ...], *, ask: bool) -> Report:
    """``report`` with the values given as options, then, when ``ask``, what the owner types at the offers:
    the VIN (:func:`offer_vin`), then the head unit's part and serial numbers
    (:func:`obdident.cli.entered.offer`); all marked as entered by the owner."""
    report = add_entered(report, entered)
    if ask:
        report = add_entered(report, offer_vin(err, report))
        report = add_entered(report, offer_entered(err, report))
    return report


def offered_values(err: Console, report: Report) -> tuple[EnteredValue, ...]:
    """What the owner types at the offers after a scan (a terminal only): the VIN (:func:`offer_vin`), then
    the head unit's part and serial numbers (:func:`obdident.cli.entered.offer`), each checked."""
    vin = offer_vin(err, report)
    return vin + offer_entered(err, add_entered(report, vin))
