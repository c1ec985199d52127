"""Fixtures of the output tests: the demo and hostile profiles' reports, and the demo's JSON file."""

from __future__ import annotations

from pathlib import Path

import pytest

import obdident
from obdident import cli
from obdident.model import Report
from tests.outputs.common import (
    invoke,
)


@pytest.fixture
def demo() -> Report:
    return obdident.scan("sim://nissan-xtrail-t32")


@pytest.fixture
def hostile() -> Report:
    return obdident.scan("sim://test-hostile-strings")


@pytest.fixture
def demo_json(tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    result = invoke("scan", "--demo", "--json", str(path))
    assert result.exit_code == cli.EXIT_OK, result.output
    return path
