"""Round trips of a scan (issue 13): every built-in profile's scan stays within its line budget (at most N
lines, benchmarks/line_budgets.py; a regression in round trips fails here), and each lever that saves lines
keeps the report's data: units a family does not have are named as not probed (``--full`` probes them),
Nissan's session is opened at once only on a family whose captures show it needed, a unit that may be absent
gets a one-frame request before any flow-control line, the receive timeout is set once, and the closing check
is asked only when the vehicle left a request unanswered (the units a family's captures show are probed last,
so that is rare)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import WireAudit
from tests.test_head_unit_probe import requests_by_header
from tests.test_nissan_scan import by_response, run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
scan_speed = pytest.importorskip("scan_speed")

line_budgets = pytest.importorskip("line_budgets")

#: Lines a whole scan may write to the adapter, at most (benchmarks/line_budgets.py; issue 13's goal: 60 for
#: the J10 reference). Budgets, not the last measured figures: a head-unit candidate added to one family's
#: record must not break them; a regression must.
BUDGETS: dict[str, tuple[int, int]] = line_budgets.BUDGETS
J10_LINES = BUDGETS["nissan-qashqai-j10"][0]
BENCHMARK_LINES, BENCHMARK_FULL_LINES = BUDGETS["benchmark-nissan-reference"]
LEAF_UNITS = ("797", "79B", "746")
PROFILES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"


def test_each_profile_has_a_line_budget_and_the_benchmark_reports_it_beside_the_measured_figure() -> None:
    assert sorted(BUDGETS) == sorted(p.stem for p in PROFILES.glob("*.toml"))
    rows = line_budgets.table()
    for profile, (budget, full) in BUDGETS.items():
        (row,) = [r for r in rows if r.split()[0] == profile]
        cells = row.split()
        assert int(cells[1]) == budget and int(cells[3]) == full, row
        assert int(cells[2]) <= budget and int(cells[4]) <= full, row
        assert "OVER" not in row


@pytest.mark.parametrize(
    ("profile", "full", "bound"),
    [
        ("nissan-qashqai-j10", False, J10_LINES),
        ("benchmark-nissan-reference", False, BENCHMARK_LINES),
        ("benchmark-nissan-reference", True, BENCHMARK_FULL_LINES),
    ],
)
def test_the_reference_scans_stay_within_their_budgets_on_every_link(
    profile: str, full: bool, bound: int
) -> None:
    for link in scan_speed.LINKS.values():
        result = scan_speed.obdident_scan(link, full=full, profile=profile)
        assert result.ok
        assert result.exchanges <= bound, f"{profile} full={full} on {link.name}: {result.exchanges} lines"


def test_the_recorded_j10_session_is_within_the_j10_budget() -> None:
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
    assert "747" in headers  # the J10 record's one head-unit candidate (NAVI); its audio unit is on AV COMM
    assert "712" not in headers
    (skipped,) = [p for p in report.problems if p.code == "units-not-probed"]
    assert "Qashqai (J10)" in skipped.message and "--full" in skipped.message
    for named in ("VCM (797)", "LBC (79B)", "TCU (746)", "CAMERA (707)", "MIU (714)", "GATEWAY (18DAD0F1)",
                  "AUDIO (712)"):
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


@pytest.mark.parametrize("profile", sorted(p.stem for p in PROFILES.glob("*.toml")))
def test_what_the_quick_scan_reads_is_what_full_reads_and_it_names_every_unit_it_left_out(
    profile: str,
) -> None:
    """Issue 13: nothing the faster scan skips changes a report. Every unit it read gives the same
    identification as under --full (which asks each unit directly, without TesterPresent first, and probes
    every unit), and every unit --full finds beyond it is named in the units-not-probed problem."""
    quick, _ = run(f"sim://{profile}")
    full, _ = run(f"sim://{profile}", full=True)
    quick_ecus, full_ecus = by_response(quick), by_response(full)
    for rid, ecu in quick_ecus.items():
        assert ecu.identification == full_ecus[rid].identification, rid  # type: ignore[attr-defined]
    assert quick.head_unit is not None and full.head_unit is not None
    head = (quick.head_unit.status, quick.head_unit.response_id, quick.head_unit.confidence)
    assert head == (full.head_unit.status, full.head_unit.response_id, full.head_unit.confidence)
    left_out = [e for rid, e in full_ecus.items() if rid not in quick_ecus]
    named = " ".join(p.message for p in quick.problems if p.code == "units-not-probed")
    for ecu in left_out:
        assert f"({ecu.request_id})" in named, (profile, ecu.request_id)  # type: ignore[attr-defined]
    if quick.vehicle.vin is not None:
        assert quick.vehicle.vin == full.vehicle.vin


def test_a_j10_unit_that_needs_nissans_session_gets_it_without_a_refused_request(
    wire_audit: WireAudit,
) -> None:
    report, _ = run("sim://nissan-qashqai-j10")
    headers = requests_by_header(wire_audit.lines())
    assert headers["745"] == ["10C0", "2183", "2181", "1081"]
    assert headers["742"] == ["10C0", "2183", "1081"]
    assert by_response(report)["765"].identification.fields["part_number_suffix"] == "BR02A"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("profile", "budget"), sorted(BUDGETS.items()))
def test_every_built_in_profile_scans_within_its_line_budget(profile: str, budget: tuple[int, int]) -> None:
    result = scan_speed.obdident_scan(scan_speed.LINKS["usb-serial"], profile=profile)
    assert result.exchanges <= budget[0], f"{profile}: {result.exchanges} lines"
    full = scan_speed.obdident_scan(scan_speed.LINKS["usb-serial"], profile=profile, full=True)
    assert full.exchanges <= budget[1], f"{profile} --full: {full.exchanges} lines"


def test_the_closing_check_is_asked_only_after_an_unanswered_request(
    wire_audit: WireAudit, tmp_path: Path
) -> None:
    """The J10 ends on the IPDM, a unit its captures show answering: nothing went unanswered since the
    vehicle's last answer, so no check. Without that IPDM the scan ends on silence: the check runs."""
    report, _ = run("sim://nissan-qashqai-j10")
    assert [x for x in wire_audit.lines() if x.startswith("0100")] == ["0100"]
    assert wire_audit.lines()[-1].startswith("2183") and "76D" in by_response(report)
    first = len(wire_audit.lines())
    path = tmp_path / "j10-no-ipdm.toml"
    path.write_text(_without_ecu(PROFILES / "nissan-qashqai-j10.toml", "IPDM E/R"), "utf-8")
    report, _ = run(f"sim://{path}")
    lines = wire_audit.lines()[first:]
    assert [x for x in lines if x.startswith("0100")] == ["0100", "01001"], lines[-6:]
    assert "76D" not in by_response(report) and report.complete


def test_the_obd_pairs_come_first_then_the_head_unit_candidates_and_vin_sources_and_captured_units_last(
    wire_audit: WireAudit,
) -> None:
    run("sim://nissan-qashqai-j10")
    headers = list(requests_by_header(wire_audit.lines()))
    # the ECM (automatic flow control), the head-unit candidates, the BCM (a VIN source), ABS and airbag (not
    # in the J10's captures), then the EPS, meter and IPDM (balrog-kun's J10 captures show them answering)
    assert headers == ["7E0", "747", "745", "740", "752", "742", "743", "74D"], headers


def test_an_obd_address_silent_to_0100_is_not_probed_and_full_probes_it(wire_audit: WireAudit) -> None:
    """The J10's 0100 is answered by 7E8 alone: the TCM's 7E1 (an ISO 15765-4 OBD address, whose ECU would
    answer 0100) is not probed, and the report says so; with --full it is."""
    report, _ = run("sim://nissan-qashqai-j10")
    assert "7E1" not in requests_by_header(wire_audit.lines())
    (skipped,) = [p for p in report.problems if p.code == "units-not-probed"]
    assert "TCM (7E1)" in skipped.message and "0100" in skipped.message
    first = len(wire_audit.lines())
    run("sim://nissan-qashqai-j10", full=True)
    assert requests_by_header(wire_audit.lines()[first:])["7E1"] == ["2183"]
    first = len(wire_audit.lines())
    run("sim://test-us-vin-1-0")  # 7E8 and 7E9 answer 0100 there: the TCM's pair is probed
    assert "7E1" in requests_by_header(wire_audit.lines()[first:])


def test_a_unit_that_may_be_absent_gets_a_one_frame_request_before_any_flow_control_line(
    wire_audit: WireAudit, tmp_path: Path
) -> None:
    """An absent candidate costs AT SH and one request; flow control is set only for a unit that answered,
    and the units a capture shows on the family get no such request (they are read at once)."""
    run("sim://nissan-qashqai-j10")
    lines = wire_audit.lines()
    by_header = requests_by_header(lines)
    for absent in ("747", "740", "752"):  # TesterPresent, which KWP2000 and UDS units both answer
        assert by_header[absent] == ["3E00"], absent
        assert f"ATFCSH{absent}" not in lines, absent
    for captured in ("743", "74D"):
        assert by_header[captured] == ["2183"], captured
    assert by_header["745"][0] == "10C0" and by_header["742"][0] == "10C0"  # the session, before FC
    assert lines.index("ATFCSH745") > lines.index("10C01")
    first = len(lines)
    path = _j10_with(tmp_path, AUDIO)
    report, _ = run(f"sim://{path}")
    lines = wire_audit.lines()[first:]
    at = lines.index("ATSH747")
    assert lines[at + 1 : at + 3] == ["3E001", "ATFCSH747"], lines[at : at + 5]
    assert "767" in by_response(report)


def test_a_can_scan_sets_the_receive_timeout_once_and_does_not_ask_the_fixed_description(
    wire_audit: WireAudit,
) -> None:
    report, _ = run("sim://nissan-qashqai-j11-navi")
    lines = wire_audit.lines()
    assert [x for x in lines if x.startswith("ATST")] == ["ATST0E"]
    assert "AT@1" not in lines and report.adapter.description is None


def _j10_with(tmp_path: Path, ecus: str) -> Path:
    """The J10 profile with the ``[[ecu]]`` blocks ``ecus`` added, written under ``tmp_path``."""
    path = tmp_path / "j10-with.toml"
    path.write_text((PROFILES / "nissan-qashqai-j10.toml").read_text(encoding="utf-8") + ecus, "utf-8")
    return path


def _without_ecu(profile: Path, name: str) -> str:
    """The profile's TOML text without the ``[[ecu]]`` block named ``name``."""
    head, *blocks = profile.read_text(encoding="utf-8").split("[[ecu]]")
    kept = [b for b in blocks if f'name = "{name}"' not in b]
    assert len(kept) == len(blocks) - 1, name
    return "[[ecu]]".join([head, *kept])


AUDIO = """
[[ecu]]
name = "AV"
request_id = "747"
response_id = "767"
functional = false
unsupported_nrc = { "*" = "11" }

[ecu.responses]
"3E00" = "7E 00"
"""


THERE_ONLY = """
[[ecu]]
name = "ABS"
request_id = "740"
response_id = "760"
functional = false

[ecu.responses]
"3E00" = "7E 00"

[[ecu]]
name = "AV"
request_id = "747"
response_id = "767"
functional = false

[ecu.responses]
"3E00" = "7E 00"
"""


def test_a_unit_that_answers_only_the_presence_request_is_asked_each_service_once_without_alarm(
    wire_audit: WireAudit, tmp_path: Path
) -> None:
    """There (it answered 3E 00) but silent to identification: silence is then the answer of a unit without
    the service, not a unit that stopped answering: asked once each, no repeat, no problem."""
    path = _j10_with(tmp_path, THERE_ONLY)
    report, _ = run(f"sim://{path}")
    by_header = requests_by_header(wire_audit.lines())
    assert by_header["740"] == ["3E00", "2183", "22F187"]  # KWP2000 silent: its first UDS DID decides
    assert by_header["747"] == ["3E00", "2180", "22F187"]  # a head-unit candidate: its first DID decides
    assert not [p for p in report.problems if p.response_id in ("760", "767")], report.problems
    assert [x for x in wire_audit.lines() if x.startswith("ATST")] == ["ATST0E"]  # no slow repeat
    assert report.complete


def test_with_sweep_or_on_29_bit_ids_an_obd_address_silent_to_0100_is_still_probed(
    wire_audit: WireAudit,
) -> None:
    """The sweep probes every id anyway; on a 29-bit vehicle the OBD ECUs answer 0100 on 29-bit ids, so an
    11-bit OBD address's silence there says nothing."""
    run("sim://nissan-qashqai-j10", sweep=True)
    assert requests_by_header(wire_audit.lines())["7E1"] == ["2183"]
    first = len(wire_audit.lines())
    can29 = Path(__file__).resolve().parent / "profiles" / "can29.toml"
    report, _ = run(f"sim://{can29}")
    headers = requests_by_header(wire_audit.lines()[first:])
    assert "7E0" in headers and "7E1" in headers, list(headers)
    assert not [p for p in report.problems if p.code == "units-not-probed"]


def test_a_head_unit_not_found_says_how_to_ask_the_candidates_directly() -> None:
    quick, _ = run("sim://nissan-xtrail-t32")
    full, _ = run("sim://nissan-xtrail-t32", full=True)
    assert quick.head_unit is not None and full.head_unit is not None
    assert quick.head_unit.status == full.head_unit.status == "not-found"
    assert "--full" in quick.head_unit.reason and "only asked whether it is there" in quick.head_unit.reason
    assert "--full" not in full.head_unit.reason


BUSY_THERE = """
[[ecu]]
name = "ABS"
request_id = "740"
response_id = "760"
functional = false
unsupported_nrc = { "*" = "11" }

[ecu.responses]
"3E00" = "7F 3E 21"
"""


def test_a_busy_answer_to_the_presence_request_shows_the_unit_there_without_repeat_or_problem(
    wire_audit: WireAudit, tmp_path: Path
) -> None:
    path = _j10_with(tmp_path, BUSY_THERE)
    report, _ = run(f"sim://{path}")
    assert requests_by_header(wire_audit.lines())["740"][:2] == ["3E00", "2183"]  # asked once, then read
    assert not [p for p in report.problems if p.response_id == "760"], report.problems
    assert "760" in by_response(report) and report.complete
