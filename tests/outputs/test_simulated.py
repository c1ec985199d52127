"""A simulated scan is never taken for a car's (issue 18 point 8): every dealer output says so (the letter's
heading, the page, the QR code's payload, the CSV row); a real car's outputs never do."""

from __future__ import annotations

from dataclasses import replace

import obdident
from obdident.model import Report
from obdident.report.csvout import COLUMNS, row
from obdident.report.html import render_html
from obdident.report.provenance import is_simulated
from obdident.report.qr import parse_payload, payload
from obdident.report.request import request_text


def _as_if_real(report: Report) -> Report:
    return replace(report, adapter=replace(report.adapter, port="/dev/ttyUSB0", transport="serial port"))


def test_every_dealer_output_of_a_simulated_scan_says_so() -> None:
    demo = obdident.scan("sim://nissan-qashqai-j10")
    assert is_simulated(demo)
    assert request_text(demo).splitlines()[0] == "Request for the head unit's unlock code: SIMULATED CAR"
    assert "Every value below is invented" in request_text(demo)
    page = render_html(demo)
    assert "<h1>Vehicle identification (simulated car)</h1>" in page and 'class="simulated"' in page
    assert payload(demo).startswith("OBDIDENT1;SIM=1") and parse_payload(payload(demo))["SIM"] == "1"
    assert dict(zip(COLUMNS, row(demo), strict=True))["simulated"] == "true"


def test_a_real_cars_outputs_carry_no_such_mark() -> None:
    real = _as_if_real(obdident.scan("sim://nissan-qashqai-j10"))
    assert not is_simulated(real)
    assert request_text(real).splitlines()[0] == "Request for the head unit's unlock code"
    page = render_html(real)
    assert "SIMULATED" not in request_text(real) and "(simulated car)" not in page
    assert 'class="simulated"' not in page
    assert "SIM" not in parse_payload(payload(real))
    assert dict(zip(COLUMNS, row(real), strict=True))["simulated"] == "false"
