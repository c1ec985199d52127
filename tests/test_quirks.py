"""Clone quirks (hw-fixtures/quirks.md): obdident probes and degrades, and reads the same identification
as from a well-behaved adapter, or says plainly what the adapter kept it from reading."""

from __future__ import annotations

import pytest

import obdident
from obdident.model import Report
from obdident.sim.quirks import QUIRKS

PROFILES = ("nissan-qashqai-j10", "test-us-vin-1-0", "nissan-altima-2019-uds")
#: Clone flaws that cost values whatever the driver does (the adapter never passes them on): the fault matrix
#: (tests/test_fault_matrix.py) and tests/test_adapter_flaws.py check the scan names the adapter instead.
LOSSY = frozenset(
    {
        "fake-v21",
        "no-fc",
        "two-byte-requests",
        "first-frame-only",
        "freeze-multiframe",
        "late-answer",
        "small-buffer",
        "stops",
    }
)


def identification(report: Report) -> dict[str, object]:
    return {e.response_id: e.identification for e in report.ecus}


@pytest.fixture(scope="module")
def clean() -> dict[str, Report]:
    return {profile: obdident.scan(f"sim://{profile}") for profile in PROFILES}


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("quirk", sorted(set(QUIRKS) - LOSSY))
def test_each_quirk_still_gives_the_same_identification(
    clean: dict[str, Report], profile: str, quirk: str
) -> None:
    report = obdident.scan(f"sim://{profile}?quirk={quirk}")
    assert report.complete, report.problems
    assert report.vehicle.vin == clean[profile].vehicle.vin
    assert identification(report) == identification(clean[profile])


@pytest.mark.parametrize(
    ("quirk", "unsupported"),
    [("no-count", "response-count digit"), ("no-s0", "ATS0")],
)
def test_missing_commands_are_listed_in_the_report(quirk: str, unsupported: str) -> None:
    report = obdident.scan(f"sim://nissan-qashqai-j10?quirk={quirk}")
    assert any(c.startswith(unsupported) for c in report.adapter.unsupported_commands)


def test_a_fake_v21_clone_reads_what_it_can_and_says_what_it_cannot() -> None:
    report = obdident.scan("sim://nissan-qashqai-j10?quirk=fake-v21")
    assert report.adapter.version == "ELM327 v2.1"
    # service 09 from the ECM (7E8, automatic flow control) still comes through whole
    ecm = identification(report)["7E8"]
    assert ecm.calibration_ids == ("23710BB31A", "23701BB36A")  # type: ignore[attr-defined]
    # units outside 7E8-7EF need flow control the clone lacks: their multi-frame answers stop after one frame
    assert not report.complete
    # the adapter is named once as the cause; no answer is called garbled
    codes = [p.code for p in report.problems]
    assert codes.count("adapter-lacks-command") == 1 and "garbled-answer" not in codes
    assert "ATFCSH7E0" in report.adapter.unsupported_commands or any(
        c.startswith("ATFCSH") for c in report.adapter.unsupported_commands
    )
