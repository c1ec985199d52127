"""Errors speak the owner's language: every obdident error raised in the layers below the report (the
ELM327 driver, the transports, recordings and replay, the simulator) carries its sentence as data (a
:class:`~obdident.i18n.Text` ``text`` and ``hint``), while ``str(err)`` stays English.

Two checks: the source of every raise site builds its sentence with ``T``/``TN`` (no f-string, no plain
string literal, no ``+``), and a sample of real bad ports, URLs, recordings and adapter answers gives
errors whose sentence and hint come out of the catalogue (wrapped in the pseudo-locale's ``⟦ ⟧``).
"""

from __future__ import annotations

import ast
import errno
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import serial

import obdident.errors as errors_module
from obdident.elm327.driver import ELM327
from obdident.elm327.lines import raise_for_status
from obdident.errors import ObdidentError, TransportError
from obdident.i18n import Text, render
from obdident.recording.format import loads
from obdident.sim.faults import FaultSpecError, parse_fault
from obdident.transports import open_port
from obdident.transports.ble.errors import bluetooth_error, sentence
from obdident.transports.urls import check_port
from tests.fakes import ScriptedPort

SRC = Path(errors_module.__file__).resolve().parent
#: The layers whose errors this file covers; masking.py and audit.py have their own owners and checks.
FLOORS = ("elm327", "transports", "recording", "sim")
EXCLUDED = {"elm327/masking.py", "recording/audit.py"}
#: Errors whose first argument is not a sentence (GuardRefusal takes the refused line and the guard's reason).
NOT_A_SENTENCE = {"GuardRefusal", "LineRefusedError"}


def _error_names() -> set[str]:
    names = {
        name
        for name, value in vars(errors_module).items()
        if isinstance(value, type) and issubclass(value, ObdidentError)
    }
    return (names - NOT_A_SENTENCE) | {FaultSpecError.__name__}


def _files() -> Iterator[Path]:
    for floor in FLOORS:
        for path in sorted((SRC / floor).rglob("*.py")):
            if path.relative_to(SRC).as_posix() not in EXCLUDED:
                yield path
    yield SRC / "errors.py"
    yield SRC / "interrupt.py"


_BUILDS = ("format", "join")


def _plain(node: ast.expr | None) -> bool:
    """True if ``node`` makes owner words without the catalogue: an f-string, a string literal, a
    concatenation or ``%``/``.format`` of strings."""
    if node is None:
        return False
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.BinOp):
        return True
    if isinstance(node, ast.IfExp):
        return _plain(node.body) or _plain(node.orelse)
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _BUILDS


def _raise_sites() -> list[tuple[str, int, str, ast.Call]]:
    names = _error_names()
    sites = []
    for path in _files():
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in names:
                sites.append((path.relative_to(SRC).as_posix(), node.lineno, name, node))
    return sites


SITES = _raise_sites()


def test_the_source_has_raise_sites_to_check() -> None:
    assert len(SITES) > 60  # a walk that found nothing would pass every check below


@pytest.mark.parametrize("site", SITES, ids=[f"{f}:{line}:{name}" for f, line, name, _ in SITES])
def test_every_error_raised_below_the_report_is_built_from_the_catalogue(
    site: tuple[str, int, str, ast.Call],
) -> None:
    _file, _line, _name, call = site
    message = call.args[0] if call.args else None
    hint = next((k.value for k in call.keywords if k.arg == "hint"), None)
    assert not _plain(message), ast.unparse(call)
    assert not _plain(hint), ast.unparse(call)


def _raised(action: Callable[[], object]) -> ObdidentError:
    with pytest.raises(ObdidentError) as info:
        action()
    return info.value


def _opening_fails(monkeypatch: pytest.MonkeyPatch, make: Callable[[], BaseException]) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise make()

    monkeypatch.setattr(serial, "serial_for_url", fail)


BAD_URLS = (
    "",
    "spy:///dev/ttyUSB0",
    "http://192.168.0.10:35000",
    "socket://host:notaport",
    "socket://",
    "socket://192.168.0.10",
    "socket://127.0.0.1:35000?logging=debug",
    "socket://127.0.0.1:35000/x",
    "socket://[::1",
    "ble://not-a-mac",
    "ble://",
    "ble://AA:BB:CC:DD:EE:FF?mtu=big",
    "rfcomm://zz",
    "rfcomm://AA:BB:CC:DD:EE:FF:31",
    "sim://no-such-car",
    "sim://",
    "sim://nissan-xtrail-t32?fault=bogus@1",
    "sim://nissan-xtrail-t32?fault=busy@x",
    "sim://nissan-xtrail-t32?quirk=haunted",
    "sim://nissan-xtrail-t32?colour=red",
    "sim://nissan-xtrail-t32?ignition=maybe",
    "sim:///obdident/nonexistent.toml",
    "replay://",
    "/dev/null?guarded=1",
)


def _assert_catalogued(err: ObdidentError) -> None:
    assert isinstance(err.text, Text), repr(err)
    shown = render(err.text, "qps")
    assert shown.startswith("⟦") and shown.endswith("⟧"), shown
    for value in err.text.params.values():  # identifiers (a port, a line number) are shown as they are
        if isinstance(value, str | int) and not isinstance(value, Text):
            assert str(value) in shown
    assert err.say("qps").startswith(shown)
    assert str(err).startswith(str(err.text))  # English for logs and the JSON
    if err.hint is not None:
        assert isinstance(err.hint, Text), repr(err.hint)
        assert err.say_hint("qps").startswith("⟦")


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_bad_port_name_or_url_is_told_in_the_owners_language(url: str) -> None:
    _assert_catalogued(_raised(lambda: check_port(url)))


@pytest.mark.parametrize(
    "make",
    [
        lambda: serial.SerialException(errno.EBUSY, "busy"),
        lambda: serial.SerialException(errno.ENOENT, "no such file"),
        lambda: serial.SerialException(errno.EACCES, "denied"),
        lambda: serial.SerialException(errno.EIO, "I/O error"),
        lambda: ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
        lambda: ValueError("Not a valid baudrate: 7"),
        lambda: OverflowError("too large"),
    ],
)
def test_a_port_that_does_not_open_is_told_in_the_owners_language(
    monkeypatch: pytest.MonkeyPatch, make: Callable[[], BaseException]
) -> None:
    _opening_fails(monkeypatch, make)
    err = _raised(lambda: open_port("/dev/ttyUSB0"))
    _assert_catalogued(err)
    assert err.detail is None or "ttyUSB0" not in render(err.detail, "qps") or err.detail in str(err)


def test_the_foreign_words_stay_in_the_detail(monkeypatch: pytest.MonkeyPatch) -> None:
    _opening_fails(monkeypatch, lambda: ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"))
    err = _raised(lambda: open_port("socket://127.0.0.1:35000"))
    assert err.detail == "Connection refused" and "Connection refused" not in err.text
    assert str(err) == "nothing answers at socket://127.0.0.1:35000 (Connection refused)"


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_the_permission_hint_fits_the_operating_system(platform: str) -> None:
    from obdident.transports import _permission_hint

    hint = _permission_hint("/dev/ttyUSB0", platform)
    assert isinstance(hint, Text) and render(hint, "qps").startswith("⟦")
    assert ("dialout" in hint) is (platform == "linux")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# obdident session 1\n> 0.000 0100\n",
        "# obdident session 1\n> 0.000 0100\n< 41 00\n= 0.001 maybe\n",
        "# obdident session 1\n? what\n",
        "# obdident session 1\n> soon 0100\n",
        "# obdident session 1\n> 0.000 " + "01" * 600 + "\n",
    ],
)
def test_a_bad_recording_is_told_in_the_owners_language(text: str) -> None:
    _assert_catalogued(_raised(lambda: loads(text)))


@pytest.mark.parametrize("status", ["NO DATA", "UNABLE TO CONNECT", "CAN ERROR", "?", "BUS INIT: ...ERROR"])
def test_an_adapter_status_line_is_told_in_the_owners_language(status: str) -> None:
    _assert_catalogued(_raised(lambda: raise_for_status([status], "0100")))


def test_a_silent_adapter_is_told_in_the_owners_language() -> None:
    port = ScriptedPort({"ATD": b"", "ATZ": b""})
    _assert_catalogued(_raised(lambda: ELM327(port, clock=iter(range(10**6)).__next__).initialize()))


def test_a_bad_fault_spec_carries_its_sentence() -> None:
    with pytest.raises(FaultSpecError) as info:
        parse_fault("bogus@1")
    assert isinstance(info.value.text, Text) and render(info.value.text, "qps").startswith("⟦")


def test_a_bluetooth_failure_is_told_in_the_owners_language() -> None:
    pytest.importorskip("bleak")
    for cause in (PermissionError(13, "Permission denied"), TimeoutError(), OSError("weird")):
        for address in (None, "AA:BB:CC:DD:EE:FF"):
            err = bluetooth_error(cause, address=address, attempts=2)
            assert isinstance(err, TransportError)
            _assert_catalogued(err)
            assert render(sentence(err), "qps").startswith("⟦")


def test_a_plain_string_still_makes_an_error_and_shows_as_it_is() -> None:
    err = ObdidentError("cannot write out.json: disk full")  # a caller not converted yet
    assert str(err) == err.say("qps") == "cannot write out.json: disk full"  # the pseudo-locale finds it
