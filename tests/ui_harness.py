"""Helpers for the window's tests: the server in a thread (no process), headless Chromium through Playwright.

:func:`running` starts :class:`obdident.ui.server.Window` on a free port of 127.0.0.1 in a thread and stops
it afterwards (every wait bounded). :func:`browser` launches Debian's ``/usr/bin/chromium`` (never a
downloaded one); without it, or without Playwright, the test is skipped (failed in CI, as the HTML report's
browser checks are).
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from obdident.journey import Seams
from obdident.transports.ports import Found, find_adapters
from obdident.ui.server import Window
from obdident.ui.session import Session

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The longest any one wait in these tests lasts, seconds.
WAIT_S = 30.0


def nothing_found() -> Found:
    """Discovery on a machine with no serial port and no Bluetooth LE: only the WiFi hint."""
    return find_adapters(ble_timeout_s=None, ports=[])


def session(
    folder: Path,
    *,
    fixed: str | None = None,
    demo: bool = False,
    seams: Seams | None = None,
    discover: Callable[[], Found] = nothing_found,
) -> Session:
    return Session(fixed=fixed, demo=demo, folder=folder, seams=seams, discover=discover)


@contextmanager
def running(state: Session) -> Iterator[Window]:
    """The window serving ``state`` in a thread, until the block ends."""
    window = Window(state)
    thread = threading.Thread(target=window.run, name="ui-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_S
    while not window.server.started:
        assert time.monotonic() < deadline, "the window's server did not start"
        assert thread.is_alive(), "the window's server died at start"
        time.sleep(0.01)
    try:
        yield window
    finally:
        window.stop()
        thread.join(WAIT_S)
        assert not thread.is_alive(), "the window's server did not stop"


def chromium_path() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(
            "chromium is not installed, and CI must run the window's browser tests (.ci/run installs it)"
        )
    pytest.skip("chromium is not installed (Debian: apt-get install --no-install-recommends chromium)")


@contextmanager
def browser() -> Iterator[Any]:
    """A headless Chromium browser (Playwright's ``Browser``)."""
    path = chromium_path()
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (the test extra)"
    )
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()
