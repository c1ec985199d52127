"""The dealer's HTML page, as a browser shows and prints it: headless Chromium (Debian's ``chromium``)
prints it to PDF (one page), takes a screenshot (the QR code decodes to the documented payload) and dumps
the DOM it built (the VIN and key fields are there; a hostile ECU's strings made no element).

Without Chromium these tests are skipped, unless the environment variable CI is set: there they fail, as CI
installs Chromium (``.ci/run``). Each Chromium run is bounded (60 s) and uses a temporary profile directory
that is removed after it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import obdident
from obdident.model import Report
from obdident.report import qr
from obdident.report.headunit import head_unit_values
from obdident.report.html import FOOTER, render_html
from obdident.report.shown import when
from tests.htmlparse import parse as parse_html

TIMEOUT_S = 60
A4_CSS_PX = (794, 1123)  # 210 x 297 mm at 96 CSS px per inch
DEMO_VIN = "SJNFBAT32U1000001"
DEMO_PAYLOAD = "OBDIDENT1;SIM=1;VIN=SJNFBAT32U1000001"
HOSTILE_PAYLOAD = (
    "OBDIDENT1;SIM=1;HU=\\=HYPERLINK(\"http://x\");SN=+cmd|' /C calc'!A0;SW=-2+3+cmd|' /C calc'!A0;"
    "HW=@SUM(1+1)\\;HW\\=2\\\\3"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--mute-audio",
)


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed, and CI must run the browser checks of the HTML report: "
            "apt-get install --no-install-recommends chromium (.ci/run does it)"
        )
    pytest.skip("chromium is not installed (Debian: apt-get install --no-install-recommends chromium)")


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


def _run(chromium: str, page: Path, *args: str) -> tuple[str, float]:
    """Run Chromium once on the file:// URL of ``page``; return its stdout and how long it took."""
    assert page.is_file()
    with tempfile.TemporaryDirectory(prefix="obdident-chromium-") as profile:
        command = [chromium, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()]
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its helper processes too are in one group, ended together on timeout
        )
        try:
            out, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            pytest.fail(f"chromium took more than {TIMEOUT_S} s: {' '.join(command)}")
        elapsed = time.monotonic() - started
        assert process.returncode == 0, err[-2000:]
    return out, elapsed


@pytest.fixture(scope="module")
def demo() -> Report:
    return obdident.scan("sim://nissan-xtrail-t32")


@pytest.fixture(scope="module")
def hostile() -> Report:
    return obdident.scan("sim://test-hostile-strings")


def _page(report: Report, directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(render_html(report), encoding="utf-8")
    return path


# -- the page itself (no browser) ----------------------------------------------------------------------


def test_the_page_is_self_contained_and_printable(demo: Report) -> None:
    page = render_html(demo)
    lowered = page.lower()
    for external in ("<script", "<link", "<img", "<iframe", "<object", "src=", "href=", "url(", "@import",
                     "http://", "https://"):  # fmt: skip
        assert external not in lowered, external
    assert "@page { margin: 8mm 9mm; }" in lowered  # no fixed size: the printer's sheet, A4 or Letter
    assert "default-src 'none'" in page  # the browser is told too: nothing may load
    assert "<svg" in page and 'class="qr"' in page
    assert (
        FOOTER == "Read-only: nothing was written to the vehicle. obdident does not calculate unlock codes."
    )
    assert FOOTER in page
    assert DEMO_PAYLOAD in page


# -- in Chromium ---------------------------------------------------------------------------------------


def test_demo_page_prints_on_exactly_one_page(chromium: str, demo: Report, tmp_path: Path) -> None:
    pypdf = pytest.importorskip("pypdf")
    page = _page(demo, tmp_path, "demo.html")
    pdf = tmp_path / "demo.pdf"
    _, elapsed = _run(chromium, page, "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 1
    raw = pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", raw)) == 1  # the page objects, without /Pages
    width, height = (float(v) * 25.4 / 72 for v in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (216, 279)  # headless Chromium's default sheet, US Letter
    text = reader.pages[0].extract_text()
    assert DEMO_VIN in text.replace(" ", "") and "obdident does not calculate unlock codes" in " ".join(
        text.split()
    )
    assert elapsed < TIMEOUT_S


@pytest.mark.parametrize(("which", "expected"), [("demo", DEMO_PAYLOAD), ("hostile", HOSTILE_PAYLOAD)])
def test_the_qr_code_on_the_page_decodes_to_the_payload(
    chromium: str, demo: Report, hostile: Report, tmp_path: Path, which: str, expected: str
) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    image_module = pytest.importorskip("PIL.Image")
    report = demo if which == "demo" else hostile
    assert qr.payload(report) == expected
    page = _page(report, tmp_path, f"{which}.html")
    png = tmp_path / f"{which}.png"
    width, height = A4_CSS_PX
    _run(
        chromium,
        page,
        f"--window-size={width},{height}",
        "--force-device-scale-factor=2",
        f"--screenshot={png}",
    )
    with image_module.open(png) as image:
        assert image.size == (2 * width, 2 * height)
        codes = zxingcpp.read_barcodes(image.convert("L"))
    texts = [c.text for c in codes if c.format == zxingcpp.BarcodeFormat.QRCode]
    assert texts == [expected]
    read = {"VIN": DEMO_VIN} if which == "demo" else head_unit_values(hostile)
    assert qr.parse_payload(texts[0]) == {"SIM": "1", **read}  # both are simulated cars


def test_the_dom_chromium_builds_holds_the_vin_and_key_fields(
    chromium: str, demo: Report, tmp_path: Path
) -> None:
    out, _ = _run(chromium, _page(demo, tmp_path, "demo.html"), "--dump-dom")
    text = " ".join(" ".join(parse_html(out).text).split())
    expected = (
        DEMO_VIN, "Nissan", "United Kingdom", "X-Trail (T32)", "237106FR9A", "6FR9A", "4BB2A",
        "not found over OBD-II", "label on the unit's case", "ELM327 v1.5", "sim://nissan-xtrail-t32",
        "ISO 15765-4 CAN (11 bit ID, 500 kbaud)", " ".join(str(when(demo.started_at)).split()), FOOTER,
        DEMO_PAYLOAD,
    )  # fmt: skip
    for value in expected:
        assert value in text, value


def test_hostile_strings_make_no_element_in_chromium(chromium: str, hostile: Report, tmp_path: Path) -> None:
    out, _ = _run(chromium, _page(hostile, tmp_path, "hostile.html"), "--dump-dom")
    dom = parse_html(out)
    assert "script" not in dom.tags and "img" not in dom.tags
    assert not [a for a in dom.attributes if a.lower().startswith("on")]
    text = "".join(dom.text)
    for value in ("<script>alert(1)", '"><img src=x onerror=alert(1)>', '=HYPERLINK("http://x")'):
        assert value in text  # shown as text


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), (None, pytest.skip.Exception)])
def test_without_chromium_ci_fails_and_elsewhere_skips(
    monkeypatch: pytest.MonkeyPatch, ci: str | None, outcome: type[BaseException]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="chromium is not installed"):
        _chromium()
