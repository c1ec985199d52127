"""``obdident-window``, the window without a console (gui-scripts entry, the bundle's second program)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from obdident.cli import desktop

WINDOW = Path(sys.executable).parent / "obdident-window"


def test_reports_go_to_the_documents_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # no user-dirs.dirs of this machine
    folder = desktop.reports_folder()
    assert folder == tmp_path / "Documents" / "obdident" and folder.is_dir()


@pytest.mark.skipif(not WINDOW.exists(), reason="the obdident-window entry point is not installed here")
@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_the_entry_point_opens_the_window_with_no_console_streams(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("XDG_DOCUMENTS_DIR", None)
    process = subprocess.Popen(
        [str(WINDOW), "--demo", "--no-browser"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=tmp_path,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "token=" in url
        # Ctrl-C once the server answers (its signal handlers are in place), not while it starts
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=10) as answer:
                    assert answer.status == 200
                break
            except urllib.error.URLError:
                assert time.monotonic() < deadline, "the window never answered"
                time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=120)
    assert (tmp_path / "Documents" / "obdident").is_dir()


def test_missing_standard_streams_are_pointed_at_the_null_device(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_app(args: list[str], prog_name: str) -> None:
        seen.update(args=args, prog=prog_name, stdout=sys.stdout, stderr=sys.stderr)
        print("a line that must not end a windowed program")

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(sys, "argv", ["obdident-window", "--demo"])
    monkeypatch.setattr(desktop, "reports_folder", Path.cwd)
    monkeypatch.setattr("obdident.cli.app", fake_app)
    desktop.main()
    assert seen["args"] == ["ui", "--demo"] and seen["prog"] == "obdident-window"
    assert seen["stdout"] is not None and seen["stderr"] is not None
