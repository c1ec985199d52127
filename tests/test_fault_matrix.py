"""The fault matrix: every fault the simulator can inject, at every line of a whole scan.

For each (fault, line) the scan must end within its bound, tell the truth in ``complete``, keep everything
read before the fault, and invent nothing. The scan runs on a virtual clock, so faults that make obdident
wait out its deadlines (stalls, storms) cost no real time. tests/FAULTS.md documents the matrix and its
kinds; a test below keeps that document in step.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from obdident.errors import AdapterError, ObdidentError, TransportError
from obdident.model import Report
from obdident.scanning import scan_port
from obdident.scanning.adapter_flaws import FLAWS
from obdident.sim.faults import FAULT_KINDS
from obdident.sim.quirks import QUIRKS
from obdident.transports import open_port

PROFILE = "nissan-qashqai-j10"  # service 09, KWP2000 units, Nissan's session, a masked BCM field
TIMEOUT_S = 120.0
FAULTS_MD = Path(__file__).with_name("FAULTS.md")
READ_BUDGET = 500_000  # port reads one scan may make: far above the deadlines' worst case (about 30,000)

Fact = tuple[str, str, str]  # (response id, what, value)


class VirtualClock:
    """Advances 1 ms each time it is read."""

    def __init__(self) -> None:
        self.ticks = itertools.count()

    def __call__(self) -> float:
        return next(self.ticks) / 1000


def facts(report: Report) -> set[Fact]:
    found: set[Fact] = set()
    for ecu in report.ecus:
        ident = ecu.identification
        found |= {(ecu.response_id, "calid", c) for c in ident.calibration_ids}
        found |= {(ecu.response_id, "cvn", c) for c in ident.cvns}
        found |= {(ecu.response_id, key, value) for key, value in ident.fields.items()}
    found |= {(s.response_id, "vin:" + s.source, str(s.value)) for s in report.vehicle.vin_sources}
    return found


@dataclass
class Run:
    report: Report | None
    error: ObdidentError | None
    clock: VirtualClock
    checkpoints: list[tuple[int, set[Fact]]] = field(default_factory=list)
    lines: int = 0


def run(url: str) -> Run:
    clock = VirtualClock()
    result = Run(None, None, clock)

    def on_exchange(_exchange: object) -> None:
        result.lines += 1

    def checkpoint(report: Report) -> None:
        result.checkpoints.append((result.lines, facts(report)))

    link = open_port(url)
    read = link.read
    reads = itertools.count(1)

    def bounded_read(size: int = 1) -> bytes:
        # a driver that never stops reading a stream fails here instead of hanging the suite
        if next(reads) > READ_BUDGET:
            raise RuntimeError(f"{url}: still reading after {READ_BUDGET} reads")
        return read(size)

    link.read = bounded_read
    try:
        result.report = scan_port(
            link, url, timeout_s=TIMEOUT_S, clock=clock, on_exchange=on_exchange, checkpoint=checkpoint
        )
    except ObdidentError as err:
        result.error = err
    finally:
        link.close()
    return result


SETUP_LINES = 9  # AT D, E0, S0, H1, I, RV, CAF1, AT ST 0E, AT TP 6: before the first request (0100)
KINDS = sorted(FAULT_KINDS)


@functools.cache
def baseline() -> Run:
    """The clean scan, run once per process when first needed (not at import: collecting other test
    files, or this one's FAULTS.md test alone, costs no scan)."""
    clean = run(f"sim://{PROFILE}")
    assert clean.report is not None and clean.report.complete
    return clean


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """One case per (fault kind, line of the clean scan): the line count is the clean scan's, as run."""
    if {"kind", "line"} <= set(metafunc.fixturenames):
        cases = [(kind, line) for kind in KINDS for line in range(1, baseline().lines + 1)]
        metafunc.parametrize(("kind", "line"), cases, ids=[f"{k}@{n}" for k, n in cases])


def test_fault_at_every_line(kind: str, line: int) -> None:
    clean = baseline()
    assert clean.report is not None
    result = run(f"sim://{PROFILE}?fault={kind}@{line}")
    # bounded: the virtual clock never passes the overall limit by more than one command's deadline
    assert result.clock() < TIMEOUT_S + 25
    if result.error is not None:
        # only while the adapter is being set up, before anything was read from the vehicle
        assert isinstance(result.error, (AdapterError, TransportError)), repr(result.error)
        assert line <= SETUP_LINES, f"{kind}@{line}: {result.error!r}"
        return
    report = result.report
    assert report is not None
    got = facts(report)
    expected = facts(clean.report)
    assert got <= expected, f"{kind}@{line} invented or garbled: {got - expected}"
    for read_before, kept in clean.checkpoints:
        if read_before < line:
            assert kept <= got, f"{kind}@{line} lost what was read by line {read_before}: {kept - got}"
    if report.complete:
        assert got == expected, f"{kind}@{line} says complete but lacks {expected - got}"
    else:
        assert report.problems, f"{kind}@{line}: incomplete without a problem saying why"
    assert "A5 5A" not in report.to_json()


def test_faults_md_documents_every_fault_kind_and_the_profile() -> None:
    text = FAULTS_MD.read_text("utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, flags=re.MULTILINE))
    assert documented == set(KINDS), (
        f"FAULTS.md's table and the simulator's fault kinds differ: "
        f"undocumented {sorted(set(KINDS) - documented)}, gone {sorted(documented - set(KINDS))}"
    )
    assert f"`{PROFILE}`" in text, "FAULTS.md names the profile the matrix scans"


# --- every clone flaw against every built-in profile --------------------------------------------------------

#: Problems that blame a unit: a clone flaw may never add one (the adapter is named instead).
BLAMES_A_UNIT = ("garbled-answer", "negative-response", "stopped-answering", "no-answer")
BUILT_IN = sorted(p.stem for p in (Path(__file__).parents[1] / "hw-fixtures" / "profiles").glob("*.toml"))


@functools.cache
def clean_scan(profile: str) -> Run:
    return run(f"sim://{profile}")


@pytest.mark.parametrize("quirk", sorted(QUIRKS))
@pytest.mark.parametrize("profile", BUILT_IN)
def test_every_clone_flaw_on_every_profile(profile: str, quirk: str) -> None:
    clean = clean_scan(profile)
    assert clean.report is not None
    result = run(f"sim://{profile}?quirk={quirk}")
    assert result.clock() < TIMEOUT_S + 25
    if result.error is not None:
        # only while setting up, nothing read, and the adapter named: a flaw's own error
        assert isinstance(result.error, AdapterError), repr(result.error)
        assert result.error.code in FLAWS, repr(result.error)
        return
    report = result.report
    assert report is not None
    got, expected = facts(report), facts(clean.report)
    assert got <= expected, f"{quirk} on {profile} invented or garbled: {got - expected}"
    codes = [p.code for p in report.problems]
    clean_codes = [p.code for p in clean.report.problems]
    for code in FLAWS:
        assert codes.count(code) <= 1, f"{quirk} on {profile}: the adapter is named more than once ({code})"
    for code in BLAMES_A_UNIT:
        assert codes.count(code) <= clean_codes.count(code), f"{quirk} on {profile} blames a unit: {code}"
    if report.complete:
        assert got == expected, f"{quirk} on {profile} says complete but lacks {expected - got}"
    if got != expected:
        assert not report.complete
        assert set(codes) & set(FLAWS), (
            f"{quirk} on {profile} lost {expected - got} without naming the adapter"
        )
    clean_head, head = clean.report.head_unit, report.head_unit
    if clean_head is not None and clean_head.status == "identified" and head is not None:
        assert head.status in ("identified", "adapter-limited"), f"{quirk} on {profile}: {head}"
    assert "A5 5A" not in report.to_json()
