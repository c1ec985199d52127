"""The forms a head unit's identifiers take on its label, for what the owner types in (``--head-unit-part``,
``--head-unit-serial``, ``--head-unit-software``, ``--head-unit-hardware``).

OBD-II often cannot read the head unit (a J10's audio sits on its own bus); the owner then reads its part and
serial numbers from the label and types them in. :func:`check_entered` checks each value against the forms
below, normalises it (upper case, single spaces, the dash of a Nissan part number) and names its form. A value
of no known form is refused with the accepted forms, so that no markup (``<b>x</b>``) and no control
character ever reaches a report.

Forms, by field (first match wins):

======================  ===============================================================================
``part_number``         ``nissan-part-number``: 5 + 5 characters, with or without the dash, the first
                        three digits (``25915-5FA1A``; ``259155FA1A`` becomes ``25915-5FA1A``). Nissan
                        returns part numbers without the dash, ``237109HE2B`` = 23710-9HE2B [opendbc];
                        prefix 25915 navigation [2005 X-Trail service manual AV-38], 28185 / 28184 audio
                        [seed articles, weak]. Then ``other``.
``serial_number``       ``bosch-blaupunkt-serial``: ``BP`` + 12 digits, spaces and dashes inside dropped
                        (``BP 1234 5678 9012`` becomes ``BP123456789012``) [micra.org.uk forum, weak].
                        Then ``other``.
``software_version``    ``version``: 1-32 characters from A-Z, 0-9, ``.``, ``-`` and space; versions are
``hardware_version``    short and dotted: LCN2kai shows ``D302`` / ``031`` [ea/bosch_headunit_root docs],
                        R-Link 2 ``7.8.24.136`` [ddt4all issue #1056].
every field             ``other``: 4-32 characters from A-Z, 0-9, ``-`` and space.
======================  ===============================================================================

Sources: docs/evidence/head-units.md (in this repository) section 4, "Head-unit serial / part-number
formats", with the public sources each form comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from obdident.errors import ExitCode, ObdidentError
from obdident.model import EnteredField, EnteredValue

__all__ = [
    "FIELD_NAMES",
    "FORMS",
    "EnteredValueError",
    "Form",
    "accepted_forms",
    "check_entered",
    "comparable",
    "nissan_part_kind",
]

#: How each field is named to the owner (messages, prompts).
FIELD_NAMES: dict[EnteredField, str] = {
    "part_number": "part number",
    "serial_number": "serial number",
    "software_version": "software version",
    "hardware_version": "hardware version",
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
    description: str
    source: str


_ALL: tuple[EnteredField, ...] = ("part_number", "serial_number", "software_version", "hardware_version")

#: The forms, in the order they are tried.
FORMS: tuple[Form, ...] = (
    Form(
        "nissan-part-number",
        ("part_number",),
        re.compile(r"[0-9]{3}[0-9A-Z]{2}-?[0-9A-Z]{5}"),
        "a Nissan part number, 5 + 5 characters with or without the dash (25915-5FA1A, 28185-BH20A)",
        "opendbc Nissan fingerprints (237109HE2B = 23710-9HE2B); 2005 X-Trail service manual AV-38 "
        "(25915 navigation); seed articles (28185 / 28184 audio)",
    ),
    Form(
        "bosch-blaupunkt-serial",
        ("serial_number",),
        re.compile(r"BP[0-9]{12}"),
        "a Bosch/Blaupunkt serial number, BP and 12 digits (BP123456789012)",
        "micra.org.uk forum, radio code thread (BP + 12 digits, 14 characters) [weak]",
    ),
    Form(
        "version",
        ("software_version", "hardware_version"),
        re.compile(r"[0-9A-Z][0-9A-Z. -]{0,31}"),
        "a version, 1-32 characters from A-Z, 0-9, '.', '-' and space (D302, 7.8.24.136)",
        "ea/bosch_headunit_root docs (LCN2kai D302 / 031); ddt4all issue #1056 (R-Link 2 sw 7.8.24.136)",
    ),
    Form(
        "other",
        _ALL,
        re.compile(r"[0-9A-Z][0-9A-Z -]{3,31}"),
        "4-32 characters from A-Z, 0-9, '-' and space",
        "issue 12: a form not known to obdident, kept as typed (normalised)",
    ),
)

_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s-]")
#: Nissan part-number prefixes (PFP) of head units, with what they name.
_NISSAN_KINDS = {"25915": "navigation", "28185": "audio", "28184": "audio"}


class EnteredValueError(ObdidentError):
    """A value the owner typed in is of no accepted form; the hint lists the accepted forms.

    Attributes:
        field: the field it was given for.
    """

    code: ClassVar[str] = "entered-value-refused"
    exit_code: ClassVar[ExitCode] = ExitCode.USAGE

    def __init__(self, message: str, *, field: EnteredField, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.field = field


def accepted_forms(field: EnteredField) -> str:
    """The forms accepted for ``field``, as one sentence (``a Nissan part number ...; or 4-32 ...``)."""
    return "; or ".join(form.description for form in FORMS if field in form.fields)


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
    for form in FORMS:
        if field not in form.fields:
            continue
        candidate = _SEPARATORS.sub("", value) if form.name == "bosch-blaupunkt-serial" else value
        if form.pattern.fullmatch(candidate):
            if form.name == "nissan-part-number":
                candidate = candidate.replace("-", "")
                candidate = f"{candidate[:5]}-{candidate[5:]}"
            return EnteredValue(field=field, value=candidate, form=form.name)
    shown = repr(text if len(text) <= 40 else text[:40] + "...")
    flag = "--head-unit-" + field.split("_")[0]
    raise EnteredValueError(
        f"{flag} {shown} is not a head-unit {FIELD_NAMES[field]} obdident accepts",
        field=field,
        hint=f"Type it as on the unit's label: {accepted_forms(field)}.",
    )


def comparable(value: str) -> str:
    """A value reduced for comparison: upper case, no spaces, no dashes (``25915-5fa1a``: ``259155FA1A``)."""
    return _SEPARATORS.sub("", value).upper()


def nissan_part_kind(part_number: str) -> str | None:
    """What a Nissan part number's prefix names (``navigation``, ``audio``), or None when not known."""
    return _NISSAN_KINDS.get(comparable(part_number)[:5])
