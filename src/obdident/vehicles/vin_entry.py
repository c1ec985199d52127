"""A VIN and a model year the owner types in (``--vin``, ``--model-year``, the window's boxes, the terminal's
prompt), checked against the rules of :mod:`obdident.vehicles.vin`: ISO 3779 structure, and the 49 CFR 565.15
check digit where it is required (North-American VINs, position 1 is 1-5).
"""

from __future__ import annotations

import re

from obdident.i18n import TN, T, Text
from obdident.model import EnteredValue, OwnerField
from obdident.vehicles.headunit_forms import FIELD_NAMES, EnteredValueError, check_entered
from obdident.vehicles.vin import (
    VIN_LENGTH,
    VIN_PLACES,
    compute_check_digit,
    is_north_american,
    is_placeholder,
    is_valid_structure,
)

__all__ = [
    "FIRST_MODEL_YEAR",
    "MODEL_YEAR_AHEAD",
    "box_refusal",
    "check_entered_model_year",
    "check_entered_vin",
    "check_owner_value",
]

#: The first model year of the 17-character VIN (49 CFR 565, in force for model year 1981).
FIRST_MODEL_YEAR = 1981
#: How far ahead of the calendar a model year may run (cars of model year N are sold from N - 1).
MODEL_YEAR_AHEAD = 1
_VIN_TYPING = re.compile(r"[\s-]")
_YEAR = re.compile(r"[0-9]{4}")
_SHOWN = 40  # characters of a refused value shown in its message


_VIN = T("VIN")
_YEAR_NAME = T("model year")


def _refused(flag: str, field: Text, text: str, reason: Text) -> EnteredValueError:
    typed = text.strip()
    shown = repr(typed if len(typed) <= _SHOWN else typed[:_SHOWN] + "...")  # repr: no control character
    return EnteredValueError(
        T(
            "{option} {value} is not a {field} obdident accepts: {reason}",
            option=flag,
            value=shown,
            field=field,
            reason=reason,
        ),
        field="vin" if flag == "--vin" else "model_year",
        hint=T("Type it as printed on {places}.", places=VIN_PLACES)
        if flag == "--vin"
        else T("Type four digits (2014)."),
        reason=reason,
    )


def check_entered_vin(text: str) -> EnteredValue:
    """Check a VIN the owner typed in (from the VIN plate, the door pillar, the registration document).

    Spaces and dashes are dropped and letters upper-cased (``sjn fbat32u 1000001``); the result must have the
    ISO 3779 structure (17 characters from 0-9 and A-Z without I, O and Q) and, for a North-American VIN
    (position 1 is 1-5), the check digit 49 CFR 565.15 requires in position 9 (:func:`compute_check_digit`).
    Elsewhere the check digit is not required and not checked.

    Args:
        text: what the owner typed.

    Returns:
        The VIN, normalised, with form ``vin`` and the provenance "entered by the owner".

    Raises:
        EnteredValueError: the value is refused (exit code 2); the message says why (its length, a letter
            I, O or Q, another character, a placeholder, the check digit), the hint where to read the VIN.
    """
    vin = _VIN_TYPING.sub("", text).upper()
    if not vin.isascii() or not vin.isprintable():
        raise _refused("--vin", _VIN, text, T("it holds characters a VIN never has"))
    if len(vin) != VIN_LENGTH:
        raise _refused(
            "--vin",
            _VIN,
            text,
            TN(
                "it has {n} character; a VIN has {length}",
                "it has {n} characters; a VIN has {length}",
                len(vin),
                length=VIN_LENGTH,
            ),
        )
    excluded = sorted({char for char in vin if char in "IOQ"})
    if excluded:
        raise _refused(
            "--vin", _VIN, text,
            T("it holds {letters}, which a VIN never has (ISO 3779): read 1 for I, 0 for O and Q",
              letters=tuple(excluded)),
        )  # fmt: skip
    if not is_valid_structure(vin):
        raise _refused("--vin", _VIN, text, T("a VIN has only the digits 0-9 and the letters A-Z"))
    if is_placeholder(vin):
        raise _refused("--vin", _VIN, text, T("it is a placeholder, not a vehicle's VIN"))
    if is_north_american(vin):
        expected = compute_check_digit(vin)
        if vin[8] != expected:
            raise _refused(
                "--vin", _VIN, text,
                T("its check digit (position 9) is {digit}, but its other characters give {expected}: a "
                  "character is mistyped (North-American VINs carry a check digit)",
                  digit=vin[8], expected=expected),
            )  # fmt: skip
    return EnteredValue(field="vin", value=vin, form="vin")


def check_entered_model_year(text: str, *, this_year: int) -> EnteredValue:
    """Check a model year the owner typed in (from the registration document).

    Args:
        text: what the owner typed (``2014``).
        this_year: the calendar year now (the caller reads the clock): a model year may run
            :data:`MODEL_YEAR_AHEAD` year ahead of it.

    Returns:
        The year, four digits, with form ``year`` and the provenance "entered by the owner".

    Raises:
        EnteredValueError: not four digits, or outside :data:`FIRST_MODEL_YEAR` to ``this_year`` + 1
            (exit code 2).
    """
    year = text.strip()
    latest = this_year + MODEL_YEAR_AHEAD
    if not _YEAR.fullmatch(year):
        raise _refused("--model-year", _YEAR_NAME, text, T("a model year is four digits (2014)"))
    if not FIRST_MODEL_YEAR <= int(year) <= latest:
        raise _refused(
            "--model-year", _YEAR_NAME, text,
            T("model years run from {first} (the first 17-character VINs) to {latest}",
              first=FIRST_MODEL_YEAR, latest=latest),
        )  # fmt: skip
    return EnteredValue(field="model_year", value=year, form="year")


def check_owner_value(field: OwnerField, text: str, *, this_year: int) -> EnteredValue:
    """Check any value an owner types in, by its field: the VIN, the model year or a head-unit identifier
    (:func:`obdident.vehicles.headunit_forms.check_entered`), as a front end's box or prompt takes it.

    Raises:
        EnteredValueError: the value is refused (exit code 2).
    """
    if field == "vin":
        return check_entered_vin(text)
    if field == "model_year":
        return check_entered_model_year(text, this_year=this_year)
    return check_entered(field, text)


def box_refusal(field: OwnerField, text: str, exc: EnteredValueError) -> Text:
    """Why a box's value is refused, in the owner's words, naming the box and not a command-line option
    (``'BP12345' is not a head-unit serial number obdident accepts: this has 5 digits after BP. ...``)."""
    hint = exc.hint or ""
    if field in ("vin", "model_year"):
        if exc.reason:
            return T(
                "{value} is not a {field} obdident accepts: {reason}. {hint}",
                value=repr(text),
                field=FIELD_NAMES[field],
                reason=exc.reason,
                hint=hint,
            )
        return T(
            "{value} is not a {field} obdident accepts. {hint}",
            value=repr(text),
            field=FIELD_NAMES[field],
            hint=hint,
        )
    if exc.reason:
        return T(
            "{value} is not a head-unit {field} obdident accepts: {reason}. {hint}",
            value=repr(text),
            field=FIELD_NAMES[field],
            reason=exc.reason,
            hint=hint,
        )
    return T("{value} is not a head-unit {field} obdident accepts. {hint}", value=repr(text),
             field=FIELD_NAMES[field], hint=hint)  # fmt: skip
