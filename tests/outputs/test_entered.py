"""Head-unit values the owner types in (``--head-unit-*``, the offer after a scan): checked before any work,
kept apart from what was read, marked in every output, compared with what was read."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from obdident import cli
from obdident.cli import entered as cli_entered
from obdident.model import Ecu, HeadUnit, Identification, Report
from obdident.report.csvout import COLUMNS, row
from obdident.report.entered import MISMATCH, NOT_ASSESSED, add_entered
from obdident.report.html import render_html
from obdident.report.load import load_report
from obdident.report.qr import parse_payload, payload
from obdident.report.redact import redact
from obdident.report.request import request_text
from obdident.vehicles.headunit_forms import check_entered
from tests.fakes import Tripwire, at_physical, seams
from tests.outputs.common import _terminal, _validate, invoke
from tests.outputs.common import runner as cli_runner

PART, SERIAL = "25915-5FA1A", "BP123456789012"
ENTERED_ARGS = ("--head-unit-part", "259155fa1a", "--head-unit-serial", "bp 1234 5678 9012",
                "--head-unit-software", "7.8.24.136", "--head-unit-hardware", "031")  # fmt: skip


def _identified(demo: Report, **fields: str) -> Report:
    """The demo report with a head unit that answered on 767 and gave ``fields``."""
    navi = Ecu("747", "767", "NAVI", Identification(fields=dict(fields)), evidence=())
    head = HeadUnit("identified", response_id="767", reason="It answered.", probed=("747",))
    return replace(demo, ecus=(*demo.ecus, navi), head_unit=head)


# -- refused values: exit 2, nothing scanned, nothing written -------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--head-unit-part", "<b>x</b>"),
        ("--head-unit-serial", "ab"),
        ("--head-unit-software", "1.0;x"),
        ("--head-unit-hardware", ""),
    ],
)
def test_a_refused_value_exits_2_before_the_scan(args: tuple[str, ...], tmp_path: Path) -> None:
    opener = Tripwire()
    out = tmp_path / "r.json"
    command = ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out), *args]
    result = cli_runner.invoke(cli.app, command, obj=seams(opener=opener))
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert opener.opened == [], "the scan started"
    assert "is not a head-unit" in result.stderr and "What to do:" in result.stderr
    assert "Traceback" not in result.output and not out.exists()


def test_report_command_refuses_too_and_writes_nothing(demo_json: Path, tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    result = invoke("report", str(demo_json), "--head-unit-part", "<b>x</b>", "--html", str(page))
    assert result.exit_code == cli.EXIT_USAGE
    assert "5 + 5 characters" in result.stderr and not page.exists()


# -- provenance in every output -------------------------------------------------------------------------


def test_entered_values_reach_every_output_marked(tmp_path: Path) -> None:
    out, page, log = tmp_path / "r.json", tmp_path / "p.html", tmp_path / "log.csv"
    result = invoke(
        "scan", "--demo", "--json", str(out), "--html", str(page), "--csv", str(log), *ENTERED_ARGS
    )
    assert result.exit_code == cli.EXIT_OK, result.output
    # terminal
    assert f"part number {PART} (entered by the owner" in result.stdout
    assert f"serial number {SERIAL} (entered by the owner" in result.stdout
    # JSON: under head_unit.entered, never as a read value; status and identification unchanged
    data = json.loads(out.read_text())
    _validate(data)
    assert data["schema_version"] == "1.3"
    head = data["head_unit"]
    assert head["status"] == "not-found" and head["response_id"] is None
    assert [(e["field"], e["value"], e["form"], e["provenance"]) for e in head["entered"]] == [
        ("part_number", PART, "nissan-part-number", "entered by the owner"),
        ("serial_number", SERIAL, "bosch-blaupunkt-serial", "entered by the owner"),
        ("software_version", "7.8.24.136", "version", "entered by the owner"),
        ("hardware_version", "031", "version", "entered by the owner"),
    ]
    assert SERIAL not in json.dumps(data["ecus"])
    # HTML
    html = page.read_text()
    assert "<strong>Entered by the owner</strong>" in html and f'<span class="id">{PART}</span>' in html
    assert "nissan-part-number" not in html and "bosch-blaupunkt-serial" not in html  # no form names
    # CSV: the _entered columns only
    rows = list(csv.DictReader(io.StringIO(log.read_text())))
    assert rows[0]["head_unit_part_entered"] == PART and rows[0]["head_unit_serial_entered"] == SERIAL
    assert rows[0]["head_unit_part"] == "" and rows[0]["head_unit_serial"] == ""
    # QR payload: separate E keys, no read keys
    fields = parse_payload(payload(load_report(out)))
    assert fields["EHU"] == PART and fields["ESN"] == SERIAL and fields["ESW"] == "7.8.24.136"
    assert fields["EHW"] == "031" and "HU" not in fields and "SN" not in fields
    # request text
    result = invoke("report", str(out), "--request")
    assert f"Part number:               {PART} (entered by the owner)" in result.stdout
    assert f"Serial number:             {SERIAL} (entered by the owner)" in result.stdout
    assert "Head unit label" not in result.stdout  # both numbers are given: no blanks for them


def test_report_command_adds_and_corrects_entered_values(demo_json: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    result = invoke("report", str(demo_json), "--head-unit-serial", "BP000000000001", "--json", str(first))
    assert result.exit_code == 0, result.output
    result = invoke("report", str(first), "--head-unit-serial", SERIAL, "--head-unit-part", PART,
                    "--json", str(second))  # fmt: skip
    assert result.exit_code == 0, result.output
    entered = load_report(second).head_unit.entered  # type: ignore[union-attr]
    assert [(e.field, e.value) for e in entered] == [("part_number", PART), ("serial_number", SERIAL)]


def test_a_1_1_report_without_entered_still_loads(demo_json: Path, tmp_path: Path) -> None:
    data = json.loads(demo_json.read_text())
    data["schema_version"] = "1.1"
    del data["head_unit"]["entered"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data))
    result = invoke("report", str(old), "--head-unit-part", PART, "--request")
    assert result.exit_code == 0, result.output
    assert f"{PART} (entered by the owner)" in result.stdout


def test_a_report_without_a_head_unit_gets_one_to_carry_the_values(demo: Report) -> None:
    report = add_entered(replace(demo, head_unit=None), [check_entered("part_number", PART)])
    assert report.head_unit is not None
    assert (report.head_unit.status, report.head_unit.probed, report.head_unit.reason) == (
        "not-asked", (), NOT_ASSESSED,
    )  # fmt: skip


def test_redact_masks_an_entered_serial_everywhere(demo: Report) -> None:
    report = redact(add_entered(demo, [check_entered("serial_number", SERIAL)]))
    assert SERIAL not in report.to_json() and SERIAL not in payload(report)
    assert SERIAL not in "".join(row(report)) and SERIAL not in render_html(report)
    assert "ESN" not in parse_payload(payload(report))
    _validate(report.to_dict())


# -- read and entered: agreement and disagreement -------------------------------------------------------


def test_a_disagreement_shows_both_and_is_a_problem(demo: Report) -> None:
    read = _identified(demo, spare_part_number="259155FA1A", ecu_serial_number="BP999999999999")
    report = add_entered(read, [check_entered("part_number", PART), check_entered("serial_number", SERIAL)])
    problems = [p for p in report.problems if p.code == MISMATCH]
    assert len(problems) == 1 and problems[0].response_id == "767"
    assert "BP999999999999" in problems[0].message and SERIAL in problems[0].message
    assert report.head_unit is not None and report.head_unit.status == "identified"
    fields = parse_payload(payload(report))
    assert (fields["SN"], fields["ESN"]) == ("BP999999999999", SERIAL)
    text = " ".join(request_text(report).split())  # the request wraps its lines at 100 columns
    assert f"BP999999999999 (read over OBD-II); the owner entered {SERIAL} (entered by the owner)" in text
    assert "agrees" in text  # the part number agrees once the dash is ignored
    terminal = _terminal(report)
    assert "BP999999999999" in terminal and SERIAL in terminal and MISMATCH in terminal
    cells = dict(zip(COLUMNS, row(report), strict=True))
    assert (cells["head_unit_serial"], cells["head_unit_serial_entered"]) == ("BP999999999999", SERIAL)
    assert MISMATCH in cells["problems"]
    # entering the right value again clears the problem
    fixed = add_entered(report, [check_entered("serial_number", "BP999999999999")])
    assert MISMATCH not in [p.code for p in fixed.problems]


def test_an_entered_part_number_agrees_with_a_read_suffix(demo: Report) -> None:
    read = _identified(demo, part_number_suffix="5FA1A")
    assert not [
        p for p in add_entered(read, [check_entered("part_number", PART)]).problems if p.code == MISMATCH
    ]
    wrong = add_entered(read, [check_entered("part_number", "25915-5FA9Z")])
    assert [p.code for p in wrong.problems].count(MISMATCH) == 1


# -- the offer after a scan -----------------------------------------------------------------------------


def test_on_a_terminal_the_scan_offers_to_take_the_numbers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_entered, "interactive", lambda: True)
    out = tmp_path / "r.json"
    # a refused value is asked again; Enter skips the serial number
    result = cli_runner.invoke(
        cli.app,
        ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)],
        input="<b>x</b>\n259155fa1a\n\n",
    )
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    assert "Head unit part number" in result.stderr and "is not a head-unit part number" in result.stderr
    entered = json.loads(out.read_text())["head_unit"]["entered"]
    assert [(e["field"], e["value"]) for e in entered] == [("part_number", PART)]
    assert "<b>" not in out.read_text()


def test_the_offer_asks_only_for_what_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_entered, "interactive", lambda: True)
    out = tmp_path / "r.json"
    args = ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out), "--head-unit-part", PART]
    result = cli_runner.invoke(cli.app, args, input="")  # end of input: skipped, the scan's outputs written
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    assert "Head unit serial number" in result.stderr and "Head unit part number" not in result.stderr
    assert [e["field"] for e in json.loads(out.read_text())["head_unit"]["entered"]] == ["part_number"]


def test_no_offer_when_stdin_is_not_a_terminal(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli_runner.invoke(
        cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)], input="259155fa1a\n"
    )
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    assert "Type them to add them to the report" not in result.output  # no offer was made
    assert json.loads(out.read_text())["head_unit"]["entered"] == []


def test_the_real_check_needs_both_stdin_and_stdout_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def __init__(self, tty: bool) -> None:
            super().__init__()
            self.tty = tty

        def isatty(self) -> bool:
            return self.tty

    for stdin, stdout, expected in ((True, True, True), (False, True, False), (True, False, False)):
        monkeypatch.setattr("sys.stdin", Tty(stdin))
        monkeypatch.setattr("sys.stdout", Tty(stdout))
        assert cli_entered.interactive() is expected


def test_a_scan_that_dies_keeps_the_entered_values(tmp_path: Path) -> None:
    def die() -> None:
        raise RuntimeError("boom")

    dies = seams(opener=Tripwire(at_physical, die))  # service 09 was read and kept; then the scan dies
    out = tmp_path / "r.json"
    result = cli_runner.invoke(
        cli.app, ["scan", "--demo", "--json", str(out), "--head-unit-serial", SERIAL], obj=dies
    )
    assert result.exit_code == cli.EXIT_PARTIAL, result.output
    head = json.loads(out.read_text())["head_unit"]
    assert [(e["field"], e["value"]) for e in head["entered"]] == [("serial_number", SERIAL)]
