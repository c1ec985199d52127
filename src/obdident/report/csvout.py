"""One CSV row per scanned car, for a dealer's log: ``--csv FILE`` appends a row (and the header row when the
file is new or empty). A scan that read nothing from the car (no VIN, no unit answered) appends no row.

Columns, in this order (stable within version 1; new columns are only ever added at the end):

================================  ====================================================================
``scanned_at``                    when the scan started, ISO 8601 UTC (``started_at``)
``vin``                           the VIN, empty when not read
``vin_check_digit``               ``valid``, ``invalid``, ``not-required`` or ``unknown``
``manufacturer``                  from the WMI
``country``                       from the WMI
``family``                        the model family (``X-Trail (T32)``)
``model_year``                    only where the VIN encodes one (North America)
``head_unit_status``              ``identified``, ``not-reachable``, ``not-found``, ``adapter-limited``,
                                  ``not-asked``; empty when not assessed
``head_unit_part``                the head unit's whole part number, when it gave one
``head_unit_part_suffix``         only the part number's suffix (Nissan ``21 83``), when that is all it gave
``head_unit_serial``              the head unit's serial number
``head_unit_software``            its software number or version
``head_unit_hardware``            its hardware number or version
``ecu_count``                     how many units answered
``complete``                      ``true`` or ``false``
``problems``                      the problems' codes, separated by spaces
``tool_version``                  the obdident version that scanned
``port``                          the adapter's port or URL
``head_unit_part_entered``        the part number **entered by the owner** (``--head-unit-part``), since 1.2
``head_unit_serial_entered``      the serial number entered by the owner
``head_unit_software_entered``    the software version entered by the owner
``head_unit_hardware_entered``    the hardware version entered by the owner
``vin_entered``                   the VIN **entered by the owner** (``--vin``); ``vin`` holds only a VIN read
``model_year_entered``            the model year entered by the owner (``--model-year``)
``simulated``                     ``true`` for a simulated car (``sim://``, every value invented)
================================  ====================================================================

The ``head_unit_*`` columns without ``_entered`` hold only what was read over OBD-II; the ``_entered`` ones
only what the owner typed in (:mod:`.entered`), so a log never mixes the two.

The head-unit columns are the QR code's ``HU``, ``HUS``, ``SN``, ``SW``, ``HW`` (:mod:`.headunit`). Values
from the vehicle are untrusted: control characters are removed (:mod:`.sanitize`), and a cell that would
start with ``=``, ``+``, ``-``, ``@`` (or their full-width forms), a tab or a carriage return gets a
leading ``'`` so that a spreadsheet shows it as text instead of running it as a formula.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from obdident.atomicfile import open_append
from obdident.errors import ObdidentError
from obdident.i18n import T
from obdident.model import Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import head_unit_values, nissan_form
from obdident.report.provenance import is_simulated
from obdident.report.sanitize import UNSAFE_CHARACTERS

__all__ = ["COLUMNS", "append_row", "append_rows", "cell", "check_file", "read_anything", "row", "scan_key"]

COLUMNS: tuple[str, ...] = (
    "scanned_at",
    "vin",
    "vin_check_digit",
    "manufacturer",
    "country",
    "family",
    "model_year",
    "head_unit_status",
    "head_unit_part",
    "head_unit_part_suffix",
    "head_unit_serial",
    "head_unit_software",
    "head_unit_hardware",
    "ecu_count",
    "complete",
    "problems",
    "tool_version",
    "port",
    "head_unit_part_entered",
    "head_unit_serial_entered",
    "head_unit_software_entered",
    "head_unit_hardware_entered",
    "vin_entered",
    "model_year_entered",
    "simulated",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def cell(value: object) -> str:
    """Make one value safe for a CSV cell: no control characters, no formula.

    ``None`` is an empty cell; ``True``/``False`` are ``true``/``false``.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    stripped = UNSAFE_CHARACTERS.sub("", text)
    if text.startswith(_FORMULA_START) or stripped.startswith(_FORMULA_START):
        return "'" + stripped
    return stripped


def _part(value: str | None) -> str | None:
    """A part number in one form, read or entered: Nissan's 5 + dash + 5 (:func:`.headunit.nissan_form`)."""
    return nissan_form(value) if value else value


def row(report: Report) -> list[str]:
    """The report's row, one cell per column of :data:`COLUMNS`."""
    v = report.vehicle
    head = report.head_unit
    hu = head_unit_values(report)
    entered = {key: e.value for key, e in entered_values(report).items()}
    vin_entered, year_entered = entered_vin(report), entered_model_year(report)
    values: dict[str, object] = {
        "scanned_at": report.started_at,
        "vin": v.vin,
        "vin_check_digit": v.vin_check_digit,
        # The make from a Nissan CALID or part number (``make_basis``) where no VIN names the maker.
        "manufacturer": v.manufacturer or ("Nissan" if v.make_basis else None),
        "country": v.country,
        "family": v.family,
        "model_year": v.model_year,
        "head_unit_status": head.status if head else None,
        "head_unit_part": _part(hu.get("HU")),
        "head_unit_part_suffix": hu.get("HUS"),
        "head_unit_serial": hu.get("SN"),
        "head_unit_software": hu.get("SW"),
        "head_unit_hardware": hu.get("HW"),
        "ecu_count": len(report.ecus),
        "complete": report.complete,
        "problems": " ".join(p.code for p in report.problems),
        "tool_version": report.tool.get("version", ""),
        "port": report.adapter.port,
        "head_unit_part_entered": _part(entered.get("HU")),
        "head_unit_serial_entered": entered.get("SN"),
        "head_unit_software_entered": entered.get("SW"),
        "head_unit_hardware_entered": entered.get("HW"),
        "vin_entered": vin_entered.value if vin_entered else None,
        "model_year_entered": year_entered.value if year_entered else None,
        "simulated": is_simulated(report),
    }
    return [cell(values[column]) for column in COLUMNS]


def _line(cells: list[str] | tuple[str, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(cells)
    return buffer.getvalue()


#: The columns of the first version 1 logs: an older log's header row is :data:`COLUMNS` cut after one of
#: the columns from here on (rows appended to it keep its columns).
_FIRST_COLUMNS = 18


def _columns(existing: str) -> int:
    """How many columns the log ``existing`` has (its header row's); 0 when its header is not obdident's."""
    first = tuple(next(csv.reader(io.StringIO(existing)), []))
    if len(first) >= _FIRST_COLUMNS and first == COLUMNS[: len(first)]:
        return len(first)
    return 0


def check_file(path: str | Path) -> str:
    """Check that ``path`` is new, empty, or a CSV file with obdident's header row (this version's, or an
    older one's: :data:`COLUMNS` up to an earlier last column); return its text.

    Raises:
        ObdidentError: it cannot be read, or its first row is not obdident's.
    """
    target = Path(path)
    try:
        existing = target.read_text("utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ObdidentError(
            T("{path}: cannot read the CSV file: {reason}", path=str(target), reason=reason)
        ) from err
    if existing.strip():
        first = next(csv.reader(io.StringIO(existing)), [])
        if not _columns(existing):
            shown = ", ".join(first[:3])[:80]
            raise ObdidentError(
                T(
                    "{path}: its header row ({shown}...) is not obdident's: not appending to it",
                    path=str(target),
                    shown=shown,
                ),
                hint=T("Give a new file name, or a CSV file written by obdident --csv."),
            )
    return existing


def read_anything(report: Report) -> bool:
    """Whether the scan read anything from the car: a VIN, or a unit that answered (known or not). A VIN the
    owner entered alone does not make a scan of a car that answered."""
    return bool(report.vehicle.vin or report.ecus or report.unknown_units)


def scan_key(cells: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """What makes two rows the same scan: its start time, VIN and port, or, for a row without a start time
    (a QR payload taken in by ``obdident intake``), every cell."""
    values = dict(zip(COLUMNS, cells, strict=False))
    if values.get("scanned_at"):
        return (values["scanned_at"], values.get("vin", ""), values.get("port", ""))
    return tuple(cells)


def append_rows(rows: list[list[str]], path: str | Path) -> tuple[int, int]:
    """Append ``rows`` (cells of :data:`COLUMNS`) to the CSV file ``path``, writing the header row first when
    the file is new or empty. A row of a scan the file already holds (:func:`scan_key`) is not written again.

    Returns:
        How many rows were appended, and how many were already in the file.

    Raises:
        ObdidentError: the file exists with a different header row, or cannot be written.
    """
    target = Path(path)
    existing = check_file(target)
    present = {scan_key(cells) for cells in list(csv.reader(io.StringIO(existing)))[1:] if cells}
    width = _columns(existing) if existing.strip() else len(COLUMNS)  # an older log keeps its columns
    text, appended, already = "", 0, 0
    for cells in (full[:width] for full in rows):
        key = scan_key(cells)
        if key in present:
            already += 1
            continue
        present.add(key)
        text += _line(cells)
        appended += 1
    if not appended:
        return 0, already
    if not existing.strip():
        text = _line(COLUMNS) + text
    elif not existing.endswith(("\n", "\r")):
        text = "\r\n" + text
    try:
        with open_append(target) as handle:  # O_NOFOLLOW: a symbolic link planted at its name is refused
            handle.write(text)
    except OSError as err:
        reason = err.strerror or str(err)
        raise ObdidentError(
            T("{path}: cannot write the CSV file: {reason}", path=str(target), reason=reason)
        ) from err
    return appended, already


def append_row(report: Report, path: str | Path) -> bool:
    """Append the report's row to the CSV file ``path``; write the header row first when the file is new
    or empty. A scan that read nothing from the car (:func:`read_anything`: no VIN, no unit answered, as
    with the ignition off) is not a car for the log: no row is appended and the file is left as it is. A
    scan the file already holds (the same start time, VIN and port: ``obdident report X.json --csv`` run
    twice) is not appended again.

    Returns:
        True when a row was appended; False for a scan that read nothing or one already in the file.

    Raises:
        ObdidentError: the file exists with a different header row (another program's file, or columns of
            another version), or cannot be written.
    """
    if not read_anything(report):
        check_file(path)
        return False
    appended, _ = append_rows([row(report)], path)
    return appended == 1
