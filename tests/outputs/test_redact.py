"""--redact: the VIN and unit serial numbers masked in every output, the checkpoints included; a recording
is not pretended masked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from obdident import cli
from obdident.journey import Plan
from obdident.journey.keeper import Keeper
from obdident.model import Report
from obdident.report import csvout, qr
from obdident.report.html import render_html
from obdident.report.load import load_report
from obdident.report.redact import is_redacted, redact, redact_vin
from obdident.report.request import request_text
from tests.outputs.common import (
    DEMO_VIN,
    _terminal,
    invoke,
)

# -- redaction -----------------------------------------------------------------------------------------


def test_redact_vin() -> None:
    assert redact_vin(DEMO_VIN) == "SJNFBAT32U1******"
    assert redact_vin(None) is None


def test_redaction_masks_the_vin_everywhere(demo: Report) -> None:
    shared = redact(demo)
    assert shared.vehicle.vin == "SJNFBAT32U1******"
    assert [s.value for s in shared.vehicle.vin_sources] == ["SJNFBAT32U1******"]
    assert next(e for e in shared.ecus if e.response_id == "7E8").identification.vin == "SJNFBAT32U1******"
    assert is_redacted(shared) and not is_redacted(demo)
    assert redact(shared) == shared
    assert demo.vehicle.vin == DEMO_VIN  # a pure function: the original is unchanged
    serial_hex = "303030303031"  # "000001", the VIN's serial part, in the raw evidence lines
    assert serial_hex in demo.to_json()
    outputs = {
        "json": shared.to_json(),
        "html": render_html(shared),
        "csv": "".join(csvout.row(shared)),
        "request": request_text(shared),
        "qr": qr.payload(shared),
        "terminal": _terminal(shared),
    }
    for name, text in outputs.items():
        assert DEMO_VIN not in text, name
        assert "U1000001" not in text, name
    assert serial_hex not in outputs["json"]
    assert "Redacted for sharing" in outputs["html"]
    assert qr.payload(shared) == "OBDIDENT1;SIM=1"  # a masked VIN is not the VIN: left out
    ecm = next(e for e in shared.ecus if e.response_id == "7E8")
    vin_evidence = next(e for e in ecm.evidence if e.request.startswith("0902"))
    assert vin_evidence.response and all(set(line) == {"X"} for line in vin_evidence.response)
    calid = next(e for e in ecm.evidence if e.request.startswith("0904"))
    assert calid == next(e for e in demo.ecus[0].evidence if e.request.startswith("0904"))  # untouched


def test_redaction_masks_unit_serial_numbers(hostile: Report) -> None:
    serial = "+cmd|' /C calc'!A0"
    unit = next(e for e in hostile.ecus if e.response_id == "767")
    assert unit.identification.fields["ecu_serial_number"] == serial
    shared = redact(hostile)
    masked = next(e for e in shared.ecus if e.response_id == "767")
    assert masked.identification.fields["ecu_serial_number"] == "*" * len(serial)
    assert masked.identification.fields["spare_part_number"] == '=HYPERLINK("http://x")'  # not a serial
    serial_evidence = next(e for e in masked.evidence if "ecu_serial_number" in e.fields)
    assert all(set(line) == {"X"} for line in serial_evidence.response)
    raw_lines = next(e for e in unit.evidence if "ecu_serial_number" in e.fields).response
    assert raw_lines and all(line in hostile.to_json() for line in raw_lines)
    for text in (shared.to_json(), render_html(shared), "".join(csvout.row(shared)), qr.payload(shared),
                 request_text(shared), _terminal(shared)):  # fmt: skip
        assert "/C calc'!A0" not in text.replace("-2+3+cmd|' /C calc'!A0", "")
        assert not any(line in text for line in raw_lines)
    assert "SN" not in qr.parse_payload(qr.payload(shared))


def test_a_redacted_json_report_loads_back(demo: Report, tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_text(redact(demo).to_json())
    assert load_report(path).to_dict() == redact(demo).to_dict()


def test_scan_redact_masks_every_output(tmp_path: Path) -> None:
    paths = {name: tmp_path / name for name in ("scan.json", "page.html", "log.csv", "qr.svg")}
    result = invoke(
        "scan", "--demo", "--redact", "--json", str(paths["scan.json"]), "--html", str(paths["page.html"]),
        "--csv", str(paths["log.csv"]), "--qr", str(paths["qr.svg"]),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("scan.json", "page.html", "log.csv"):
        text = paths[name].read_text()
        assert "SJNFBAT32U1******" in text and DEMO_VIN not in text, name
    assert DEMO_VIN not in result.stdout and "SJNFBAT32U1******" in result.stdout
    assert json.loads(paths["scan.json"].read_text())["vehicle"]["vin"] == "SJNFBAT32U1******"


def test_redact_refuses_to_pretend_a_recording_is_masked(tmp_path: Path) -> None:
    result = invoke("scan", "--demo", "--redact", "--record", str(tmp_path / "rec.txt"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "--redact cannot mask a --record recording" in result.stderr
    assert not (tmp_path / "rec.txt").exists()


def test_scan_redact_keeps_the_values_read_and_masks_what_is_shared(tmp_path: Path, demo: Report) -> None:
    shared = tmp_path / "scan.json"
    keeper = Keeper(Plan("sim://nissan-xtrail-t32", json_path=str(shared), redact=True, folder=tmp_path))
    keeper.checkpoint(demo)  # as the scan does after every step: a crash leaves the kept file
    assert keeper.kept_path is not None and Path(keeper.kept_path).parent == tmp_path
    kept = Path(keeper.kept_path).read_text()
    assert json.loads(kept)["vehicle"]["vin"] == DEMO_VIN  # the report kept for `obdident report`
    assert keeper.read is not None and keeper.shared(keeper.read).vehicle.vin == "SJNFBAT32U1******"
    keeper.write_json()  # --json is shared: redacted
    assert json.loads(shared.read_text())["vehicle"]["vin"] == "SJNFBAT32U1******"
    assert DEMO_VIN not in shared.read_text()


def test_a_letter_made_afterwards_from_a_redacted_scan_is_complete(tmp_path: Path) -> None:
    import os

    here = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = invoke(
            "scan", "--port", "sim://nissan-qashqai-j11-navi", "--redact", "--json", "shared.json"
        )
        assert result.exit_code == cli.EXIT_OK, result.output
        assert "BP000000000001" not in result.stdout and "SJNFAAJ11U2000001" not in result.stdout
        kept = [p for p in tmp_path.iterdir() if p.name.startswith("obdident-")]
        assert len(kept) == 1 and kept[0].name in result.stderr
        assert "SJNFAAJ11U2000001" not in (tmp_path / "shared.json").read_text()
        letter = invoke("report", kept[0].name, "--request")
    finally:
        os.chdir(here)
    assert letter.exit_code == 0
    assert "BP000000000001" in letter.stdout and "SJNFAAJ11U2000001" in letter.stdout
    assert "not read" not in letter.stdout.split("Serial number:")[1].splitlines()[0]


def test_a_serial_read_and_then_redacted_is_shown_masked_never_as_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the full report is kept here
    shared = tmp_path / "red.json"
    scan = invoke("scan", "--port", "sim://nissan-qashqai-j11-navi", "--redact", "--json", str(shared))
    assert scan.exit_code == 0, scan.output
    letter = invoke("report", str(shared), "--request").output
    page = tmp_path / "page.html"
    assert invoke("report", str(shared), "--html", str(page)).exit_code == 0
    terminal = invoke("report", str(shared)).output
    for where, text in (("scan", scan.output), ("letter", letter), ("page", page.read_text()),
                        ("terminal", terminal)):  # fmt: skip
        serial = [line for line in text.splitlines() if "Serial number" in line or "serial number" in line]
        assert any("masked for sharing" in line for line in serial), (where, serial)
        assert "BP000000000001" not in text, where
        assert not any("Serial number" in line and "not read" in line for line in serial), (where, serial)
