"""Integration against an independent ELM327 emulator with fault injection: elmulator (PyPI, MIT, tests).

elmulator runs as a separate process per test (``python -m elmulator serve SCENARIO --host 127.0.0.1
--port 0`` prints ``LISTENING <port>``) and obdident reaches it through pyserial's ``socket://`` handler, as
it would a WiFi adapter. Only 127.0.0.1 is used.

elmulator 0.3.2 in brief. A scenario (``obd2.sim_scenario.v1`` JSON, checked by ``elmulator validate``)
lists ``commands``: a ``request`` (matched after upper-casing and removing blanks), its ``response_chunks``
(the exact text sent, prompt included) and per-entry ``delay_ms``, ``echo``, ``prompt`` and
``post_action``. Several entries for one request are used in order and the last one repeats; a request
without an entry gets the scenario's ``defaults`` (``OK`` for AT commands, ``NO DATA`` otherwise). Faults:

* per entry: ``delay_ms`` before the first byte; ``post_action: stall`` (no reply at all; the next identical
  request gets the next entry); ``post_action: disconnect`` (close the connection after the chunks, which
  may stop mid-answer without a prompt);
* per scenario: ``stream_split_bytes`` (every reply cut into n-byte pieces);
* per server (CLI): ``--split a,b,c`` (cycled piece sizes; ``--split 1`` is byte by byte),
  ``--latency-ms``, ``--jitter-ms`` with ``--seed``, ``--echo on|off|scenario`` (``on``: every command
  echoed, whatever AT E0 said).

Everything else is reply text a scenario scripts, so these tests script it: CRLF line ends, lower case,
spaces kept after AT S0, ``?`` to AT commands and to a request, ``NO DATA`` for a declared InfoType,
``SEARCHING...`` (in the clean scenario's 0100 answer), a garbage line, a truncated ISO 15765-2 answer, a
reset banner mid-scan. The base scenario is ``elmulator_scenarios/obdident_us_two_ecus.scenario.json`` (an
invented US car with two ECUs; its VIN begins with '1', ends with '0' and has a correct 49 CFR 565 check
digit); each fault is a small change to it, written to the test's directory and checked with elmulator's
own validator. elmulator's bundled scenarios carry a VIN but no CALID, CVN, 0900, AT DPN or AT I entries, so
they cannot carry obdident's dialogue; one test checks obdident ends cleanly and truthfully against one.

What elmulator 0.3.2 cannot do, so nothing here fakes it:

* elmulator 0.3.2 has no ELM327 state: AT E0/L1/S0/H1/SH/CRA change nothing, every reply is scripted text,
  and which ECU answers cannot depend on the header (entries consumed in order stand in for that);
* elmulator 0.3.2 has no pause between the pieces of one reply (``delay_ms``, latency and jitter delay only
  the first piece), so "part of an answer, a pause, the rest" and "part of an answer, then silence" cannot
  be made: a stall entry sends nothing at all;
* elmulator 0.3.2 has no byte-level corruption, dropped or duplicated bytes, unsolicited output (a reset
  banner without a request), half-open connections, or refused reconnections (the server keeps listening);
* elmulator 0.3.2's Python package serves TCP only (no Bluetooth LE).

Time bounds: every scan gets ``timeout_s`` and runs in a thread joined with a hard limit (a scan still
running then is a hang and fails the test); each case also asserts the tighter bound its fault allows.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
import selectors
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import obdident
from obdident.errors import (
    AdapterError,
    AdapterReplyError,
    AdapterTimeoutError,
    ObdidentError,
    TransportError,
)
from obdident.model import Report
from tests.conftest import WireAudit

_elmulator = pytest.importorskip(
    "elmulator", reason="elmulator is a test dependency: pip install -e '.[test]'"
)
elmulator_validate = importlib.import_module("elmulator.validate").validate

pytestmark = pytest.mark.slow

SCENARIOS = Path(__file__).parent / "elmulator_scenarios"
BASE = SCENARIOS / "obdident_us_two_ecus.scenario.json"

# What the base scenario's bytes carry (every value invented).
VIN = "1G1ZD5ST9JF123450"
ECM_CALIDS = ["12690150", "E4T1P0A0"]
ECM_CVNS = ["1A2B3C4D", "00E0F0A0"]
TCM_CALIDS = ["24283470"]
TCM_CVNS = ["0BADC0DE"]
ECM_NAME, TCM_NAME = "ECM-EngineControl", "TCM-TransmissionCtr"
ECM_SPARE_PART = "12690150"  # UDS 22 F187 on the ECM's physical address
VIN_09 = "SAE J1979 service 09 InfoType 02"
VIN_F190 = "UDS 22 F190 (VINDataIdentifier)"

SCAN_TIMEOUT_S = 30.0  # passed to obdident.scan
# a scan still running after timeout_s + the longest single wait (the 20 s protocol search) + slack hangs
HANG_S = SCAN_TIMEOUT_S + 25.0
START_S = 15.0  # elmulator must print LISTENING within this


# --- 49 CFR 565.15 check digit, to show the scenario's VIN is a correct one ------------------------------

_LETTER_VALUES = (1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 7, 9, 2, 3, 4, 5, 6, 7, 8, 9)
_VALUES = dict(zip("ABCDEFGHJKLMNPRSTUVWXYZ", _LETTER_VALUES, strict=True))
_POSITION_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _check_digit(vin: str) -> str:
    total = sum(
        (int(c) if c.isdigit() else _VALUES[c]) * w for c, w in zip(vin, _POSITION_WEIGHTS, strict=True)
    )
    return "X" if total % 11 == 10 else str(total % 11)


def test_the_scenario_vin_is_a_correct_us_vin_with_edge_characters() -> None:
    assert len(VIN) == 17 and VIN[0] == "1" and VIN[-1] == "0"
    assert _check_digit(VIN) == VIN[8]


def test_the_scenario_files_pass_elmulators_validator() -> None:
    files = sorted(SCENARIOS.glob("*.scenario.json"))
    assert files
    for path in files:
        assert elmulator_validate(path) == [], path.name


# --- the peer ---------------------------------------------------------------------------------------------


@dataclass
class Peer:
    url: str
    log: Path

    def dialogue(self, last: int = 25) -> str:
        """elmulator's log of the last requests and what it answered, for failure messages."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return "\n".join(lines[-last:])


def _listening_port(proc: subprocess.Popen[str]) -> int:
    assert proc.stdout is not None
    deadline = time.monotonic() + START_S
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            line = proc.stdout.readline()
            if not line:
                break  # elmulator exited
            match = re.fullmatch(r"LISTENING (\d+)\s*", line)
            if match:
                return int(match.group(1))
    pytest.fail(f"elmulator did not print LISTENING within {START_S} s (exit code {proc.poll()})")


@pytest.fixture
def elmulator(tmp_path: Path) -> Iterator[Callable[..., Peer]]:
    """Start elmulator serving a scenario (a path or a bundled name) on a free 127.0.0.1 port."""
    procs: list[subprocess.Popen[str]] = []

    def start(scenario: Path | str, *options: str) -> Peer:
        log = tmp_path / f"elmulator-{len(procs)}.log"
        with log.open("w", encoding="utf-8") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-m", "elmulator", "serve", str(scenario),
                 "--host", "127.0.0.1", "--port", "0", *options],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr, text=True,
            )  # fmt: skip
        procs.append(proc)
        return Peer(f"socket://127.0.0.1:{_listening_port(proc)}", log)

    try:
        yield start
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
            if proc.stdout is not None:
                proc.stdout.close()


# --- scenarios: the base and its faults ------------------------------------------------------------------

Scenario = dict[str, Any]
Mutation = Callable[[Scenario], None]


def _base() -> Scenario:
    return json.loads(BASE.read_text(encoding="utf-8"))


def _norm(request: str) -> str:
    return "".join(request.upper().split())


def _entry(scenario: Scenario, request: str) -> dict[str, Any]:
    """The first entry for ``request``, added (before any other) when the scenario has none."""
    for command in scenario["commands"]:
        if _norm(command["request"]) == _norm(request):
            return command
    command = {"request": request, "response_chunks": [], "delay_ms": 0, "echo": False}
    scenario["commands"].insert(0, command)
    return command


def _reply_lines(scenario: Scenario, request: str) -> list[str]:
    return "".join(_entry(scenario, request)["response_chunks"]).rstrip(">").split("\r")


def _write(tmp_path: Path, scenario: Scenario, name: str) -> Path:
    scenario["scenario_id"] = name
    path = tmp_path / f"{name}.scenario.json"
    path.write_text(json.dumps(scenario, indent=1), encoding="utf-8")
    assert elmulator_validate(path) == [], f"{name}: elmulator rejects the scenario"
    return path


def _variant(tmp_path: Path, name: str, *mutations: Mutation) -> Path:
    scenario = copy.deepcopy(_base())
    for mutate in mutations:
        mutate(scenario)
    return _write(tmp_path, scenario, re.sub(r"[^a-z0-9_]", "_", name.lower()))


def _replies(change: Callable[[str], str]) -> Mutation:
    """Apply ``change`` to every reply text, the defaults included."""

    def mutate(scenario: Scenario) -> None:
        for command in scenario["commands"]:
            command["response_chunks"] = [change(chunk) for chunk in command["response_chunks"]]
        defaults = scenario["defaults"]
        for key in ("at_response", "obd_response"):
            defaults[key] = change(defaults[key])

    return mutate


def _answer(request: str, text: str) -> Mutation:
    def mutate(scenario: Scenario) -> None:
        _entry(scenario, request)["response_chunks"] = [text]

    return mutate


def _delay(request: str, delay_ms: int) -> Mutation:
    def mutate(scenario: Scenario) -> None:
        _entry(scenario, request)["delay_ms"] = delay_ms

    return mutate


def _stall(request: str) -> Mutation:
    """``request`` gets no reply at all (elmulator's post_action stall)."""

    def mutate(scenario: Scenario) -> None:
        _entry(scenario, request).update(response_chunks=[], prompt=False, post_action="stall")

    return mutate


def _insert_before(request: str, text: str) -> Mutation:
    """The first ``request`` is answered with ``text``; a repeat gets the scripted (or default) reply."""

    def mutate(scenario: Scenario) -> None:
        answer = _entry(scenario, request)
        index = scenario["commands"].index(answer)
        scenario["commands"].insert(index, {"request": request, "response_chunks": [text], "delay_ms": 2})

    return mutate


def _disconnect(request: str, *, first_lines: int = 0) -> Mutation:
    """Close the connection on ``request``, after the first ``first_lines`` lines of its answer, no prompt."""

    def mutate(scenario: Scenario) -> None:
        lines = _reply_lines(scenario, request)[:first_lines]
        chunks = ["".join(line + "\r" for line in lines)] if lines else []
        _entry(scenario, request).update(response_chunks=chunks, prompt=False, post_action="disconnect")

    return mutate


_FRAME = re.compile(r"([0-9A-F]{3})((?:[0-9A-F]{2})+)")


def _spaced(text: str) -> str:
    def line(one: str) -> str:
        match = _FRAME.fullmatch(one)
        if not match:
            return one
        data = match.group(2)
        return " ".join([match.group(1), *(data[i : i + 2] for i in range(0, len(data), 2))])

    return "\r".join(line(one) for one in text.split("\r"))


def _truncated(request: str) -> Mutation:
    """Drop the ECM's second consecutive frame from the answer to ``request`` (an ISO 15765-2 gap)."""

    def mutate(scenario: Scenario) -> None:
        lines = [x for x in _reply_lines(scenario, request) if not x.startswith("7E822")]
        _entry(scenario, request)["response_chunks"] = ["\r".join(lines) + ">"]

    return mutate


def _garbage_line(request: str) -> Mutation:
    def mutate(scenario: Scenario) -> None:
        lines = _reply_lines(scenario, request)
        _entry(scenario, request)["response_chunks"] = ["\r".join([lines[0], "GARBAGE@@", *lines[1:]]) + ">"]

    return mutate


# --- running a scan with a hard bound ---------------------------------------------------------------------


@dataclass
class Outcome:
    report: Report | None
    error: BaseException | None
    elapsed_s: float


def _scan(url: str, *, timeout_s: float = SCAN_TIMEOUT_S) -> Outcome:
    """Run obdident.scan in a thread; a scan still running after HANG_S is a hang."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["report"] = obdident.scan(url, timeout_s=timeout_s)
        except BaseException as err:  # every exception is checked by the test
            result["error"] = err

    thread = threading.Thread(target=run, name="obdident-scan", daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(HANG_S)
    elapsed = time.monotonic() - started
    if thread.is_alive():
        pytest.fail(f"obdident.scan({url!r}, timeout_s={timeout_s}) still running after {HANG_S} s: it hangs")
    return Outcome(result.get("report"), result.get("error"), elapsed)


def _report(outcome: Outcome, peer: Peer) -> Report:
    if outcome.error is not None:
        kind = "documented" if isinstance(outcome.error, ObdidentError) else "UNDOCUMENTED"
        pytest.fail(
            f"scan raised {kind} {type(outcome.error).__name__}: {outcome.error}\n"
            f"elmulator's log:\n{peer.dialogue()}"
        )
    assert outcome.report is not None
    return outcome.report


def _why(report: Report, peer: Peer) -> str:
    problems = "\n".join(f"  {p.code}: {p.message}" for p in report.problems)
    return f"complete={report.complete}\nproblems:\n{problems}\nelmulator's log:\n{peer.dialogue()}"


# --- what a report must hold -------------------------------------------------------------------------------

STEPS = ("vin", "calids", "cvns", "names", "uds")


def _ids(report: Report) -> dict[str, Any]:
    return {ecu.response_id: ecu.identification for ecu in report.ecus}


def _assert_read(report: Report, kept: tuple[str, ...], why: str) -> None:
    """The steps in ``kept`` are in the report exactly; the others are absent, never invented."""
    ids = _ids(report)
    assert set(ids) == {"7E8", "7E9"}, why
    ecm, tcm = ids["7E8"], ids["7E9"]
    if "vin" in kept:
        assert report.vehicle.vin == VIN and ecm.vin == VIN, why
        assert report.vehicle.vin_check_digit == "valid", why
    else:
        assert report.vehicle.vin is None and ecm.vin is None, why
    calids = (list(ecm.calibration_ids), list(tcm.calibration_ids))
    cvns = (list(ecm.cvns), list(tcm.cvns))
    names = (ecm.ecu_name, tcm.ecu_name)
    assert calids == ((ECM_CALIDS, TCM_CALIDS) if "calids" in kept else ([], [])), why
    assert cvns == ((ECM_CVNS, TCM_CVNS) if "cvns" in kept else ([], [])), why
    assert names == ((ECM_NAME, TCM_NAME) if "names" in kept else (None, None)), why
    sources = [(s.source, s.response_id, s.value) for s in report.vehicle.vin_sources]
    expected = [(VIN_09, "7E8", VIN)] if "vin" in kept else []
    if "uds" in kept:
        assert ecm.fields == {"spare_part_number": ECM_SPARE_PART}, why
        expected.append((VIN_F190, "7E8", VIN))
    else:
        assert ecm.fields == {}, why
    assert sources == expected, why
    assert tcm.fields == {}, why


def _assert_everything_read(report: Report, why: str) -> None:
    assert report.complete is True, why
    assert report.problems == (), why
    _assert_read(report, STEPS, why)


# --- 1. the clean scenario ----------------------------------------------------------------------------------


def test_clean_scan_reads_vin_calids_and_cvns_exactly(
    elmulator: Callable[..., Peer], wire_audit: WireAudit
) -> None:
    peer = elmulator(BASE)
    outcome = _scan(peer.url)
    report = _report(outcome, peer)
    _assert_everything_read(report, _why(report, peer))
    assert outcome.elapsed_s < 10, outcome.elapsed_s
    vehicle = report.vehicle
    assert (vehicle.wmi, vehicle.manufacturer, vehicle.country, vehicle.model_year) == (
        "1G1", "Chevrolet", "United States", 2018,
    )  # fmt: skip
    adapter = report.adapter
    assert (adapter.version, adapter.protocol_number, adapter.voltage_v) == ("ELM327 v1.5", "6", 12.4)
    assert adapter.unsupported_commands == ()
    ecm = next(e for e in report.ecus if e.response_id == "7E8")
    assert (ecm.request_id, ecm.name, ecm.dialect) == ("7E0", "ECM", "uds")
    assert list(ecm.identification.supported_infotypes) == ["02", "04", "06", "0A"]
    # not a Nissan (WMI 1G1): no Nissan LIDs, no Nissan session, no Nissan addresses
    sent = wire_audit.lines()
    assert "09023" in sent and "09046" in sent and "09062" in sent
    assert not any(line.startswith(("21", "10C0", "ATSH745")) for line in sent)


# --- 2a. faults obdident must ride through: the scan is complete and exact ----------------------------------


@dataclass(frozen=True)
class Case:
    """One fault: the scenario changes, elmulator's options, and what the scan must give.

    Attributes:
        fired: a pattern elmulator's log must match, to show the fault really happened (None: the variant's
            reply text is the fault).
        bound_s: the scan must end within this many seconds.
        code: the problem that names the loss (faults that lose something).
        kept: the steps whose data must be in the report exactly (faults that lose something).
        timeout_s: passed to obdident.scan.
    """

    id: str
    mutations: tuple[Mutation, ...] = ()
    options: tuple[str, ...] = ()
    fired: str | None = None
    bound_s: float = 10.0
    code: str = ""
    kept: tuple[str, ...] = ()
    timeout_s: float = SCAN_TIMEOUT_S


def _peer_for(case: Case, elmulator: Callable[..., Peer], tmp_path: Path) -> Peer:
    path = _variant(tmp_path, case.id, *case.mutations) if case.mutations else BASE
    return elmulator(path, *case.options)


def _assert_fired(case: Case, peer: Peer) -> None:
    if case.fired is not None:
        log = peer.log.read_text(encoding="utf-8", errors="replace")
        assert re.search(case.fired, log), f"{case.id}: elmulator's log does not show the fault\n{log}"


_ONE_PIECE_PER_BYTE = r"'09046' -> (\d+) bytes in \1 piece\(s\)"

LOSSLESS = [
    Case("byte-by-byte", options=("--split", "1"), fired=_ONE_PIECE_PER_BYTE, bound_s=15),
    Case("chunks-3-1-7", options=("--split", "3,1,7"), fired=r"'09046' -> 182 bytes in 51 piece\(s\)"),
    Case(
        "scenario-stream-split-5",
        (lambda s: s.update(stream_split_bytes=5),),
        fired=r"'09046' -> 182 bytes in 37 piece\(s\)",
    ),
    Case(
        "latency-25ms-jitter-50ms",
        options=("--latency-ms", "25", "--jitter-ms", "50", "--seed", "7"),
        fired=r"'ATD' -> 5 bytes in 1 piece\(s\), (2[5-9]|[3-7]\d)ms",
        bound_s=15,
    ),
    # 1.2 s before the answer to 0904; obdident allows 2 s for a request
    Case(
        "slow-ecu-1200ms",
        (_delay("09046", 1200),),
        fired=r"'09046' -> 182 bytes .*, 1[2-9]\d\dms",
        bound_s=12,
    ),
    Case("echo-stays-on", options=("--echo", "on"), fired=r"'ATD' -> 9 bytes"),  # ATD\r OK\r\r>
    # '?' to a request with the response-count digit: a chip without the digit; obdident asks again without
    # it (the plain 0906 is scripted too, as a real adapter answers both) and never sends the digit again
    Case("question-mark-to-the-count-digit", (_answer("09062", "?\r\r>"),), fired=r"'0906' -> "),
    Case("crlf", (_replies(lambda t: t.replace("\r", "\r\n")),), fired=r"'ATD' -> 7 bytes"),  # OK\r\n\r\n>
    Case("lower-case", (_replies(str.lower),)),
    Case("spaces-after-ats0", (_replies(_spaced),)),
    # a clone that answers '?' to the optional AT commands (AT CRA too: obdident uses AT CF + AT CM instead)
    Case(
        "question-mark-to-optional-at",
        tuple(_answer(c, "?\r\r>") for c in ("ATL0", "ATS0", "ATAT1", "ATRV", "ATCF700")),
        fired=r"'ATCRA7E8' -> ",
    ),
    Case(
        "all-quirks-byte-by-byte",
        (_replies(_spaced), _replies(lambda t: t.lower().replace("\r", "\r\n"))),
        ("--split", "1", "--echo", "on", "--latency-ms", "2"),
        fired=_ONE_PIECE_PER_BYTE,
        bound_s=20,
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in LOSSLESS])
def test_fault_without_loss_gives_a_complete_exact_report(
    elmulator: Callable[..., Peer], tmp_path: Path, case: Case
) -> None:
    peer = _peer_for(case, elmulator, tmp_path)
    outcome = _scan(peer.url, timeout_s=case.timeout_s)
    report = _report(outcome, peer)
    _assert_everything_read(report, _why(report, peer))
    assert outcome.elapsed_s < case.bound_s, f"{outcome.elapsed_s:.1f} s\n{peer.dialogue()}"
    _assert_fired(case, peer)
    if case.id == "question-mark-to-optional-at":
        # obdident no longer sends AT L0 or AT AT1 (AT D restores what it needs)
        assert set(report.adapter.unsupported_commands) == {"ATS0", "ATRV", "ATCF700"}


def test_no_data_for_a_declared_infotype_is_named_and_makes_the_report_incomplete(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    """Both ECUs declare InfoType 06 (CVN) but answer NO DATA: the CVNs are missing, so the report is not
    complete; it says which ECU did not answer, keeps everything else and invents no CVN."""
    peer = elmulator(_variant(tmp_path, "no_data_09062", _answer("09062", "NO DATA\r\r>")))
    outcome = _scan(peer.url)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert [(p.code, p.response_id) for p in report.problems] == [
        ("no-answer", "7E8"),
        ("no-answer", "7E9"),
    ], why
    _assert_read(report, ("vin", "calids", "names", "uds"), why)
    assert outcome.elapsed_s < 10


def test_adapter_reset_once_is_recovered_and_nothing_is_lost(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    """The adapter reboots once (prints its banner) instead of answering 0906, then answers the repeat:
    obdident sets it up again, repeats the step, and says so; nothing is lost."""
    banner_first = _insert_before("09062", "\r\rELM327 v1.5\r\r>")
    peer = elmulator(_variant(tmp_path, "reset_once_on_09062", banner_first))
    outcome = _scan(peer.url)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is True, why
    assert [p.code for p in report.problems] == ["adapter-reset"], why
    _assert_read(report, STEPS, why)
    assert outcome.elapsed_s < 10


# --- 2b. faults that lose something: complete False, the cause named, what was read kept ------------------

LOSSY = [
    # the link drops instead of answering 0904: the VIN (read first) stays
    Case("disconnect-before-calids", (_disconnect("09046"),), fired=r"'09046' -> disconnect", bound_s=8,
         code="link-lost", kept=("vin",)),
    # the link drops after three of the 0904 answer's lines, without a prompt
    Case("disconnect-mid-answer", (_disconnect("09046", first_lines=3),),
         fired=r"'09046' -> 60 bytes in 1 piece\(s\)[^\n]*\n[^\n]*'09046' -> disconnect", bound_s=8,
         code="link-lost", kept=("vin",)),
    # byte-by-byte delivery, then the drop on 0906
    Case("byte-by-byte-then-disconnect", (_disconnect("09062"),), ("--split", "1"),
         fired=r"'09062' -> disconnect", code="link-lost", kept=("vin", "calids")),
    # no reply at all to 0904: obdident's 2 s request deadline ends the wait
    Case("stall-on-calids", (_stall("09046"),), fired=r"'09046' -> stall", bound_s=8,
         code="adapter-stopped-answering", kept=("vin",)),
    # the answer to 0906 would come 2.6 s late; obdident gives up at 2 s
    Case("late-answer-2600ms", (_delay("09062", 2600),), bound_s=8, code="adapter-stopped-answering",
         kept=("vin", "calids")),
    # a garbled answer skips that step only: the scan goes on and reads the rest
    Case("garbage-line-in-0906", (_garbage_line("09062"),), bound_s=8, code="garbled-answer",
         kept=("vin", "calids", "names", "uds")),
    Case("sequence-gap-in-0904", (_truncated("09046"),), bound_s=8, code="garbled-answer",
         kept=("vin", "cvns", "names", "uds")),
    # the adapter resets (prints its banner) at every AT SH 7E0: set up again once, then the scan stops
    Case("reset-banner-every-time", (_answer("ATSH7E0", "\r\rELM327 v1.5\r\r>"),),
         fired=r"'ATSH7E0' -> [\s\S]*'ATSH7E0' -> ", bound_s=8, code="adapter-reset",
         kept=("vin", "calids", "cvns", "names")),
    # the overall limit: 100 ms per reply, timeout_s 2.5
    Case("overall-deadline", options=("--latency-ms", "100"), bound_s=2.5 + 5, code="scan-timeout",
         timeout_s=2.5),
]  # fmt: skip


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in LOSSY])
def test_fault_with_loss_gives_an_incomplete_report_that_keeps_what_was_read(
    elmulator: Callable[..., Peer], tmp_path: Path, case: Case
) -> None:
    peer = _peer_for(case, elmulator, tmp_path)
    outcome = _scan(peer.url, timeout_s=case.timeout_s)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert case.code in [p.code for p in report.problems], why
    assert outcome.elapsed_s < case.bound_s, f"{outcome.elapsed_s:.1f} s\n{why}"
    _assert_fired(case, peer)
    if case.code == "scan-timeout":
        # where the deadline falls depends on the machine's speed: whatever was read must be exact
        ids = _ids(report)
        assert set(ids) == {"7E8", "7E9"}, why
        assert report.vehicle.vin in (None, VIN), why
        assert list(ids["7E8"].calibration_ids) in ([], ECM_CALIDS), why
        assert list(ids["7E8"].cvns) in ([], ECM_CVNS), why
        return
    _assert_read(report, case.kept, why)


@pytest.mark.parametrize(
    ("fault", "code"), [pytest.param(_disconnect, "link-lost", id="disconnect"),
                        pytest.param(_stall, "adapter-stopped-answering", id="stall")],
)  # fmt: skip
def test_failure_during_physical_reads_keeps_what_the_unit_gave(
    elmulator: Callable[..., Peer], tmp_path: Path, fault: Callable[[str], Mutation], code: str
) -> None:
    peer = elmulator(_variant(tmp_path, f"{code}_on_22f190", fault("22F190")))
    outcome = _scan(peer.url)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert code in [p.code for p in report.problems], why
    assert outcome.elapsed_s < 8, why
    ids = _ids(report)
    assert ids["7E8"].fields == {"spare_part_number": ECM_SPARE_PART}, why
    ecm = next(e for e in report.ecus if e.response_id == "7E8")
    assert "22F187" in [e.request for e in ecm.evidence], why


def test_link_lost_after_the_vehicle_answered_gives_a_report(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    peer = elmulator(_variant(tmp_path, "disconnect_on_atsh7e0", _disconnect("ATSH7E0")))
    outcome = _scan(peer.url)
    assert outcome.error is None or isinstance(outcome.error, ObdidentError), outcome.error
    assert outcome.elapsed_s < 8
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert "link-lost" in [p.code for p in report.problems], why


# --- 2c. the adapter cannot be set up: a documented exception, quickly ------------------------------------

SETUP: list[tuple[str, tuple[Mutation, ...], type[ObdidentError], float]] = [
    ("disconnect-during-setup", (_disconnect("ATE0"),), TransportError, 5),
    ("question-mark-to-required-ath1", (_answer("ATH1", "?\r\r>"),), AdapterReplyError, 5),
    # AT CAF1 is required: the CAF a reset restores is what PP 24 stores, and the guard admits no request
    # until AT CAF1 is confirmed
    ("question-mark-to-required-atcaf1", (_answer("ATCAF1", "?\r\r>"),), AdapterReplyError, 5),
    # AT D and AT Z both unanswered: 1 s + 5 s of obdident's deadlines
    ("silent-adapter", (_stall("ATD"), _stall("ATZ")), AdapterTimeoutError, 10),
    # AT D unanswered and no prompt ever: AT Z is not written to an adapter that may still be busy (a byte
    # would interrupt it); after 1 s and 5 s more for the prompt, the port is closed
    ("atd-stalls", (_stall("ATD"),), AdapterTimeoutError, 10),
]


@pytest.mark.parametrize(("mutations", "error", "bound_s"), [pytest.param(*c[1:], id=c[0]) for c in SETUP])
def test_adapter_that_cannot_be_set_up_raises_a_documented_error(
    elmulator: Callable[..., Peer],
    tmp_path: Path,
    request: pytest.FixtureRequest,
    mutations: tuple[Mutation, ...],
    error: type[ObdidentError],
    bound_s: float,
) -> None:
    peer = elmulator(_variant(tmp_path, request.node.callspec.id, *mutations))
    outcome = _scan(peer.url)
    assert isinstance(outcome.error, error), f"{outcome.error!r}, report {outcome.report}\n{peer.dialogue()}"
    assert isinstance(outcome.error, (TransportError, AdapterError))
    assert outcome.elapsed_s < bound_s, outcome.elapsed_s


def test_overall_limit_bounds_a_stalled_protocol_search(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    """0100 gets no reply (elmulator's bundled adapter_disconnect does this once). obdident allows the search
    20 s, but no command may outlast the scan's timeout_s: with 3 s the scan ends after about 3 s, incomplete,
    told as a timeout, with nothing invented."""
    peer = elmulator(_variant(tmp_path, "stall_0100", _stall("0100")))
    outcome = _scan(peer.url, timeout_s=3.0)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert [p.code for p in report.problems] == ["scan-timeout"], why  # the limit, not the vehicle
    assert report.ecus == () and report.vehicle.vin is None, why
    assert outcome.elapsed_s < 3.0 + 2.0, outcome.elapsed_s


def test_bundled_scenario_without_obdidents_dialogue_ends_truthfully(elmulator: Callable[..., Peer]) -> None:
    """elmulator's bundled no_codes_basic answers 0100 on protocol 6 pinned (so no AT DPN is asked, which it
    would answer with its default 'OK') and has no service 09 InfoType 00 entry: the scan must end quickly,
    incomplete, saying so, inventing nothing."""
    assert "no_codes_basic" in _elmulator.bundled_names()
    peer = elmulator("no_codes_basic")
    outcome = _scan(peer.url)
    report = _report(outcome, peer)
    why = _why(report, peer)
    assert report.complete is False, why
    assert "service-09-not-supported" in [p.code for p in report.problems], why
    assert report.vehicle.vin is None, why
    assert all(not e.identification.fields and not e.identification.calibration_ids for e in report.ecus), why
    assert outcome.elapsed_s < 10


# --- the command line ---------------------------------------------------------------------------------------


def _cli(url: str, json_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "obdident", "scan", "--port", url, "--json", str(json_path),
         "--timeout", "30"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip


def test_cli_mid_scan_disconnect_exits_4_and_writes_the_partial_report(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    peer = elmulator(_variant(tmp_path, "cli_disconnect_on_09062", _disconnect("09062")))
    out = tmp_path / "scan.json"
    started = time.monotonic()
    result = _cli(peer.url, out)
    assert time.monotonic() - started < 30
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 4, f"{result.returncode}\n{result.stderr}\n{peer.dialogue()}"
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["complete"] is False
    assert "link-lost" in [p["code"] for p in data["problems"]]
    assert data["vehicle"]["vin"] == VIN
    ecus = {e["response_id"]: e["identification"] for e in data["ecus"]}
    assert ecus["7E8"]["calibration_ids"] == ECM_CALIDS and ecus["7E9"]["calibration_ids"] == TCM_CALIDS
    assert ecus["7E8"]["cvns"] == [] and ecus["7E9"]["cvns"] == []


def test_cli_disconnect_during_setup_exits_3_without_a_traceback(
    elmulator: Callable[..., Peer], tmp_path: Path
) -> None:
    peer = elmulator(_variant(tmp_path, "cli_disconnect_on_ate0", _disconnect("ATE0")))
    result = _cli(peer.url, tmp_path / "scan.json")
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 3, f"{result.returncode}\n{result.stderr}"
    assert "Could not talk to the adapter" in result.stderr
