"""The window's label step for what OBD-II cannot read (issue 18 points 2 and 3): a box for the VIN (and its
model year) when the car gave none, and the full part number when only its suffix was read. The same checks
as the command line; what is typed is kept as entered by the owner."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from obdident.model import Identification, Report
from obdident.report.headunit import head_unit_ecu
from tests.ui_harness import WAIT_S, browser, running, session

EU_VIN = "SJNFBAJ10U1234567"


@pytest.fixture(scope="module")
def chromium() -> Any:
    with browser() as launched:
        yield launched


def _kept(folder: Path) -> dict[str, Any]:
    files = sorted(folder.glob("obdident-*.json"))
    assert len(files) == 1, files
    return dict(json.loads(files[0].read_text(encoding="utf-8")))


def _to_label(chromium: Any, url: str) -> Any:
    page = chromium.new_page(viewport={"width": 360, "height": 800})
    page.set_default_timeout(WAIT_S * 1000)
    page.goto(url)
    page.click("text=Next: the ignition")
    page.click("text=Start the scan")
    page.wait_for_url("**/result/1?token=*")
    page.click("text=Next: the head unit's label")
    page.wait_for_url("**/label/1?token=*")
    return page


def test_a_car_without_a_vin_gets_a_vin_box(chromium: Any, tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j10")) as window:
        page = _to_label(chromium, window.url)
        assert "windscreen" in page.inner_text("main")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        page.fill("#VIN", "SJNFBAJ10U123456")  # 16 characters: refused, with why
        page.fill("#MY", "2013")
        page.click("text=Add to the report")
        page.wait_for_selector("#VIN-error")
        assert "16 characters" in page.inner_text("#VIN-error")
        assert "entered" not in _kept(tmp_path)["vehicle"], "nothing is added before every value passes"
        page.fill("#VIN", EU_VIN.lower())
        page.click("text=Add to the report")
        page.wait_for_url("**/print/1?token=*")
        assert f"{EU_VIN} (entered by the owner)" in " ".join(page.inner_text("#request").split())
    entered = [(e["field"], e["value"]) for e in _kept(tmp_path)["vehicle"]["entered"]]
    assert entered == [("vin", EU_VIN), ("model_year", "2013")]


def _suffix_only(report: Report) -> Report:
    """The J11 with navigation, its head unit giving only its part number's suffix (as Nissan's 21 83)."""
    ecu = head_unit_ecu(report)
    assert ecu is not None
    serial = ecu.identification.fields["ecu_serial_number"]
    fields = {"part_number_suffix": "5FA1A", "ecu_serial_number": serial}
    only = replace(ecu, identification=Identification(fields=fields))
    return replace(report, ecus=tuple(only if e is ecu else e for e in report.ecus))


def test_the_window_asks_for_the_full_part_number_when_only_its_suffix_was_read(
    chromium: Any, tmp_path: Path
) -> None:
    state = session(tmp_path, fixed="sim://nissan-qashqai-j11-navi")
    with running(state) as window:
        page = chromium.new_page(viewport={"width": 360, "height": 800})
        page.set_default_timeout(WAIT_S * 1000)
        page.goto(window.url)
        page.click("text=Next: the ignition")
        page.click("text=Start the scan")
        page.wait_for_url("**/result/1?token=*")
        journey = state.runs[1].journey  # the scan's kept report, as a head unit giving only its suffix
        assert journey is not None and journey.read is not None
        journey.keeper.keep(_suffix_only(journey.read))
        page.click("text=Next: the head unit's label")
        page.wait_for_url("**/label/1?token=*")
        assert "nothing to type" not in page.inner_text("main")
        assert "full part number" in page.inner_text("main") and page.locator("#SN").count() == 0
        page.fill("#HU", "25915 5fa1a")
        page.click("text=Add to the report")
        page.wait_for_url("**/print/1?token=*")
    entered = [(e["field"], e["value"]) for e in _kept(tmp_path)["head_unit"]["entered"]]
    assert entered == [("part_number", "25915-5FA1A")]
