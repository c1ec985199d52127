"""The JSON report read back: schema checks, clear messages for bad files, hostile strings kept exactly."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from obdident import cli
from obdident.errors import ObdidentError
from obdident.model import Report
from obdident.report.load import load_report, report_from_dict
from tests.outputs.common import (
    _validate,
    invoke,
)


def _break(data: dict[str, Any]) -> None:
    data["vehicle"]["vin"] = 12345


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_break, "does not follow the report schema at vehicle/vin"),
        (lambda d: d.pop("ecus"), "'ecus' is a required property"),
        (lambda d: d.update(schema_version="2.0"), "schema_version '2.0' is not supported"),
    ],
)
def test_a_bad_json_exits_2_with_a_clear_message(
    demo_json: Path, tmp_path: Path, change: Any, message: str
) -> None:
    data = json.loads(demo_json.read_text())
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = invoke("report", str(bad), "--html", str(tmp_path / "page.html"))
    assert result.exit_code == cli.EXIT_USAGE
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "page.html").exists()


@pytest.mark.parametrize(
    ("content", "message"), [("not json", "not a JSON report"), ("[1]", "not an object")]
)
def test_not_a_report_exits_2(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = invoke("report", str(bad))
    assert result.exit_code == cli.EXIT_USAGE
    assert message in " ".join(result.stderr.split())


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path / "none.json"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "none.json: no such file" in " ".join(result.stderr.split())


def test_without_jsonschema_no_report_is_read_unchecked(
    demo_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema -> ImportError (broken install)
    with pytest.raises(ObdidentError, match="jsonschema package is missing"):
        load_report(demo_json)
    data = json.loads(demo_json.read_text())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**data, "schema_version": "2.1"}))
    with pytest.raises(ObdidentError, match="not supported"):
        load_report(bad)


def test_hostile_strings_round_trip_through_json_exactly(hostile: Report, tmp_path: Path) -> None:
    text = hostile.to_json()
    data = json.loads(text)
    _validate(data)
    ecm, unit = data["ecus"]
    assert ecm["identification"]["calibration_ids"] == ["<script>alert(1)", "237109HX0A"]
    assert ecm["identification"]["ecu_name"] == '"><img src onerror=1'
    assert unit["identification"]["spare_part_number"] == '=HYPERLINK("http://x")'
    assert unit["identification"]["system_name"] == '"><img src=x onerror=alert(1)>'
    exact = replace(hostile, duration_s=round(hostile.duration_s, 3))  # the JSON keeps 3 decimals
    assert report_from_dict(data) == exact
    path = tmp_path / "hostile.json"
    path.write_text(text)
    assert load_report(path) == exact
