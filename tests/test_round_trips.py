"""Round trips of a scan (issue 13): the line count of the reference scans is pinned (a regression in round
trips fails here), and each lever that saves lines keeps the report's data: units a family does not have are
named as not probed (``--full`` probes them), Nissan's session is opened at once only on a family whose
captures show it needed, and the closing check is asked only when the vehicle left a request unanswered."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import WireAudit
from tests.test_head_unit_probe import requests_by_header
from tests.test_nissan_scan import by_response, run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
scan_speed = pytest.importorskip("scan_speed")

#: Lines written to the adapter by a whole scan, measured (issue 13: at most 60 for the J10 reference).
J10_LINES = 60  # nissan-qashqai-j10 (and its recorded session); 101 before issue 13
BENCHMARK_LINES = 60  # benchmark-nissan-reference (J10 family: its Leaf units are not probed); 103 before
BENCHMARK_FULL_LINES = 86  # the same with --full (every unit probed)
LEAF_UNITS = ("797", "79B", "746")


@pytest.mark.parametrize(
    ("profile", "full", "bound"),
    [
        ("nissan-qashqai-j10", False, J10_LINES),
        ("benchmark-nissan-reference", False, BENCHMARK_LINES),
        ("benchmark-nissan-reference", True, BENCHMARK_FULL_LINES),
    ],
)
def test_the_reference_scans_write_no_more_lines_than_measured(profile: str, full: bool, bound: int) -> None:
    for link in scan_speed.LINKS.values():
        result = scan_speed.obdident_scan(link, full=full, profile=profile)
        assert result.ok
        assert result.exchanges <= bound, f"{profile} full={full} on {link.name}: {result.exchanges} lines"


def test_the_recorded_j10_session_has_the_pinned_line_count() -> None:
    session = Path(__file__).resolve().parents[1] / "hw-fixtures/sessions/nissan-qashqai-j10-simulated.txt"
    lines = [x for x in session.read_text(encoding="utf-8").splitlines() if x.startswith("> ")]
    assert len(lines) <= J10_LINES


def test_a_j10_is_not_probed_for_units_its_family_lacks_and_the_report_says_which(
    wire_audit: WireAudit,
) -> None:
    report, _ = run("sim://nissan-qashqai-j10")
    headers = requests_by_header(wire_audit.lines())
    for request_id in (*LEAF_UNITS, "707", "714", "18DAD0F1"):
        assert request_id not in headers, request_id
    assert "747" in headers and "712" in headers  # head-unit candidates are always probed
    (skipped,) = [p for p in report.problems if p.code == "units-not-probed"]
    assert "Qashqai (J10)" in skipped.message and "--full" in skipped.message
    for named in ("VCM (797)", "LBC (79B)", "TCU (746)", "CAMERA (707)", "MIU (714)", "GATEWAY (18DAD0F1)"):
        assert named in skipped.message
    assert report.complete


def test_full_probes_every_unit_and_reads_the_same_identification(wire_audit: WireAudit) -> None:
    quick, _ = run("sim://benchmark-nissan-reference")
    first = len(wire_audit.lines())
    full, _ = run("sim://benchmark-nissan-reference", full=True)
    headers = requests_by_header(wire_audit.lines()[first:])
    for request_id in (*LEAF_UNITS, "707", "714", "18DAD0F1"):
        assert request_id in headers, request_id
    assert not [p for p in full.problems if p.code == "units-not-probed"]
    ecus = by_response(full)
    assert {"79A", "7BB", "783"} <= set(ecus)
    assert full.vehicle.vin is not None  # the Leaf VCM's VIN, which the quick scan does not probe for
    assert quick.vehicle.vin is None
    for rid, ecu in by_response(quick).items():  # what the quick scan read is what --full reads
        assert ecu.identification == ecus[rid].identification, rid  # type: ignore[attr-defined]


def test_a_j10_unit_that_needs_nissans_session_gets_it_without_a_refused_request(
    wire_audit: WireAudit,
) -> None:
    report, _ = run("sim://nissan-qashqai-j10")
    headers = requests_by_header(wire_audit.lines())
    assert headers["745"] == ["10C0", "2183", "2181", "1081"]
    assert headers["742"] == ["10C0", "2183", "1081"]
    assert by_response(report)["765"].identification.fields["part_number_suffix"] == "BR02A"  # type: ignore[attr-defined]


def test_the_closing_check_is_asked_only_after_an_unanswered_request(
    wire_audit: WireAudit, tmp_path: Path
) -> None:
    """The J10 ends on silent head-unit candidates: the check runs. With an audio unit that answers (the last
    unit probed), nothing went unanswered since the vehicle's last answer: no check."""
    run("sim://nissan-qashqai-j10")
    assert [x for x in wire_audit.lines() if x.startswith("0100")] == ["0100", "01001"]
    first = len(wire_audit.lines())
    path = tmp_path / "j10-audio.toml"
    path.write_text((PROFILES / "nissan-qashqai-j10.toml").read_text(encoding="utf-8") + AUDIO, "utf-8")
    report, _ = run(f"sim://{path}")
    lines = wire_audit.lines()[first:]
    assert [x for x in lines if x.startswith("0100")] == ["0100"], lines[-6:]
    assert "732" in by_response(report) and report.complete


PROFILES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
AUDIO = """
[[ecu]]
name = "AUDIO"
request_id = "712"
response_id = "732"
functional = false
unsupported_nrc = { "*" = "11" }

[ecu.responses]
"3E00" = "7E 00"
"""
