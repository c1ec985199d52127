"""The scan's early news: the VIN and the head unit on stderr as soon as they are read, while the scan goes
on; stdout keeps only the report (or the JSON of ``--json -``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obdident import cli, scanning
from obdident.model import HeadUnit, Report, VinSource

runner = CliRunner()

J11 = "sim://nissan-qashqai-j11-navi"
J11_VIN = "VIN SJNFAAJ11U2000001 (read from 7E8)"
J11_HEAD_UNIT = "Head unit part number 25915-5FA1A, serial number BP000000000001 (read from 767)"


def _stderr_so_far() -> str:
    """What the command has written to stderr until now (CliRunner's captured stream)."""
    sys.stderr.flush()
    buffer: Any = sys.stderr.buffer
    return bytes(buffer.getvalue()).decode()


def _watch(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record, at each progress label of the scan, what stderr held when that step began."""
    seen: list[tuple[str, str]] = []
    real = scanning.scan

    def watched(url: str, **kwargs: Any) -> Report:
        progress: Callable[[str], None] = kwargs["progress"]

        def spy(label: str) -> None:
            seen.append((label, _stderr_so_far()))
            progress(label)

        kwargs["progress"] = spy
        report = real(url, **kwargs)
        seen.append(("(scan returned)", _stderr_so_far()))
        return report

    monkeypatch.setattr(scanning, "scan", watched)
    return seen


def _first_step_showing(seen: list[tuple[str, str]], line: str) -> int:
    return next(i for i, (_label, err) in enumerate(seen) if line in err)


def test_vin_and_head_unit_show_while_the_scan_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _watch(monkeypatch)
    result = runner.invoke(cli.app, ["scan", "--port", J11, "--json", "-"])
    assert result.exit_code == cli.EXIT_OK, result.output
    labels = [label for label, _err in seen]
    vin_at = _first_step_showing(seen, J11_VIN)
    head_at = _first_step_showing(seen, J11_HEAD_UNIT)
    probe = next(i for i, label in enumerate(labels) if "(747)" in label)  # the navigation unit, 747/767
    # the VIN is shown at the first step after service 09's VIN read, long before the scan ends
    assert labels[vin_at - 1] == "Reading the VIN"
    assert vin_at < probe
    # the head unit: not before it was probed, at the very next step after, and steps still followed
    assert head_at == probe + 1 and labels[head_at] != "(scan returned)"
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


def test_so_far_needs_an_agreed_vin_and_an_identified_head_unit() -> None:
    from obdident.report.text import so_far

    sources = (
        VinSource("SAE J1979 service 09 InfoType 02", "7E8", "SJNFAAJ11U2000001"),
        VinSource("KWP2000 21 81", "79A", "SJNFAAZE0U6012345"),
    )
    assert so_far(_report(vin=None, vin_sources=sources)) == {}  # sources disagree: no VIN yet
    agreed = _report(vin="SJNFAAZE0U6012345", vin_sources=sources)
    assert "(read from 79A)" in so_far(agreed)["vin"]
    not_found = Report(False, agreed.vehicle, agreed.adapter, head_unit=HeadUnit("not-found"))
    assert set(so_far(not_found)) == {"vin"}
    assert so_far(scanning.scan("sim://nissan-qashqai-j10")) == {}  # the J10 gives neither: nothing told
    j11 = scanning.scan(J11)
    assert set(so_far(j11)) == {"vin", "head_unit"} and "how sure" not in so_far(j11)["head_unit"]
    assert j11.head_unit is not None
    guessed = replace(j11, head_unit=replace(j11.head_unit, confidence="guess"))
    assert so_far(guessed)["head_unit"].endswith("(read from 767; how sure: guess)[/dim]")
