"""A report written before words became data (schema 1.2: problems with only an English ``message``, the
vehicle's notes and the head unit's reason as English strings, no ``msgid``/``params``/``texts``) still
loads, and still makes its letter and its page (issue 19, "A report written before this change still
loads"). The two reports in ``tests/old_reports`` were written by obdident at schema 1.2 from the built-in
profiles ``nissan-qashqai-j10`` and ``nissan-juke-f15-audio`` (the latter with ``--vin``, so it holds an
entered VIN and the problem ``vin-mismatch``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.i18n import Text
from obdident.report.load import load_report
from tests.meaning import meaning

OLD = Path(__file__).resolve().parent / "old_reports"
REPORTS = sorted(OLD.glob("schema-1.2-*.json"))
runner = CliRunner()


def test_the_old_reports_are_of_schema_1_2_without_words_as_data() -> None:
    assert len(REPORTS) == 2
    for path in REPORTS:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["schema_version"] == "1.2"
        assert data["problems"] and all("msgid" not in p for p in data["problems"])
        assert "texts" not in data["vehicle"] and "texts" not in data["head_unit"]


@pytest.mark.parametrize("path", REPORTS, ids=[p.stem for p in REPORTS])
def test_an_old_report_loads_with_its_english_as_message_ids(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    report = load_report(path)
    assert [p.code for p in report.problems] == [p["code"] for p in data["problems"]]
    for problem, old in zip(report.problems, data["problems"], strict=True):
        assert problem.message == old["message"]
        assert problem.summary == old["message"].split(" Details: ", 1)[0]  # the owner never sees the detail
    assert report.head_unit is not None and isinstance(report.head_unit.reason, Text)
    assert report.head_unit.reason.msgid == data["head_unit"]["reason"] and not report.head_unit.reason.params
    if data["vehicle"]["make_basis"]:
        assert isinstance(report.vehicle.make_basis, Text)
    again = json.loads(report.to_json())  # written again: the old English stands in as message ids
    assert meaning(again)["problems"] == meaning(data)["problems"]


@pytest.mark.parametrize("path", REPORTS, ids=[p.stem for p in REPORTS])
def test_an_old_report_makes_its_letter_and_its_page(path: Path, tmp_path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    letter = runner.invoke(cli.app, ["report", str(path), "--request"])
    assert letter.exit_code == 0, letter.output
    page = tmp_path / "page.html"
    made = runner.invoke(cli.app, ["report", str(path), "--html", str(page)])
    assert made.exit_code == 0, made.output
    html = page.read_text(encoding="utf-8")
    for ecu in data["ecus"]:
        for key in ("part_number_suffix", "spare_part_number"):
            value = ecu["identification"].get(key)
            if value and "*" not in value:
                assert value in html
    entered = data["vehicle"].get("entered") or []
    for value in entered:
        assert value["value"] in letter.stdout and value["value"] in html
    if any(p["code"] == "vin-mismatch" for p in data["problems"]):
        assert "differs from the one entered by the owner" in html
