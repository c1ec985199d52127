"""``obdident intake``, the dealer's desk: reports, folders and QR payload lines in; one CSV log and one
printable list out; duplicates by VIN dropped (newest kept), provenance flagged, unreadable inputs named."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from obdident import cli
from obdident.report import csvout
from obdident.report.intake import take
from tests.htmlparse import parse
from tests.outputs.common import DEMO_VIN, invoke

J11_VIN = "SJNFAAJ11U2000001"


def _scan(path: Path, port: str, *extra: str, started_at: str | None = None) -> Path:
    result = invoke("scan", "--port", port, "--json", str(path), *extra)
    assert result.exit_code == cli.EXIT_OK, result.output
    if started_at is not None:
        data = json.loads(path.read_text())
        data["started_at"] = started_at
        path.write_text(json.dumps(data))
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(path.read_text(), newline="")))
    assert tuple(rows[0]) == csvout.COLUMNS
    return [dict(zip(csvout.COLUMNS, r, strict=True)) for r in rows[1:]]


@pytest.fixture
def desk(tmp_path: Path) -> Path:
    """A dealer's folder: two scans of one car, a redacted report, a simulated one, a broken file."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    j11 = "sim://nissan-qashqai-j11-navi"
    _scan(folder / "a-old.json", j11, started_at="2026-11-01T10:00:00Z")
    _scan(folder / "b-new.json", j11, started_at="2026-11-20T10:00:00Z")
    redacted = _scan(tmp_path / "full.json", "sim://nissan-juke-f15-audio")
    assert (
        invoke("report", str(redacted), "--redact", "--json", str(folder / "c-redacted.json")).exit_code == 0
    )
    _scan(folder / "d-demo.json", "sim://nissan-xtrail-t32")
    (folder / "e-broken.json").write_text('{"schema_version": "1.0", "vehicle": ')
    return folder


def test_a_folder_of_reports_gives_one_row_per_car_and_names_the_broken_file(
    tmp_path: Path, desk: Path
) -> None:
    log, page = tmp_path / "desk.csv", tmp_path / "desk.html"
    result = invoke("intake", str(desk), "--csv", str(log), "--html", str(page))
    assert result.exit_code == cli.ExitCode.PARTIAL, result.output  # an input could not be read
    assert "e-broken.json" in result.output and "Could not read" in result.output
    rows = _rows(log)
    vins = [r["vin"] for r in rows]
    assert vins.count(J11_VIN) == 1  # two scans of one car: one row, the newest
    newest = next(r for r in rows if r["vin"] == J11_VIN)
    assert newest["scanned_at"] == "2026-11-20T10:00:00Z"
    assert newest["head_unit_part"] == "25915-5FA1A" and newest["head_unit_serial"] == "BP000000000001"
    assert "a-old.json" in result.output and "replaced by" in result.output
    assert DEMO_VIN in vins
    assert any(v.endswith("******") for v in vins)  # the redacted report is taken, masked as it came
    assert len(rows) == 3  # the J11 once, the Juke (redacted), the X-Trail demo; none for the broken file
    text = page.read_text()
    assert "simulated" in text and "redacted" in text and "e-broken.json" in text


def test_marks_say_what_is_not_read_from_a_car(desk: Path) -> None:
    taken = take([desk])
    marks = {Path(e.source).name: e.marks for e in taken.entries}
    assert "simulated" in marks["d-demo.json"]
    assert "redacted" in marks["c-redacted.json"]
    assert [Path(s.source).name for s in taken.skipped] == ["e-broken.json"]
    assert [Path(d.entry.source).name for d in taken.dropped] == ["a-old.json"]


def test_qr_payload_lines_from_a_scanner_on_stdin(tmp_path: Path) -> None:
    log = tmp_path / "qr.csv"
    typed = (
        f"OBDIDENT1;VIN={J11_VIN};HU=259155FA1A;SN=BP000000000001\n"
        "\n"
        "OBDIDENT1;VIN=1N4AL3AP8JC123456;EHU=28185-4EA0A\n"  # check digit wrong (the valid one is 9)
        "garbage from a scanner\n"
        "OBDIDENT1;HUS=BR02A;ESN=BP312345678901\n"  # no VIN: kept, not merged with another
    )
    result = cli_runner_invoke(["intake", "-", "--csv", str(log)], typed)
    assert result.exit_code == cli.ExitCode.PARTIAL, result.output
    assert "standard input line 4" in result.output
    rows = _rows(log)
    assert [r["vin"] for r in rows] == [J11_VIN, "1N4AL3AP8JC123456", ""]
    assert rows[0]["head_unit_part"] == "25915-5FA1A" and rows[0]["manufacturer"] == "Nissan"
    assert rows[1]["vin_check_digit"] == "invalid" and rows[1]["head_unit_part_entered"] == "28185-4EA0A"
    assert (
        rows[2]["head_unit_part_suffix"] == "BR02A"
        and rows[2]["head_unit_serial_entered"] == "BP312345678901"
    )
    taken = take(["-"], typed)
    assert "vin-check-digit" in taken.entries[1].marks and "entered" in taken.entries[1].marks
    assert "no-vin" in taken.entries[2].marks


def cli_runner_invoke(args: list[str], stdin: str):  # type: ignore[no-untyped-def]
    from tests.outputs.common import runner

    return runner.invoke(cli.app, args, input=stdin)


def test_an_appended_csv_never_gets_the_same_scan_twice(tmp_path: Path) -> None:
    scan = _scan(tmp_path / "scan.json", "sim://nissan-qashqai-j11-navi")
    log = tmp_path / "log.csv"
    for _ in range(2):
        assert invoke("report", str(scan), "--csv", str(log)).exit_code == 0
    # the owner's label value added afterwards: still the same scan
    assert invoke("report", str(scan), "--csv", str(log), "--head-unit-part", "25915-5FA1A").exit_code == 0
    assert invoke("intake", str(scan), "--csv", str(log)).exit_code == 0
    assert len(_rows(log)) == 1


def test_the_part_number_has_one_form_whether_read_or_entered(tmp_path: Path) -> None:
    scan = _scan(tmp_path / "scan.json", "sim://nissan-qashqai-j11-navi")
    log = tmp_path / "log.csv"
    assert invoke("report", str(scan), "--csv", str(log), "--head-unit-part", "259155FA1A").exit_code == 0
    row = _rows(log)[0]
    assert row["head_unit_part"] == row["head_unit_part_entered"] == "25915-5FA1A"


def test_the_make_is_filled_where_the_vin_is_missing(tmp_path: Path) -> None:
    # The J10's ECM stores no VIN; its Nissan CALIDs say the make.
    scan = _scan(tmp_path / "j10.json", "sim://nissan-qashqai-j10")
    log = tmp_path / "log.csv"
    assert invoke("intake", str(scan), "--csv", str(log)).exit_code == 0
    row = _rows(log)[0]
    assert row["vin"] == "" and row["manufacturer"] == "Nissan"


def test_the_list_escapes_what_a_payload_holds(tmp_path: Path) -> None:
    page = tmp_path / "list.html"
    payloads = tmp_path / "codes.txt"
    payloads.write_text("OBDIDENT1;VIN=SJNFAAJ11U2000001;HU=<script>alert(1)</script>\n")
    assert invoke("intake", str(payloads), "--html", str(page)).exit_code == 0
    text = page.read_text()
    assert "<script>alert" not in text and "&lt;script&gt;" in text
    assert parse(text) is not None


def test_nothing_named_or_an_unwritable_output_is_a_usage_error(tmp_path: Path) -> None:
    assert invoke("intake").exit_code == cli.EXIT_USAGE
    result = invoke("intake", str(tmp_path), "--csv", str(tmp_path / "missing" / "x.csv"))
    assert result.exit_code == cli.EXIT_USAGE and "missing" in result.output


def test_a_missing_path_and_an_empty_folder_are_named(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("intake", str(tmp_path / "nope.json"), str(tmp_path / "empty"))
    assert result.exit_code == cli.ExitCode.PARTIAL
    assert "nope.json" in result.output and "no .json report" in result.output


def test_a_vin_the_owner_entered_is_shown_marked_entered_not_as_no_vin(tmp_path: Path) -> None:
    page = tmp_path / "list.html"
    typed = "OBDIDENT1;EVIN=SJNFAAJ11U2000001;EHU=28185-4EA0A\n"
    result = cli_runner_invoke(["intake", "-", "--html", str(page)], typed)
    assert result.exit_code == cli.EXIT_OK, result.output
    assert "(entered)" in result.output and "no VIN" not in result.output  # the 80-column table wraps the VIN
    entry = take(["-"], typed).entries[0]
    assert entry.vin == "SJNFAAJ11U2000001" and "entered" in entry.marks and "no-vin" not in entry.marks
    assert "SJNFAAJ11U2000001 <span" in page.read_text()
