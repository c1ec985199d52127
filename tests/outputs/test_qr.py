"""The QR code: its payload (escaping, what a head unit adds) and the SVG file the report command writes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from obdident.model import Report
from obdident.report import qr
from tests.outputs.common import (
    DEMO_PAYLOAD,
    DEMO_VIN,
    HOSTILE_PAYLOAD,
    invoke,
)

# -- QR payload ----------------------------------------------------------------------------------------


def test_qr_payload_of_the_demo(demo: Report) -> None:
    assert demo.head_unit is not None and demo.head_unit.status == "not-found"
    assert qr.payload(demo) == DEMO_PAYLOAD  # no head-unit field: none was read, none is invented


def test_qr_payload_of_an_identified_head_unit_is_escaped(hostile: Report) -> None:
    assert hostile.head_unit is not None and hostile.head_unit.status == "identified"
    text = qr.payload(hostile)
    assert text == HOSTILE_PAYLOAD
    assert qr.parse_payload(text) == {
        "SIM": "1",  # a simulated car: marked first
        "HU": '=HYPERLINK("http://x")',
        "SN": "+cmd|' /C calc'!A0",
        "SW": "-2+3+cmd|' /C calc'!A0",
        "HW": "@SUM(1+1);HW=2\\3",
    }


def test_qr_payload_takes_the_suffix_when_that_is_all_it_has(demo: Report) -> None:
    ecu = next(e for e in demo.ecus if e.response_id == "765")
    head = replace(demo.head_unit, status="identified", response_id="765")  # type: ignore[arg-type]
    text = qr.payload(replace(demo, head_unit=head))
    # 21 83 gives only the suffix (HUS); the frame that carries the masked field also carries the hardware
    # id's last byte and the software id: masked too, and left out (not the unit's values)
    assert ecu.identification.fields["hardware_id"] == "0005******"
    assert ecu.identification.fields["software_id"] == "****"
    assert text == "OBDIDENT1;SIM=1;VIN=SJNFBAT32U1000001;HUS=4BB2A"


@pytest.mark.parametrize(
    "value", ["a;b=c\\d", "\\", ";;==", "caf\u00e9", "\u202etxt", "\U0001f697 car", "\\x41", "x\x00\x1b[1m"]
)
def test_qr_escaping_round_trips(demo: Report, value: str) -> None:
    ecu = demo.ecus[0]
    fields = {**ecu.identification.fields, "spare_part_number": value}
    changed = replace(ecu, identification=replace(ecu.identification, fields=fields))
    head = replace(demo.head_unit, status="identified", response_id=ecu.response_id)  # type: ignore[arg-type]
    text = qr.payload(replace(demo, ecus=(changed, *demo.ecus[1:]), head_unit=head))
    assert all(0x20 <= ord(c) <= 0x7E for c in text)
    assert qr.parse_payload(text)["HU"] == value


def test_qr_svg_file_from_the_report_command(demo_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "qr.svg"
    result = invoke("report", str(demo_json), "--qr", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("<?xml") and "<svg" in text and DEMO_VIN not in text
