"""The head unit where the owner looks (issue 12, sections 2 and 4): the owner's words on the terminal and
the page, the family advice table with its sources, the K-line and J10 wording, the "For the dealer" summary,
the report every scan keeps, and help that shows flags as flags."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from obdident import cli
from obdident.journey import keeper
from obdident.model import SCHEMA_VERSION, Ecu, Evidence, Identification, Report
from obdident.report.html import render_html
from obdident.report.load import load_report
from obdident.report.outputs import default_report_path
from obdident.report.request import request_text
from obdident.scanning import assess
from obdident.scanning.state import UnitResult
from obdident.vehicles import nissan
from obdident.vehicles.families import knowledge
from tests.htmlparse import parse as parse_html
from tests.outputs.common import _terminal, _validate, invoke

FAMILIES = knowledge().families
AV = next(u for u in nissan.UNITS if u.request_id == "747")
ALL_FIELDS = {
    "spare_part_number": "259155FA1A",
    "ecu_serial_number": "BP123456789012",
    "ecu_software_number": "SW0123",
    "ecu_hardware_number": "HW0456",
}
_REPO = re.compile(r"\b[\w-]+/[\w-]+\b")  # a repository name (owner/name)


def _result(fields: dict[str, str], unit: nissan.Unit = AV) -> UnitResult:
    result = UnitResult(unit)
    result.fields.update(fields)
    return result


def _identified(demo: Report, fields: dict[str, str], known: str | None = "J11") -> Report:
    """The demo's report with a head unit that answered on 767 with ``fields`` (built from model objects)."""
    head = assess.head_unit(
        [AV], [_result(fields)], FAMILIES[known] if known else None, nissan_table=True, is_nissan=True
    )
    ecu = Ecu("747", "767", "AV", Identification(fields=dict(fields)), (Evidence("22F187", ("62F187",)),))
    return replace(demo, ecus=(*demo.ecus, ecu), head_unit=head)


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub("[\u2500-\u257f]", " ", text))  # box-drawing characters out


# --- assess.head_unit: confidence, advice, wording -------------------------------------------------------


def test_a_nissan_on_k_line_is_told_the_can_candidates_cannot_be_probed_not_that_it_is_no_nissan() -> None:
    head = assess.head_unit([], [], None, nissan_table=False, is_nissan=True, can=False)
    assert "K-line" in head.reason and "only for Nissan" not in head.reason
    assert head.advice == nissan.GENERAL_ADVICE
    other = assess.head_unit([], [], None, nissan_table=False, is_nissan=False, can=True)
    assert "only for Nissan" in other.reason and other.advice == ()


def test_guidance_is_given_only_for_what_was_not_read() -> None:
    everything = assess.head_unit([AV], [_result(ALL_FIELDS)], FAMILIES["J11"], nissan_table=True)
    assert everything.status == "identified" and everything.guidance == () and everything.advice == ()
    no_serial = {k: v for k, v in ALL_FIELDS.items() if k != "ecu_serial_number"}
    some = assess.head_unit([AV], [_result(no_serial)], FAMILIES["J11"], nissan_table=True)
    assert some.advice and {a.shows for a in some.advice} == {"serial"}
    assert some.guidance == tuple(a.text for a in some.advice)


GUESS = next(u for u in nissan.UNITS if u.head_unit and u.status == "guess")  # a 29-bit address guessed


@pytest.mark.parametrize(
    ("unit", "fields", "confidence"),
    [
        (AV, {"spare_part_number": "259155FA1A"}, "confirmed"),  # a Nissan navigation part number
        (AV, {"spare_part_number": "ABCDE12345"}, "likely"),  # 747: alliance address tables
        (GUESS, {"spare_part_number": "ABCDE12345"}, "guess"),
        (GUESS, {"spare_part_number": "281855FA1A"}, "confirmed"),
    ],
)
def test_how_sure_the_identification_is(unit: nissan.Unit, fields: dict[str, str], confidence: str) -> None:
    head = assess.head_unit([unit], [_result(fields, unit)], None, nissan_table=True)
    assert head.confidence == confidence
    assert assess.head_unit([unit], [], None, nissan_table=True).confidence is None


def test_each_family_row_has_a_source_and_says_what_it_shows_and_no_sentence_names_a_repository() -> None:
    rows = list(nissan.ADVICE.values())
    assert {a.shows for a in rows} == {"serial", "versions", "nothing"}
    repositories = {r for a in rows for r in _REPO.findall(a.source)}
    repositories |= {r for f in FAMILIES.values() for r in _REPO.findall(f.source)}
    assert "ea/bosch_headunit_root" in repositories and "balrog-kun/nissan-qashqai-can-info" in repositories
    for row in rows:
        assert row.source and row.confidence in ("confirmed", "likely", "guess", "seed")
    for family in FAMILIES.values():
        head = assess.head_unit([AV], [], family, nissan_table=True)
        said = " ".join((head.reason, *head.guidance))
        assert not [r for r in repositories if r in said], family.code


def test_the_nats_audio_link_says_plainly_there_is_no_owner_code_and_the_dealer_pairs_it() -> None:
    for code in ("D40", "Y61", "T30"):
        text = " ".join(assess.head_unit([AV], [], FAMILIES[code], nissan_table=True).guidance)
        assert "NEW, WAIT or SECURE" in text and "no code for the owner" in text and "dealer pairs it" in text


def test_service_menus_point_only_to_version_information_and_warn_of_the_erasing_entries() -> None:
    sentra = nissan.ADVICE["sentra-b17"].text
    assert "Version Information only" in sentra and "Do not open" in sentra and "erase" in sentra
    assert nissan.ADVICE["nca"].confidence == "seed" and nissan.ADVICE["nca"].shows == "serial"
    j10 = {a.shows for a in FAMILIES["J10"].advice}
    assert j10 == {"nothing", "versions"}  # base audio: not reachable; NAVI: only while powered


# --- the terminal ------------------------------------------------------------------------------------------


def test_the_terminal_shows_what_was_read_in_the_owners_words(demo: Report) -> None:
    text = _plain(_terminal(_identified(demo, ALL_FIELDS)))
    assert "Part number 25915-5FA1A" in text and "Serial number BP123456789012" in text
    assert "Software version SW0123" in text and "Hardware version HW0456" in text
    assert "Answered on 767 (asked on 747)" in text and "How sure sure: its part number" in text
    assert "Read it instead" not in text  # everything was read
    assert "answers on 767 (see ECUs)" not in text


def test_a_21_83_suffix_is_shown_as_a_suffix_and_what_is_missing_gets_guidance(demo: Report) -> None:
    text = _plain(_terminal(_identified(demo, {"part_number_suffix": "BR02A"})))
    assert "Part number \u2026-BR02A" in text and "Serial number not read" in text
    assert "Read it instead" in text and "ea/bosch" not in text


def test_a_j10_without_vin_says_nissan_from_the_ecm_part_number(demo: Report) -> None:
    basis = "CALID 23710BB31A (Nissan ECM part number)"
    j10 = replace(demo, vehicle=replace(demo.vehicle, vin=None, manufacturer=None, make_basis=basis))
    text = _plain(_terminal(j10))
    assert (
        "Manufacturer Nissan (from the ECM part number)" in text and "Manufacturer not available" not in text
    )
    page = parse_html(render_html(j10))
    assert "from the ECM part number" in " ".join(page.text)


# --- JSON and the page ------------------------------------------------------------------------------------


def test_the_json_carries_confidence_and_advice_with_sources_and_reads_back(
    demo: Report, tmp_path: Path
) -> None:
    report = _identified(demo, {"spare_part_number": "259155FA1A"})
    data = report.to_dict()
    _validate(data)
    assert data["schema_version"] == SCHEMA_VERSION and data["head_unit"]["confidence"] == "confirmed"
    assert all(a["source"] for a in data["head_unit"]["advice"])
    path = tmp_path / "scan.json"
    path.write_text(report.to_json(), encoding="utf-8")
    assert load_report(path).head_unit == report.head_unit


def test_the_page_shows_the_owner_rows_and_the_sources_as_footnotes(demo: Report) -> None:
    report = _identified(demo, {"spare_part_number": "259155FA1A"})
    page = render_html(report)
    text = _plain(" ".join(parse_html(page).text))
    assert "Part number 25915-5FA1A" in text and "asked on 747" in text
    sources = page[page.index('<ol class="small muted sources"') :]
    assert "ea/bosch_headunit_root" in sources  # J11: the LCN2kai row's source, a footnote
    assert "<sup>1</sup>" in page
    assert "25915-5FA1A" in request_text(report)


# --- the scan's end: For the dealer, the kept report, help ------------------------------------------------


def test_every_scan_keeps_its_report_and_the_dealer_summary_names_the_next_commands(tmp_path: Path) -> None:
    chosen = tmp_path / "mine.json"  # --json still chooses the path; '-' is stdout only: no file kept
    assert invoke("scan", "--demo", "--json", str(chosen)).exit_code == 0 and chosen.exists()
    assert json.loads(invoke("scan", "--demo", "--json", "-").stdout)["vehicle"]["vin"]
    assert not list(Path().glob("obdident-*.json"))
    result = invoke("scan", "--demo")
    assert result.exit_code == cli.EXIT_OK, result.output
    kept = sorted(Path().glob("obdident-*.json"))
    assert len(kept) == 1
    assert f"kept in {kept[0].name}" in result.output
    out = _plain(result.output)
    assert "For the dealer" in out and "simulated car" in out
    assert f"obdident report {kept[0].name} --html page.html\n" in result.output  # one line, copyable
    assert f"obdident report {kept[0].name} --request\n" in result.output
    assert "Head unit part number not read over OBD-II" in out
    request = invoke("report", kept[0].name, "--request")
    assert request.exit_code == 0 and "SJNFBAT32U1000001" in request.output


def test_an_unwritable_folder_is_said_and_the_terminal_report_still_follows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str, path: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(keeper, "write_text", refuse)
    monkeypatch.setattr(keeper, "write_new", refuse)  # the default report file is made new at the first step
    result = invoke("scan", "--demo")
    assert result.exit_code == cli.EXIT_OK, result.output
    out = _plain(result.output)
    assert "Cannot keep the report in obdident-" in out and "Permission denied" in out
    assert "SJNFBAT32U1000001" in out and "For the dealer" in out and "no report file was kept" in out
    assert "Traceback" not in out


def test_a_kept_report_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    from datetime import datetime

    now = datetime(2026, 11, 30, 3, 40, 5)
    first = default_report_path(now, tmp_path)
    assert first.name == "obdident-20261130-034005.json"
    first.write_text("{}", encoding="utf-8")
    assert default_report_path(now, tmp_path).name == "obdident-20261130-034005-2.json"


@pytest.mark.parametrize("command", ["scan", "report", "ports", "check-recording"])
def test_help_shows_flags_as_flags(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "<str>" not in result.output
    if command == "scan":
        assert re.search(r"--demo\s+Scan the built-in", result.output)
        assert "--port PORT" in result.output and "--make MAKE" in result.output


def test_a_head_unit_that_answered_is_shown_in_the_dealer_summary(demo: Report) -> None:
    import io

    from rich.console import Console

    from obdident.cli.show import render_dealer

    out = io.StringIO()
    render_dealer(_identified(demo, ALL_FIELDS), Console(file=out, width=200), "scan.json")
    text = _plain(out.getvalue())
    assert "Head unit part number 25915-5FA1A (read over OBD-II)" in text
    assert "Head unit serial number BP123456789012 (read over OBD-II)" in text


def test_the_dealer_rows_say_an_entered_serial_that_differs_and_an_unusual_form(demo: Report) -> None:
    """Review finding: the dealer box (terminal and window) left out a serial number the owner typed that
    differs from the one read, and the mark of a typed value of no known form."""
    from obdident.i18n import render
    from obdident.journey.facts import dealer_rows
    from obdident.model import EnteredValue

    report = _identified(demo, {"spare_part_number": "259155FA1A", "ecu_serial_number": "BP312345678901"})
    head = report.head_unit
    assert head is not None
    typed = (EnteredValue("serial_number", "BP999999999999", "bosch-blaupunkt-serial"),)
    rows = {
        render(r.label): render(r.text)
        for r in dealer_rows(replace(report, head_unit=replace(head, entered=typed)))
    }
    serial = rows["Head unit serial number"]
    assert "BP312345678901" in serial and "BP999999999999" in serial and "differ" in serial

    unread = replace(demo.head_unit, entered=(EnteredValue("serial_number", "XYZ 12", "other"),))
    rows = {render(r.label): render(r.text) for r in dealer_rows(replace(demo, head_unit=unread))}
    assert "XYZ 12 (entered by the owner)" in rows["Head unit serial number"]
    assert "unusual form" in rows["Head unit serial number"]
    agreeing = (EnteredValue("serial_number", "BP312345678901", "bosch-blaupunkt-serial"),)
    rows = {
        render(r.label): render(r.text)
        for r in dealer_rows(replace(report, head_unit=replace(head, entered=agreeing)))
    }
    assert "differ" not in rows["Head unit serial number"]
