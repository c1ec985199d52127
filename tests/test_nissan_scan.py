"""Nissan physical-address identification end to end over sim:// profiles (issue: ECU and head-unit
identification over UDS and KWP2000, security fields masked)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from obdident.model import Report
from obdident.scanning import ScanOptions, scan_port
from obdident.transports import open_port
from tests.conftest import WireAudit
from tests.test_scan import validated

PROFILES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
MARKER = ("A5 5A", "A55A")  # the profiles' stand-in for the BCM's PIN bytes (61 83 bytes L-M)


def run(url: str, **options: object) -> tuple[Report, object]:
    link = open_port(url)
    try:
        report = scan_port(link, url, options=ScanOptions(**options))  # type: ignore[arg-type]
    finally:
        link.close()
    validated(report)
    return report, link


def by_response(report: Report) -> dict[str, object]:
    return {e.response_id: e for e in report.ecus}


def test_qashqai_j10_identifies_its_units_and_explains_the_head_unit(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="obdident")
    report, link = run("sim://nissan-qashqai-j10")
    assert report.complete
    suffixes = {e.response_id: e.identification.fields.get("part_number_suffix") for e in report.ecus}
    assert suffixes["765"] == "BR02A"  # BCM
    assert suffixes["76D"] == "JD02D"  # IPDM E/R
    assert suffixes["762"] == "BR01D"  # EPS
    assert suffixes["763"] == "BR50E"  # combination meter
    ecus = by_response(report)
    assert ecus["765"].session == "10 C0" and ecus["762"].session == "10 C0"  # type: ignore[attr-defined]
    assert ecus["7E8"].identification.fields["hardware_number"] == "BB31ANMUK"  # type: ignore[attr-defined]
    # no VIN anywhere: service 09 gives 17 x FF, 21 81 gives 19 x 00
    assert report.vehicle.vin is None
    assert {p.code for p in report.problems} >= {"vin-not-stored", "vin-not-available"}
    assert report.vehicle.family == "Qashqai (J10)"
    head = report.head_unit
    assert head is not None and head.status == "not-reachable"
    assert "AV COMM" in head.reason and head.guidance
    assert not any("code" in g.lower() and "unlock" in g.lower() for g in head.guidance)
    # the BCM's security field: masked in the decoded value, the evidence, the JSON and the logs
    assert ecus["765"].identification.fields["hardware_id"] == "0005******"  # type: ignore[attr-defined]
    text = report.to_json() + caplog.text
    assert not any(marker in text for marker in MARKER)
    bcm_lines = [line for e in ecus["765"].evidence for line in e.response]  # type: ignore[attr-defined]
    assert any("XX XX" in line or "XXXX" in line for line in bcm_lines)
    # every unit opened in Nissan's session was returned to its default session
    assert link.elm.session_of(0x745) == "default" and link.elm.session_of(0x742) == "default"  # type: ignore[attr-defined]


def test_every_value_names_its_request() -> None:
    report, _ = run("sim://nissan-qashqai-j10")
    for ecu in report.ecus:
        named = {key for e in ecu.evidence for key in e.fields}
        assert set(ecu.identification.fields) <= named, ecu.response_id


def test_leaf_vin_from_the_vcm_when_the_generic_search_fails() -> None:
    report, _ = run("sim://nissan-leaf-aze0")
    assert report.complete
    assert report.adapter.protocol_number == "6"
    assert report.vehicle.vin == "SJNFAAZE0U6012345"
    (source,) = report.vehicle.vin_sources
    assert (source.source, source.response_id) == ("KWP2000 21 81 (local identifier 81)", "79A")
    assert by_response(report)["79A"].identification.vin == "SJNFAAZE0U6012345"  # type: ignore[attr-defined]
    assert "no-generic-obd" in {p.code for p in report.problems}
    assert by_response(report)["783"].identification.fields["part_number_suffix"] == "3ND0D"  # type: ignore[attr-defined]
    assert report.head_unit is not None and report.head_unit.status == "not-reachable"


def test_uds_car_reads_identification_dids_and_refuses_the_placeholder_vin(wire_audit: WireAudit) -> None:
    report, _ = run("sim://nissan-altima-2019-uds")
    ecus = by_response(report)
    abs_fields = ecus["760"].identification.fields  # type: ignore[attr-defined]
    assert abs_fields == {
        "spare_part_number": "476609HF0B",
        "system_supplier": "B408",
        "ecu_serial_number": "8640100001608230602",
        "ecu_hardware_number": "0265956924",
        "supplier_software_number": "1267983913",
        "supplier_software_version": "23",
    }
    assert ecus["727"].identification.fields["ecu_software_number"] == "284N86CA1D"  # type: ignore[attr-defined]
    assert ecus["18DAF1D0"].identification.fields["boot_software_identification"] == "BL-R3.5-210903"  # type: ignore[attr-defined]
    assert ecus["18DAF1D0"].request_id == "18DAD0F1"  # type: ignore[attr-defined]
    # F190 from the camera is a placeholder: refused, listed, not a mismatch
    sources = {(s.response_id, s.value) for s in report.vehicle.vin_sources}
    assert ("727", None) in sources
    assert report.vehicle.vin is not None and "vin-mismatch" not in {p.code for p in report.problems}
    # the ABS first answered 7F 22 78 only: the request was repeated, bounded
    abs_requests = [e.request for e in ecus["760"].evidence]  # type: ignore[attr-defined]
    assert abs_requests.count("22F187") == 2
    assert "ATTP7" in wire_audit.lines() and "ATSH18DAD0F1" in wire_audit.lines()


def test_demo_opens_nissan_session_only_on_the_bcm_and_closes_it(wire_audit: WireAudit) -> None:
    report, link = run("sim://nissan-xtrail-t32")
    lines = wire_audit.lines()
    headers = [line for line in lines if line.startswith(("ATSH", "10C0"))]
    sessions = [headers[i - 1] for i, line in enumerate(headers) if line.startswith("10C0")]
    assert sessions == ["ATSH745"]
    assert link.elm.session_of(0x745) == "default"  # type: ignore[attr-defined]
    assert by_response(report)["765"].identification.fields["part_number_suffix"] == "4BB2A"  # type: ignore[attr-defined]


def _j10_without_nissan_signs(tmp_path: Path) -> str:
    text = (PROFILES / "nissan-qashqai-j10.toml").read_text()
    start = text.index('"0904" = ')
    end = text.index('"0906"')
    path = tmp_path / "j10-no-calid.toml"
    path.write_text(text[:start] + text[end:])
    return f"sim://{path}"


def test_no_nissan_session_without_evidence_of_a_nissan(tmp_path: Path, wire_audit: WireAudit) -> None:
    url = _j10_without_nissan_signs(tmp_path)
    report, _ = run(url)
    assert not any(line.startswith("10C0") for line in wire_audit.lines())
    assert report.vehicle.make_basis is None
    codes = [p for p in report.problems if p.code == "needs-nissan-session"]
    assert {p.response_id for p in codes} == {"765", "762"}
    assert "--make nissan" in codes[0].message
    wire_audit.clear()
    report, _ = run(url, make="nissan")
    assert any(line.startswith("10C0") for line in wire_audit.lines())
    assert report.vehicle.make_basis == "--make nissan (given by the user)"
    assert by_response(report)["765"].identification.fields["part_number_suffix"] == "BR02A"  # type: ignore[attr-defined]


def test_clone_without_cra_still_reads_every_unit() -> None:
    """AT CF 700 + AT CM 700 filter the whole physical probe: a chip without AT CRA is never asked it."""
    report, _ = run("sim://nissan-qashqai-j10?cra=0")
    assert not any(c.startswith("ATCRA") for c in report.adapter.unsupported_commands)
    suffixes = {e.identification.fields.get("part_number_suffix") for e in report.ecus}
    assert {"BR02A", "JD02D", "BR01D", "BR50E"} <= suffixes


def test_sweep_lists_a_unit_no_table_names(tmp_path: Path) -> None:
    text = (PROFILES / "nissan-qashqai-j10.toml").read_text()
    extra = """
[[ecu]]
name = "MYSTERY"
request_id = "7A1"
response_id = "7A9"
functional = false
[ecu.responses]
"3E00" = "7E 00"
"""
    path = tmp_path / "j10-plus.toml"
    path.write_text(text + extra)
    report, _ = run(f"sim://{path}", sweep=True)
    found = [(u.request_id, u.response_id, u.answer) for u in report.unknown_units]
    assert found == [("7A1", "7A9", "7E 00")]
    data = json.loads(report.to_json())
    assert data["unknown_units"][0]["evidence"]["request"] == "3E00"


def test_a_locked_unit_the_record_does_not_show_needing_the_session_gets_none(
    tmp_path: Path, wire_audit: WireAudit
) -> None:
    # The meter (743) made to answer 21 83 only in session 10 C0, like the BCM: no capture shows the real
    # meter needing Nissan's session, so the scan must not send it there (the guard would refuse it), and
    # the scan goes on to the end.
    text = (PROFILES / "nissan-qashqai-j10.toml").read_text()
    meter = text.index('request_id = "743"')
    head, rest = text[:meter], text[meter:]
    answer = '"2183" = "61 83 42 52 35 30 45 14 46 02 18 01 06 06 08 06 00 01 00 16 00 01 FF FF FF 80"\n'
    assert answer in rest
    rest = rest.replace(answer, "", 1).replace(
        'sessions = ["C0"]         # synthesised: accepts 10 C0 (not captured)',
        'sessions = ["C0"]\nlocked_nrc = "80"',
        1,
    )
    end = rest.index('"3E00" = "7E 00"') + len('"3E00" = "7E 00"          # synthesised\n')
    locked = head + rest[:end] + "\n[ecu.session_responses.C0]\n" + answer + rest[end:]
    assert locked != text
    path = tmp_path / "j10-locked-meter.toml"
    path.write_text(locked)
    report, _ = run(f"sim://{path}")
    header, session_headers = None, set()
    for line in wire_audit.lines():
        if line.startswith("ATSH"):
            header = line[4:]
        elif line.startswith("10C0"):
            session_headers.add(header)
    assert session_headers == {"745", "742"}  # the BCM and EPS only, never the meter 743
    (problem,) = [p for p in report.problems if p.code == "needs-nissan-session"]
    assert problem.response_id == "763" and "no public capture" in problem.message
    assert report.complete
