"""The VIN the car does not give (issue 18 point 2): ``--vin`` and ``--model-year`` on ``scan`` and
``report``, the offer on a terminal. Checked (ISO 3779, the North-American check digit), kept apart from
what was read under ``vehicle.entered``, marked as entered by the owner in every output, compared with a VIN
read."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from obdident import cli
from obdident.cli import vehicle as cli_vehicle
from obdident.report.entered import VIN_MISMATCH, add_entered
from obdident.report.html import render_html
from obdident.report.load import load_report
from obdident.report.qr import parse_payload, payload
from obdident.report.redact import redact
from obdident.report.request import request_text
from obdident.scanning import runner
from obdident.vehicles.headunit_forms import EnteredValueError
from obdident.vehicles.vin_entry import check_entered_model_year, check_entered_vin
from tests.outputs.common import _terminal, _validate
from tests.outputs.common import runner as cli_runner

EU_VIN = "SJNFBAJ10U1234567"  # a European Nissan VIN: no check digit required
US_VIN = "1N4AL3AP1FC123456"  # North American: position 9 is the 49 CFR 565.15 check digit
J11_VIN = "SJNFAAJ11U2000001"  # what sim://nissan-qashqai-j11-navi gives


# -- the checks ---------------------------------------------------------------------------------------


def test_a_typed_vin_is_normalised() -> None:
    value = check_entered_vin(" sjnfb aj10u-1234567 ")
    assert (value.field, value.value, value.form, value.provenance) == (
        "vin",
        EU_VIN,
        "vin",
        "entered by the owner",
    )
    assert check_entered_vin(US_VIN).value == US_VIN
    assert check_entered_vin("SJNFBAJ10X1234567").value == "SJNFBAJ10X1234567"  # not North American: no check


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("SJNFBAJ10U123456", "16 characters"),
        ("SJNFBAJ10U12345678", "18 characters"),
        ("SJNFBAJ1OU1234567", "O"),
        ("SJNFBAJ10I1234567", "I"),
        ("SJNFBAJ10Q1234567", "Q"),
        ("SJNFBAJ10U12345<>", "0-9"),
        ("00000000000000000", "placeholder"),
        ("1N4AL3AP8FC123456", "check digit"),
    ],
)
def test_a_vin_of_the_wrong_structure_or_check_digit_is_refused_with_why(text: str, reason: str) -> None:
    with pytest.raises(EnteredValueError, match=reason) as caught:
        check_entered_vin(text)
    assert caught.value.exit_code == 2 and "windscreen" in (caught.value.hint or "")


def test_a_model_year_must_be_plausible() -> None:
    assert check_entered_model_year(" 2013 ", this_year=2026).value == "2013"
    assert check_entered_model_year("2027", this_year=2026).value == "2027"  # model years run a year ahead
    for text in ("1975", "2028", "13", "20l3", ""):
        with pytest.raises(EnteredValueError):
            check_entered_model_year(text, this_year=2026)


# -- the command line ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("--vin", "SJNFBAJ10U123456"), ("--vin", "1N4AL3AP8FC123456"), ("--model-year", "1900")],
)
def test_a_refused_value_exits_2_before_the_scan(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*a: object, **k: object) -> None:
        raise AssertionError("the scan started")

    monkeypatch.setattr(runner.Runner, "run", never)
    out = tmp_path / "r.json"
    result = cli_runner.invoke(
        cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out), *args]
    )
    assert result.exit_code == cli.EXIT_USAGE, result.output
    assert "not a" in result.stderr and not out.exists()


def test_an_entered_vin_is_marked_in_every_output(tmp_path: Path) -> None:
    out, page, qr_file, log = (tmp_path / n for n in ("r.json", "p.html", "q.svg", "log.csv"))
    args = ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out), "--html", str(page),
            "--qr", str(qr_file), "--csv", str(log), "--vin", EU_VIN.lower(),
            "--model-year", "2013"]  # fmt: skip
    result = cli_runner.invoke(cli.app, args)
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    data = json.loads(out.read_text())
    _validate(data)
    assert data["vehicle"]["vin"] is None  # the car gave none: vin holds only what was read
    assert [(e["field"], e["value"], e["provenance"]) for e in data["vehicle"]["entered"]] == [
        ("vin", EU_VIN, "entered by the owner"),
        ("model_year", "2013", "entered by the owner"),
    ]
    report = load_report(out)
    assert f"{EU_VIN} (entered by the owner)" in " ".join(result.stdout.split())  # the dealer summary
    assert EU_VIN in _terminal(report) and "entered by the owner" in _terminal(report)
    html = page.read_text()
    assert EU_VIN in html and "entered by the owner, not read over OBD-II" in html
    fields = parse_payload(payload(report))
    assert fields["EVIN"] == EU_VIN and fields["EMY"] == "2013" and "VIN" not in fields
    row = next(csv.DictReader(io.StringIO(log.read_text())))
    assert (row["vin"], row["vin_entered"], row["model_year_entered"]) == ("", EU_VIN, "2013")
    letter = " ".join(request_text(report).split())
    assert f"VIN: {EU_VIN} (entered by the owner)" in letter
    assert "Model year: 2013 (entered by the owner)" in letter


def test_a_read_vin_that_differs_raises_vin_mismatch(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["scan", "--port", "sim://nissan-qashqai-j11-navi", "--json", str(out), "--vin", EU_VIN]
    result = cli_runner.invoke(cli.app, args)
    assert result.exit_code == cli.EXIT_OK, result.output
    report = load_report(out)
    assert report.vehicle.vin == J11_VIN
    assert [p.code for p in report.problems].count(VIN_MISMATCH) == 1
    assert EU_VIN in report.problems[-1].message and J11_VIN in report.problems[-1].message
    fields = parse_payload(payload(report))
    assert (fields["VIN"], fields["EVIN"]) == (J11_VIN, EU_VIN)  # both, each under its own key
    # the same VIN entered: no problem; a correction through `report` replaces the mismatch
    corrected = tmp_path / "c.json"
    result = cli_runner.invoke(cli.app, ["report", str(out), "--vin", J11_VIN, "--json", str(corrected)])
    assert result.exit_code == cli.EXIT_OK, result.output
    again = load_report(corrected)
    assert VIN_MISMATCH not in {p.code for p in again.problems}
    assert [e.value for e in again.vehicle.entered] == [J11_VIN]


def test_without_a_vin_the_page_and_the_letter_give_a_line_to_write_it_on(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = cli_runner.invoke(cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)])
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    report = load_report(out)
    html = render_html(report)
    assert (
        'class="blank vin-blank"' in html
        and "write it here, from the plate at the bottom of the windscreen" in html
    )
    letter = request_text(report)
    assert re.search(r"VIN: +_{34}\n", letter)  # a blank line to write it on
    assert "registration document" in letter.split("VIN:", 1)[1].split("Make", 1)[0]


def test_redaction_masks_the_entered_vin(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    cli_runner.invoke(
        cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out), "--vin", EU_VIN]
    )
    shared = redact(load_report(out))
    assert EU_VIN not in shared.to_json() and "SJNFBAJ10U1******" in shared.to_json()


def test_an_old_report_without_entered_values_still_loads(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    cli_runner.invoke(cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)])
    data = json.loads(out.read_text())
    assert "entered" not in data["vehicle"]  # nothing entered: the report is as a 1.2 report was
    _validate(data)
    assert add_entered(load_report(out), [check_entered_vin(EU_VIN)]).vehicle.entered[0].value == EU_VIN


def test_on_a_terminal_a_scan_without_a_vin_offers_to_take_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_vehicle, "stdin_is_terminal", lambda: True)
    out = tmp_path / "r.json"
    # a refused VIN (16 characters) is asked again; then the head unit's offer is skipped (end of input)
    result = cli_runner.invoke(
        cli.app,
        ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)],
        input=f"{EU_VIN[:-1]}\n{EU_VIN}\n",
    )
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL), result.output
    assert "16 characters" in result.stderr and "windscreen" in result.stderr
    assert [(e["field"], e["value"]) for e in json.loads(out.read_text())["vehicle"]["entered"]] == [
        ("vin", EU_VIN)
    ]


def test_no_vin_offer_when_the_vin_was_read_or_stdin_is_not_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.json"
    result = cli_runner.invoke(
        cli.app, ["scan", "--port", "sim://nissan-qashqai-j10", "--json", str(out)], input=f"{EU_VIN}\n"
    )
    assert (
        "press Enter to skip" not in result.stderr and "entered" not in json.loads(out.read_text())["vehicle"]
    )
    monkeypatch.setattr(cli_vehicle, "stdin_is_terminal", lambda: True)
    result = cli_runner.invoke(
        cli.app, ["scan", "--port", "sim://nissan-qashqai-j11-navi", "--json", str(out)], input=""
    )
    assert "did not give its VIN" not in result.stderr


def test_a_masked_vin_read_is_not_taken_for_a_different_one(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = ["scan", "--port", "sim://nissan-qashqai-j11-navi", "--json", str(out), "--redact"]
    assert cli_runner.invoke(cli.app, args).exit_code == cli.EXIT_OK
    shared = add_entered(load_report(out), [check_entered_vin(J11_VIN)])
    assert VIN_MISMATCH not in {p.code for p in shared.problems}


_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


@given(body=st.text(alphabet=_VIN_CHARS, min_size=16, max_size=16), first=st.sampled_from("12345"))
def test_a_north_american_vin_passes_with_its_check_digit_and_only_with_it(body: str, first: str) -> None:
    from obdident.vehicles.vin import compute_check_digit

    vin = first + body[:7] + "0" + body[8:]
    right = compute_check_digit(vin)
    vin = vin[:8] + right + vin[9:]
    assume(len(set(vin)) > 1)
    assert check_entered_vin(vin.lower()).value == vin
    wrong = "0" if right != "0" else "1"
    with pytest.raises(EnteredValueError, match="check digit"):
        check_entered_vin(vin[:8] + wrong + vin[9:])
