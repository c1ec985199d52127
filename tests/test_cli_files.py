"""Files no one can turn against the owner (issue 22, point 4).

* Scans started at once in one folder each keep their own default report file (``O_EXCL``, next free name).
* No output is written through a symbolic link planted at its name: files replaced whole replace the link,
  the recording is made new and renamed over it, the CSV log refuses it (``O_NOFOLLOW``).
* A folder that stops taking new files mid-scan does not stop the scan: the terminal report is printed,
  what could not be written is named (exit 4), and no stale partial file is left.
* ``--json -`` into a full disk is one line and the report is kept in a file.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.journey.keeper import Keeper
from obdident.journey.plan import Plan
from obdident.recording.format import load as load_recording
from obdident.report.load import load_report
from obdident.report.outputs import write_outputs
from obdident.scanning import DEMO_PORT, scan

runner = CliRunner()
DEMO_VIN = "SJNFBAT32U1000001"


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


def said(result: Any) -> str:
    return " ".join(result.stderr.split())


# -- scans started at once in one folder --------------------------------------------------------------------


def test_scans_started_at_once_in_one_folder_each_keep_their_own_report(tmp_path: Path) -> None:
    report = scan(DEMO_PORT)
    now = datetime(2026, 12, 4, 10, 0, 0)  # the same second for every scan: every name collides
    scans, rounds = 4, 10
    kept: list[str | None] = []
    lock = threading.Lock()

    def one_scan(barrier: threading.Barrier, index: int) -> None:
        keeper = Keeper(Plan(DEMO_PORT, folder=tmp_path), now=lambda: now)
        barrier.wait()  # every scan has chosen its name before any has written
        marked = report.__class__(**{**report.__dict__, "duration_s": float(index)})
        keeper.checkpoint(marked)
        keeper.checkpoint(marked)  # a later step rewrites the same file
        with lock:
            kept.append(keeper.kept_path)

    for round_ in range(rounds):
        barrier = threading.Barrier(scans)
        threads = [
            threading.Thread(target=one_scan, args=(barrier, round_ * scans + i)) for i in range(scans)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert len(kept) == scans * rounds and None not in kept
    assert len(set(kept)) == scans * rounds  # 40 scans, 40 files: none lost
    durations = sorted(json.loads(Path(str(path)).read_text())["duration_s"] for path in kept)
    assert durations == [float(i) for i in range(scans * rounds)]  # each file holds its own scan
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".json")) == []


# -- symbolic links planted at an output's name ------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_no_output_is_written_through_a_planted_symbolic_link(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    options = ("--record", "--json", "--html", "--qr")
    args = ["scan", "--demo"]
    for option in options:
        victim = tmp_path / f"victim{option}"
        victim.write_text("the owner's file\n")
        (shared / option).symlink_to(victim)
        args += [option, str(shared / option)]
    result = invoke(*args)
    assert result.exit_code == cli.EXIT_OK, result.output
    for option in options:
        assert (tmp_path / f"victim{option}").read_text() == "the owner's file\n", (
            option
        )  # not written through
        assert not (shared / option).is_symlink() and (shared / option).is_file()  # the output replaced it
    assert load_recording(shared / "--record").exchanges


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_the_csv_log_refuses_a_symbolic_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.csv"
    victim.write_text("the owner's file\n")
    planted = tmp_path / "cars.csv"
    planted.symlink_to(victim)
    result = invoke("scan", "--demo", "--csv", str(planted))
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert "symbolic link" in said(result)
    assert victim.read_text() == "the owner's file\n"


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges on Windows")
def test_a_link_planted_after_the_check_is_refused_when_the_row_is_appended(tmp_path: Path) -> None:
    victim = tmp_path / "victim.csv"
    victim.write_text("")  # empty: a header would be written through the link
    planted = tmp_path / "cars.csv"
    planted.symlink_to(victim)  # planted between the check and the write (a race)
    failed = write_outputs(scan(DEMO_PORT), html=None, qr=None, csv=str(planted), tell=lambda _s: None)
    assert len(failed) == 1 and "cars.csv" in failed[0]
    assert victim.read_text() == ""


# -- a folder that stops taking files mid-scan -------------------------------------------------------------


def _folder_stops_taking_files(
    monkeypatch: pytest.MonkeyPatch, folder: Path, code: int = errno.EACCES
) -> Callable[[], None]:
    """From the call of the returned function on, ``folder`` refuses what a folder without write permission
    refuses: new files (temporary ones included), renames and removals; a file already there can still be
    written in place. With ``code`` ENOSPC (a full disk), even that fails."""
    refusing = {"on": False}
    mkstemp, open_, replace, unlink = tempfile.mkstemp, os.open, os.replace, os.unlink
    name = os.strerror(code)

    def inside(path: Any) -> bool:
        return refusing["on"] and Path(os.fspath(path)).resolve().parent == folder.resolve()

    def fake_mkstemp(*args: Any, **kwargs: Any) -> Any:
        if refusing["on"] and Path(kwargs.get("dir") or ".").resolve() == folder.resolve():
            raise OSError(code, name)
        return mkstemp(*args, **kwargs)

    def fake_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if inside(path) and (flags & os.O_CREAT or code != errno.EACCES):
            raise OSError(code, name, os.fspath(path))
        return open_(path, flags, *args, **kwargs)

    def fake_replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if inside(dst):
            raise OSError(code, name, os.fspath(dst))
        replace(src, dst, *args, **kwargs)

    def fake_unlink(path: Any, *args: Any, **kwargs: Any) -> None:
        if inside(path) and code == errno.EACCES:
            raise OSError(code, name, os.fspath(path))
        unlink(path, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", fake_mkstemp)
    monkeypatch.setattr(os, "open", fake_open)
    monkeypatch.setattr(os, "replace", fake_replace)
    monkeypatch.setattr(os, "unlink", fake_unlink)

    def start() -> None:
        refusing["on"] = True

    return start


def _after_the_first_step(monkeypatch: pytest.MonkeyPatch, start: Callable[[], None]) -> None:
    checkpoint = Keeper.checkpoint

    def then_refuse(self: Keeper, report: Any) -> None:
        checkpoint(self, report)
        start()

    monkeypatch.setattr(Keeper, "checkpoint", then_refuse)


def test_a_folder_that_stops_taking_files_mid_scan_does_not_stop_the_scan(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out, page, rec = tmp_path / "r.json", tmp_path / "r.html", tmp_path / "r.txt"
    _after_the_first_step(monkeypatch, _folder_stops_taking_files(monkeypatch, tmp_path))
    result = invoke("scan", "--demo", "--json", str(out), "--html", str(page), "--record", str(rec))
    assert result.exit_code == cli.EXIT_PARTIAL, result.output  # an output was not written
    assert DEMO_VIN in result.stdout and "For the dealer" in result.stdout  # the terminal report
    assert "r.html" in said(result) and "Permission denied" in said(result)  # named
    assert "Traceback" not in result.output
    report = load_report(out)  # rewritten in place: the final report, not a stale step's
    assert report.complete is True and report.vehicle.vin == DEMO_VIN
    assert load_recording(rec).meta.started_at  # the recording was closed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.txt"]  # nothing half written


def test_the_default_report_is_brought_up_to_date_in_a_folder_that_stopped_taking_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    _after_the_first_step(monkeypatch, _folder_stops_taking_files(monkeypatch, tmp_path))
    result = invoke("scan", "--demo")
    assert result.exit_code == cli.EXIT_OK, result.output
    [kept] = list(tmp_path.iterdir())
    assert load_report(kept).complete is True


def test_a_full_disk_mid_scan_leaves_no_stale_report_and_names_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    _after_the_first_step(monkeypatch, _folder_stops_taking_files(monkeypatch, tmp_path, errno.ENOSPC))
    result = invoke("scan", "--demo", "--json", str(out))
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    assert DEMO_VIN in result.stdout
    assert "r.json" in said(result) and os.strerror(errno.ENOSPC) in said(result)
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # the earlier step's report is not left to be taken for this one


# -- stdout that refuses the report ------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_json_to_a_full_stdout_is_one_line_and_the_report_is_kept(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "obdident", "scan", "--demo", "--json", "-"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False, cwd=tmp_path,
        )  # fmt: skip
    assert done.returncode == cli.EXIT_PARTIAL, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "stdout" in done.stderr and os.strerror(errno.ENOSPC) in done.stderr
    [kept] = list(tmp_path.iterdir())
    assert load_report(kept).vehicle.vin == DEMO_VIN and kept.name in done.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux /proc, where no file can be made")
def test_an_output_that_cannot_be_written_is_named_not_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the report is kept here
    result = CliRunner().invoke(cli.app, ["scan", "--demo", "--html", "/proc/obdident-page.html"])
    assert result.exit_code == cli.EXIT_PARTIAL
    assert "cannot write /proc/obdident-page.html" in result.output and ".tmp" not in result.output
