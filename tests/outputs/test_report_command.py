"""The report command over a saved scan, and outputs checked before a scan starts."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from obdident import cli
from obdident.model import Report
from obdident.report.html import FOOTER
from obdident.report.load import load_report
from tests.outputs.common import (
    DEMO_VIN,
    invoke,
)

# -- the report command --------------------------------------------------------------------------------


def test_report_command_on_a_scan_json(demo_json: Path, tmp_path: Path, demo: Report) -> None:
    loaded = load_report(demo_json)
    assert loaded.to_dict() == json.loads(demo_json.read_text())  # rebuilt exactly
    assert replace(loaded, started_at="", duration_s=0) == replace(demo, started_at="", duration_s=0)
    result = invoke("report", str(demo_json))
    assert result.exit_code == 0, result.output
    assert DEMO_VIN in result.stdout and "237106FR9A" in result.stdout
    html = tmp_path / "page.html"
    result = invoke("report", str(demo_json), "--html", str(html))
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert DEMO_VIN in page and FOOTER in page and "X-Trail (T32)" in page
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def test_output_into_a_missing_directory_exits_2_before_scanning(tmp_path: Path) -> None:
    result = invoke("scan", "--demo", "--html", str(tmp_path / "nowhere" / "page.html"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "no directory" in result.stderr
    assert "SJNFBAT32U1000001" not in result.stdout
