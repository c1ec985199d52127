"""Nothing read is ever lost (issue 10, section 3): every output path is checked before the adapter is
touched, no output overwrites another output or the input, Ctrl-C and SIGTERM keep and print the report so
far with a problem ``interrupted``, and ``--csv`` appends no row for a scan that read nothing."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.recording.format import load as load_recording
from obdident.report.load import load_report
from obdident.report.outputs import same_file
from tests.fakes import Tripwire, at_physical, seams

runner = CliRunner()
DEMO_VIN = "SJNFBAT32U1000001"
OUTPUT_OPTIONS = ("--json", "--html", "--qr", "--csv", "--record")


def invoke(*args: str, obj: Any = None) -> Any:
    return runner.invoke(cli.app, list(args), obj=obj)


def said(result: Any) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(result.stderr.split())


@pytest.fixture
def opened() -> Tripwire:
    """The port opener the scan is given: ``opened.opened`` stays empty when the command stopped before
    touching the adapter."""
    return Tripwire()


def _bad_path(tmp_path: Path, kind: str) -> Path:
    if kind == "missing folder":
        return tmp_path / "nowhere" / "out"
    if kind == "a directory":
        (tmp_path / "adir").mkdir()
        return tmp_path / "adir"
    (tmp_path / "afile").write_text("x")
    return tmp_path / "afile" / "out"  # its folder is a file


# -- every output path is checked before the adapter is touched --------------------------------------


@pytest.mark.parametrize("option", ["--json", "--record"])
@pytest.mark.parametrize("kind", ["missing folder", "a directory", "folder is a file"])
def test_a_bad_output_path_exits_2_before_the_adapter_is_touched(
    tmp_path: Path, opened: Tripwire, option: str, kind: str
) -> None:
    bad = _bad_path(tmp_path, kind)
    result = invoke("scan", "--demo", option, str(bad), obj=seams(opener=opened))
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert opened.opened == []
    assert option in said(result) and bad.name in said(result)
    assert "Traceback" not in result.output and DEMO_VIN not in result.stdout


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into any folder")
@pytest.mark.parametrize("option", OUTPUT_OPTIONS)
def test_an_unwritable_folder_exits_2_before_the_adapter_is_touched(
    tmp_path: Path, opened: Tripwire, option: str
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = invoke("scan", "--demo", option, str(locked / "out"), obj=seams(opener=opened))
    finally:
        locked.chmod(0o700)
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert opened.opened == [] and "not writable" in said(result)


# -- no silent overwrite --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [("--json", "--html"), ("--csv", "--record"), ("--html", "--qr"), ("--json", "--record")],
)
def test_two_outputs_on_one_file_exit_2_before_anything_happens(
    tmp_path: Path, opened: Tripwire, first: str, second: str
) -> None:
    target = tmp_path / "out"
    result = invoke(
        "scan", "--demo", first, str(target), second, str(tmp_path / "." / "out"), obj=seams(opener=opened)
    )
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert first in said(result) and second in said(result) and "same file" in said(result)
    assert opened.opened == [] and not target.exists()


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_symbolic_link_to_another_output_is_the_same_file(tmp_path: Path, opened: Tripwire) -> None:
    (tmp_path / "real.html").write_text("old page")
    (tmp_path / "link.json").symlink_to(tmp_path / "real.html")
    link, real = tmp_path / "link.json", tmp_path / "real.html"
    result = invoke("scan", "--demo", "--json", str(link), "--html", str(real), obj=seams(opener=opened))
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert opened.opened == [] and (tmp_path / "real.html").read_text() == "old page"


@pytest.fixture
def scan_json(tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    result = invoke("scan", "--demo", "--json", str(path))
    assert result.exit_code == cli.EXIT_OK, result.output
    return path


@pytest.mark.parametrize("option", ["--json", "--html", "--qr"])
def test_report_never_overwrites_its_input(scan_json: Path, option: str) -> None:
    before = scan_json.read_bytes()
    result = invoke("report", str(scan_json), "--redact", option, str(scan_json))
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert "is the input" in said(result)
    assert scan_json.read_bytes() == before  # the unredacted source is still there
    assert DEMO_VIN in json.loads(before)["vehicle"]["vin"]


def test_same_file_compares_resolved_paths_and_links(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    assert same_file(tmp_path / "a", tmp_path / "sub" / ".." / "a")
    os.link(tmp_path / "a", tmp_path / "hard")
    assert same_file(tmp_path / "a", tmp_path / "hard")
    assert not same_file(tmp_path / "a", tmp_path / "b")  # b does not exist yet


# -- Ctrl-C and SIGTERM mid-scan ------------------------------------------------------------------------


class _Killed(Exception):
    """What a SIGTERM raises in this test process when obdident does not handle it itself."""


@pytest.fixture
def sigterm_guard() -> Iterator[None]:
    """Keep pytest alive if SIGTERM reaches Python's default handler (old code): raise _Killed instead."""

    def killed(_signum: int, _frame: object) -> None:
        raise _Killed

    previous = signal.signal(signal.SIGTERM, killed)
    yield
    signal.signal(signal.SIGTERM, previous)


def _signal_at_physical(sig: signal.Signals) -> Any:
    """Seams whose port sends ``sig`` when service 09 has been read and checkpointed, at the first
    physical-address line."""
    return seams(opener=Tripwire(at_physical, lambda: signal.raise_signal(sig)))


@pytest.mark.usefixtures("sigterm_guard")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_scan_prints_the_report_so_far_and_exits_4(
    sig: signal.Signals,
) -> None:
    result = invoke("scan", "--demo", obj=_signal_at_physical(sig))
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    assert DEMO_VIN in result.stdout  # the report so far, on the terminal
    assert "interrupted" in result.stdout and sig.name in said(result)
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("sigterm_guard")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_scan_keeps_json_recording_and_outputs(tmp_path: Path, sig: signal.Signals) -> None:
    out, rec, csv = tmp_path / "r.json", tmp_path / "r.txt", tmp_path / "cars.csv"
    result = invoke(
        "scan",
        "--demo",
        "--json",
        str(out),
        "--record",
        str(rec),
        "--csv",
        str(csv),
        obj=_signal_at_physical(sig),
    )
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    data = json.loads(out.read_text())
    assert data["complete"] is False and data["vehicle"]["vin"] == DEMO_VIN
    assert data["problems"][-1]["code"] == "interrupted"
    load_report(out)  # valid against the schema
    assert any(e.request.startswith("0902") for e in load_recording(rec).exchanges)
    assert "interrupted" in csv.read_text().splitlines()[-1]
    assert DEMO_VIN in result.stdout


@pytest.mark.usefixtures("sigterm_guard")
def test_a_signal_with_json_to_stdout_puts_the_partial_json_there() -> None:
    result = invoke("scan", "--demo", "--json", "-", obj=_signal_at_physical(signal.SIGTERM))
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    data = json.loads(result.stdout)
    assert data["problems"][-1]["code"] == "interrupted" and data["vehicle"]["vin"] == DEMO_VIN


@pytest.mark.usefixtures("sigterm_guard")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_before_anything_was_read_exits_4_and_says_so(sig: signal.Signals) -> None:
    during_setup = seams(opener=Tripwire(lambda line: line == "ATE0", lambda: signal.raise_signal(sig)))
    result = invoke("scan", "--demo", obj=during_setup)
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    assert "before anything was read" in said(result) and "Traceback" not in result.output


# A real process: when the physical-address step begins, the adapter goes silent (as a slow car would) on a
# clock that stands still, so only the signal ends the wait; everything else is the installed command.
_SLOW_SCAN = """
import sys
from obdident import cli
from obdident.journey import Seams
from obdident.transports import open_port

class Slow:
    def __init__(self, inner):
        self.inner, self.slow = inner, False
    def write(self, data):
        if data.strip() == b"ATSH7E0":
            self.slow = True
            sys.stderr.write("WAITING-FOR-SIGNAL\\n"); sys.stderr.flush()
        return self.inner.write(data)
    @property
    def in_waiting(self):
        return 0 if self.slow else self.inner.in_waiting
    def read(self, size=1):
        return b"" if self.slow else self.inner.read(size)
    def __getattr__(self, name):
        return getattr(self.inner, name)

def opener(url, *, baudrate, ble_backend):
    return Slow(open_port(url, baudrate=baudrate, ble_backend=ble_backend))

cli.app(prog_name="obdident", obj=Seams(opener=opener, clock=lambda: 0.0))
"""


def _run_until_waiting(
    args: list[str], cwd: Path, timeout_s: float = 60.0
) -> tuple[subprocess.Popen[bytes], bytes]:
    """Start the slow scan; return when it says it waits (or fail after ``timeout_s``), with its stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_SCAN, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
        cwd=cwd,
    )
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout_s
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stderr, selectors.EVENT_READ)
        while b"WAITING-FOR-SIGNAL" not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not sel.select(left):
                proc.kill()
                pytest.fail(f"the scan never reached the waiting step: {seen!r}")
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                proc.wait(5)
                pytest.fail(f"the scan ended before the waiting step: {seen!r}")
            seen += chunk
    return proc, seen


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("with_json", [False, True])
def test_a_real_process_receiving_a_signal_keeps_what_it_read(
    tmp_path: Path, sig: signal.Signals, with_json: bool
) -> None:
    out = tmp_path / "r.json"
    proc, early = _run_until_waiting(
        ["scan", "--demo", *(["--json", str(out)] if with_json else [])], tmp_path
    )
    proc.send_signal(sig)
    stdout_b, stderr_b = proc.communicate(timeout=60)
    stdout, stderr = stdout_b.decode(), (early + stderr_b).decode()
    assert proc.returncode == cli.EXIT_PARTIAL, stderr
    assert DEMO_VIN in stdout and "interrupted" in stdout  # printed on the terminal
    assert "Traceback" not in stderr and sig.name in stderr
    if with_json:
        data = json.loads(out.read_text())
        assert data["complete"] is False and data["problems"][-1]["code"] == "interrupted"
        assert data["vehicle"]["vin"] == DEMO_VIN
        assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
    else:
        assert [p.name.startswith("obdident-") for p in tmp_path.iterdir()] == [True]


# -- --csv for a scan that read nothing -----------------------------------------------------------------


def test_csv_appends_no_row_for_a_scan_that_read_nothing(tmp_path: Path) -> None:
    csv = tmp_path / "cars.csv"
    result = invoke("scan", "--port", "sim://nissan-xtrail-t32?ignition=off", "--csv", str(csv))
    assert result.exit_code == cli.EXIT_NO_CONTACT, result.output
    assert not csv.exists()
    assert "no CSV row" in said(result)


def test_report_csv_appends_no_row_for_an_empty_scan_and_keeps_the_log(tmp_path: Path) -> None:
    empty, csv = tmp_path / "empty.json", tmp_path / "cars.csv"
    invoke("scan", "--port", "sim://nissan-xtrail-t32?ignition=off", "--json", str(empty))
    assert invoke("scan", "--demo", "--csv", str(csv)).exit_code == cli.EXIT_OK
    before = csv.read_text()
    result = invoke("report", str(empty), "--csv", str(csv))
    assert result.exit_code == cli.EXIT_OK, result.output
    assert csv.read_text() == before and len(before.splitlines()) == 2


@pytest.mark.usefixtures("sigterm_guard")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_after_the_scan_ended_does_not_cut_the_outputs_short(
    tmp_path: Path, sig: signal.Signals
) -> None:
    # the signal comes as the scan closes its port: every step has run, the outputs are still to come
    late = seams(opener=Tripwire(on_close=lambda: signal.raise_signal(sig)))
    out, page = tmp_path / "r.json", tmp_path / "r.html"
    result = invoke("scan", "--demo", "--json", str(out), "--html", str(page), obj=late)
    assert result.exit_code == cli.EXIT_OK, result.output
    assert json.loads(out.read_text())["complete"] is True and DEMO_VIN in page.read_text()
    assert DEMO_VIN in result.stdout and "Traceback" not in result.output
