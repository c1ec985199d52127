"""Truthful endings: a scan cut short concludes nothing it did not reach; a scan that read nothing gives no
dealer commands and no letter; the owner's screens and letter hold words, not codes or citations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.report.html import render_html
from obdident.report.load import load_report

runner = CliRunner()
DROPPED = "sim://nissan-qashqai-j11-navi?fault=drop@20"


def _scan(url: str, out: Path) -> tuple[str, str]:
    result = runner.invoke(cli.app, ["scan", "--port", url, "--json", str(out)], env={"COLUMNS": "300"})
    assert "Traceback" not in result.output
    return " ".join(result.stdout.split()), " ".join(result.stderr.split())


def _letter(path: Path) -> str:
    result = runner.invoke(cli.app, ["report", str(path), "--request"])
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_a_scan_cut_short_concludes_nothing_it_did_not_reach(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    shown, _told = _scan(DROPPED, out)
    data = json.loads(out.read_text())
    assert data["complete"] is False and data["vehicle"]["vin"] == "SJNFAAJ11U2000001"
    assert data["head_unit"]["status"] == "not-asked"  # never "not-found": no head-unit address was asked
    letter = _letter(out)
    for said in (shown, letter):
        assert "only for Nissan" not in said and "not found" not in said.lower()
        assert "not reachable" not in said.lower()
        assert "cut short: the link to the adapter was lost after reading the VIN" in said
        assert "before it reached the head unit" in said and "Scan again" in said


@pytest.mark.parametrize(
    "url", ["sim://nissan-xtrail-t32?ignition=off", "sim://nissan-qashqai-j10?ignition=off"]
)
def test_nothing_answering_gives_no_dealer_commands_and_no_letter(url: str, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    shown, _told = _scan(url, out)
    assert "obdident report" not in shown and "For the dealer" not in shown
    assert "switch the ignition on" in shown and "read it from the label" not in shown
    letter = _letter(out)
    assert "No request for the dealer" in letter and "switch the ignition on" in letter
    assert "Signature" not in letter and "unlock code" not in letter


def test_units_not_probed_is_a_detail_when_nothing_the_owner_needs_is_missing(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    shown, _told = _scan("sim://nissan-qashqai-j11-navi", out)
    codes = [p["code"] for p in json.loads(out.read_text())["problems"]]
    assert "units-not-probed" in codes  # the JSON keeps it
    assert "Problems" not in shown and re.search(r"Details\W+units-not-probed", shown)


@pytest.mark.parametrize("url", ["sim://nissan-qashqai-j11-navi", "sim://nissan-xtrail-t32", DROPPED])
def test_the_owners_screens_and_letter_hold_no_codes_field_names_or_citations(
    url: str, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    shown, _told = _scan(url, out)
    report = load_report(out)
    page = re.sub(r"<[^>]+>", " ", render_html(report))
    for said in (shown, _letter(out), page):
        for raw in ("not-found", "not-asked", "not-required", "part_number_suffix", "diag_id", "49 CFR"):
            assert raw not in said, raw
    raw_json = out.read_text()
    assert "part_number_suffix" in raw_json and "not-required" in raw_json  # the JSON keeps the codes
