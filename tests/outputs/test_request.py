"""The code request text: what was read filled in, the rest left blank."""

from __future__ import annotations

import re
from pathlib import Path

from obdident.model import Report
from obdident.report.request import request_text
from tests.outputs.common import (
    DEMO_VIN,
    invoke,
)

# -- the code request ----------------------------------------------------------------------------------


def test_request_fills_what_was_read_and_leaves_blanks(demo: Report) -> None:
    text = request_text(demo)
    assert text.startswith("Request for the head unit's unlock code: SIMULATED CAR\n")  # simulated
    filled = (
        f"VIN:                       {DEMO_VIN}",
        "Nissan (United Kingdom)",
        "X-Trail (T32)",
        "ECM (7E8): CALID 237106FR9A; part number suffix 6FR9A",
        "BCM (765): part number suffix 4BB2A",
    )
    for value in filled:
        assert value in text
    assert re.search(r"Part number: +not read over OBD-II: see the label on the unit's case", text)
    assert re.search(r"Serial number: +not read over OBD-II: see the label", text)
    # neither version read: one line says where both are
    assert re.search(r"Versions: +not read over OBD-II: see the unit's system-information menu", text)
    assert "Software version:" not in text and "Hardware version:" not in text
    assert re.search(r"Model year: +not read over OBD-II: read it from the registration document", text)
    blanks = ("Owner's name:", "Owner's address:", "vehicle registration document",
              "passport / driving licence", "Signature: ___")  # fmt: skip
    for blank in blanks:
        assert blank in text
    assert re.search(r"Head unit label: +part number _+ +serial number _+", text)
    assert "hold APP, then turn TUNE" in text  # the family's guidance, where to read what is missing
    lowered = text.lower()
    assert lowered.count("code") == lowered.count("unlock code") == 3  # the request's wording, nothing else
    assert "pin" not in re.findall(r"[a-z]+", lowered)


def test_request_with_an_identified_head_unit(hostile: Report) -> None:
    text = request_text(hostile)
    assert re.search(r"Part number: += ?HYPERLINK", text)
    assert "Serial number:             +cmd|' /C calc'!A0" in text
    assert "Hardware version:          @SUM(1+1);HW=2\\3" in text
    assert "Head unit label:" not in text  # both part and serial number were read
    flat = " ".join(text.split())
    assert "VIN: __________________________________" in flat  # a blank line to write it on
    assert "not read over OBD-II: write it above, from the plate at the bottom of the windscreen" in flat


def test_report_request_prints_the_text(demo_json: Path) -> None:
    result = invoke("report", str(demo_json), "--request")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Request for the head unit's unlock code")
    assert DEMO_VIN in result.stdout
