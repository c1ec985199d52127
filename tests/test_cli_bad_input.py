"""Careless and hostile input: bad invocations, bad ports and URLs, bad files.

The corpus (:data:`CORPUS`) is table-driven: each case is a command line (files made in a temporary
folder) with the exit code the README documents, words of the reason that must stand on one line of
stderr, and no traceback. The tests after it pin the port layer: pyserial users see
``serial.SerialException`` for obdident's bad or absent ports, open errors are classified by type and errno,
``--verbose`` raises obdident's loggers only.
"""

from __future__ import annotations

import errno
import json
import re
import signal
import socket
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import serial
from typer.testing import CliRunner

import obdident
from obdident import cli
from obdident.elm327.driver import ELM327
from obdident.errors import (
    AdapterTimeoutError,
    ObdidentError,
    PortBusyError,
    PortNotFoundError,
    PortPermissionError,
    PortUrlError,
    TransportError,
)
from obdident.transports import open_port
from tests.fakes import ScriptedPort

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
_BOX = re.compile(r"[│╭╮╰╯─]")


@dataclass(frozen=True)
class Case:
    """One bad invocation: ``args`` may hold ``{tmp}`` (the test's folder) and ``{closed}`` (a TCP port
    nothing listens on); ``files`` are written into ``{tmp}`` first (name -> bytes, or None for a folder)."""

    name: str
    args: tuple[str, ...]
    code: int
    reason: str
    files: tuple[tuple[str, bytes | None], ...] = ()


def _demo_report() -> dict[str, object]:
    result = runner.invoke(cli.app, ["scan", "--demo", "--json", "-"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


DEMO = _demo_report()


def _report(**changes: object) -> bytes:
    return json.dumps({**DEMO, **changes}).encode()


def _with_raw(key: str, raw: str) -> bytes:
    """The demo report with ``key``'s value replaced by ``raw`` JSON-like text (NaN, Infinity...)."""
    text = json.dumps(DEMO)
    return re.sub(rf'"{key}": [^,}}]+', f'"{key}": {raw}', text, count=1).encode()


_DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
_DEEP_FIELD = json.dumps(DEMO)[:-1].encode() + b', "x": ' + b'{"a": ' * 5000 + b"1" + b"}" * 5000 + b"}"
_ACCEPTED = "obdident does not open"
U, N, P = cli.EXIT_USAGE, cli.EXIT_NO_CONTACT, 1  # P: check-recording found a problem

CORPUS: tuple[Case, ...] = (
    # pyserial's own schemes, and unknown ones: refused with the accepted forms
    Case("spy", ("scan", "-p", "spy:///dev/ttyUSB0"), U, f"spy:///dev/ttyUSB0: {_ACCEPTED} spy://"),
    Case("spy-file", ("scan", "-p", "spy://sim://x?file={tmp}/hex.txt"), U, f"{_ACCEPTED} spy://"),
    Case("loop", ("scan", "-p", "loop://"), U, f"{_ACCEPTED} loop://"),
    Case("hwgrep", ("scan", "-p", "hwgrep://ttyUSB"), U, f"{_ACCEPTED} hwgrep://"),
    Case("alt", ("scan", "-p", "alt:///dev/ttyUSB0?class=PosixPollSerial"), U, f"{_ACCEPTED} alt://"),
    Case("cp2110", ("scan", "-p", "cp2110://0001:0004:00"), U, f"{_ACCEPTED} cp2110://"),
    Case("unknown-scheme", ("scan", "-p", "http://192.168.0.10:35000"), U, f"{_ACCEPTED} http://"),
    Case("upper-case-scheme", ("scan", "-p", "LOOP://"), U, f"{_ACCEPTED} loop://"),
    # malformed socket:// and rfc2217://
    Case("socket-notaport", ("scan", "-p", "socket://host:notaport"), U, "'notaport' is not a number"),
    Case("socket-empty", ("scan", "-p", "socket://"), U, "no host name or address"),
    Case("socket-no-port", ("scan", "-p", "socket://192.168.0.10"), U, "no TCP port"),
    Case("socket-port-0", ("scan", "-p", "socket://192.168.0.10:0"), U, "no TCP port"),
    Case("socket-port-range", ("scan", "-p", "socket://192.168.0.10:70000"), U, "from 1 to 65535"),
    Case("socket-no-host", ("scan", "-p", "socket://:35000"), U, "no host name or address"),
    Case("socket-logging", ("scan", "-p", "socket://127.0.0.1:35000?logging=debug"), U, "'logging'"),
    Case("socket-path", ("scan", "-p", "socket://127.0.0.1:35000/x"), U, "holds only HOST:PORT"),
    Case("rfc2217-notaport", ("scan", "-p", "rfc2217://host:x"), U, "'x' is not a number"),
    # obdident's own schemes
    Case("ble-not-a-mac", ("scan", "-p", "ble://not-a-mac"), U, "neither a Bluetooth address"),
    Case("ble-empty", ("scan", "-p", "ble://"), U, "names no device"),
    Case("ble-option", ("scan", "-p", "ble://AA:BB:CC:DD:EE:FF?mtu=big"), U, "option 'mtu'"),
    Case("rfcomm-not-a-mac", ("scan", "-p", "rfcomm://zz"), U, "not a Bluetooth MAC address"),
    Case("rfcomm-channel", ("scan", "-p", "rfcomm://AA:BB:CC:DD:EE:FF:31"), U, "channel must be 1-30"),
    Case("sim-unknown-profile", ("scan", "-p", "sim://no-such-car"), U, "no simulated vehicle profile"),
    Case("sim-empty", ("scan", "-p", "sim://"), U, "names no profile"),
    Case("sim-fault", ("scan", "-p", "sim://nissan-xtrail-t32?fault=bogus@1"), U, "unknown kind 'bogus'"),
    Case("sim-fault-busy", ("scan", "-p", "sim://nissan-xtrail-t32?fault=busy@x"), U, "option 'fault'"),
    Case("sim-quirk", ("scan", "-p", "sim://nissan-xtrail-t32?quirk=haunted"), U, "unknown quirk"),
    Case("sim-option", ("scan", "-p", "sim://nissan-xtrail-t32?colour=red"), U, "unknown option"),
    Case("sim-ignition", ("scan", "-p", "sim://nissan-xtrail-t32?ignition=maybe"), U, "on or off"),
    Case("replay-empty", ("scan", "-p", "replay://"), U, "no recording named"),
    Case(
        "sim-no-file",
        ("scan", "-p", "sim:///obdident/nonexistent.toml"),
        U,
        "no simulated vehicle profile file",
    ),
    Case(
        "sim-directory", ("scan", "-p", "sim://{tmp}"), U, "is a directory, not a simulated vehicle profile"
    ),
    # an unclosed IPv6 bracket (RFC 3986 section 3.2.2), in every scheme and in the window's --port
    *(
        Case(f"{scheme}-unclosed-ipv6", ("scan", "-p", f"{scheme}://[::1"), U, "not a well-formed URL")
        for scheme in ("socket", "rfc2217", "ble", "rfcomm", "sim", "replay")
    ),
    Case("ui-unclosed-ipv6", ("ui", "--no-browser", "-p", "socket://[::1"), U, "not a well-formed URL"),
    # native names that are not ports
    Case("empty-port", ("scan", "-p", ""), U, "the port name is empty"),
    Case("blank-port", ("scan", "-p", "   "), U, "the port name is empty"),
    Case("directory-port", ("scan", "-p", "{tmp}"), U, "is a directory, not a serial port"),
    Case("file-port", ("scan", "-p", "{tmp}/notes.txt"), U, "is a regular file", (("notes.txt", b"x"),)),
    Case("dev-null-port", ("scan", "-p", "/dev/null"), U, "is not a serial port"),
    # absent ports: could not talk to the adapter (exit 3), with what to do
    Case("missing-port", ("scan", "-p", "/dev/obdident-missing"), N, "no adapter port /dev/obdident-missing"),
    Case("nothing-listening", ("scan", "-p", "socket://127.0.0.1:{closed}"), N, "nothing answers at"),
    Case("missing-recording", ("scan", "-p", "replay://{tmp}/none.txt"), N, "no recording"),
    # options
    Case("baudrate-negative", ("scan", "--demo", "--baudrate", "-5"), U, "Invalid value for '--baudrate'"),
    Case("baudrate-zero", ("scan", "--demo", "--baudrate", "0"), U, "Invalid value for '--baudrate'"),
    Case("baudrate-word", ("scan", "--demo", "--baudrate", "fast"), U, "Invalid value for '--baudrate'"),
    Case(
        "baudrate-overflow",
        ("scan", "-p", "/dev/obdident-missing", "--baudrate", "99999999999999999999"),
        U,
        "Invalid value for '--baudrate'",
    ),
    Case("note-without-record", ("scan", "--demo", "--note", "X-Trail"), U, "--note describes a --record"),
    Case("timeout-zero", ("scan", "--demo", "--timeout", "0"), U, "Invalid value for '--timeout'"),
    Case("port-and-demo", ("scan", "--demo", "-p", "sim://nissan-xtrail-t32"), U, "either --port or --demo"),
    Case("unknown-make", ("scan", "--demo", "--make", "bmw"), U, "is not known"),
    Case("unknown-option", ("scan", "--demo", "--colour"), U, "No such option"),
    Case("unknown-command", ("scna",), U, "No such command"),
    # bad report files
    Case("report-missing", ("report", "{tmp}/none.json"), U, "no such file"),
    Case("report-directory", ("report", "{tmp}"), U, "cannot read the report"),
    Case("report-not-utf8", ("report", "{tmp}/r.json"), U, "cannot read", (("r.json", b"\xff\xfe{"),)),
    Case("report-empty", ("report", "{tmp}/r.json"), U, "not a JSON report", (("r.json", b""),)),
    Case("report-array", ("report", "{tmp}/r.json"), U, "the JSON is not an object", (("r.json", b"[1]"),)),
    Case("report-deep-array", ("report", "{tmp}/r.json"), U, "nested too deeply", (("r.json", _DEEP_ARRAY),)),
    Case("report-deep-field", ("report", "{tmp}/r.json"), U, "nested too deeply", (("r.json", _DEEP_FIELD),)),
    Case(
        "report-nan",
        ("report", "{tmp}/r.json"),
        U,
        "NaN is not a JSON number",
        (("r.json", _with_raw("duration_s", "NaN")),),
    ),
    Case(
        "report-infinity",
        ("report", "{tmp}/r.json", "--html", "{tmp}/r.html"),
        U,
        "Infinity is not a JSON number",
        (("r.json", _with_raw("duration_s", "Infinity")),),
    ),
    Case(
        "report-minus-infinity",
        ("report", "{tmp}/r.json"),
        U,
        "-Infinity is not a JSON number",
        (("r.json", _with_raw("duration_s", "-Infinity")),),
    ),
    Case(
        "report-1e400",
        ("report", "{tmp}/r.json", "--json", "{tmp}/o.json"),
        U,
        "1e400 is out of range",
        (("r.json", _with_raw("duration_s", "1e400")),),
    ),
    *(
        Case(
            f"report-surrogate-{name}",
            ("report", "{tmp}/r.json", *outputs),
            U,
            "started_at holds a lone surrogate",
            (("r.json", _report(started_at="\udfff")),),
        )
        for name, outputs in (
            ("html", ("--html", "{tmp}/r.html")),
            ("request", ("--request",)),
            ("csv", ("--csv", "{tmp}/r.csv")),
            ("terminal", ()),
        )
    ),
    Case(
        "report-vin-number",
        ("report", "{tmp}/r.json", "--html", "{tmp}/r.html"),
        U,
        "does not follow the report schema at vehicle/vin",
        (("r.json", _report(vehicle={**DEMO["vehicle"], "vin": 12345})),),  # type: ignore[dict-item]
    ),
    Case(
        "report-version",
        ("report", "{tmp}/r.json"),
        U,
        "is not supported",
        (("r.json", _report(schema_version="2.0")),),
    ),
    # bad recordings: check-recording exits 1 for a file that is not a clean recording, 2 for usage
    Case(
        "recording-not-utf8",
        ("check-recording", "{tmp}/s.txt"),
        P,
        "is not UTF-8 text",
        (("s.txt", b"# obdident session 1\n\xff\xfe"),),
    ),
    Case("recording-empty", ("check-recording", "{tmp}/s.txt"), P, "not an obdident", (("s.txt", b""),)),
    Case("recording-directory", ("check-recording", "{tmp}"), U, "is a directory"),
    Case(
        "recording-long-line",
        ("check-recording", "{tmp}/s.txt"),
        P,
        "longer than any obdident reads",
        (("s.txt", b"# obdident session 1\n> 0.000 0100\n< " + b"41" * 600_000 + b"\n= 0.001 ok\n"),),
    ),
    Case(
        "recording-long-request",
        ("check-recording", "{tmp}/s.txt"),
        P,
        "longer than any line obdident sends",
        (("s.txt", b"# obdident session 1\n> 0.000 " + b"01" * 600_000 + b"\n= 0.001 ok\n"),),
    ),
    Case("recording-missing", ("check-recording", "{tmp}/none.txt"), U, "does not exist"),
)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _logical_lines(stderr: str) -> list[str]:
    """stderr's lines, the inside of click's error box (which rich wraps at its width) counted as one."""
    lines: list[str] = []
    in_box = False
    for line in stderr.splitlines():
        inside = line.startswith("│")
        text = " ".join(_BOX.sub(" ", line).split())
        if inside and in_box:
            lines[-1] += " " + text
        elif text:
            lines.append(text)
        in_box = inside
    return lines


def _one_line(stderr: str, reason: str) -> bool:
    """The reason stands on one line of stderr (obdident's own messages never wrap: soft_wrap)."""
    return any(reason in line for line in _logical_lines(stderr))


@pytest.mark.parametrize("case", CORPUS, ids=[case.name for case in CORPUS])
def test_bad_input_exits_with_its_code_and_a_one_line_reason(case: Case, tmp_path: Path) -> None:
    for name, content in case.files:
        if content is None:
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(content)
    closed = _closed_port() if any("{closed}" in a for a in case.args) else 0
    args = [a.format(tmp=tmp_path, closed=closed) for a in case.args]
    result = runner.invoke(cli.app, args)
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == case.code, output
    assert _one_line(result.stderr, case.reason), result.stderr
    if not result.stderr.startswith("Usage:"):  # obdident's own message: the reason, and what to do
        assert len(_logical_lines(result.stderr)) <= 2, result.stderr
    assert not (tmp_path / "hex.txt").exists()  # nothing of the dialogue written anywhere by spy://


def test_the_library_refuses_pyserial_schemes_before_opening_anything(tmp_path: Path) -> None:
    spy = f"spy://sim://nissan-xtrail-t32?file={tmp_path / 'hex.txt'}"
    with pytest.raises(PortUrlError, match="spy://"):
        obdident.scan(spy)
    with pytest.raises(PortUrlError, match="loop://"):
        open_port("loop://")
    assert not (tmp_path / "hex.txt").exists()


@pytest.mark.parametrize(
    "url",
    [
        "ble://not-a-mac",
        "ble://AA:BB:CC:DD:EE:FF?mtu=big",
        "sim://no-such-car",
        "sim://nissan-xtrail-t32?fault=bogus@1",
        "rfcomm://zz",
        "replay:///obdident/no/such/recording.txt",
    ],
)
def test_obdidents_handlers_raise_serial_exceptions_for_bad_or_absent_ports(url: str) -> None:
    with pytest.raises(serial.SerialException):
        serial.serial_for_url(url)


@pytest.mark.foreign_writer("python-OBD")
def test_python_obd_reports_a_bad_ble_url_as_not_connected() -> None:
    obd = pytest.importorskip("obd")
    connection = obd.OBD("ble://not-a-mac", baudrate=38400, fast=False)
    assert connection.status() == obd.OBDStatus.NOT_CONNECTED


def _opening_fails(monkeypatch: pytest.MonkeyPatch, make: Callable[[], BaseException]) -> None:
    def fail(url: str, **_kw: object) -> object:
        raise make()

    monkeypatch.setattr(serial, "serial_for_url", fail)


def _wrapped(url: str, inner: OSError) -> serial.SerialException:
    """As pyserial's socket:// handler raises: its own exception, the OSError and its errno in the chain."""
    outer = serial.SerialException(f"Could not open port {url}: {inner}")
    outer.__context__ = inner
    return outer


@pytest.mark.parametrize(
    ("url", "make", "kind", "hint_has"),
    [
        # the words "busy" or "refused" in a message decide nothing: the errno does
        ("/dev/ttyUSB0", lambda: serial.SerialException(errno.EIO, "device busy? [Errno 5] I/O error"),
         TransportError, None),
        ("/dev/ttyUSB0", lambda: serial.SerialException(errno.EBUSY, "could not open port: [Errno 16]"),
         PortBusyError, "close the other"),
        ("/dev/ttyUSB0", lambda: serial.SerialException(errno.ENOENT, "Permission refused, busy"),
         PortNotFoundError, "plug the adapter in"),
        ("/dev/ttyUSB0", lambda: serial.SerialException(errno.EACCES, "could not open port"),
         PortPermissionError, "dialout"),
        ("socket://127.0.0.1:35000", lambda: _wrapped("socket://127.0.0.1:35000", ConnectionRefusedError(
            errno.ECONNREFUSED, "Connection refused")), PortNotFoundError, "WiFi"),
        ("socket://127.0.0.1:35000", lambda: _wrapped("socket://127.0.0.1:35000", PermissionError(
            errno.EACCES, "Permission denied")), PortPermissionError, None),
        ("/dev/ttyUSB0", lambda: ValueError("Not a valid baudrate: 7"), PortUrlError, None),
    ],
)  # fmt: skip
def test_open_errors_are_classified_by_type_and_errno(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    make: Callable[[], BaseException],
    kind: type[ObdidentError],
    hint_has: str | None,
) -> None:
    _opening_fails(monkeypatch, make)
    with pytest.raises(TransportError) as info:
        open_port(url)
    assert type(info.value) is kind
    if hint_has is None:
        assert info.value.hint is None or "dialout" not in info.value.hint
    else:
        assert hint_has in (info.value.hint or "")


def test_the_baud_rate_hint_only_for_serial_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    def silent_init_hint() -> str:
        with pytest.raises(AdapterTimeoutError) as info:
            ELM327(ScriptedPort({"ATD": b"", "ATZ": b""}), clock=iter(range(10**6)).__next__).initialize()
        return info.value.hint or ""

    assert "baud" not in silent_init_hint()  # a socket, BLE or simulated port has no baud rate
    monkeypatch.setattr(serial, "Serial", ScriptedPort)  # now the scripted port counts as a serial device
    assert "baud rate" in silent_init_hint()


def test_verbose_raises_obdidents_loggers_and_leaves_third_party_ones_at_warning() -> None:
    script = (
        "import logging, sys\n"
        "from obdident import cli\n"
        "sys.argv = ['obdident', 'scan', '--demo', '--verbose', '--json', '-']\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "logging.getLogger('bleak.backends.bluezdbus.manager').debug('RAW NOTIFICATION 49 02 01 53 4A')\n"
        "logging.getLogger('obdident.test').debug('OBDIDENT DEBUG LINE')\n"
        "print(logging.getLogger('bleak').getEffectiveLevel(), logging.getLogger().level)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT
    )
    assert "RAW NOTIFICATION" not in done.stderr
    assert "OBDIDENT DEBUG LINE" in done.stderr
    assert re.search(r"^obdident\.elm327\.driver: ", done.stderr, re.MULTILINE)  # the dialogue is shown
    assert done.stdout.strip().splitlines()[-1] == f"{30} {30}"  # WARNING, WARNING


def test_a_report_is_checked_against_the_schema_in_the_default_install() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert any(re.match(r"jsonschema\b", dep) for dep in project["dependencies"])
    assert (ROOT / "src/obdident/report-v1.schema.json").is_file()  # packaged with obdident.model


def test_without_jsonschema_a_report_is_refused_not_rendered(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bad = tmp_path / "r.json"
    bad.write_bytes(_report(vehicle={**DEMO["vehicle"], "vin": 12345}))  # type: ignore[dict-item]
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # a broken install: import fails
    result = runner.invoke(cli.app, ["report", str(bad), "--html", str(tmp_path / "r.html")])
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert "jsonschema" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


# -- issue 22 point 6: an expired --timeout during set-up, the terminal's width ---------------------------


def test_a_limit_that_runs_out_during_the_adapter_set_up_is_a_scan_timeout_report() -> None:
    from obdident.scanning import scan_port

    silent = ScriptedPort({"ATD": b"", "ATZ": b""})  # never a prompt: the set-up waits until the limit
    report = scan_port(silent, "/dev/ttyUSB0", timeout_s=1.0, clock=iter(range(10**6)).__next__)
    assert report.complete is False and report.ecus == ()
    assert [p.code for p in report.problems] == ["scan-timeout"]


def test_an_expired_timeout_during_set_up_exits_4_and_keeps_the_report(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from obdident.errors import ScanTimeoutError

    def expire(self: object) -> None:
        raise ScanTimeoutError("the scan's overall time limit ran out while waiting for the answer to ATZ")

    monkeypatch.setattr(ELM327, "initialize", expire)
    out = tmp_path / "r.json"
    result = runner.invoke(cli.app, ["scan", "--demo", "--json", str(out), "--timeout", "1"])
    assert result.exit_code == cli.EXIT_PARTIAL, result.output  # README: an expired --timeout exits 4
    assert "Traceback" not in result.output
    report = json.loads(out.read_text())
    assert report["complete"] is False and [p["code"] for p in report["problems"]] == ["scan-timeout"]


def test_a_huge_terminal_width_is_clamped() -> None:
    result = runner.invoke(cli.app, ["scan", "--demo"], env={"COLUMNS": "1000000"})
    assert result.exit_code == cli.EXIT_OK, result.output
    assert "SJNFBAT32U1000001" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 200  # cli.console.MAX_WIDTH
    assert len(result.stdout) < 100_000


# -- issue 22 point 6: a repeated or late signal never ends the process by signal ---------------------------

# The installed command in a process of its own. With "stop", the physical-address step receives the first
# signal (as from kill or Ctrl-C); every time the report is about to be saved, while it is saved, and after it
# was saved, the same signal comes again.
_NOISY = """
import os, signal, sys
from contextlib import contextmanager
from obdident import cli, interrupt
from obdident.scanning import runner
SIG, MODE = signal.Signals[sys.argv.pop(1)], sys.argv.pop(1)
def stop(self):
    os.kill(os.getpid(), SIG)
if MODE == "stop":
    runner.Runner._physical = stop
real = interrupt.deferred
@contextmanager
def noisy():
    os.kill(os.getpid(), SIG)
    with real():
        os.kill(os.getpid(), SIG)
        yield
    os.kill(os.getpid(), SIG)
interrupt.deferred = noisy
sys.argv[0] = "obdident"
cli.main()
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sig", ["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(("mode", "code"), [("stop", cli.EXIT_PARTIAL), ("late", cli.EXIT_OK)])
def test_repeated_and_late_signals_never_end_the_process_by_signal(
    tmp_path: Path, sig: str, mode: str, code: int
) -> None:
    out = tmp_path / "r.json"
    done = subprocess.run(
        [sys.executable, "-c", _NOISY, sig, mode, "scan", "--demo", "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(out.read_text())
    assert report["vehicle"]["vin"] == "SJNFBAT32U1000001"
    if mode == "stop":
        assert report["problems"][-1]["code"] == "interrupted" and "SJNFBAT32U1000001" in done.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


_EXITING = """
import atexit, signal
def report_mask():  # runs after obdident's own exit handler (atexit runs last-registered first)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    print("blocked:", sorted(s.name for s in blocked if s in (signal.SIGINT, signal.SIGTERM)), flush=True)
atexit.register(report_mask)
from obdident import interrupt
interrupt.own_process()
"""


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="POSIX signal masks")
def test_signals_are_held_while_the_interpreter_exits() -> None:
    # Python puts the default handlers back while it shuts down: a second Ctrl-C or kill arriving then ended
    # the process by the signal (exit 130/143) after the scan had chosen exit 4 (review finding).
    done = subprocess.run(
        [sys.executable, "-c", _EXITING], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "blocked: ['SIGINT', 'SIGTERM']" in done.stdout
