"""The dealer's desk: many owners' reports and QR payloads read into one list (``obdident intake``).

An owner brings a JSON report (``obdident scan --json``) or the QR code of the printed page, which a phone
or a USB QR scanner types as one ``OBDIDENT1;…`` line (:mod:`.qr`). :func:`take` reads any mix of them:

* a report file (JSON, checked against the report schema by :func:`~obdident.report.load.load_report`);
* a folder: every ``*.json`` file below it, in name order;
* a text file (or standard input) of QR payload lines, one car a line; blank lines are passed over.

Each car becomes an :class:`Entry`: its row in :data:`~obdident.report.csvout.COLUMNS` (the columns of
``scan --csv``) and its provenance marks (:data:`MARKS`): simulated, redacted, entered by the owner,
mismatched, and a VIN whose structure or check digit (ISO 3779; 49 CFR 565.15 for North American VINs) does
not hold. Two entries with the same VIN are one car: the newest is kept (:func:`_newer`) and the other is
listed as dropped, with the one that replaced it. An input that cannot be read is named with the reason
and skipped; the rest is still taken. Nothing is guessed: a QR line gives only the fields it holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from obdident.errors import ObdidentError
from obdident.i18n import N_, T, Text
from obdident.model import Report
from obdident.report import csvout
from obdident.report.entered import entered_values
from obdident.report.headunit import nissan_form
from obdident.report.load import load_report
from obdident.report.provenance import is_simulated
from obdident.report.qr import MAGIC, parse_payload
from obdident.report.redact import is_redacted
from obdident.report.sanitize import plain
from obdident.vehicles.vin import decode_vin, is_valid_structure

__all__ = ["MARKS", "WARN_MARKS", "Dropped", "Entry", "Intake", "Skipped", "render_html", "take"]

#: Provenance marks, by key, in the owner's and the dealer's words.
MARKS: dict[str, str] = {
    "simulated": N_("simulated: invented values, not a car"),
    "redacted": N_("redacted: some values masked"),
    "entered": N_("entered by the owner, not read from the car"),
    "mismatch": N_("read and entered values differ"),
    "vin-structure": N_("VIN is not 17 valid characters"),
    "vin-check-digit": N_("VIN check digit does not match"),
    "no-vin": N_("no VIN"),
}

#: QR payload keys and the CSV column each fills (:mod:`.qr`, :mod:`.csvout`).
_QR_COLUMNS: dict[str, str] = {
    "VIN": "vin",
    "HU": "head_unit_part",
    "HUS": "head_unit_part_suffix",
    "SN": "head_unit_serial",
    "SW": "head_unit_software",
    "HW": "head_unit_hardware",
    "EHU": "head_unit_part_entered",
    "ESN": "head_unit_serial_entered",
    "ESW": "head_unit_software_entered",
    "EHW": "head_unit_hardware_entered",
    "EVIN": "vin_entered",
    "EMY": "model_year_entered",
}

#: A report file larger than this is not a report: it is named and skipped, unread (bytes).
MAX_REPORT_BYTES = 8 * 1024 * 1024
#: A payload text larger than this is not a QR scanner's typing: it is named and skipped (bytes).
MAX_PAYLOAD_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Entry:
    """One car as taken in.

    Attributes:
        source: where it came from, as the dealer named it (``scans/a.json``, ``codes.txt line 3``).
        kind: ``report`` (a JSON report) or ``qr`` (a QR payload line).
        row: the car's cells by column of :data:`~obdident.report.csvout.COLUMNS`.
        marks: keys of :data:`MARKS` that apply, in that order.
        order: the position in which it was read (0 first).
    """

    source: str
    kind: Literal["report", "qr"]
    row: dict[str, str]
    marks: tuple[str, ...]
    order: int

    @property
    def vin(self) -> str:
        """The VIN read from the car, else the one the owner entered (empty when neither); redacted VINs
        keep their ``*``."""
        return self.row["vin"] or self.row.get("vin_entered", "")

    @property
    def scanned_at(self) -> str:
        """When the scan started (ISO 8601 UTC), empty for a QR payload (it carries no time)."""
        return self.row["scanned_at"]


@dataclass(frozen=True)
class Skipped:
    """An input that could not be taken: ``source`` and the one-line ``reason``."""

    source: str
    reason: str


@dataclass(frozen=True)
class Dropped:
    """An entry left out because ``kept`` is a newer entry for the same VIN."""

    entry: Entry
    kept: Entry


@dataclass
class Intake:
    """What :func:`take` read: the entries kept (reading order), duplicates dropped, inputs skipped."""

    entries: list[Entry] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _vin_marks(vin: str) -> list[str]:
    if not vin:
        return ["no-vin"]
    if "*" in vin:
        return []  # masked by --redact: the "redacted" mark says it; the structure cannot be checked
    if not is_valid_structure(vin):
        return ["vin-structure"]
    return ["vin-check-digit"] if decode_vin(vin).check_digit == "invalid" else []


def _ordered(marks: Iterable[str]) -> tuple[str, ...]:
    found = set(marks)
    return tuple(key for key in MARKS if key in found)


def _report_entry(report: Report, source: str, order: int) -> Entry:
    cells = dict(zip(csvout.COLUMNS, csvout.row(report), strict=True))
    marks = _vin_marks(cells["vin"] or cells.get("vin_entered", ""))
    if is_simulated(report):
        marks.append("simulated")
    if is_redacted(report):
        marks.append("redacted")
    if entered_values(report) or report.vehicle.entered:
        marks.append("entered")
    if any(p.code.endswith("mismatch") for p in report.problems):
        marks.append("mismatch")
    return Entry(source, "report", cells, _ordered(marks), order)


def _qr_entry(fields: dict[str, str], source: str, order: int) -> Entry:
    cells = dict.fromkeys(csvout.COLUMNS, "")
    for key, column in _QR_COLUMNS.items():
        if key in fields:
            cells[column] = csvout.cell(fields[key])
    for column in ("head_unit_part", "head_unit_part_entered"):
        cells[column] = nissan_form(cells[column])
    vin = cells["vin"]
    if vin and is_valid_structure(vin):
        info = decode_vin(vin)
        cells["vin_check_digit"] = info.check_digit
        cells["manufacturer"] = csvout.cell(info.manufacturer)
        cells["country"] = csvout.cell(info.country)
        cells["model_year"] = csvout.cell(info.model_year)
    marks = _vin_marks(vin or cells.get("vin_entered", ""))
    simulated = fields.get("SIM") == "1"  # obdident's payloads mark a simulated car first (:mod:`.qr`)
    cells["simulated"] = csvout.cell(simulated)
    if simulated:
        marks.append("simulated")
    if any(key in fields for key in ("EHU", "ESN", "ESW", "EHW", "EVIN", "EMY")):
        marks.append("entered")
    pairs = (("HU", "EHU"), ("SN", "ESN"), ("SW", "ESW"), ("HW", "EHW"), ("VIN", "EVIN"))
    if any(a in fields and b in fields and fields[a] != fields[b] for a, b in pairs):
        marks.append("mismatch")
    return Entry(source, "qr", cells, _ordered(marks), order)


def _payload_lines(text: str, source: str) -> Iterator[tuple[str, dict[str, str] | str]]:
    """Each non-blank line's name and its parsed payload, or the reason it is not one."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip().lstrip("\ufeff")
        if not stripped:
            continue
        where = T("{source} line {number}", source=source, number=number)
        if not stripped.startswith(MAGIC + ";") and stripped != MAGIC:
            yield where, T("not an obdident QR payload (it does not start with {magic})", magic=MAGIC)
            continue
        try:
            yield where, parse_payload(stripped)
        except ValueError as err:
            yield where, T("not a readable QR payload: {reason}", reason=str(err))


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.rglob("*.json") if p.is_file())
    return [path]


def _read_file(path: Path) -> tuple[str, str | None]:
    """The file's text and None, or "" and the reason it cannot be read."""
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            return "", T("too large for a report ({size} bytes)", size=size)
        return path.read_text("utf-8"), None
    except UnicodeDecodeError:
        return "", T("not a text file (not UTF-8)")
    except OSError as err:
        return "", T("cannot read it: {reason}", reason=err.strerror or str(err))


def _is_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def _newer(candidate: Entry, current: Entry) -> bool:
    """Whether ``candidate`` replaces ``current`` for the same VIN.

    The scan with the later start time wins. A QR payload carries no time: an entry with a time beats one
    without (a report carries its evidence), and between two entries without a time the one read later wins.
    """
    if candidate.scanned_at and current.scanned_at:
        if candidate.scanned_at != current.scanned_at:
            return candidate.scanned_at > current.scanned_at
        return candidate.order > current.order
    if candidate.scanned_at or current.scanned_at:
        return bool(candidate.scanned_at)
    return candidate.order > current.order


def _deduplicated(intake: Intake, taken: list[Entry]) -> None:
    best: dict[str, Entry] = {}
    for entry in taken:
        key = entry.vin.upper()
        if not key or "*" in key:
            continue  # no VIN, or a masked one: not known to be the same car as another
        if key not in best or _newer(entry, best[key]):
            best[key] = entry
    for entry in taken:
        key = entry.vin.upper()
        kept = best.get(key)
        if kept is None or kept is entry:
            intake.entries.append(entry)
        else:
            intake.dropped.append(Dropped(entry, kept))


def take(inputs: Iterable[str | Path], stdin: str | None = None) -> Intake:
    """Read report files, folders of them and QR payload text into one :class:`Intake`.

    Args:
        inputs: paths; a folder stands for every ``*.json`` file below it. ``-`` stands for ``stdin``.
        stdin: the text of standard input (QR payload lines), used for ``-``.

    Returns:
        The entries (one per car, newest per VIN), the duplicates dropped and the inputs skipped, each
        skipped input named with its reason. Never raises for a bad input.
    """
    intake = Intake()
    taken: list[Entry] = []
    for given in inputs:
        if str(given) == "-":
            text = stdin or ""
            if len(text.encode("utf-8", "surrogatepass")) > MAX_PAYLOAD_BYTES:
                intake.skipped.append(Skipped(T("standard input"), T("too large for QR payload lines")))
                continue
            for where, parsed in _payload_lines(text, T("standard input")):
                _take_payload(intake, taken, where, parsed)
            continue
        path = Path(given)
        if not path.exists():
            intake.skipped.append(Skipped(plain(str(path)), T("no such file or folder")))
            continue
        files = _files(path)
        if path.is_dir() and not files:
            intake.skipped.append(Skipped(plain(str(path)), T("the folder holds no .json report")))
        for file in files:
            name = plain(str(file))
            text, problem = _read_file(file)
            if problem is not None:
                intake.skipped.append(Skipped(name, problem))
            elif _is_json(text):
                _take_report(intake, taken, file, name)
            else:
                for where, parsed in _payload_lines(text, name):
                    _take_payload(intake, taken, where, parsed)
    _deduplicated(intake, taken)
    return intake


def _take_report(intake: Intake, taken: list[Entry], file: Path, name: str) -> None:
    try:
        report = load_report(file)
    except (ObdidentError, RecursionError, json.JSONDecodeError) as err:
        said = getattr(err, "text", None) or (
            err.args[0] if err.args and isinstance(err.args[0], Text) else None
        )
        intake.skipped.append(Skipped(name, said if isinstance(said, Text) else _one_line(str(err), name)))
        return
    taken.append(_report_entry(report, name, len(taken)))


def _take_payload(intake: Intake, taken: list[Entry], where: str, parsed: dict[str, str] | str) -> None:
    if isinstance(parsed, str):
        intake.skipped.append(Skipped(where, parsed))
    else:
        taken.append(_qr_entry(parsed, where, len(taken)))


def _one_line(message: str, name: str) -> str:
    first = message.splitlines()[0] if message else "not a report"
    if first.startswith(name + ":"):
        first = first[len(name) + 1 :].strip()
    return plain(first)[:300]


#: Marks that say a value may not be the car's own: shown in bold on the list.
WARN_MARKS = frozenset({"simulated", "mismatch", "vin-structure", "vin-check-digit"})


def render_html(intake: Intake, version: str) -> str:
    """The printable list of requests: one line per car with its provenance marks, then the duplicates left
    out and the inputs that could not be read (UTF-8 HTML, autoescaped, A4 landscape, no script)."""
    from obdident.report.html import environment

    return (
        environment()
        .get_template("intake.html")
        .render(
            entries=intake.entries,
            dropped=intake.dropped,
            skipped=intake.skipped,
            marks=MARKS,
            warn=WARN_MARKS,
            version=version,
        )
    )
