"""Replay by content (issue 20, point 3): a recording answers each request by what it is and the adapter's
state, not by its position, so a recording made on a real car stays replayable when the probe order
changes."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.scanning import assess
from obdident.vehicles import nissan
from obdident.vehicles.nissan import Unit
from tests.meaning import meaning

ROOT = Path(__file__).resolve().parents[1]
J10 = ROOT / "hw-fixtures" / "sessions" / "nissan-qashqai-j10-simulated.txt"
GOLDEN = ROOT / "tests" / "golden" / "sessions" / "nissan-qashqai-j10-simulated.json"
runner = CliRunner()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_the_j10_recording_replays_to_the_same_identification_under_a_shuffled_probe_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    order = assess.probe_order
    orders: list[list[str]] = []

    def shuffled(units: Sequence[Unit], found: object) -> list[Unit]:
        ranked = order(units, found)  # type: ignore[arg-type]
        random.Random(seed).shuffle(ranked)
        orders.append([u.request_id for u in ranked])
        return ranked

    monkeypatch.setattr(assess, "probe_order", shuffled)
    out = tmp_path / "report.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{J10}", "--json", str(out)])
    assert result.exit_code == cli.EXIT_OK, result.output
    got = meaning(json.loads(out.read_text(encoding="utf-8")))
    assert orders and orders[0] != [u.request_id for u in order(nissan.UNITS, None)]
    assert got == json.loads(GOLDEN.read_text(encoding="utf-8"))
