"""Whole scans over sim:// profiles: exact identifiers, honest VIN handling, and every report validated
against the JSON Schema."""

from __future__ import annotations

import jsonschema
import pytest

import obdident
from obdident.model import Report, load_schema

SCHEMA = load_schema()


def validated(report: Report) -> dict[str, object]:
    data = report.to_dict()
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    return data


def test_the_schema_itself_is_valid_draft_2020_12() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_demo_profile_reads_vin_and_both_ecus() -> None:
    report = obdident.scan("sim://nissan-xtrail-t32")
    validated(report)
    assert report.complete and report.problems == ()
    assert report.vehicle.vin == "SJNFBAT32U1000001"
    assert report.vehicle.manufacturer == "Nissan" and report.vehicle.country == "United Kingdom"
    assert report.vehicle.model_year is None  # a European VIN carries no trusted model year
    ecus = {e.response_id: e for e in report.ecus}
    assert ecus["7E8"].identification.calibration_ids == ("237106FR9A",)
    assert ecus["7E9"].identification.calibration_ids == ("310F63VX0B",)
    assert ecus["7E9"].request_id == "7E1" and ecus["7E9"].name == "TCM"
    assert all(len(c) == 8 and c == c.upper() for e in report.ecus for c in e.identification.cvns)


def test_vin_beginning_with_1_and_ending_with_0_is_exact_and_judged() -> None:
    report = obdident.scan("sim://test-us-vin-1-0")
    validated(report)
    vin = report.vehicle.vin
    assert vin is not None and vin.startswith("1") and vin.endswith("0") and len(vin) == 17
    assert report.vehicle.vin_check_digit == "valid"
    assert report.vehicle.model_year is not None
    tcm = next(e for e in report.ecus if e.response_id == "7E9")
    assert len(tcm.identification.calibration_ids) == 2  # interleaved frames reassembled per ECU


def test_all_ff_vin_is_reported_as_not_stored_never_as_garbage() -> None:
    report = obdident.scan("sim://nissan-qashqai-j10")
    data = validated(report)
    assert report.complete
    assert data["vehicle"]["vin"] is None  # type: ignore[index]
    assert report.vehicle.vin_check_digit == "unknown"
    not_stored = [p.message for p in report.problems if p.code == "vin-not-stored"]
    assert any("0xFF" in m and "service 09" in m for m in not_stored)
    assert any("windscreen" in p.message for p in report.problems if p.code == "vin-not-available")
    ecm = next(e for e in report.ecus if e.response_id == "7E8")
    # Qashqai J10 capture (balrog-kun/nissan-qashqai-can-info): two CALIDs and one CVN
    assert ecm.identification.calibration_ids == ("23710BB31A", "23701BB36A")
    assert ecm.identification.cvns == ("44D862A7",)
    assert ecm.identification.supported_infotypes == ("02", "04", "06")
    assert "0906" in [e.request[:4] for e in ecm.evidence]
    vin_evidence = next(e for e in ecm.evidence if e.request.startswith("0902"))
    assert "FF FF" in " ".join(vin_evidence.response) or "FFFF" in "".join(vin_evidence.response)


def test_k_line_vehicle_through_the_automatic_search() -> None:
    report = obdident.scan("sim://test-kline-iso9141")
    validated(report)
    assert report.adapter.protocol_number == "3"
    assert report.vehicle.vin == "SJNBAAN16U1234562"
    (ecm,) = report.ecus
    assert ecm.response_id == "10" and ecm.request_id is None and ecm.name == "ECM"


def test_ignition_off_is_an_incomplete_report_with_a_clear_problem() -> None:
    report = obdident.scan("sim://nissan-xtrail-t32?ignition=off")
    validated(report)
    assert not report.complete and report.ecus == ()
    assert report.problems[0].code == "no-vehicle-response"
    assert "ignition" in report.problems[0].message


def test_every_value_carries_its_request_and_raw_lines() -> None:
    report = obdident.scan("sim://test-us-vin-1-0")
    for ecu in report.ecus:
        requests = {e.request[:4] for e in ecu.evidence}
        if ecu.identification.calibration_ids:
            assert "0904" in requests
        if ecu.identification.cvns:
            assert "0906" in requests
        for evidence in ecu.evidence:
            assert evidence.response
            assert all(line.upper().startswith(ecu.response_id) for line in evidence.response)


@pytest.mark.parametrize(
    ("url", "error"),
    [("sim://no-such-vehicle", "PortUrlError"), ("/dev/obdident-no-such-port", "PortNotFoundError")],
)
def test_missing_port_raises_port_not_found(url: str, error: str) -> None:
    from obdident import errors

    # an unknown profile name is a mistake in the URL (the CLI exits 2); an absent device is not (exit 3)
    with pytest.raises(getattr(errors, error)):
        obdident.scan(url)


def test_the_schema_admits_a_redacted_vin_and_nothing_looser() -> None:
    data = obdident.scan("sim://nissan-xtrail-t32").to_dict()
    data["vehicle"]["vin"] = "SJNFBAT32U1******"
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
    for bad in ("SJNFBAT32U1**0001", "SJNFBAT32U1*****", "SJNFBAT32UI000001"):
        data["vehicle"]["vin"] = bad
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)
