"""The forms a head unit's identifiers take on its label, for what the owner types in (``--head-unit-part``,
``--head-unit-serial``, ``--head-unit-software``, ``--head-unit-hardware``).

OBD-II often cannot read the head unit (a J10's audio sits on its own bus); the owner then reads its part and
serial numbers from the label and types them in. :func:`check_entered` checks each value against the forms
below, normalises it (upper case, single spaces, the dash of a Nissan part number) and names its form. A value
of no known form is refused with the accepted forms, so that no markup (``<b>x</b>``) and no control
character ever reaches a report.

Forms, by field (first match wins):

======================  ===============================================================================
``part_number``         ``nissan-part-number``: 5 + 5 characters, with a dash, a space or nothing between,
                        the first three digits (``25915-5FA1A``; ``259155FA1A`` and ``28185 4ea0a`` become
                        ``25915-5FA1A`` and ``28185-4EA0A``; Bosch-built units have a letter in the prefix,
                        ``2591A-5FA0B`` on a Micra K14). Nissan
                        returns part numbers without the dash, ``237109HE2B`` = 23710-9HE2B [opendbc];
                        prefix 25915 navigation [2005 X-Trail service manual AV-38], 28185 / 28184 audio
                        [seed articles, weak]. Then ``other``.
``serial_number``       ``bosch-blaupunkt-serial``: ``BP`` + 12 digits, spaces and dashes inside dropped
                        (``BP 1234 5678 9012`` becomes ``BP123456789012``) [micra.org.uk forum, weak];
                        labels print the serial after ``815`` (``815BP...``, ``815CM...``): the ``815`` is
                        dropped [evidence section 5, weak]. Then ``other``.
``software_version``    ``version``: 1-32 characters from A-Z, 0-9, ``.``, ``-`` and space; versions are
``hardware_version``    short and dotted: LCN2kai shows ``D302`` / ``031`` [ea/bosch_headunit_root docs],
                        R-Link 2 ``7.8.24.136`` [ddt4all issue #1056].
every field             ``other``: 4-32 characters from A-Z, 0-9, ``-`` and space, shown to the owner as
                        "unusual form: check the label" (:func:`form_note`).
======================  ===============================================================================

Refused, with the form expected: a ``BP`` serial with another number of digits than 12; a serial number given
as the part number ("this looks like a serial number") and a Nissan part number given as the serial number
("this looks like a part number").

Sources: docs/evidence/head-units.md (in this repository) section 4, "Head-unit serial / part-number
formats", with the public sources each form comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from obdident.errors import ExitCode, ObdidentError
from obdident.i18n import TN, T, Text
from obdident.model import EnteredField, EnteredValue, OwnerField

__all__ = [
    "FIELD_NAMES",
    "FORMS",
    "EnteredValueError",
    "Form",
    "accepted_forms",
    "check_entered",
    "comparable",
    "form_note",
    "nissan_part_kind",
]

#: How each field is named to the owner (messages, prompts).
FIELD_NAMES: dict[OwnerField, str] = {
    "part_number": T("part number"),
    "serial_number": T("serial number"),
    "software_version": T("software version"),
    "hardware_version": T("hardware version"),
    "vin": T("VIN"),
    "model_year": T("model year"),
}


@dataclass(frozen=True)
class Form:
    """One accepted form of an entered value.

    Attributes:
        name: the form's stable name, as in the report's ``form`` (``nissan-part-number``).
        fields: the fields it applies to.
        pattern: the normalised value must match it whole.
        description: how the owner is told the form, with an example.
        source: where the form comes from.
    """

    name: str
    fields: tuple[EnteredField, ...]
    pattern: re.Pattern[str]
    description: Text
    source: str


_ALL: tuple[EnteredField, ...] = ("part_number", "serial_number", "software_version", "hardware_version")

#: The forms, in the order they are tried.
FORMS: tuple[Form, ...] = (
    Form(
        "nissan-part-number",
        ("part_number",),
        re.compile(r"[0-9]{3}[0-9A-Z]{2}[ -]?[0-9A-Z]{5}"),
        T("a Nissan part number, 5 + 5 characters with a dash, a space or nothing between (25915-5FA1A)"),
        "opendbc Nissan fingerprints (237109HE2B = 23710-9HE2B); 2005 X-Trail service manual AV-38 "
        "(25915 navigation); seed articles (28185 / 28184 audio)",
    ),
    Form(
        "bosch-blaupunkt-serial",
        ("serial_number",),
        re.compile(r"BP[0-9]{12}"),
        T("a Bosch/Blaupunkt serial number, BP and 12 digits (BP123456789012; labels may print 815 first)"),
        "micra.org.uk forum, radio code thread (BP + 12 digits, 14 characters) [weak]",
    ),
    Form(
        "version",
        ("software_version", "hardware_version"),
        re.compile(r"[0-9A-Z][0-9A-Z. -]{0,31}"),
        T("a version, 1-32 characters from A-Z, 0-9, '.', '-' and space (D302, 7.8.24.136)"),
        "ea/bosch_headunit_root docs (LCN2kai D302 / 031); ddt4all issue #1056 (R-Link 2 sw 7.8.24.136)",
    ),
    Form(
        "other",
        _ALL,
        re.compile(r"[0-9A-Z][0-9A-Z -]{3,31}"),
        T("4-32 characters from A-Z, 0-9, '-' and space"),
        "issue 12: a form not known to obdident, kept as typed (normalised)",
    ),
)

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s-]")
#: What labels print before a Bosch/Blaupunkt serial (``815BP...``, ``815CM...``) [evidence section 5].
_LABEL_PREFIX = re.compile(r"^815(?=BP|CM)")
#: A serial number's look: ``BP`` or ``CM`` and digits.
_SERIAL_LIKE = re.compile(r"(BP|CM)[0-9]{6,}")
_SERIAL_START = re.compile(r"(815)?(BP|CM)[0-9]")
_BP_DIGITS = re.compile(r"BP([0-9]+)")
_BP_LENGTH = 12
_NISSAN_PART = re.compile(r"[0-9]{3}[0-9A-Z]{2}[ -]?[0-9A-Z]{5}")
_PART_FORM = T("5 + 5 characters (25915-5FA1A)")
_SERIAL_FORM = T("BP and 12 digits (BP123456789012)")
#: Nissan part-number prefixes (PFP) of head units, with what they name.
_NISSAN_KINDS = {"25915": T("navigation"), "28185": T("audio"), "28184": T("audio")}


class EnteredValueError(ObdidentError):
    """A value the owner typed in is of no accepted form; the hint lists the accepted forms.

    Attributes:
        field: the field it was given for.
        reason: why it is refused, in the owner's words without the option's name (for the window), or None
            when the hint says it all.
    """

    code: ClassVar[str] = "entered-value-refused"
    exit_code: ClassVar[ExitCode] = ExitCode.USAGE

    def __init__(self, message: str, *, field: OwnerField, hint: str, reason: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.field, self.reason = field, reason


def accepted_forms(field: EnteredField) -> str:
    """The forms accepted for ``field``, as one sentence (``a Nissan part number ...; or 4-32 ...``)."""
    first, *more = [form.description for form in FORMS if field in form.fields]
    shown: Text = first
    for description in more:
        shown = T("{forms}; or {form}", forms=shown, form=description)
    return shown


def _normalised(text: str) -> str:
    return _SPACES.sub(" ", text.strip()).upper()


def check_entered(field: EnteredField, text: str) -> EnteredValue:
    """Check a value the owner typed in, normalise it and name its form.

    Args:
        field: which identifier it is (``part_number`` ...).
        text: what the owner typed.

    Returns:
        The value, normalised (upper case, single spaces, a Nissan part number with its dash, a Blaupunkt
        serial without separators), with the name of its form and the provenance "entered by the owner".

    Raises:
        EnteredValueError: ``text`` is of no form accepted for ``field`` (exit code 2); the message shows the
            value safely (:func:`repr`, at most 40 characters) and the hint lists the accepted forms.
    """
    value = _normalised(text)
    if field == "serial_number" and _SERIAL_START.match(_SEPARATORS.sub("", value)):  # 815BP...: BP...
        value = _LABEL_PREFIX.sub("", _SEPARATORS.sub("", value))
    _refuse_the_other_field(field, text, value)
    for form in FORMS:
        if field not in form.fields:
            continue
        candidate = _SEPARATORS.sub("", value) if form.name == "bosch-blaupunkt-serial" else value
        if form.pattern.fullmatch(candidate):
            if form.name == "nissan-part-number":
                candidate = _SEPARATORS.sub("", candidate)
                candidate = f"{candidate[:5]}-{candidate[5:]}"
            return EnteredValue(field=field, value=candidate, form=form.name)
    raise _refused(
        field, text, None, T("Type it as on the unit's label: {forms}.", forms=accepted_forms(field))
    )


def _refused(field: EnteredField, text: str, reason: Text | None, hint: Text) -> EnteredValueError:
    shown = repr(text if len(text) <= 40 else text[:40] + "...")
    flag = "--head-unit-" + field.split("_")[0]
    message = (
        T(
            "{option} {value} is not a head-unit {field} obdident accepts: {reason}",
            option=flag,
            value=shown,
            field=FIELD_NAMES[field],
            reason=reason,
        )
        if reason
        else T(
            "{option} {value} is not a head-unit {field} obdident accepts",
            option=flag,
            value=shown,
            field=FIELD_NAMES[field],
        )
    )
    return EnteredValueError(message, field=field, hint=hint, reason=reason)


def _refuse_the_other_field(field: EnteredField, text: str, value: str) -> None:
    """Refuse a serial number given as the part number and the other way round, and a ``BP`` serial whose
    digits are not 12, naming the form expected."""
    bare = _SEPARATORS.sub("", value)
    if field == "part_number" and _SERIAL_LIKE.fullmatch(_LABEL_PREFIX.sub("", bare)):
        hint = T("Type it as the serial number; the part number is {form}.", form=_PART_FORM)
        raise _refused(field, text, T("this looks like a serial number"), hint)
    if field == "serial_number" and _NISSAN_PART.fullmatch(value):
        hint = T("Type it as the part number; the serial number is {form}.", form=_SERIAL_FORM)
        raise _refused(field, text, T("this looks like a part number"), hint)
    if field == "serial_number" and (digits := _BP_DIGITS.fullmatch(bare)) and len(digits[1]) != _BP_LENGTH:
        count = len(digits[1])
        reason = TN("this has {n} digit after BP", "this has {n} digits after BP", count)
        hint = T("Check the label: a Bosch/Blaupunkt serial number is {form}.", form=_SERIAL_FORM)
        raise _refused(field, text, reason, hint)


#: What the owner is told about a value's form, where there is something to tell (no form name is shown).
_FORM_NOTES = {"other": T("unusual form: check the label")}


def form_note(form: str) -> Text | None:
    """The owner's words about an entered value's form: ``unusual form: check the label`` for a value of no
    form obdident knows (``other``); None for a known form. Form names (``nissan-part-number``) stay in the
    JSON."""
    return _FORM_NOTES.get(form)


def comparable(value: str) -> str:
    """A value reduced for comparison: upper case, no spaces, no dashes (``25915-5fa1a``: ``259155FA1A``)."""
    return _SEPARATORS.sub("", value).upper()


def nissan_part_kind(part_number: str) -> str | None:
    """What a Nissan part number's prefix names (``navigation``, ``audio``), or None when not known."""
    return _NISSAN_KINDS.get(comparable(part_number)[:5])
