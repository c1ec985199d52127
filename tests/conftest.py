"""Test-suite wide fixtures, above all the wire audit.

The wire audit wraps ``write`` of every pyserial port class (serial ports, ``socket://``, ``loop://``,
obdident's ``sim://``) and of the tests' scripted fakes. After each test it splits what was written into
lines and fails the test if any line is one the read-only guard's allowlist does not admit: a line that
reached a transport without passing the guard, or a guard that let it through.

A test in which a third-party program (python-OBD) writes to the transport carries
``@pytest.mark.foreign_writer("python-OBD")``: its lines are not obdident's, so the audit records them
without failing (the guard governs obdident's driver, not other programs).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
from hypothesis import settings
from serial.urlhandler import protocol_loop, protocol_socket

import obdident.transports
from obdident import guard
from obdident.transports.guarded import GuardedPort

# Property tests run on a fixed budget: each test's max_examples, no per-example deadline (CI machines vary);
# in CI (CI=true) also derandomized, so a failure reproduces on the next run.
settings.register_profile("obdident", deadline=None, print_blob=True)
settings.register_profile("obdident-ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile("obdident-ci" if os.environ.get("CI") else "obdident")


def _outcome(answer: bytes, line: str = "") -> str:
    """How an ELM327 answered a line (ELM327 datasheet): its start-up banner or ``LV RESET`` (a reset: the
    stored settings are back; not AT I's version string), OK, ``?`` (not carried out), or anything else
    (unknown: the guard then judges later lines for both states), as obdident.elm327.wire tells the guard."""
    lines = [
        x.strip()
        for x in answer.replace(b">", b"")
        .replace(b"\x00", b"")
        .decode("latin-1")
        .replace("\n", "\r")
        .split("\r")
    ]
    lines = [x for x in lines if x]
    command = guard.canonical(line)
    if command != "ATI" and any(x.upper().startswith("ELM327") or x.upper() == "LV RESET" for x in lines):
        return "reset"
    if any(x.upper() == "OK" or x.upper().startswith(("ELM327", "STN")) for x in lines):
        return "confirmed"
    return (
        "refused"
        if lines and all(x == "?" or x.startswith("AT") for x in lines) and "?" in lines
        else "unknown"
    )


class WireAudit:
    """Everything written to any transport during one test, per port object, with what came back after
    each write (the adapter's answer, so the replay knows which AT commands the adapter carried out)."""

    def __init__(self) -> None:
        self.streams: dict[int, bytearray] = {}
        self.answers: dict[int, dict[int, bytearray]] = {}

    def record(self, port: object, data: bytes | bytearray | memoryview) -> None:
        self.streams.setdefault(id(port), bytearray()).extend(bytes(data))

    def record_read(self, port: object, data: bytes) -> None:
        stream = self.streams.get(id(port))
        if stream is None or not data:
            return
        line_number = bytes(stream).count(b"\r") - 1  # the answer belongs to the last complete line
        if line_number >= 0:
            self.answers.setdefault(id(port), {}).setdefault(line_number, bytearray()).extend(data)

    def _stream_lines(self) -> list[list[str]]:
        """Each port's lines in order; an unterminated tail counts as a line too."""
        result = []
        for stream in self.streams.values():
            *complete, tail = bytes(stream).split(b"\r")
            parts = complete + ([tail] if tail else [])
            result.append([part.decode("latin-1") for part in parts])
        return result

    def lines(self) -> list[str]:
        return [line for lines in self._stream_lines() for line in lines]

    def violations(self) -> list[str]:
        """Lines the guard would refuse, each port's stream replayed in order through a fresh guard.

        The replay tracks AT SH, so Nissan's session 10 C0 is judged against the header in force. Whether
        the vehicle was established as a Nissan is scan-level knowledge the wire does not show: the replay
        assumes it, and the scan tests check that 10 C0 never reaches a vehicle that is not a Nissan.
        """
        bad: list[str] = []
        for port, lines in zip(self.streams, self._stream_lines(), strict=True):
            answers = self.answers.get(port, {})
            replay = guard.Guard(guard.GuardContext(nissan_basis="assumed by the wire audit"))
            for number, line in enumerate(lines):
                try:
                    replay.check(line)
                except guard.GuardRefusal:
                    bad.append(line)
                    continue
                if number in answers:
                    replay.settle(_outcome(bytes(answers[number]), line))  # type: ignore[arg-type]
        return bad

    def clear(self) -> None:
        self.streams.clear()
        self.answers.clear()


WIRE = WireAudit()


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found.add(sub)
        found |= _subclasses(sub)
    return found


def _wrap_write(cls: type) -> None:
    original = cls.__dict__.get("write")
    if original is None or getattr(original, "_audited", False):
        return

    def write(self: object, data: bytes) -> object:
        WIRE.record(self, data)
        return original(self, data)

    write._audited = True  # type: ignore[attr-defined]
    cls.write = write  # type: ignore[attr-defined]


def _wrap_read(cls: type) -> None:
    original = cls.__dict__.get("read")
    if original is None or getattr(original, "_audited", False):
        return

    def read(self: object, size: int = 1) -> bytes:
        data = original(self, size)
        WIRE.record_read(self, data)
        return data

    read._audited = True  # type: ignore[attr-defined]
    cls.read = read  # type: ignore[attr-defined]


def _install() -> None:
    obdident.transports.register()
    importlib.import_module("obdident.transports.protocol_sim")
    importlib.import_module("obdident.transports.protocol_ble")
    for cls in {serial.Serial, protocol_loop.Serial, protocol_socket.Serial} | _subclasses(serial.SerialBase):
        if issubclass(cls, GuardedPort):
            continue  # it judges, then calls the scheme's own write and read, which are audited
        _wrap_write(cls)
        _wrap_read(cls)


_install()


def new_entries(before: set[str], folder: Path) -> list[str]:
    """What appeared in ``folder`` since ``before`` was listed, caches and hidden entries left out
    (``.hypothesis``, ``.pytest_cache``, ``__pycache__``)."""
    now = {p.name for p in folder.iterdir()}
    return sorted(n for n in now - before if not n.startswith(".") and n != "__pycache__")


@pytest.fixture(scope="session", autouse=True)
def _working_directory_untouched() -> Iterator[None]:
    """Fail the session if the suite wrote any file into the folder it was started in (the repository):
    every test runs in a scratch folder of its own, and run outputs never belong in the repository."""
    folder = Path.cwd()
    before = {p.name for p in folder.iterdir()}
    yield
    written = new_entries(before, folder)
    if written:
        pytest.fail(f"the suite wrote into the working directory {folder}: {', '.join(written)}")


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every test in its own empty current folder: a scan keeps its report there by default."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(autouse=True)
def wire_audit(request: pytest.FixtureRequest) -> Iterator[WireAudit]:
    """Fail the test if any line off the read-only allowlist reached a transport."""
    WIRE.clear()
    yield WIRE
    bad = WIRE.violations()
    foreign = request.node.get_closest_marker("foreign_writer")
    WIRE.clear()
    if bad and foreign is None:
        pytest.fail(f"wire audit: lines off the read-only allowlist reached a transport: {bad!r}")


@pytest.fixture(autouse=True)
def _english_unless_asked(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test speaks English unless it asks for another language: the machine's LANG does not choose
    for the suite, and a test that ran the command in another language (``--lang qps``) leaves no trace
    (the language, click's words, ``LANGUAGE``)."""
    from obdident.i18n import install_click, set_language

    monkeypatch.setenv("OBDIDENT_LANG", "en")
    monkeypatch.setenv("LANGUAGE", "en")
    yield
    set_language("en")
    install_click("en")
