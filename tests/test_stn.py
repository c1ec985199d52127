"""STN adapters (OBDLink MX, MX+, EX): the second CAN on OBD-II pins 3/11 through the guard, in the
simulator, and in a scan (issue 12, section 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import serial

from obdident import guard
from obdident.errors import GuardRefusal
from obdident.model import Report
from obdident.scanning import scan_port
from obdident.sim.elm import SimulatedELM327
from obdident.sim.profile import find_profile, load_profile
from obdident.transports.protocol_sim import parse_sim_url


def _reset_guard() -> guard.Guard:
    g = guard.Guard()
    g.check("ATZ")
    g.check("ATCAF1")  # the CAF default a reset restores is what PP 24 stores: set explicitly
    return g


# --- the guard's STN rows ---------------------------------------------------------------------------------


#: STN lines the guard admits: the current preset and its bit rate (OBDLink FRPM rev F: neither is saved).
STN_ADMITTED = ["STP53", "STP 54", "stp 33", "STP34", "STP35", "STP36", "STPBR500000", "STPBR 250000",
                "STPBR125000", "STI", "STDI"]  # fmt: skip
#: STN lines it refuses, with why: every NVM writer the FRPM names, and what obdident does not need.
STN_REFUSED = {
    "STSBR115200": "UART baud rate (STWBR saves it)",
    "STWBR": "writes the UART baud rate to NVM",
    "STSATI HELLO": "writes the ATI string to NVM",
    "STRSTNVM": "erases NVM",
    "STSLCS": "PowerSave settings live in NVM",
    "STBTDN X": "Bluetooth settings live in NVM",
    "STP11": "J1850: no CAN head unit there",
    "STP61": "single-wire CAN: not listed",
    "STP51": "ISO 11898 raw CAN (no ISO-TP): not listed",
    "STP": "no preset",
    "STP530": "not a preset",
    "STPBR1000000": "not a listed bit rate",
    "STPBR 0": "not a bit rate",
    "STPBRR5": "not a command",
    "STPX h:747 d:2180": "sends an arbitrary message",
    "STPPMA 7DF": "periodic messages",
    "STCFCPA 747, 767": "not needed (AT FC SH/SD/SM are used)",
    "STP 53\r": "two commands",
}


def test_the_guard_admits_exactly_the_volatile_stn_preset_commands() -> None:
    verdicts = {line: guard.is_allowed(line) for line in [*STN_ADMITTED, *STN_REFUSED]}
    assert verdicts == {**dict.fromkeys(STN_ADMITTED, True), **dict.fromkeys(STN_REFUSED, False)}
    for line in STN_REFUSED:
        with pytest.raises(GuardRefusal):
            _reset_guard().check(line)


def test_every_stn_row_cites_the_frpm_and_says_it_stores_nothing() -> None:
    rows = [r for r in guard.ALLOWLIST if r.name.startswith(("STP", "STI"))]
    assert len(rows) == 3
    for row in rows:
        assert "OBDLink Family Reference and Programming Manual" in row.source
    for row in rows[1:]:
        assert "stores nothing" in row.reason


@pytest.mark.parametrize(
    ("preset", "family"),
    [("53", guard.CAN11), ("33", guard.CAN11), ("35", guard.CAN11), ("54", guard.CAN29), ("34", guard.CAN29)],
)
def test_stp_pins_the_id_width_like_at_tp(preset: str, family: str) -> None:
    g = _reset_guard()
    g.check(f"STP{preset}")
    assert g.context.families == frozenset({family})


def test_a_header_of_the_other_width_is_refused_after_stp() -> None:
    g = _reset_guard()
    g.check("STP53")
    g.check("ATSH18DA58F1")
    with pytest.raises(GuardRefusal, match="29-bit id"):
        g.check("2180")
    g.check("STP54")
    g.check("2180")  # 29-bit Tx now
    g.check("ATSH747")
    with pytest.raises(GuardRefusal, match="11-bit id"):
        g.check("2180")


def test_stp_answered_question_mark_leaves_the_family_as_it_was() -> None:
    g = _reset_guard()
    g.check("ATTP6")
    g.check("STP54")
    g.settle("refused")  # an OBDLink SX / LX has no MS-CAN: '?' (FRPM, STP)
    assert g.context.families == frozenset({guard.CAN11})


# --- the simulated STN chip -------------------------------------------------------------------------------


def _chip(profile: str, **kwargs: str) -> SimulatedELM327:
    return SimulatedELM327(load_profile(find_profile(profile)), echo=False, **kwargs)  # type: ignore[arg-type]


def _say(elm: SimulatedELM327, line: str) -> list[str]:
    return [x for x in elm.feed(line.encode() + b"\r").decode().replace(">", "").split("\r") if x]


def test_a_plain_elm327_answers_question_mark_to_every_st_command() -> None:
    elm = _chip("nissan-leaf-aze0-stn", chip="elm327")
    assert _say(elm, "STI") == ["?"]
    assert _say(elm, "STP53") == ["?"]


def test_the_simulated_obdlink_reaches_the_av_unit_only_on_ms_can_at_500k_and_forgets_it_on_reset() -> None:
    elm = _chip("nissan-leaf-aze0-stn")
    assert _say(elm, "STI") == ["STN2255 v5.10.3"]
    for line in ("ATH1", "ATS0", "ATSH747", "ATCRA767"):
        _say(elm, line)
    assert _say(elm, "ATTP6") == ["OK"]
    assert _say(elm, "2183") == ["NO DATA"]  # pins 6/14: the AV unit is not there
    assert _say(elm, "STP53") == ["OK"]
    assert _say(elm, "2183") == ["CAN ERROR"]  # 125 kbit/s by default: nothing acknowledges
    assert _say(elm, "STPBR500000") == ["OK"]
    assert _say(elm, "2183")[0].startswith("767")
    _say(elm, "ATD")  # STP is not saved (FRPM): back on pins 6/14
    for line in ("ATH1", "ATS0", "ATSH747", "ATCRA767", "ATTP6"):
        _say(elm, line)
    assert _say(elm, "2183") == ["NO DATA"]


def test_an_obdlink_without_ms_can_refuses_stp_53() -> None:
    elm = _chip("nissan-leaf-aze0-stn", chip="stn1155")
    assert _say(elm, "STI") == ["STN1155 v5.6.19"]
    assert _say(elm, "STP53") == ["?"]


def test_the_url_takes_chip_and_switch() -> None:
    parsed = parse_sim_url("sim://nissan-leaf-aze0?chip=stn2230&switch=ms")
    assert (parsed.chip, parsed.switch) == ("stn2230", "ms-can")
    for bad in ("sim://x?chip=stn9999", "sim://x?switch=lo"):
        with pytest.raises(ValueError, match=r"chip|switch"):
            parse_sim_url(bad)


# --- scans ------------------------------------------------------------------------------------------------


def _scan(url: str) -> tuple[Report, list[str]]:
    lines: list[str] = []
    port = serial.serial_for_url(url, timeout=0)
    try:
        report = scan_port(port, url, on_exchange=lambda e: lines.append(e.request))
    finally:
        port.close()
    return report, lines


def _replayed_through_a_fresh_guard(lines: list[str]) -> None:
    g = guard.Guard()
    for line in lines:
        g.check(line)


def test_an_obdlink_reads_the_leaf_head_unit_on_the_second_can_and_returns_to_the_main_one() -> None:
    report, lines = _scan("sim://nissan-leaf-aze0-stn")
    _replayed_through_a_fresh_guard(lines)
    head = report.head_unit
    assert head is not None and head.status == "identified" and head.response_id == "767"
    assert "MS-CAN on OBD-II pins 3/11, through STN2255 v5.10.3 STP 53 at 500 kbit/s" in head.reason
    av = next(e for e in report.ecus if e.response_id == "767")
    assert av.identification.fields["part_number_suffix"] == "3NA1A"
    assert av.bus is not None and "pins 3/11" in av.bus
    assert all(e.bus is None for e in report.ecus if e.response_id != "767")
    start, back = lines.index("STP53"), lines.index("STP33")
    assert lines[start - 1] == "STI" and lines[start + 1] == "STPBR500000"
    # the Leaf record's one candidate on the AV-CAN: 747 (dalathegreat's Multi AV address), not 712
    assert "ATSH747" in lines[start:back] and "ATSH712" not in lines[start:back]
    assert lines[back:] == ["STP33"]  # back on pins 6/14; the unit answered last: no closing check
    assert report.complete
    assert not [p for p in report.problems if p.code in ("head-unit-other-pins", "second-can-silent")]


def test_a_plain_elm327_on_a_leaf_is_told_about_the_pins_and_the_switch_without_an_error() -> None:
    report, lines = _scan("sim://nissan-leaf-aze0-stn?chip=elm327")
    assert "STI" in lines and not [x for x in lines if x.startswith("STP")]
    assert report.complete
    advice = [p.message for p in report.problems if p.code == "head-unit-other-pins"]
    assert len(advice) == 1 and "HS/MS-CAN switch" in advice[0] and "pins 3/11" in advice[0]
    assert report.head_unit is not None and report.head_unit.status == "not-reachable"
    assert "767" not in {e.response_id for e in report.ecus}


def test_an_obdlink_without_ms_can_says_so_and_carries_on() -> None:
    report, lines = _scan("sim://nissan-leaf-aze0-stn?chip=stn1155")
    _replayed_through_a_fresh_guard(lines)
    assert "STP53" in lines and "STPBR500000" not in lines
    assert report.complete
    assert any("no MS-CAN transceiver" in p.message for p in report.problems)


def test_a_silent_second_can_is_a_problem_not_a_failed_scan() -> None:
    report, lines = _scan("sim://nissan-leaf-aze0?chip=stn2255")  # no unit on pins 3/11 in this profile
    _replayed_through_a_fresh_guard(lines)
    assert "STP53" in lines and lines.index("STP33") > lines.index("STP53")
    assert report.complete
    assert [p.code for p in report.problems if p.code == "second-can-silent"] == ["second-can-silent"]
    assert report.head_unit is not None and report.head_unit.status == "not-found"
    assert "nor on MS-CAN on OBD-II pins 3/11" in report.head_unit.reason


def test_head_unit_candidates_that_stay_silent_on_the_second_can(tmp_path: Path) -> None:
    text = find_profile("nissan-leaf-aze0-stn").read_text()
    moved = tmp_path / "silent.toml"
    moved.write_text(text.replace('request_id = "747"', 'request_id = "74F"').replace('"767"', '"76F"'))
    report, lines = _scan(f"sim://{moved}")
    assert "ATSH747" in lines[lines.index("STP53") :]
    assert report.complete
    assert report.head_unit is not None and report.head_unit.status == "not-found"
    assert "second-can-silent" not in {p.code for p in report.problems}


def test_a_clone_with_its_switch_on_ms_can_reaches_the_head_unit_with_the_ordinary_scan() -> None:
    report, lines = _scan("sim://nissan-leaf-aze0-stn?chip=elm327&switch=ms")
    assert not [x for x in lines if x.startswith("ST") and x != "STI"]
    head = report.head_unit
    assert head is not None and head.status == "identified" and head.response_id == "767"
    assert {e.response_id for e in report.ecus} == {"767"}


def test_no_st_line_on_a_vehicle_without_a_second_can() -> None:
    _, lines = _scan("sim://nissan-xtrail-t32?chip=stn2255")
    assert not [x for x in lines if x.startswith("ST")]
