"""Head-unit candidates probed read-only (issue 12, section 1): the alliance addresses 747/767, 712/732
and the MIU 714/734 on 11-bit ids, the 29-bit normal-fixed guesses only behind the 18DAD0F1 gateway; KWP
``21 80`` / ``21 83`` then UDS ``22`` DIDs in the default session; silent units asked no more than they
must be."""

from __future__ import annotations

from pathlib import Path

import pytest

from obdident.errors import DecodeError
from obdident.model import Report
from obdident.scanning.physical import HEAD_UNIT_DIDS
from obdident.services import kwp
from obdident.vehicles import nissan
from tests.conftest import WireAudit
from tests.test_nissan_scan import by_response, run

# pyren mod_scan_ecus.py's own sample 61 80 answer (research/headunit.md section 2.1), data bytes only.
PYREN_SAMPLE = bytes.fromhex("34 36 33 32 52 45 34 42 45 30 30 33 37 52 00 83 9D 00 1A 90 01 01 00 88")
UDS_READS = [f"22{did:04X}" for did in HEAD_UNIT_DIDS]


def _bare(request: str) -> str:
    """A request without its one-digit response count."""
    return request[:-1] if len(request) % 2 else request


def requests_by_header(lines: list[str]) -> dict[str, list[str]]:
    """Each AT SH header -> the requests written under it, without the response-count digit."""
    by_header: dict[str, list[str]] = {}
    header = ""
    for line in lines:
        if line.startswith("ATSH"):
            header = line[4:]
            continue
        if line.startswith("AT") or not header:
            continue
        by_header.setdefault(header, []).append(_bare(line))
    return by_header


def test_alliance_80_layout_decodes_pyrens_sample_and_keeps_the_raw_bytes() -> None:
    fields = kwp.decode_alliance_80(PYREN_SAMPLE)
    # pyren's comment: LowerPart "4632R", diag 0x45, supplier "4BE", HW "0037R", soft 0083, version 9D00,
    # calibration 1A90, lists 01/01/00, manufacturer 88
    assert fields["part_number_suffix"] == "4632R"
    assert fields["diag_id"] == "45"
    assert fields["supplier_code"] == "4BE"
    assert fields["hardware_id"] == "0037R"
    assert (fields["software_id"], fields["edition"], fields["calibration_id"]) == ("0083", "9D00", "1A90")
    assert fields["manufacturer_code"] == "88" and fields["manufacturer"] == "5DIGITS R2"
    assert fields["alliance_identification_raw"] == PYREN_SAMPLE.hex().upper()


def test_alliance_80_refuses_another_layout_and_masks_what_the_driver_masked() -> None:
    with pytest.raises(DecodeError):
        kwp.decode_alliance_80(b"BB36AF4BE0669R")  # the J10 ECM's 14-byte product number
    masked = kwp.decode_alliance_80(PYREN_SAMPLE, masked=(10, 11))
    assert masked["hardware_id"] == "30****3752"
    assert (
        "**" in masked["alliance_identification_raw"] and "3033" not in masked["alliance_identification_raw"]
    )


def test_candidates_carry_evidence_and_29_bit_guesses_need_the_gateway() -> None:
    units = {u.request_id: u for u in nissan.UNITS}
    assert (units["747"].response_id, units["747"].logical, units["747"].head_unit) == ("767", "58", True)
    assert (units["712"].response_id, units["712"].logical, units["712"].head_unit) == ("732", "13", True)
    assert units["714"].response_id == "734" and units["714"].media_gateway and not units["714"].head_unit
    for rid, answer in (("18DA58F1", "18DAF158"), ("18DA13F1", "18DAF113")):
        unit = units[rid]
        assert unit.response_id == answer and unit.status == "guess" and unit.needs_gateway
    for unit in nissan.UNITS:
        assert unit.source and unit.status in ("confirmed", "likely", "guess")
        assert unit.needs_gateway == (unit.bits == 29 and unit.head_unit)


def _head(report: Report) -> tuple[str, str | None, str]:
    head = report.head_unit
    assert head is not None
    return head.status, head.response_id, head.reason


def test_navigation_unit_answering_uds_on_747(wire_audit: WireAudit) -> None:
    report, _ = run("sim://nissan-qashqai-j11-navi")
    status, rid, _ = _head(report)
    assert (status, rid) == ("identified", "767")
    unit = by_response(report)["767"]
    fields = unit.identification.fields  # type: ignore[attr-defined]
    assert fields["spare_part_number"] == "259155FA1A"
    assert fields["ecu_serial_number"] == "BP000000000001"
    assert fields["system_supplier"] == "BOSCH"  # space padding stripped
    assert fields["ecu_hardware_number"] == "031"  # FF padding stripped
    assert unit.dialect == "uds" and unit.session is None  # type: ignore[attr-defined]
    # 7F 21 11 to 21 80: no KWP service 21, so 21 83 is not asked; then every DID once, in the default session
    # TesterPresent first (one frame back, before any flow-control line), then the reads
    assert requests_by_header(wire_audit.lines())["747"] == ["3E00", "2180", *UDS_READS]
    assert not any(line.startswith("10") for line in requests_by_header(wire_audit.lines())["747"])


def test_each_read_value_carries_its_raw_request_and_response() -> None:
    for url, rid, request, answer, key in (
        ("sim://nissan-qashqai-j11-navi", "767", "22F187", "62F187", "spare_part_number"),
        ("sim://nissan-juke-f15-audio", "732", "2180", "6180", "alliance_identification_raw"),
    ):
        report, _ = run(url)
        head = report.head_unit
        assert head is not None and head.response_id == rid
        unit = by_response(report)[rid]
        evidence = {_bare(e.request): e for e in unit.evidence}  # type: ignore[attr-defined]
        assert key in evidence[request].fields
        assert answer in "".join(evidence[request].response)
        named = {k for e in unit.evidence for k in e.fields}  # type: ignore[attr-defined]
        assert set(unit.identification.fields) <= named  # type: ignore[attr-defined]


def test_audio_unit_answering_kwp_21_80_and_21_83_on_712(wire_audit: WireAudit) -> None:
    report, _ = run("sim://nissan-juke-f15-audio")
    status, rid, reason = _head(report)
    assert (status, rid) == ("identified", "732") and "audio unit" in reason
    unit = by_response(report)["732"]
    fields = unit.identification.fields  # type: ignore[attr-defined]
    assert fields["part_number_suffix"] == "1KA0A"
    assert (fields["supplier_code"], fields["hardware_id"], fields["software_id"]) == ("A01", "BA13A", "0123")
    assert fields["manufacturer"] == "Nissan N1"
    assert fields["alliance_identification_raw"].startswith("314B413041")
    assert not any(p.code == "identification-mismatch" for p in report.problems)
    # 7F 22 11 to the first DID: no UDS, nothing more asked
    assert requests_by_header(wire_audit.lines())["712"] == ["3E00", "2180", "2183", "22F187"]
    assert requests_by_header(wire_audit.lines())["714"] == ["3E00"]  # the silent MIU: one request


def test_navigation_unit_behind_the_29_bit_gateway(wire_audit: WireAudit) -> None:
    report, _ = run("sim://nissan-altima-2019-navi-29bit")
    status, rid, reason = _head(report)
    assert (status, rid) == ("identified", "18DAF158") and "guessed" in reason
    fields = by_response(report)["18DAF158"].identification.fields  # type: ignore[attr-defined]
    assert fields["spare_part_number"] == "259156CA0A" and fields["ecu_serial_number"] == "SN0000000042"
    # TesterPresent (the same request in UDS and KWP2000) shows it there; 21 80 and the DIDs follow
    assert requests_by_header(wire_audit.lines())["18DA58F1"] == ["3E00", "2180", *UDS_READS]


def test_silent_29_bit_guesses_on_a_gateway_vehicle_cost_one_request_each(wire_audit: WireAudit) -> None:
    report, _ = run("sim://nissan-altima-2019-uds")
    status, _, reason = _head(report)
    assert status == "not-found" and "18DA58F1" in reason and "18DA13F1" in reason
    by_header = requests_by_header(wire_audit.lines())
    # silence to TesterPresent, which a UDS unit answers as a KWP2000 one does: absent, nothing more asked
    assert by_header["18DA58F1"] == ["3E00"] and by_header["18DA13F1"] == ["3E00"]
    assert not any(p.code == "stopped-answering" for p in report.problems)


@pytest.mark.parametrize("profile", ["nissan-qashqai-j10", "nissan-xtrail-t32"])
def test_without_the_gateway_no_29_bit_guess_and_silent_units_get_one_request(
    wire_audit: WireAudit, profile: str
) -> None:
    report, _ = run(f"sim://{profile}")
    by_header = requests_by_header(wire_audit.lines())
    assert "18DA58F1" not in by_header and "18DA13F1" not in by_header
    # the J10's AV COMM bus has no media gateway by the public record: its MIU is not probed (the report says)
    # and its audio unit talks only on that bus: its record names the NAVI address 747 alone
    j10 = profile == "nissan-qashqai-j10"
    candidates = ("747",) if j10 else ("747", "712")
    gateways = () if j10 else ("714",)
    for header in (*candidates, *gateways):
        assert by_header[header] == ["3E00"], header
    if j10:
        assert "714" not in by_header and "712" not in by_header
        (skipped,) = [p for p in report.problems if p.code == "units-not-probed"]
        assert "MIU (714)" in skipped.message and "AUDIO (712)" in skipped.message
    head = report.head_unit
    assert head is not None and head.status in ("not-reachable", "not-found")
    assert head.probed == candidates


PROFILES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
JUKE = (PROFILES / "nissan-juke-f15-audio.toml").read_text(encoding="utf-8")


def test_21_80_and_21_83_disagreeing_on_the_part_number_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "juke.toml"
    path.write_text(JUKE.replace('"2183" = "61 83 31 4B 41 30 41', '"2183" = "61 83 31 4B 41 30 42'), "utf-8")
    report, _ = run(f"sim://{path}")
    (problem,) = [p for p in report.problems if p.code == "identification-mismatch"]
    assert "1KA0A" in problem.message and "1KA0B" in problem.message and problem.response_id == "732"
    assert by_response(report)["732"].identification.fields["part_number_suffix"] == "1KA0A"  # type: ignore[attr-defined]


def test_a_head_unit_locked_outside_a_session_is_named_and_no_session_is_opened(
    tmp_path: Path, wire_audit: WireAudit
) -> None:
    locked = JUKE.replace(
        'unsupported_nrc = { "21" = "12", "*" = "11" }   # invented: 7F 21 12 for LIDs it lacks, 7F 22 11 '
        "(no UDS)",
        'unsupported_nrc = { "21" = "12", "*" = "11" }\nsessions = ["C0"]\nlocked_nrc = "80"',
    ).replace(
        "[ecu.responses]\n# 21 80, INVENTED",
        '[ecu.responses]\n"3E00" = "7E 00"\n\n[ecu.session_responses.C0]\n# 21 80, INVENTED',
    )
    assert locked != JUKE
    path = tmp_path / "locked.toml"
    path.write_text(locked, "utf-8")
    report, _ = run(f"sim://{path}", make="nissan")
    assert any(p.code == "needs-session" and p.response_id == "732" for p in report.problems)
    assert not any(r.startswith("10") for r in requests_by_header(wire_audit.lines())["712"])
    head = report.head_unit
    assert head is not None and head.status != "identified"
