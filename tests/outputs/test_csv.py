"""The CSV log: one header, a row per car, cells that cannot start a formula."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from obdident import cli
from obdident.model import Report
from obdident.report import csvout
from tests.outputs.common import (
    DEMO_VIN,
    FORMULA_START,
    invoke,
)

# -- CSV -----------------------------------------------------------------------------------------------


def test_csv_header_once_then_one_row_per_car(tmp_path: Path, demo_json: Path) -> None:
    log = tmp_path / "cars.csv"
    assert invoke("scan", "--demo", "--csv", str(log)).exit_code == 0
    assert invoke("scan", "--port", "sim://nissan-qashqai-j10", "--csv", str(log)).exit_code == 0
    # Another scan of the demo car (a scan is its start time, VIN and port: same second, same scan)
    data = json.loads(demo_json.read_text())
    data["started_at"] = "2026-01-02T03:04:05Z"
    demo_json.write_text(json.dumps(data))
    assert invoke("report", str(demo_json), "--csv", str(log)).exit_code == 0
    rows = list(csv.reader(io.StringIO(log.read_text(), newline="")))
    assert tuple(rows[0]) == csvout.COLUMNS
    assert len(rows) == 4 and all(len(r) == len(csvout.COLUMNS) for r in rows)
    first = dict(zip(csvout.COLUMNS, rows[1], strict=True))
    assert first["vin"] == DEMO_VIN and first["family"] == "X-Trail (T32)"
    assert first["head_unit_status"] == "not-found" and first["ecu_count"] == "6"
    assert first["complete"] == "true" and first["port"] == "sim://nissan-xtrail-t32"
    assert first["head_unit_part"] == first["head_unit_serial"] == ""  # not read: empty, not guessed
    j10 = dict(zip(csvout.COLUMNS, rows[2], strict=True))
    assert j10["vin"] == "" and "vin-not-available" in j10["problems"].split()
    assert j10["head_unit_status"] == "not-reachable" and j10["family"] == "Qashqai (J10)"
    assert log.read_bytes().count(b"\r\n") == 4


def test_csv_refuses_a_file_with_other_columns(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,amount\nx,1\n")
    result = invoke("scan", "--demo", "--csv", str(other))
    assert result.exit_code == cli.EXIT_USAGE
    assert "is not obdident's" in result.stderr
    assert other.read_text() == "name,amount\nx,1\n"  # checked before the scan, left as it was


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'=1"),
        ("\r=1", "'=1"),
        ("\x1b[31m=x", "[31m=x"),
        ("\x1b=x", "'=x"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("a\x00b\x9bc\nd", "abcd"),
        ("237106FR9A", "237106FR9A"),
        (None, ""),
        (True, "true"),
        (2019, "2019"),
    ],
)
def test_csv_cells_are_neutralised(value: object, expected: str) -> None:
    assert csvout.cell(value) == expected


def test_hostile_strings_cannot_start_a_formula_in_the_csv(hostile: Report, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    assert csvout.append_row(hostile, log)
    assert not csvout.append_row(hostile, log)  # the same scan again: read back from the file, not appended
    rows = list(csv.reader(io.StringIO(log.read_text(), newline="")))
    assert len(rows) == 2
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_START), value
            assert not re.search(r"[\x00-\x1f\x7f-\x9f]", value), value
    record = dict(zip(csvout.COLUMNS, rows[1], strict=True))
    assert record["head_unit_part"] == '\'=HYPERLINK("http://x")'
    assert record["head_unit_serial"] == "'+cmd|' /C calc'!A0"
    assert record["head_unit_software"] == "'-2+3+cmd|' /C calc'!A0"
    assert record["head_unit_hardware"] == "'@SUM(1+1);HW=2\\3"
