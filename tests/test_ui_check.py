"""The window's "Check the adapter": the same read-only probe and words as ``obdident check-adapter``."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path

from tests.fakes import Tripwire, seams
from tests.ui_harness import WAIT_S, running, session


def _post(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, method="POST", data=b"")
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as response:
            return int(response.status), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _check_url(window_url: str) -> str:
    base, token = window_url.split("/?token=", maxsplit=1)
    return f"{base}/check?token={token}"


def test_a_clone_without_flow_control_is_told_in_the_window(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi?quirk=no-fc")) as window:
        status, text = _post(_check_url(window.url))
    assert status == 200
    assert "It cannot read the head unit" in text and "AT FC SH" in text
    assert "--port" not in text and "obdident check-adapter" not in text
    assert not list(tmp_path.iterdir())  # a check keeps no report


def test_a_good_adapter_is_told_so_and_the_scan_can_start_after_it(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-xtrail-t32")) as window:
        status, text = _post(_check_url(window.url))
        assert status == 200 and "This adapter can read the head unit" in text
        status, _ = _post(_check_url(window.url).replace("/check?", "/scan?"))
        assert status == 200 and list(window.session.runs) == [1]  # the check left the adapter free


def test_no_check_while_a_scan_holds_the_adapter(tmp_path: Path) -> None:
    release = threading.Event()
    held = seams(opener=Tripwire(lambda line: line.startswith("ATSH7"), lambda: release.wait(WAIT_S)))
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi", seams=held)) as window:
        scan_url = _check_url(window.url).replace("/check?", "/scan?")
        assert _post(scan_url)[0] == 200
        status, text = _post(_check_url(window.url))
        release.set()
    assert status == 409 and "one scan or check at a time" in text


def test_an_adapter_that_is_not_there_is_said_in_words(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="/dev/obdident-missing")) as window:
        status, text = _post(_check_url(window.url))
    assert status == 200 and "Could not talk to the adapter" in text and "obdident-missing" in text
    assert "--port" not in text and "usermod" not in text
