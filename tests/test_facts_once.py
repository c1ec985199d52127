"""Facts derived once (issue 20, point 2): the VIN, the make and the family are derived in the scan state from
every basis (VIN, CALID, part-number suffix), and the pruning, the head-unit assessment, the second-CAN choice
and the report all read that one result."""

from __future__ import annotations

from pathlib import Path

from obdident.scanning import assess
from obdident.scanning.state import ScanOptions, ScanState
from obdident.vehicles.families import knowledge
from tests.conftest import WireAudit
from tests.test_head_unit_probe import requests_by_header
from tests.test_nissan_scan import run

PROFILES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"


def _only_the_ecm(tmp_path: Path) -> Path:
    """The J10 profile with its ECM alone: CALIDs 23710BB31A / 23701BB36A, no VIN stored (09 02 all FF,
    21 81 all 00), the other units silent."""
    head, *blocks = (PROFILES / "nissan-qashqai-j10.toml").read_text(encoding="utf-8").split("[[ecu]]")
    (ecm,) = [b for b in blocks if 'name = "ECM"' in b]
    path = tmp_path / "j10-ecm-only.toml"
    path.write_text("[[ecu]]".join([head, ecm]), encoding="utf-8")
    return path


def test_a_j10_whose_only_answering_unit_is_the_ecm_is_reported_as_a_j10_throughout(
    tmp_path: Path, wire_audit: WireAudit
) -> None:
    report, _ = run(f"sim://{_only_the_ecm(tmp_path)}")
    (skipped,) = [p for p in report.problems if p.code == "units-not-probed"]
    assert "Qashqai (J10)" in skipped.message  # the pruning's family ...
    assert report.vehicle.family == "Qashqai (J10)"  # ... is the report's
    assert report.vehicle.family_basis is not None and "CALID 23710BB31A" in report.vehicle.family_basis
    head = report.head_unit
    assert head is not None and head.status == "not-reachable", head  # the family's AV COMM bus
    assert "--full" not in head.reason and "not found" not in head.reason.lower()
    (vin,) = [p for p in report.problems if p.code == "vin-not-stored"]  # one ECM, one problem
    assert vin.response_id == "7E8" and "InfoType 02" in vin.message and "21 81" in vin.message
    assert "712" not in requests_by_header(wire_audit.lines())  # the J10 record's candidates only


def test_the_state_holds_the_facts_and_the_report_reads_them() -> None:
    state = ScanState(ScanOptions(), "x")
    assert state.facts.family is None and state.facts.vin is None
    state.ecu("7E8").calibration_ids.extend(["23710BB31A", "23701BB36A"])
    facts = assess.derive(state)
    assert facts.family is not None and facts.family[0].code == "J10"
    assert facts.make_basis == "CALID 23710BB31A (Nissan ECM part number)"
    other = knowledge().by_calid("23701BB36A")
    assert other is not None and other[0] is facts.family[0]


def test_a_scan_cut_short_still_derives_the_family_from_what_the_last_unit_gave(
    tmp_path: Path, wire_audit: WireAudit
) -> None:
    """No CALID (the ECM offers only InfoType 02; --make nissan): the family comes from the BCM's part-number
    suffix, read just before the link drops in the middle of the BCM's reads; the report still says Qashqai
    (J10), from that suffix."""
    text = (PROFILES / "nissan-qashqai-j10.toml").read_text(encoding="utf-8")
    text = text.replace('"0900" = "49 00 54 00 00 00"', '"0900" = "49 00 40 00 00 00"')
    path = tmp_path / "j10-no-calid.toml"
    path.write_text(text, encoding="utf-8")
    run(f"sim://{path}", make="nissan")
    lines = wire_audit.lines()
    at = lines.index("ATSH745")
    vin = next(i for i in range(at, len(lines)) if lines[i].startswith("2181"))  # after the BCM's 21 83
    report, _ = run(f"sim://{path}?fault=drop@{vin + 1}", make="nissan")
    assert not report.complete
    assert report.vehicle.family == "Qashqai (J10)", report.problems
    basis = report.vehicle.family_basis
    assert basis is not None and "765 part-number suffix BR02A" in basis
