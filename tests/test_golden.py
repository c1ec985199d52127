"""Golden reports: every built-in profile's JSON report, pinned.

The oracle for refactoring: a change that moves code must leave every built-in profile's report as it is,
byte for byte, apart from the run's own time stamp, duration and tool version. A change that means to alter
a report regenerates the files on purpose (``OBDIDENT_UPDATE_GOLDEN=1 pytest tests/test_golden.py``) and the
diff shows what changed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted(p.stem for p in (ROOT / "hw-fixtures" / "profiles").glob("*.toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
runner = CliRunner()


def _normalised(text: str) -> str:
    report = json.loads(text)
    report["started_at"] = "<started_at>"
    report["duration_s"] = "<duration_s>"
    report["tool"]["version"] = "<version>"
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_every_built_in_profile_has_a_golden_report() -> None:
    assert PROFILES, "hw-fixtures/profiles holds the built-in profiles"
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == PROFILES
    assert sorted(p.stem for p in (GOLDEN / "sessions").glob("*.json")) == [s.stem for s in SESSIONS]


@pytest.mark.parametrize("profile", PROFILES)
def test_the_report_of_each_built_in_profile_is_unchanged(tmp_path: Path, profile: str) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"sim://{profile}", "--json", str(out)])
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL, cli.EXIT_NO_CONTACT), result.output
    got = _normalised(out.read_text(encoding="utf-8"))
    golden = GOLDEN / f"{profile}.json"
    if os.environ.get("OBDIDENT_UPDATE_GOLDEN"):
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


SESSIONS = sorted((ROOT / "hw-fixtures" / "sessions").glob("*.txt"))


@pytest.mark.parametrize("session", SESSIONS, ids=[s.stem for s in SESSIONS])
def test_each_contributed_session_replays_to_its_golden_report(tmp_path: Path, session: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{session}", "--json", str(out)])
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    got = out.read_text(encoding="utf-8")  # a replay keeps the recording's time stamp: byte for byte
    golden = GOLDEN / "sessions" / f"{session.stem}.json"
    if os.environ.get("OBDIDENT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")
