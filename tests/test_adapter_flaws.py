"""Cheap adapters as they are (issue 20 point 5): a clone's flaw is named once as the cause, in the owner's
words, with what a better adapter would do; what was read is kept; no unit is blamed.

The flaws are the simulator's quirks (hw-fixtures/quirks.md); tests/test_fault_matrix.py runs each against
every built-in profile. These tests pin the two cases the issue measured on the old code: a clone without
flow control gave four garbled-answer problems and a head unit "not found"; a truncating clone gave nine
negative-response problems and "not found" for a head unit that answered on 767.
"""

from __future__ import annotations

import itertools

import pytest

import obdident
from obdident.errors import AdapterError
from obdident.model import Report
from obdident.scanning import scan_port
from obdident.transports import open_port

NAVI = "nissan-qashqai-j11-navi"  # its head unit answers on 767, with UDS DIDs after 21 80
UNIT_BLAME = ("garbled-answer", "negative-response", "stopped-answering")


def codes(report: Report) -> list[str]:
    return [p.code for p in report.problems]


def adapter_problem(report: Report, code: str) -> str:
    found = [p.message for p in report.problems if p.code == code]
    assert len(found) == 1, codes(report)
    return found[0]


@pytest.mark.parametrize("quirk", ["no-fc", "fake-v21"])
def test_a_clone_without_flow_control_is_named_once_and_no_answer_is_called_garbled(quirk: str) -> None:
    report = obdident.scan(f"sim://{NAVI}?quirk={quirk}")
    message = adapter_problem(report, "adapter-lacks-command")
    assert message.startswith("Your adapter") and "ATFCSH" in message and "better adapter" in message
    assert not set(UNIT_BLAME) & set(codes(report))
    assert not report.complete
    # what the engine ECU (automatic flow control) gave is kept
    ecm = {e.response_id: e for e in report.ecus}["7E8"]
    assert ecm.identification.fields["part_number_suffix"] == "4EA1A"
    # the head unit answered on 767: the adapter kept it from being read, it was not "not found"
    assert report.head_unit is not None
    assert report.head_unit.status == "adapter-limited"
    assert "767" in report.head_unit.reason


def test_a_clone_that_sends_two_bytes_of_longer_requests_is_named_once() -> None:
    clean = obdident.scan(f"sim://{NAVI}")
    report = obdident.scan(f"sim://{NAVI}?quirk=two-byte-requests")
    message = adapter_problem(report, "adapter-truncates-requests")
    assert "first 2 bytes" in message and "7F 22 13" in message
    assert "negative-response" not in codes(report)
    assert report.head_unit is not None and report.head_unit.status == "adapter-limited"
    assert "767" in report.head_unit.reason
    # what 2-byte requests read is kept (the ECM's 21 83, service 09)
    kept = {e.response_id: e.identification.fields for e in report.ecus}
    assert kept["7E8"] == {e.response_id: e.identification.fields for e in clean.ecus}["7E8"]


@pytest.mark.parametrize(
    ("quirk", "code"),
    [
        ("first-frame-only", "adapter-drops-frames"),
        ("small-buffer", "adapter-drops-frames"),
        ("stops", "adapter-drops-frames"),
        ("freeze-multiframe", "adapter-stopped-answering"),
    ],
)
def test_an_adapter_that_loses_long_answers_is_named_and_no_unit_is_blamed(quirk: str, code: str) -> None:
    report = obdident.scan(f"sim://{NAVI}?quirk={quirk}")
    assert adapter_problem(report, code).startswith("Your adapter")
    assert not set(UNIT_BLAME) & set(codes(report))
    assert report.head_unit is not None and report.head_unit.status == "adapter-limited"


def test_an_adapter_answering_one_command_late_is_named_before_anything_is_read() -> None:
    with pytest.raises(AdapterError) as caught:
        obdident.scan(f"sim://{NAVI}?quirk=late-answer")
    assert caught.value.code == "adapter-answers-late"
    assert "one command late" in str(caught.value)


@pytest.mark.parametrize("profile", ["nissan-altima-2019-uds", "test-kline-iso9141"])
@pytest.mark.parametrize("quirk", ["no-tp-a", "not-connected", "tp-a0-lockup", "junk-banner"])
def test_clone_quirks_that_cost_nothing_read_the_same(profile: str, quirk: str) -> None:
    clean = obdident.scan(f"sim://{profile}")
    report = obdident.scan(f"sim://{profile}?quirk={quirk}")
    assert report.complete == clean.complete
    assert [e.identification for e in report.ecus] == [e.identification for e in clean.ecus]


def test_junk_before_the_banner_after_at_z_is_read_past() -> None:
    # AT D's answer floods past the cap, so the driver resets with AT Z (once the flood's prompt came: the
    # wire writes nothing to a busy adapter), whose banner comes after junk bytes and a ?
    ticks = itertools.count()
    url = "sim://nissan-xtrail-t32?quirk=junk-banner&fault=flood@1"
    link = open_port(url)
    try:
        report = scan_port(link, url, clock=lambda: next(ticks) / 1000)
    finally:
        link.close()
    assert report.complete and report.vehicle.vin == "SJNFBAT32U1000001"
