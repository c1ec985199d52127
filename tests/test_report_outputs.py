"""The dealer's outputs (issue: "A report the dealer can use"): the QR payload, --redact, the CSV log, the
code request text, the ``report`` command, and untrusted strings from a hostile simulated ECU in every
output."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

import obdident
from obdident import cli
from obdident.cli.keeper import Keeper
from obdident.errors import ObdidentError
from obdident.model import Report, load_schema
from obdident.report import csvout, qr
from obdident.report.html import FOOTER, render_html
from obdident.report.load import load_report, report_from_dict
from obdident.report.redact import is_redacted, redact, redact_vin
from obdident.report.request import request_text
from obdident.report.sanitize import plain, safe
from obdident.report.text import render
from tests.htmlparse import parse as parse_html

runner = CliRunner()
DEMO_VIN = "SJNFBAT32U1000001"
DEMO_PAYLOAD = "OBDIDENT1;VIN=SJNFBAT32U1000001"
# The hostile head unit's identifiers, escaped as the payload format says (';' '=' '\' get a backslash).
HOSTILE_PAYLOAD = (
    "OBDIDENT1;HU=\\=HYPERLINK(\"http://x\");SN=+cmd|' /C calc'!A0;SW=-2+3+cmd|' /C calc'!A0;"
    "HW=@SUM(1+1)\\;HW\\=2\\\\3"
)
# Printable hostile strings the hostile profile's ECUs give, as data.
HOSTILE_TEXT = {
    "<script>alert(1)",
    '"><img src onerror=1',
    '=HYPERLINK("http://x")',
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1);HW=2\\3",
    '"><img src=x onerror=alert(1)>',
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


@pytest.fixture
def demo() -> Report:
    return obdident.scan("sim://nissan-xtrail-t32")


@pytest.fixture
def hostile() -> Report:
    return obdident.scan("sim://test-hostile-strings")


@pytest.fixture
def demo_json(tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    result = invoke("scan", "--demo", "--json", str(path))
    assert result.exit_code == cli.EXIT_OK, result.output
    return path


def _validate(data: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(load_schema()).validate(data)


# -- QR payload ----------------------------------------------------------------------------------------


def test_qr_payload_of_the_demo(demo: Report) -> None:
    assert demo.head_unit is not None and demo.head_unit.status == "not-found"
    assert qr.payload(demo) == DEMO_PAYLOAD  # no head-unit field: none was read, none is invented


def test_qr_payload_of_an_identified_head_unit_is_escaped(hostile: Report) -> None:
    assert hostile.head_unit is not None and hostile.head_unit.status == "identified"
    text = qr.payload(hostile)
    assert text == HOSTILE_PAYLOAD
    assert qr.parse_payload(text) == {
        "HU": '=HYPERLINK("http://x")',
        "SN": "+cmd|' /C calc'!A0",
        "SW": "-2+3+cmd|' /C calc'!A0",
        "HW": "@SUM(1+1);HW=2\\3",
    }


def test_qr_payload_takes_the_suffix_when_that_is_all_it_has(demo: Report) -> None:
    ecu = next(e for e in demo.ecus if e.response_id == "765")
    head = replace(demo.head_unit, status="identified", response_id="765")  # type: ignore[arg-type]
    text = qr.payload(replace(demo, head_unit=head))
    # 21 83 gives only the suffix (HUS) and a masked hardware id (left out: it is not the unit's value)
    assert ecu.identification.fields["hardware_id"] == "0005****01"
    assert text == "OBDIDENT1;VIN=SJNFBAT32U1000001;HUS=4BB2A;SW=1100"


@pytest.mark.parametrize(
    "value", ["a;b=c\\d", "\\", ";;==", "caf\u00e9", "\u202etxt", "\U0001f697 car", "\\x41", "x\x00\x1b[1m"]
)
def test_qr_escaping_round_trips(demo: Report, value: str) -> None:
    ecu = demo.ecus[0]
    fields = {**ecu.identification.fields, "spare_part_number": value}
    changed = replace(ecu, identification=replace(ecu.identification, fields=fields))
    head = replace(demo.head_unit, status="identified", response_id=ecu.response_id)  # type: ignore[arg-type]
    text = qr.payload(replace(demo, ecus=(changed, *demo.ecus[1:]), head_unit=head))
    assert all(0x20 <= ord(c) <= 0x7E for c in text)
    assert qr.parse_payload(text)["HU"] == value


def test_qr_svg_file_from_the_report_command(demo_json: Path, tmp_path: Path) -> None:
    out = tmp_path / "qr.svg"
    result = invoke("report", str(demo_json), "--qr", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("<?xml") and "<svg" in text and DEMO_VIN not in text


# -- redaction -----------------------------------------------------------------------------------------


def test_redact_vin() -> None:
    assert redact_vin(DEMO_VIN) == "SJNFBAT32U1******"
    assert redact_vin(None) is None


def test_redaction_masks_the_vin_everywhere(demo: Report) -> None:
    shared = redact(demo)
    assert shared.vehicle.vin == "SJNFBAT32U1******"
    assert [s.value for s in shared.vehicle.vin_sources] == ["SJNFBAT32U1******"]
    assert next(e for e in shared.ecus if e.response_id == "7E8").identification.vin == "SJNFBAT32U1******"
    assert is_redacted(shared) and not is_redacted(demo)
    assert redact(shared) == shared
    assert demo.vehicle.vin == DEMO_VIN  # a pure function: the original is unchanged
    serial_hex = "303030303031"  # "000001", the VIN's serial part, in the raw evidence lines
    assert serial_hex in demo.to_json()
    outputs = {
        "json": shared.to_json(),
        "html": render_html(shared),
        "csv": "".join(csvout.row(shared)),
        "request": request_text(shared),
        "qr": qr.payload(shared),
        "terminal": _terminal(shared),
    }
    for name, text in outputs.items():
        assert DEMO_VIN not in text, name
        assert "U1000001" not in text, name
    assert serial_hex not in outputs["json"]
    assert "Redacted for sharing" in outputs["html"]
    assert qr.payload(shared) == "OBDIDENT1"  # a masked VIN is not the VIN: left out
    ecm = next(e for e in shared.ecus if e.response_id == "7E8")
    vin_evidence = next(e for e in ecm.evidence if e.request.startswith("0902"))
    assert vin_evidence.response and all(set(line) == {"X"} for line in vin_evidence.response)
    calid = next(e for e in ecm.evidence if e.request.startswith("0904"))
    assert calid == next(e for e in demo.ecus[0].evidence if e.request.startswith("0904"))  # untouched


def test_redaction_masks_unit_serial_numbers(hostile: Report) -> None:
    serial = "+cmd|' /C calc'!A0"
    unit = next(e for e in hostile.ecus if e.response_id == "767")
    assert unit.identification.fields["ecu_serial_number"] == serial
    shared = redact(hostile)
    masked = next(e for e in shared.ecus if e.response_id == "767")
    assert masked.identification.fields["ecu_serial_number"] == "*" * len(serial)
    assert masked.identification.fields["spare_part_number"] == '=HYPERLINK("http://x")'  # not a serial
    serial_evidence = next(e for e in masked.evidence if "ecu_serial_number" in e.fields)
    assert all(set(line) == {"X"} for line in serial_evidence.response)
    raw_lines = next(e for e in unit.evidence if "ecu_serial_number" in e.fields).response
    assert raw_lines and all(line in hostile.to_json() for line in raw_lines)
    for text in (shared.to_json(), render_html(shared), "".join(csvout.row(shared)), qr.payload(shared),
                 request_text(shared), _terminal(shared)):  # fmt: skip
        assert "/C calc'!A0" not in text.replace("-2+3+cmd|' /C calc'!A0", "")
        assert not any(line in text for line in raw_lines)
    assert "SN" not in qr.parse_payload(qr.payload(shared))


def test_a_redacted_json_report_loads_back(demo: Report, tmp_path: Path) -> None:
    path = tmp_path / "shared.json"
    path.write_text(redact(demo).to_json())
    assert load_report(path).to_dict() == redact(demo).to_dict()


def test_scan_redact_masks_every_output(tmp_path: Path) -> None:
    paths = {name: tmp_path / name for name in ("scan.json", "page.html", "log.csv", "qr.svg")}
    result = invoke(
        "scan", "--demo", "--redact", "--json", str(paths["scan.json"]), "--html", str(paths["page.html"]),
        "--csv", str(paths["log.csv"]), "--qr", str(paths["qr.svg"]),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    for name in ("scan.json", "page.html", "log.csv"):
        text = paths[name].read_text()
        assert "SJNFBAT32U1******" in text and DEMO_VIN not in text, name
    assert DEMO_VIN not in result.stdout and "SJNFBAT32U1******" in result.stdout
    assert json.loads(paths["scan.json"].read_text())["vehicle"]["vin"] == "SJNFBAT32U1******"


def test_redact_refuses_to_pretend_a_recording_is_masked(tmp_path: Path) -> None:
    result = invoke("scan", "--demo", "--redact", "--record", str(tmp_path / "rec.txt"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "--redact cannot mask a --record recording" in result.stderr
    assert not (tmp_path / "rec.txt").exists()


# -- CSV -----------------------------------------------------------------------------------------------


def test_csv_header_once_then_one_row_per_car(tmp_path: Path, demo_json: Path) -> None:
    log = tmp_path / "cars.csv"
    assert invoke("scan", "--demo", "--csv", str(log)).exit_code == 0
    assert invoke("scan", "--port", "sim://nissan-qashqai-j10", "--csv", str(log)).exit_code == 0
    assert invoke("report", str(demo_json), "--csv", str(log)).exit_code == 0
    rows = list(csv.reader(io.StringIO(log.read_text(), newline="")))
    assert tuple(rows[0]) == csvout.COLUMNS
    assert len(rows) == 4 and all(len(r) == len(csvout.COLUMNS) for r in rows)
    first = dict(zip(csvout.COLUMNS, rows[1], strict=True))
    assert first["vin"] == DEMO_VIN and first["family"] == "X-Trail (T32)"
    assert first["head_unit_status"] == "not-found" and first["ecu_count"] == "6"
    assert first["complete"] == "true" and first["port"] == "sim://nissan-xtrail-t32"
    assert first["head_unit_part"] == first["head_unit_serial"] == ""  # not read: empty, not guessed
    j10 = dict(zip(csvout.COLUMNS, rows[2], strict=True))
    assert j10["vin"] == "" and "vin-not-available" in j10["problems"].split()
    assert j10["head_unit_status"] == "not-reachable" and j10["family"] == "Qashqai (J10)"
    assert log.read_bytes().count(b"\r\n") == 4


def test_csv_refuses_a_file_with_other_columns(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("name,amount\nx,1\n")
    result = invoke("scan", "--demo", "--csv", str(other))
    assert result.exit_code == cli.EXIT_USAGE
    assert "is not obdident's" in result.stderr
    assert other.read_text() == "name,amount\nx,1\n"  # checked before the scan, left as it was


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'=1"),
        ("\r=1", "'=1"),
        ("\x1b[31m=x", "[31m=x"),
        ("\x1b=x", "'=x"),
        ("\uff1dcmd", "'\uff1dcmd"),
        ("a\x00b\x9bc\nd", "abcd"),
        ("237106FR9A", "237106FR9A"),
        (None, ""),
        (True, "true"),
        (2019, "2019"),
    ],
)
def test_csv_cells_are_neutralised(value: object, expected: str) -> None:
    assert csvout.cell(value) == expected


# -- the code request ----------------------------------------------------------------------------------


def test_request_fills_what_was_read_and_leaves_blanks(demo: Report) -> None:
    text = request_text(demo)
    assert text.startswith("Request for the head unit's unlock code\n")
    filled = (
        f"VIN:                       {DEMO_VIN}",
        "Nissan (United Kingdom)",
        "X-Trail (T32)",
        "ECM (7E8): CALID 237106FR9A; part number suffix 6FR9A",
        "BCM (765): part number suffix 4BB2A",
    )
    for value in filled:
        assert value in text
    assert re.search(r"Part number: +not read over OBD-II: read it from the label on the unit's case", text)
    assert re.search(r"Serial number: +not read over OBD-II: read it from", text)
    assert re.search(r"Software version: +not read over OBD-II: read it from the unit's service", text)
    assert re.search(r"Model year: +not read over OBD-II: read it from the registration document", text)
    for blank in ("Owner's name:", "Owner's address:", "V5C", "passport / driving licence", "Signature: ___"):
        assert blank in text
    assert re.search(r"Head unit label: +part number _+ +serial number _+", text)
    assert "hold APP, then turn TUNE" in text  # the family's guidance, where to read what is missing
    lowered = text.lower()
    assert lowered.count("code") == lowered.count("unlock code") == 3  # the request's wording, nothing else
    assert "pin" not in re.findall(r"[a-z]+", lowered)


def test_request_with_an_identified_head_unit(hostile: Report) -> None:
    text = request_text(hostile)
    assert re.search(r"Part number: += ?HYPERLINK", text)
    assert "Serial number:             +cmd|' /C calc'!A0" in text
    assert "Hardware version:          @SUM(1+1);HW=2\\3" in text
    assert "Head unit label:" not in text  # both part and serial number were read
    flat = " ".join(text.split())
    assert "VIN: not read over OBD-II: read it from the plate at the bottom of the windscreen" in flat


def test_report_request_prints_the_text(demo_json: Path) -> None:
    result = invoke("report", str(demo_json), "--request")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Request for the head unit's unlock code")
    assert DEMO_VIN in result.stdout


# -- the report command --------------------------------------------------------------------------------


def test_report_command_on_a_scan_json(demo_json: Path, tmp_path: Path, demo: Report) -> None:
    loaded = load_report(demo_json)
    assert loaded.to_dict() == json.loads(demo_json.read_text())  # rebuilt exactly
    assert replace(loaded, started_at="", duration_s=0) == replace(demo, started_at="", duration_s=0)
    result = invoke("report", str(demo_json))
    assert result.exit_code == 0, result.output
    assert DEMO_VIN in result.stdout and "237106FR9A" in result.stdout
    html = tmp_path / "page.html"
    result = invoke("report", str(demo_json), "--html", str(html))
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert DEMO_VIN in page and FOOTER in page and "X-Trail (T32)" in page
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left


def _break(data: dict[str, Any]) -> None:
    data["vehicle"]["vin"] = 12345


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_break, "does not follow the report schema at vehicle/vin"),
        (lambda d: d.pop("ecus"), "'ecus' is a required property"),
        (lambda d: d.update(schema_version="2.0"), "schema_version '2.0' is not supported"),
    ],
)
def test_a_bad_json_exits_2_with_a_clear_message(
    demo_json: Path, tmp_path: Path, change: Any, message: str
) -> None:
    data = json.loads(demo_json.read_text())
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = invoke("report", str(bad), "--html", str(tmp_path / "page.html"))
    assert result.exit_code == cli.EXIT_USAGE
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.output
    assert not (tmp_path / "page.html").exists()


@pytest.mark.parametrize(
    ("content", "message"), [("not json", "not a JSON report"), ("[1]", "not an object")]
)
def test_not_a_report_exits_2(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = invoke("report", str(bad))
    assert result.exit_code == cli.EXIT_USAGE
    assert message in " ".join(result.stderr.split())


def test_a_missing_file_exits_2(tmp_path: Path) -> None:
    result = invoke("report", str(tmp_path / "none.json"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "none.json: no such file" in " ".join(result.stderr.split())


def test_without_jsonschema_no_report_is_read_unchecked(
    demo_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema -> ImportError (broken install)
    with pytest.raises(ObdidentError, match="jsonschema package is missing"):
        load_report(demo_json)
    data = json.loads(demo_json.read_text())
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**data, "schema_version": "2.1"}))
    with pytest.raises(ObdidentError, match="not supported"):
        load_report(bad)


def test_output_into_a_missing_directory_exits_2_before_scanning(tmp_path: Path) -> None:
    result = invoke("scan", "--demo", "--html", str(tmp_path / "nowhere" / "page.html"))
    assert result.exit_code == cli.EXIT_USAGE
    assert "no directory" in result.stderr
    assert "SJNFBAT32U1000001" not in result.stdout


# -- hostile strings in every output -------------------------------------------------------------------


def test_hostile_profile_gives_its_strings_as_data(hostile: Report) -> None:
    values = {v for e in hostile.ecus for v in (*e.identification.calibration_ids,
                                                  e.identification.ecu_name or "",
                                                  *e.identification.fields.values())}  # fmt: skip
    assert values >= HOSTILE_TEXT
    assert hostile.vehicle.vin is None  # the VIN with an ESC in it is refused by the decoder
    source = hostile.vehicle.vin_sources[0]
    assert source.value is None and "\\x1b[31m" in (source.problem or "")
    supplier = next(e for e in hostile.ecus if e.response_id == "767").identification.fields[
        "system_supplier"
    ]
    assert supplier == "1B5B324A1B5D303B70776E07"  # ESC [2J ESC ]0;pwn BEL: not printable, shown as hex
    every = json.dumps(hostile.to_dict())
    assert "\x1b" not in every and "\\u001b" not in every and "\x07" not in every


def test_hostile_strings_are_text_in_the_html(hostile: Report) -> None:
    page = render_html(hostile)
    parser = parse_html(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not [a for a in parser.attributes if a.lower().startswith("on")]
    assert set(parser.tags) <= {
        "html", "head", "meta", "title", "style", "body", "div", "h1", "h2", "p", "span", "table", "tr", "th",
        "td", "br", "ul", "li", "strong", "footer", "svg", "path",
    }  # fmt: skip
    shown = "".join(parser.text)
    for value in HOSTILE_TEXT:
        assert value in shown, value  # shown to the dealer, as text
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)" in page and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "\x1b" not in page and "\x07" not in page


def _terminal(report: Report, color_system: Any = None) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=color_system, width=120, highlight=False)
    render(report, console)
    return out.getvalue()


_RICH_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\")


def test_hostile_strings_reach_the_terminal_without_control_characters(hostile: Report) -> None:
    text = _terminal(hostile)  # a terminal, but no colour: rich itself adds no escape sequence
    assert "\x1b" not in text
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", text)
    assert "\\x1b[31m" in text  # the refused VIN field is shown escaped, as text
    coloured = _terminal(hostile, "truecolor")
    stripped = _RICH_SEQUENCES.sub("", coloured)  # rich's own styling; what remains came from data
    assert "\x1b" not in stripped and "\\x1b[31m" in stripped
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", stripped)
    for value in ("<script>alert(1)", '"><img src onerror=1', "@SUM(1+1);HW=2\\3"):
        assert value in text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("\x9b31m", "\\x9b31m"),
        ("\x07bell\x7f", "\\x07bell\\x7f"),
        ("a\u202eb", "a\\u202eb"),
        ("line\u2028break", "line\\u2028break"),
        ("zero\u200bwidth", "zero\\u200bwidth"),
    ],
)
def test_terminal_text_shows_control_and_format_characters_escaped(value: str, shown: str) -> None:
    assert plain(value) == shown
    assert safe("[bold]" + value) == "\\[bold]" + shown


def test_hostile_strings_cannot_start_a_formula_in_the_csv(hostile: Report, tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    csvout.append_row(hostile, log)
    csvout.append_row(hostile, log)
    rows = list(csv.reader(io.StringIO(log.read_text(), newline="")))
    assert len(rows) == 3
    for row in rows:
        for value in row:
            assert not value.startswith(FORMULA_START), value
            assert not re.search(r"[\x00-\x1f\x7f-\x9f]", value), value
    record = dict(zip(csvout.COLUMNS, rows[1], strict=True))
    assert record["head_unit_part"] == '\'=HYPERLINK("http://x")'
    assert record["head_unit_serial"] == "'+cmd|' /C calc'!A0"
    assert record["head_unit_software"] == "'-2+3+cmd|' /C calc'!A0"
    assert record["head_unit_hardware"] == "'@SUM(1+1);HW=2\\3"


def test_hostile_strings_round_trip_through_json_exactly(hostile: Report, tmp_path: Path) -> None:
    text = hostile.to_json()
    data = json.loads(text)
    _validate(data)
    ecm, unit = data["ecus"]
    assert ecm["identification"]["calibration_ids"] == ["<script>alert(1)", "237109HX0A"]
    assert ecm["identification"]["ecu_name"] == '"><img src onerror=1'
    assert unit["identification"]["spare_part_number"] == '=HYPERLINK("http://x")'
    assert unit["identification"]["system_name"] == '"><img src=x onerror=alert(1)>'
    exact = replace(hostile, duration_s=round(hostile.duration_s, 3))  # the JSON keeps 3 decimals
    assert report_from_dict(data) == exact
    path = tmp_path / "hostile.json"
    path.write_text(text)
    assert load_report(path) == exact


def test_hostile_report_through_the_commands(tmp_path: Path) -> None:
    scan_json, page = tmp_path / "scan.json", tmp_path / "page.html"
    result = invoke(
        "scan", "--port", "sim://test-hostile-strings", "--json", str(scan_json), "--html", str(page)
    )
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "<script" not in page.read_text()
    result = invoke("report", str(scan_json), "--request")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout
    assert "=HYPERLINK" in result.stdout


def test_scan_redact_masks_the_checkpoints_too(tmp_path: Path, demo: Report) -> None:
    path = tmp_path / "scan.json"
    keeper = Keeper("sim://nissan-xtrail-t32", str(path), None, None, redact=True)
    keeper.checkpoint(demo)  # as the scan does after every step: a crash leaves this file
    assert json.loads(path.read_text())["vehicle"]["vin"] == "SJNFBAT32U1******"
    assert DEMO_VIN not in path.read_text()
    assert keeper.last is not None and keeper.last.vehicle.vin == "SJNFBAT32U1******"
