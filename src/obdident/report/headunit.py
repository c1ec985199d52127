"""The head unit's identifiers as the dealer's outputs give them: one table, shared by the QR code
(:mod:`.qr`), the CSV row (:mod:`.csvout`), the page (:mod:`.html`) and the code request (:mod:`.request`).

Each output field (``HU``, ``HUS``, ``SN``, ``SW``, ``HW``) is taken from the ECU entry the head unit
answered as (``head_unit.status`` is ``identified``), first identification key present wins; a value
holding ``*`` (masked security bytes, or masked by ``--redact``) is left out: it is not the value the unit
holds. Nothing is guessed.
"""

from __future__ import annotations

import re

from obdident.i18n import N_, T, Text
from obdident.model import HEAD_UNIT_FIELDS, Ecu, Report

__all__ = [
    "CONFIDENCE",
    "FIELDS",
    "LABELS",
    "MASKED",
    "STATUS",
    "STOPS",
    "ending",
    "head_unit_ecu",
    "head_unit_values",
    "masked_value",
    "nissan_form",
    "nothing_read",
    "owner_rows",
    "part_number",
    "shown_rows",
]

#: Field names in payload order, each with the identification keys it is taken from (first present wins).
FIELDS: dict[str, tuple[str, ...]] = HEAD_UNIT_FIELDS


#: The owner's names of the fields, in the order they are shown.
LABELS: dict[str, str] = {
    "HU": N_("Part number"),
    "SN": N_("Serial number"),
    "SW": N_("Software version"),
    "HW": N_("Hardware version"),
}

#: How sure the identification of the unit as the head unit is, in the owner's words
#: (:attr:`obdident.model.HeadUnit.confidence`).
CONFIDENCE: dict[str, Text] = {
    "confirmed": T("sure: its part number is a Nissan audio or navigation part number"),
    "likely": T(
        "likely: it answered where the head unit is expected, but its part number does not say it is one"
    ),
    "guess": T(
        "a guess: it answered on an address public tables give to audio or navigation units; check "
        "the part number against the label on the unit"
    ),
}

#: The head unit's status in the owner's words (:attr:`obdident.model.HeadUnit.status`; the JSON keeps the
#: code).
STATUS: dict[str, str] = {
    "identified": N_("identified over OBD-II"),
    "not-reachable": N_("not reachable from the OBD-II socket"),
    "not-found": N_("not found over OBD-II"),
    "adapter-limited": N_("not read: the adapter could not"),
    "not-asked": N_("not asked: the scan stopped before it reached the head unit"),
}

#: The problems that stop a scan before its end, with what happened in the owner's words.
STOPS: dict[str, str] = {
    "link-lost": N_("the link to the adapter was lost"),
    "scan-timeout": N_("the scan's time limit ran out"),
    "interrupted": N_("the scan was interrupted"),
    "port-open": N_("the adapter's link could not be opened again"),
    "adapter-reset": N_("the adapter kept resetting itself"),
    "replay-diverged": N_("the replayed session went another way"),
    "adapter-error": N_("the adapter failed"),
    "scan-failed": N_("obdident stopped on an unexpected error"),
    "adapter-stopped-answering": N_("the adapter stopped answering"),
    "adapter-lacks-command": N_("the adapter lacks a command the scan needs"),
}


def nothing_read(report: Report) -> bool:
    """True when no unit answered and no VIN was read (the ignition off, or no vehicle at the socket)."""
    return not report.ecus and not report.vehicle.vin


def ending(report: Report) -> Text:
    """How the scan ended, in one sentence for the owner, the same on every screen and in the letter.

    A scan cut short says what stopped it, what it reached, and to scan again; it concludes nothing about
    what it did not reach. A scan that read nothing says what to check.
    """
    if report.complete:
        return T("complete: every step ran to its end.")
    codes = [p.code for p in report.problems]
    stop = next((code for code in codes if code in STOPS), None)
    if nothing_read(report) and stop is None:
        return T(
            "nothing answered: switch the ignition on (the engine may stay off), check the adapter sits "
            "firmly in the OBD-II socket, and scan again."
        )
    if stop is None:
        return T("incomplete: a step did not run to its end (see the problems); what was read is kept.")
    head = report.head_unit
    before_head_unit = head is None or head.status == "not-asked"
    if report.vehicle.vin:
        reached = (
            T("after reading the VIN, before it reached the head unit")
            if before_head_unit
            else T("after reading the VIN")
        )
    else:
        reached = (
            T("before it read the VIN, before it reached the head unit")
            if before_head_unit
            else T("before it read the VIN")
        )
    return T(
        "cut short: {stop} {reached}. What was read is kept; nothing is concluded about what the scan did "
        "not reach. Scan again to read the rest.",
        stop=T(STOPS[stop]),
        reached=reached,
    )


_NISSAN_PART = re.compile(r"[0-9A-Z]{5}[0-9A-Z]{5}")


def nissan_form(part: str) -> str:
    """Write a 10-character Nissan part number the way Nissan prints it, 5 + dash + 5.

    Nissan units return the part number without the dash (``259155FA1A``); labels and dealers write
    ``25915-5FA1A`` (commaai/opendbc Nissan fingerprints; evidence section 8, formats). Anything else is
    returned as it is.
    """
    return f"{part[:5]}-{part[5:]}" if _NISSAN_PART.fullmatch(part) else part


def part_number(values: dict[str, str]) -> str | None:
    """The part number in the owner's form from :func:`head_unit_values`: the whole number in Nissan's form,
    or, when only the ``21 83`` suffix was read, the suffix as a suffix (``…-BR02A``); None when neither."""
    if "HU" in values:
        return nissan_form(values["HU"])
    if "HUS" in values:
        return f"\u2026-{values['HUS']}"
    return None


def owner_rows(report: Report) -> list[tuple[str, str | None]]:
    """The head unit's identifiers as the owner reads them: (label, value or None when not read), in the
    order of :data:`LABELS`; the part number in Nissan's form (:func:`part_number`)."""
    values = head_unit_values(report)
    rows: list[tuple[str, str | None]] = [(T(LABELS["HU"]), part_number(values))]
    rows += [(T(LABELS[name]), values.get(name)) for name in ("SN", "SW", "HW")]
    return rows


#: How a value masked before it was shared (``--redact``, or security bytes) is marked where it is shown.
MASKED = N_("masked for sharing")


def masked_value(report: Report, key: str) -> str | None:
    """The head unit's ``key`` value (``HU``, ``SN``, ``SW``, ``HW``) as masked (``BP00000*******``, all
    ``*`` with ``--redact``), or None when it is not masked or was not read."""
    ecu = head_unit_ecu(report)
    if ecu is None:
        return None
    fields = ecu.identification.fields
    value = next((fields[k] for k in FIELDS[key] if fields.get(k)), None)
    return value if value and "*" in value else None


def shown_rows(report: Report) -> list[tuple[str, str | None]]:
    """:func:`owner_rows` as the screens, the page and the letter show them: a value read and then masked is
    shown masked and marked (:data:`MASKED`), never as "not read"."""
    rows: list[tuple[str, str | None]] = []
    for (label, value), key in zip(owner_rows(report), ("HU", "SN", "SW", "HW"), strict=True):
        masked = None if value else masked_value(report, key)
        shown = T("{value} (masked for sharing)", value=masked) if masked else None
        rows.append((label, value or shown))
    return rows


def head_unit_ecu(report: Report) -> Ecu | None:
    """The ECU entry of an identified head unit, or None."""
    head = report.head_unit
    if head is None or head.status != "identified" or head.response_id is None:
        return None
    return next((e for e in report.ecus if e.response_id == head.response_id), None)


def head_unit_values(report: Report) -> dict[str, str]:
    """The head unit's ``HU``, ``HUS``, ``SN``, ``SW``, ``HW`` values that were read (and are not masked)."""
    ecu = head_unit_ecu(report)
    values: dict[str, str] = {}
    if ecu is None:
        return values
    for name, keys in FIELDS.items():
        for key in keys:
            value = ecu.identification.fields.get(key)
            if value and "*" not in value:
                values[name] = value
                break
    return values
