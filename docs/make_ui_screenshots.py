"""Make the README's screenshots of `obdident ui` (docs/ui-*.png), one per step, in headless Chromium.

Run from the repository root: ``.venv/bin/python docs/make_ui_screenshots.py`` (needs the test extra and
/usr/bin/chromium). Simulated cars only: the server runs in a thread (tests/ui_harness.py).
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes import Tripwire, seams  # noqa: E402
from tests.ui_harness import WAIT_S, browser, running, session  # noqa: E402

DOCS = Path(__file__).resolve().parent
SIZE = {"width": 640, "height": 760}


def shot(page: Any, name: str) -> None:
    path = DOCS / f"ui-{name}.png"
    page.screenshot(path=str(path))
    print(f"{path.name}: {path.stat().st_size // 1024} KB")


def main() -> None:
    release = threading.Event()
    # held once the head unit has answered (the next unit's header), for the live-progress shot
    held = seams(opener=Tripwire(lambda line: line == "ATSH712", lambda: release.wait(WAIT_S)))

    with tempfile.TemporaryDirectory() as folder, browser() as chromium:
        with running(session(Path(folder))) as window:
            page = chromium.new_page(viewport=SIZE)
            page.goto(window.url)
            shot(page, "1-adapter-not-found")
        with running(session(Path(folder), fixed="sim://nissan-qashqai-j11-navi", seams=held)) as window:
            page = chromium.new_page(viewport=SIZE)
            page.goto(window.url)
            shot(page, "1-adapter")
            page.click("text=Next: the ignition")
            shot(page, "2-ignition")
            page.click("text=Start the scan")
            page.wait_for_selector(".found[data-kind=head_unit]")
            shot(page, "3-scan")
            release.set()
            page.wait_for_url("**/result/1?token=*")
            shot(page, "4-result")
        with running(session(Path(folder), fixed="sim://nissan-qashqai-j10")) as window:
            page = chromium.new_page(viewport=SIZE)
            page.goto(window.url.replace("/?", "/ignition?"))
            page.click("text=Start the scan")
            page.wait_for_url("**/result/1?token=*")
            page.goto(window.url.replace("/?", "/label/1?"))
            page.fill("#HU", "28185-BH20A")
            page.fill("#SN", "BP12/34")
            page.keyboard.press("Enter")
            page.wait_for_selector("#SN-error")
            shot(page, "5-label")
            page.fill("#SN", "BP123456789012")
            page.keyboard.press("Enter")
            page.wait_for_url("**/print/1?token=*")
            shot(page, "6-print")


if __name__ == "__main__":
    main()
