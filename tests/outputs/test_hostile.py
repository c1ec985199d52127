"""A hostile simulated ECU: its strings come through as data and every command survives them."""

from __future__ import annotations

import json
from pathlib import Path

from obdident.model import Report
from tests.outputs.common import (
    HOSTILE_TEXT,
    invoke,
)

# -- hostile strings in every output -------------------------------------------------------------------


def test_hostile_profile_gives_its_strings_as_data(hostile: Report) -> None:
    values = {v for e in hostile.ecus for v in (*e.identification.calibration_ids,
                                                  e.identification.ecu_name or "",
                                                  *e.identification.fields.values())}  # fmt: skip
    assert values >= HOSTILE_TEXT
    assert hostile.vehicle.vin is None  # the VIN with an ESC in it is refused by the decoder
    source = hostile.vehicle.vin_sources[0]
    assert source.value is None and "\\x1b[31m" in (source.problem or "")
    supplier = next(e for e in hostile.ecus if e.response_id == "767").identification.fields[
        "system_supplier"
    ]
    assert supplier == "1B5B324A1B5D303B70776E07"  # ESC [2J ESC ]0;pwn BEL: not printable, shown as hex
    every = json.dumps(hostile.to_dict())
    assert "\x1b" not in every and "\\u001b" not in every and "\x07" not in every


def test_hostile_report_through_the_commands(tmp_path: Path) -> None:
    scan_json, page = tmp_path / "scan.json", tmp_path / "page.html"
    result = invoke(
        "scan", "--port", "sim://test-hostile-strings", "--json", str(scan_json), "--html", str(page)
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "<script" not in page.read_text()
    result = invoke("report", str(scan_json), "--request")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "=HYPERLINK" in result.stdout
