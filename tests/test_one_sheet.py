"""One sheet (issue 18 point 6): headless Chromium prints the dealer's page of every built-in profile to PDF
on A4 and on US Letter, plain and with ``--full`` and every value an owner can enter, and each prints on
one sheet; the QR code's caption never overlaps the VIN (in print on both sheets, and on a 360 px screen);
the letter (``report --request``, and the window's page that shows it) reads at 360 px without sideways
scrolling. In every language (issue 19), the longest profile's page and letter each print on one A4 and one
US Letter sheet; the pseudo-locale with every sentence made 30 % longer stands in for the long languages
until their translations land (then the same test covers them).

Chromium is Debian's (``/usr/bin/chromium``) through Playwright, as the window's browser tests use it
(:mod:`tests.ui_harness`); without it the tests are skipped, and fail under CI.
"""

from __future__ import annotations

import io
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import obdident.i18n as i18n
from obdident.i18n import LANGUAGES, PSEUDO, PseudoTranslations, pseudo
from obdident.model import Report
from obdident.report.entered import add_entered
from obdident.report.html import render_html
from obdident.report.request import request_text
from obdident.scanning import scan
from obdident.vehicles.headunit_forms import check_entered
from obdident.vehicles.vin_entry import check_entered_model_year, check_entered_vin
from tests.ui_harness import WAIT_S, browser, running, session

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted(p.stem for p in (ROOT / "hw-fixtures" / "profiles").glob("*.toml"))
#: Printable width of each sheet in CSS px at the page's 10 mm side margins (96 px per inch).
PRINT_WIDTH_PX = {"A4": round((210 - 20) / 25.4 * 96), "Letter": round((215.9 - 20) / 25.4 * 96)}
PHONE_PX = 360
#: The profile whose page and letter are the longest (the most units, the most advice).
LONGEST = "benchmark-nissan-reference"
#: The pseudo-locale made 30 % longer: the stand-in for the long languages.
LONGER = "qps+30%"


def _entered() -> list[Any]:
    """Every value an owner can enter, each long for its form: the most the page ever shows of them."""
    return [
        check_entered_vin("SJNFBAJ10U1234567"),  # differs from a VIN read: its own row and a problem too
        check_entered_model_year("2013", this_year=2026),
        check_entered("part_number", "28185 4ea0a"),
        check_entered("serial_number", "815BP312345678901"),
        check_entered("software_version", "LCN2 KAI 7.8.24.136 D302"),
        check_entered("hardware_version", "HW 031 REV B"),
    ]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with browser() as launched:
        yield launched


@pytest.fixture(scope="module")
def page(chromium: Any) -> Iterator[Any]:
    tab = chromium.new_page()
    tab.set_default_timeout(WAIT_S * 1000)
    yield tab
    tab.close()


def _reports(name: str) -> list[tuple[str, Report]]:
    plain = scan(f"sim://{name}")
    full = add_entered(scan(f"sim://{name}", full=True), _entered())
    return [("plain", plain), ("--full with owner's values", full)]


def _apart(a: dict[str, float], b: dict[str, float]) -> bool:
    """Two boxes (getBoundingClientRect) do not overlap."""
    return (
        a["right"] <= b["left"]
        or b["right"] <= a["left"]
        or a["bottom"] <= b["top"]
        or b["bottom"] <= a["top"]
    )


_BOXES = """() => Object.fromEntries([['.vin', '.vin, .vin-blank'], ['.qr .payload', '.qr .payload'],
    ['.qr svg', '.qr svg']].map(([k, s]) => {
    const r = document.querySelector(s).getBoundingClientRect();
    return [k, {left: r.left, right: r.right, top: r.top, bottom: r.bottom}];
}))"""


@pytest.mark.parametrize("name", PROFILES)
def test_the_page_prints_on_one_a4_sheet_and_one_letter_sheet(page: Any, name: str) -> None:
    from pypdf import PdfReader

    for variant, report in _reports(name):
        page.emulate_media(media="print")
        page.set_content(render_html(report))
        for sheet in ("A4", "Letter"):
            pdf = page.pdf(format=sheet, print_background=True, prefer_css_page_size=False)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            assert pages == 1, f"{name} ({variant}) prints on {pages} {sheet} sheets"
            page.set_viewport_size({"width": PRINT_WIDTH_PX[sheet], "height": 800})
            boxes = page.evaluate(_BOXES)
            assert _apart(boxes[".vin"], boxes[".qr .payload"]), (
                f"{name} ({variant}, {sheet}): caption on VIN"
            )
            assert _apart(boxes[".vin"], boxes[".qr svg"]), f"{name} ({variant}, {sheet}): QR code on the VIN"
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": PHONE_PX, "height": 800})
        boxes = page.evaluate(_BOXES)
        assert _apart(boxes[".vin"], boxes[".qr .payload"]), f"{name} ({variant}, 360 px): caption on the VIN"


@pytest.mark.parametrize("name", PROFILES)
def test_the_letter_reads_at_360_px_without_sideways_scrolling(page: Any, name: str) -> None:
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": PHONE_PX, "height": 800})
    for variant, report in _reports(name):
        text = request_text(report)
        page.goto("data:text/plain;charset=utf-8," + urllib.parse.quote(text))  # the downloaded text file
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE_PX, f"{name} ({variant}): the letter is {width} px wide"


def test_the_windows_letter_reads_at_360_px(chromium: Any, tmp_path: Path) -> None:
    """The window's print step shows the letter in its page: a simulated car's, the longest heading."""
    with running(session(tmp_path, fixed="sim://test-hostile-strings")) as window:
        tab = chromium.new_page(viewport={"width": PHONE_PX, "height": 800})
        tab.set_default_timeout(WAIT_S * 1000)
        tab.goto(window.url)
        tab.click("text=Next: the ignition")
        tab.click("text=Start the scan")
        tab.wait_for_url("**/result/1?token=*")
        run = window.session.runs[1]
        assert run.report is not None
        tab.goto(window.url.replace("/?token=", "/print/1?token="))
        assert "SIMULATED CAR" in tab.inner_text("#request")
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE_PX
        assert tab.evaluate("document.querySelector('#request').scrollWidth") <= PHONE_PX


class _Longer(PseudoTranslations):
    """The pseudo-locale with every sentence 30 % longer (German, Russian and French run 20-35 % longer
    than English): the accented, wrapped sentence, then breakable filler."""

    def gettext(self, message: str) -> str:
        shown = pseudo(message)
        return shown + " \u00b7" * (len(message) * 3 // 20) if message.strip() else shown

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


@pytest.fixture
def speaking(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The language to render in; the stand-in for long languages is the longer pseudo-locale."""
    language = str(request.param)
    if language != LONGER:
        return language
    plain = i18n.translations

    def translations(lang: str, domain: str = i18n.DOMAIN) -> Any:
        return _Longer() if lang == PSEUDO else plain(lang, domain)

    monkeypatch.setattr(i18n, "translations", translations)
    return PSEUDO


def _sheets(page: Any) -> dict[str, int]:
    from pypdf import PdfReader

    return {
        sheet: len(PdfReader(io.BytesIO(page.pdf(format=sheet, print_background=True,
                                                 prefer_css_page_size=False))).pages)
        for sheet in ("A4", "Letter")
    }  # fmt: skip


@pytest.mark.parametrize("speaking", [*LANGUAGES, LONGER], indirect=True)
def test_the_page_and_the_letter_print_on_one_sheet_in_every_language(page: Any, speaking: str) -> None:
    reports = _reports(LONGEST)
    page.emulate_media(media="print")
    _variant, full = reports[1]
    page.set_content(render_html(full, language=speaking))
    assert _sheets(page) == {"A4": 1, "Letter": 1}, f"the page in {speaking}"
    for variant, report in reports:
        text = request_text(report, language=speaking)
        page.goto("data:text/plain;charset=utf-8," + urllib.parse.quote(text))
        assert _sheets(page) == {"A4": 1, "Letter": 1}, f"the letter in {speaking} ({variant})"
