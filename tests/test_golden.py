"""Golden reports: what every built-in profile's scan and every contributed session's replay mean, pinned.

A golden holds the meaning of a report (:func:`tests.meaning.meaning`): the decoded identification, the
vehicle, the head unit's conclusion and the problem codes; not the wire line by line, nor the wording. A
change that moves code, reorders the probe or saves a line leaves every golden as it is; a change that means
to alter what a scan reads or concludes regenerates them on purpose
(``OBDIDENT_UPDATE_GOLDEN=1 pytest tests/test_golden.py``) and the diff shows what changed.

Adding one head-unit candidate to one family's record changes only that family's goldens: the last test
does it on a copy of the records and checks.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.vehicles import families
from tests.meaning import dumps, meaning

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted(p.stem for p in (ROOT / "hw-fixtures" / "profiles").glob("*.toml"))
GOLDEN = Path(__file__).resolve().parent / "golden"
SESSIONS = sorted((ROOT / "hw-fixtures" / "sessions").glob("*.txt"))
runner = CliRunner()


def _scan(tmp_path: Path, port: str) -> str:
    out = tmp_path / "report.json"
    result = runner.invoke(cli.app, ["scan", "--port", port, "--json", str(out)])
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL, cli.EXIT_NO_CONTACT), result.output
    return dumps(meaning(json.loads(out.read_text(encoding="utf-8"))))


def _check(got: str, golden: Path) -> None:
    if os.environ.get("OBDIDENT_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert got == golden.read_text(encoding="utf-8")


def test_every_built_in_profile_has_a_golden_report() -> None:
    assert PROFILES, "hw-fixtures/profiles holds the built-in profiles"
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == PROFILES
    assert sorted(p.stem for p in (GOLDEN / "sessions").glob("*.json")) == [s.stem for s in SESSIONS]


@pytest.mark.parametrize("profile", PROFILES)
def test_what_each_built_in_profile_means_is_unchanged(tmp_path: Path, profile: str) -> None:
    _check(_scan(tmp_path, f"sim://{profile}"), GOLDEN / f"{profile}.json")


@pytest.mark.parametrize("session", SESSIONS, ids=[s.stem for s in SESSIONS])
def test_each_contributed_session_replays_to_its_golden_meaning(tmp_path: Path, session: Path) -> None:
    _check(_scan(tmp_path, f"replay://{session}"), GOLDEN / "sessions" / f"{session.stem}.json")


CANDIDATE = """
[[model.head_unit.candidate]]
unit = "AV2"
description = "a second navigation unit (a test's invention, on a copy of the record)"
request_id = "748"
response_id = "768"
dialect = "kwp"
bus = "diagnostic"
source = "a test's change to a copy of the record"
confidence = "guess"
"""


def test_adding_one_head_unit_candidate_to_one_family_changes_only_that_familys_goldens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "families"
    shutil.copytree(families.RECORDS, copy)
    record = copy / "qashqai.toml"
    text = record.read_text(encoding="utf-8")
    at = text.index('\n[[model]]\ncode = "J11"')  # the end of the J10's entry
    record.write_text(text[:at] + CANDIDATE + text[at:], encoding="utf-8")
    changed = families.load_records(copy)
    monkeypatch.setattr(families, "knowledge", lambda: changed)
    ports = [(f"sim://{p}", GOLDEN / f"{p}.json") for p in PROFILES]
    ports += [(f"replay://{s}", GOLDEN / "sessions" / f"{s.stem}.json") for s in SESSIONS]
    differ, same = [], []
    for port, golden in ports:
        before = json.loads(golden.read_text(encoding="utf-8"))
        got = json.loads(_scan(tmp_path, port))
        (differ if got != before else same).append(port)
        if before["vehicle"]["family"] == "Qashqai (J10)":
            assert "748" in got["head_unit"]["probed"], port  # the new candidate, asked
            assert {k: v for k, v in got.items() if k != "head_unit"} == {
                k: v for k, v in before.items() if k != "head_unit"
            }, port  # and nothing else changed: it stayed silent
        else:
            assert got == before, port
    j10 = [port for port, golden in ports if '"Qashqai (J10)"' in golden.read_text(encoding="utf-8")]
    assert sorted(differ) == sorted(j10) and len(j10) >= 3, (differ, j10)
