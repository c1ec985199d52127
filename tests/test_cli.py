"""The command line: exit codes, stdout holding only JSON, clear messages for the common failures."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest
import serial
from typer.testing import CliRunner

from obdident import cli
from obdident.model import SCHEMA_VERSION
from tests.fakes import Tripwire, at_physical, seams

runner = CliRunner()


def invoke(*args: str, obj: Any = None) -> Any:
    return runner.invoke(cli.app, list(args), obj=obj)


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("obdident ")


def test_demo_prints_the_report_and_exits_0() -> None:
    result = invoke("scan", "--demo")
    assert result.exit_code == cli.EXIT_OK, result.output
    assert "SJNFBAT32U1000001" in result.stdout
    assert "237106FR9A" in result.stdout


def test_json_dash_puts_only_json_on_stdout() -> None:
    result = invoke("scan", "--demo", "--json", "-")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["vehicle"]["vin"] == "SJNFBAT32U1000001"
    assert data["schema_version"] == SCHEMA_VERSION


def test_json_file_and_terminal(tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    result = invoke("scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out))
    assert result.exit_code == 0
    assert json.loads(out.read_text())["vehicle"]["vin"] is None
    assert "not available" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["scan.json"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--demo", "--port", "sim://nissan-xtrail-t32"), "not both"),
        (("--demo", "--make", "ford"), "not known"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = invoke("scan", *args)
    assert result.exit_code == cli.EXIT_USAGE
    assert message in result.stderr


def test_missing_port_exit_3_with_what_to_do() -> None:
    result = invoke("scan", "--port", "/dev/obdident-missing")
    assert result.exit_code == cli.EXIT_NO_CONTACT
    assert "no adapter port /dev/obdident-missing" in result.stderr
    assert "What to do" in result.stderr


def test_permission_denied_names_the_group_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(url: str, **_kw: object) -> object:
        raise serial.SerialException(errno.EACCES, f"could not open port {url}: [Errno 13] Permission denied")

    monkeypatch.setattr(serial, "serial_for_url", refuse)
    result = invoke("scan", "--port", "/dev/ttyUSB0")
    assert result.exit_code == cli.EXIT_NO_CONTACT
    assert "dialout" in result.stderr


def test_ignition_off_exit_3_and_the_report_is_still_written(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = invoke("scan", "--port", "sim://nissan-xtrail-t32?ignition=off", "--json", str(out))
    assert result.exit_code == cli.EXIT_NO_CONTACT
    data = json.loads(out.read_text())
    assert data["complete"] is False and data["problems"][0]["code"] == "no-vehicle-response"


class _DropsAfter:
    """Wraps a port; the link drops when the n-th line is written."""

    def __init__(self, inner: Any, lines: int) -> None:
        self.inner, self.left = inner, lines

    def write(self, data: bytes) -> int | None:
        self.left -= data.count(b"\r")
        if self.left < 0:
            raise serial.SerialException("device reports readiness to read but returned no data")
        result: int | None = self.inner.write(data)
        return result

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_link_lost_mid_scan_exit_4_with_what_was_read(tmp_path: Path) -> None:
    # 7 set-up lines (AT CAF1 last), AT ST 0E, AT TP 6, 0100, 09002, 09023, 09046, then the drop
    drops = Tripwire(wrap=lambda port: _DropsAfter(port, lines=14))
    out = tmp_path / "partial.json"
    result = invoke("scan", "--demo", "--json", str(out), obj=seams(opener=drops))
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    data = json.loads(out.read_text())
    assert data["complete"] is False
    assert data["vehicle"]["vin"] == "SJNFBAT32U1000001"  # read before the drop, kept
    assert data["problems"][-1]["code"] == "link-lost"
    assert "Traceback" not in result.output


class _FastClock:
    """A virtual clock that advances ``step_s`` each time it is read: the driver reads it after every port
    read (one read slice of real time), so its deadlines pass after a few reads instead of in real seconds."""

    def __init__(self, step_s: float) -> None:
        self.now_s, self.step_s = 0.0, step_s

    def __call__(self) -> float:
        self.now_s += self.step_s
        return self.now_s


def test_silent_adapter_exit_3_says_what_to_do() -> None:
    import socket

    clock = _FastClock(0.5)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        result = invoke("scan", "--port", f"socket://127.0.0.1:{port}", obj=seams(clock=clock))
    assert result.exit_code == cli.EXIT_NO_CONTACT
    assert "did not answer AT D" in result.stderr
    assert "plugged into the car" in result.stderr
    # AT D's deadline (1 s) and the wait for its late prompt (5 s) were waited out, in virtual time; AT Z is
    # never written to an adapter that may still be busy
    assert clock.now_s >= 6.0


@pytest.mark.parametrize(
    ("error", "reason"), [(KeyboardInterrupt(), "interrupted"), (RuntimeError("boom"), "RuntimeError")]
)
def test_ctrl_c_or_a_crash_mid_scan_keeps_the_last_good_report(
    tmp_path: Path, error: BaseException, reason: str
) -> None:
    def die() -> None:
        raise error

    # service 09 has been read and checkpointed when the physical-address step dies
    out = tmp_path / "r.json"
    result = invoke("scan", "--demo", "--json", str(out), obj=seams(opener=Tripwire(at_physical, die)))
    assert result.exit_code == cli.EXIT_PARTIAL
    assert reason in result.stderr and "complete: false" in result.stderr
    assert "Traceback" not in result.output
    data = json.loads(out.read_text())
    assert data["complete"] is False and data["vehicle"]["vin"] == "SJNFBAT32U1000001"
    if isinstance(error, RuntimeError):  # the fault's own words are detail for engineers, in the JSON
        assert any(
            "RuntimeError: boom" in p["message"] for p in data["problems"] if p["code"] == "scan-failed"
        )
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]
