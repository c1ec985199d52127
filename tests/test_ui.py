"""`obdident ui` without a browser: the token on every request, 127.0.0.1 only, one scan at a time, the
first line of stdout, the Stop button, and the message when the ui extra is missing."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obdident.cli import app
from tests.fakes import Tripwire, seams
from tests.ui_harness import WAIT_S, running, session


def _status(url: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def _base(url: str) -> str:
    return url.split("/?token=", maxsplit=1)[0]


def test_requests_without_the_token_are_refused(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi")) as window:
        base = _base(window.url)
        assert _status(window.url) == 200
        for path in ("/", "/ignition", "/ui.js", "/events/1", "/result/1", "/page/1"):
            assert _status(base + path) == 403, path
            assert _status(f"{base}{path}?token=wrong") == 403, path
            assert _status(f"{base}{path}?token=") == 403, path
        assert _status(base + "/scan", "POST") == 403
        assert _status(base + "/stop", "POST") == 403
        assert not window.session.runs, "a refused request started a scan"
        assert not window.server.should_exit, "a refused request stopped the window"
        assert _status(window.url) == 200
        assert not list(tmp_path.iterdir())


def _own_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (none on a machine without a network)."""
    found: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.add(str(info[4][0]))
    except OSError:
        pass
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:  # no packet is sent: connect() on UDP only picks the outgoing interface
        probe.connect(("192.0.2.1", 9))
        found.add(probe.getsockname()[0])
    except OSError:
        pass
    finally:
        probe.close()
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


def test_the_server_is_bound_to_127_0_0_1_only(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi")) as window:
        host, port = window.address
        assert host == "127.0.0.1"
        assert window.url.startswith(f"http://127.0.0.1:{port}/?token=")
        for address in _own_addresses():
            with pytest.raises(OSError), socket.create_connection((address, port), timeout=2):
                pass
        # a request naming another host (DNS rebinding) is refused even with the token
        request = urllib.request.Request(window.url, headers={"Host": f"attacker.example:{port}"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=WAIT_S)
        assert refused.value.code == 400


def test_tokens_differ_between_windows(tmp_path: Path) -> None:
    with running(session(tmp_path)) as first, running(session(tmp_path)) as second:
        assert first.token != second.token and len(first.token) >= 40
        assert _status(f"{_base(second.url)}/?token={first.token}") == 403


def test_one_scan_at_a_time(tmp_path: Path) -> None:
    release = threading.Event()
    held = seams(opener=Tripwire(lambda _line: True, lambda: release.wait(WAIT_S)))  # at its first line

    with running(session(tmp_path, fixed="sim://nissan-qashqai-j10", seams=held)) as window:
        base, token = _base(window.url), window.token
        assert _status(f"{base}/scan?token={token}", "POST") == 200  # 303 followed to the scan's page
        assert _status(f"{base}/scan?token={token}", "POST") == 409
        assert list(window.session.runs) == [1]
        release.set()
        deadline = time.monotonic() + WAIT_S
        while not window.session.runs[1].done:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert _status(f"{base}/scan?token={token}", "POST") == 200
        assert list(window.session.runs) == [1, 2]


def test_without_the_ui_extra_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "starlette", None)  # import starlette now fails, as without the extra
    result = CliRunner().invoke(app, ["ui", "--demo", "--no-browser"])
    assert result.exit_code == 2
    assert "pip install starlette uvicorn" in result.output and "'.[ui]'" in result.output
    assert "obdident[ui]" not in result.output  # never the name for an index to resolve: anyone may hold it
    assert "starlette" in result.output and "Traceback" not in result.output


def test_first_stdout_line_is_the_url_and_the_stop_button_ends_it(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "BROWSER": "false"}
    command = [sys.executable, "-m", "obdident", "ui", "--demo", "--no-browser"]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("http://127.0.0.1:") and "/?token=" in first, first
        base, token = first.split("/?token=")
        assert _status(first) == 200
        assert _status(f"{base}/scan?token={token}", "POST") == 200
        deadline = time.monotonic() + WAIT_S
        while True:  # the scan's page until the scan ends, then the result
            with urllib.request.urlopen(f"{base}/result/1?token={token}", timeout=WAIT_S) as page:
                if "<h1>The result</h1>" in page.read().decode():
                    break
            assert time.monotonic() < deadline, "the demo scan did not end"
            time.sleep(0.05)
        assert _status(f"{base}/stop?token={token}", "POST") == 200
        out, err = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert out.strip() == "", "stdout holds only the URL"
    assert "Traceback" not in err
    kept = list(tmp_path.glob("obdident-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text())["adapter"]["port"] == "sim://nissan-xtrail-t32"


def test_a_taken_http_port_is_a_one_line_error() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        result = CliRunner().invoke(
            app, ["ui", "--demo", "--no-browser", "--http-port", str(taken.getsockname()[1])]
        )
    finally:
        taken.close()
    assert result.exit_code == 2
    assert "Cannot listen on 127.0.0.1" in result.output and "Traceback" not in result.output


# -- issue 22 point 5: the window no one can turn against the owner ----------------------------------------


def _post(url: str, headers: dict[str, str], data: bytes = b"") -> int:
    request = urllib.request.Request(url, method="POST", data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=WAIT_S) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_request_from_another_origin_is_refused_even_with_the_token(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi")) as window:
        base, token = _base(window.url), window.token
        for headers in (
            {"Origin": "http://evil.example"},
            {"Origin": "null"},  # a sandboxed frame or a file: page
            {"Origin": f"http://127.0.0.1:{window.port + 1}"},  # another port is another origin
            {"Referer": "http://evil.example/page"},
        ):
            assert _post(f"{base}/stop?token={token}", headers) == 403, headers
            assert _post(f"{base}/scan?token={token}", headers) == 403, headers
            assert _post(f"{base}/adapter?token={token}", headers, b"url=x") == 403, headers
        assert not window.server.should_exit and not window.session.stopping
        assert not window.session.runs
        own = {"Origin": base}
        assert _post(f"{base}/scan?token={token}", own) == 200  # the window's own page: the scan starts
        assert _post(f"{base}/stop?token={token}", {"Referer": window.url}) == 200


def _asgi_post(
    app: Any, path: str, token: str, headers: list[tuple[bytes, bytes]], chunks: int
) -> tuple[int, int]:
    """POST to the application directly, the body in 1 MiB chunks; (status, chunks the application read)."""
    read, status = 0, 0

    async def receive() -> dict[str, Any]:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"u" * (1 << 20), "more_body": read < chunks}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": path, "raw_path": path.encode(), "root_path": "", "query_string": f"token={token}".encode(),
        "headers": [(b"host", b"127.0.0.1:8000"), *headers], "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    return status, read


def test_a_huge_body_is_never_read_whole(tmp_path: Path) -> None:
    from obdident.ui.app import build_app

    app = build_app(session(tmp_path), "T" * 43, lambda: None)
    form = (b"content-type", b"application/x-www-form-urlencoded")
    # 400 MiB streamed without a length: reading stops at the first chunk past the limit
    status, read = _asgi_post(app, "/adapter", "T" * 43, [form], chunks=400)
    assert status == 400 and read == 1
    # 400 MiB declared: refused before a byte is read
    declared = (b"content-length", str(400 << 20).encode())
    status, read = _asgi_post(app, "/adapter", "T" * 43, [form, declared], chunks=400)
    assert status == 413 and read == 0


def test_the_browser_is_opened_on_a_launcher_file_not_on_the_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import webbrowser

    from obdident.ui.server import Window

    opened: list[str] = []
    seen: dict[str, Any] = {}

    def open_(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return True

    def run(self: Window) -> None:  # instead of serving: look at the launcher file while it exists
        path = Path(urllib.request.url2pathname(urllib.parse.urlsplit(opened[0]).path))
        seen.update(token=self.token, url=self.url, mode=path.stat().st_mode & 0o777,
                    folder=path.parent.stat().st_mode & 0o777, text=path.read_text(), path=path)  # fmt: skip
        self.session.close()

    monkeypatch.setattr(webbrowser, "open", open_)
    monkeypatch.setattr(Window, "run", run)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["ui", "--demo"])
    shutil.rmtree(seen["path"].parent)  # the real run() removes it when the window stops
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].startswith("file:")
    assert seen["token"] not in opened[0]  # not on the browser's command line
    assert seen["mode"] == 0o600 and seen["folder"] == 0o700  # readable by the owner only
    assert seen["url"].replace("&", "&amp;") in seen["text"]  # it sends the browser on to the window


_WAITING_UI = """
import sys, time
from obdident import cli
from obdident.scanning import runner
def slow(self):
    sys.stderr.write("WAITING-FOR-SIGNAL\\n"); sys.stderr.flush()
    while True:  # a slow step: the runner polls the scan's cancel token before each announcement
        time.sleep(0.01)
        self._announce("still reading")
runner.Runner._physical = slow
sys.argv[0] = "obdident"
cli.main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_a_scan_keeps_the_interrupted_report(tmp_path: Path) -> None:
    import signal

    command = [sys.executable, "-c", _WAITING_UI, "ui", "--demo", "--no-browser"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)  # fmt: skip
    try:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline().strip()
        base, token = first.split("/?token=")
        assert _status(f"{base}/scan?token={token}", "POST") == 200
        while "WAITING-FOR-SIGNAL" not in (line := process.stderr.readline()):
            assert line, "the scan never reached the physical-address step"
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=WAIT_S)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err  # stopped as the Stop button stops it, not killed by the signal
    assert "Traceback" not in err
    [kept] = list(tmp_path.glob("obdident-*.json"))
    report = json.loads(kept.read_text())
    assert report["complete"] is False and report["problems"][-1]["code"] == "interrupted"
    assert report["vehicle"]["vin"] == "SJNFBAT32U1000001"  # what was read before the signal
