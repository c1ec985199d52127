"""The scan's early news: the VIN and the head unit on stderr as soon as they are read, while the scan goes
on; stdout keeps only the report (or the JSON of ``--json -``)."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from obdident import cli, scanning
from obdident.journey import EarlyNews, news
from obdident.model import HeadUnit, Report, VinSource
from tests.fakes import Tripwire, seams

runner = CliRunner()

J11 = "sim://nissan-qashqai-j11-navi"
J11_VIN = "VIN SJNFAAJ11U2000001 (read from 7E8)"
J11_HEAD_UNIT = "Head unit part number 25915-5FA1A, serial number BP000000000001 (read from 767)"


def _stderr_so_far() -> str:
    """What the command has written to stderr until now (CliRunner's captured stream)."""
    sys.stderr.flush()
    buffer: Any = sys.stderr.buffer
    return bytes(buffer.getvalue()).decode()


def _watch() -> tuple[Any, list[tuple[str, str]]]:
    """Seams whose port records, at each line the scan writes, what stderr held just before it."""
    seen: list[tuple[str, str]] = []

    def spy(line: str) -> bool:
        seen.append((line, _stderr_so_far()))
        return False  # never trips: every line is watched

    return seams(opener=Tripwire(spy)), seen


def _first_showing(seen: list[tuple[str, str]], line: str) -> int:
    return next(i for i, (_sent, err) in enumerate(seen) if line in err)


def _first_sent(seen: list[tuple[str, str]], sent: str) -> int:
    return next(i for i, (line, _err) in enumerate(seen) if line == sent)


def test_vin_and_head_unit_show_while_the_scan_goes_on() -> None:
    watched, seen = _watch()
    result = runner.invoke(cli.app, ["scan", "--port", J11, "--json", "-"], obj=watched)
    assert result.exit_code == cli.EXIT_OK, result.output
    vin_at, head_at = _first_showing(seen, J11_VIN), _first_showing(seen, J11_HEAD_UNIT)
    probe = _first_sent(seen, "ATSH747")  # the navigation unit, 747/767
    # the VIN is shown once service 09 has read it, long before the head unit is probed
    assert _first_sent(seen, "09023") < vin_at < probe
    # the head unit: not before it was probed, and lines were still sent after it was shown
    assert probe < head_at < len(seen) - 1
    # each line is shown once; stdout holds only the JSON
    assert result.stderr.count(J11_VIN) == 1 and result.stderr.count(J11_HEAD_UNIT) == 1
    data = json.loads(result.stdout)
    assert data["vehicle"]["vin"] == "SJNFAAJ11U2000001"


def test_the_early_lines_come_before_the_terminal_report(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["scan", "--port", J11, "--json", str(tmp_path / "scan.json")])
    assert result.exit_code == cli.EXIT_OK, result.output
    assert J11_VIN not in result.stdout and J11_HEAD_UNIT not in result.stdout  # stderr only
    mixed = result.output  # stdout and stderr as a terminal would show them
    assert mixed.index(J11_VIN) < mixed.index(J11_HEAD_UNIT) < mixed.index("Vehicle")
    assert "For the dealer" in result.stdout


def test_redact_masks_the_early_vin_too() -> None:
    result = runner.invoke(cli.app, ["scan", "--demo", "--redact", "--json", "-"])
    assert result.exit_code == cli.EXIT_OK, result.output
    assert "VIN SJNFBAT32U1****** (read from 7E8)" in result.stderr
    assert "SJNFBAT32U1000001" not in result.output


def _report(**vehicle: Any) -> Report:
    from obdident.model import AdapterSummary, Vehicle

    return Report(False, Vehicle(**vehicle), AdapterSummary("sim://x"))


def test_news_needs_an_agreed_vin_and_an_identified_head_unit() -> None:
    sources = (
        VinSource("SAE J1979 service 09 InfoType 02", "7E8", "SJNFAAJ11U2000001"),
        VinSource("KWP2000 21 81", "79A", "SJNFAAZE0U6012345"),
    )
    assert news(_report(vin=None, vin_sources=sources)) == {}  # sources disagree: no VIN yet
    agreed = _report(vin="SJNFAAZE0U6012345", vin_sources=sources)
    assert news(agreed)["vin"].text.endswith("(read from 79A)")
    not_found = Report(False, agreed.vehicle, agreed.adapter, head_unit=HeadUnit("not-found"))
    assert set(news(not_found)) == {"vin"}
    assert news(scanning.scan("sim://nissan-qashqai-j10")) == {}  # the J10 gives neither: nothing told
    j11 = scanning.scan(J11)
    assert set(news(j11)) == {"vin", "head_unit"} and "how sure" not in news(j11)["head_unit"].text
    assert j11.head_unit is not None
    guessed = replace(j11, head_unit=replace(j11.head_unit, confidence="guess"))
    assert "(read from 767; how sure: a guess:" in news(guessed)["head_unit"].text


def test_each_fact_is_told_once() -> None:
    j11 = scanning.scan(J11)
    early = EarlyNews()
    assert [f.key for f in early.fresh(j11)] == ["vin", "head_unit"]
    assert early.fresh(j11) == [] and early.fresh(None) == []
