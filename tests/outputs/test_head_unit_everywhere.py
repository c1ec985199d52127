"""The head unit end to end, for each way it can go: a unit answering UDS on 747/767, one answering KWP
21 80 / 21 83 on 712/732, one behind the 29-bit gateway, one on an STN adapter's second CAN, and units that
stay silent (J10). For each, the terminal, JSON, HTML page, QR payload, CSV row and request text carry the
same identifiers, in the owner's form where the owner reads them."""

from __future__ import annotations

import csv
import json

import pytest

from obdident.report import qr
from obdident.report.load import load_report
from tests.htmlparse import parse
from tests.outputs.common import invoke

#: profile -> (answered on, part number as the owner reads it, suffix, serial, software, hardware)
CASES = {
    "nissan-qashqai-j11-navi": ("767", "25915-5FA1A", None, "BP000000000001", "5FA1A0D302", "031"),
    "nissan-juke-f15-audio": ("732", None, "1KA0A", None, "0123", "BA13A"),
    "nissan-altima-2019-navi-29bit": ("18DAF158", "25915-6CA0A", None, "SN0000000042", "1.2.3", None),
    "nissan-leaf-aze0-stn": ("767", None, "3NA1A", None, "0100", "0002100000"),
    "nissan-qashqai-j10": (None, None, None, None, None, None),
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    made: dict[str, dict[str, str]] = {}
    for profile in CASES:
        folder = tmp_path_factory.mktemp(profile)
        json_path, html, log = folder / "r.json", folder / "page.html", folder / "log.csv"
        scan = invoke("scan", "--port", f"sim://{profile}", "--json", str(json_path), "--html", str(html),
                      "--csv", str(log))  # fmt: skip
        assert scan.exit_code == 0, scan.output
        request = invoke("report", str(json_path), "--request")
        assert request.exit_code == 0, request.output
        rows = list(csv.DictReader(log.read_text("utf-8").splitlines()))
        made[profile] = {
            "terminal": scan.stdout,
            "json": json_path.read_text("utf-8"),
            "html": " ".join(" ".join(parse(html.read_text("utf-8")).text).split()),
            "qr": qr.payload(load_report(json_path)),
            "csv": json.dumps(rows[-1]),
            "request": request.stdout,
        }
    return made


@pytest.mark.parametrize("profile", CASES)
def test_every_output_carries_the_head_unit_as_read(outputs: dict[str, dict[str, str]], profile: str) -> None:
    answered, part, suffix, serial, software, hardware = CASES[profile]
    out = outputs[profile]
    data = json.loads(out["json"])
    head = data["head_unit"]
    if answered is None:
        assert head["status"] == "not-reachable" and head["response_id"] is None
        for where in ("terminal", "html", "request"):
            assert "label on the unit's case" in out[where], where  # where to read it instead
        assert "HU=" not in out["qr"] and "SN=" not in out["qr"]
        row = json.loads(out["csv"])
        assert row["head_unit_status"] == "not-reachable" and row["head_unit_part"] == ""
        return
    assert head["status"] == "identified" and head["response_id"] == answered
    assert head["confidence"] in ("confirmed", "likely", "guess")
    ecu = next(e for e in data["ecus"] if e["response_id"] == answered)
    assert ecu["evidence"], "every value carries the raw request and response it was decoded from"
    row = json.loads(out["csv"])
    payload = qr.parse_payload(out["qr"])
    if part is not None:
        for where in ("terminal", "html", "request"):
            assert part in out[where], where
        # the QR code keeps the unit's own characters; the CSV has the form the label and the page show
        assert payload["HU"] == part.replace("-", "") and row["head_unit_part"] == part
    if suffix is not None:
        for where in ("terminal", "html", "request"):
            assert suffix in out[where], where
        assert payload["HUS"] == suffix and row["head_unit_part_suffix"] == suffix
    if serial is not None:
        for where in ("terminal", "html", "request"):
            assert serial in out[where], where
        assert payload["SN"] == serial and row["head_unit_serial"] == serial
    versions = ((software, "SW", "head_unit_software"), (hardware, "HW", "head_unit_hardware"))
    for value, key, column in versions:
        if value is not None:
            assert value in out["terminal"] and value in out["html"]
            assert payload[key] == value and row[column] == value
    assert "For the dealer" in out["terminal"]


def test_a_j10_without_vin_is_told_it_is_a_nissan_from_its_ecm_everywhere(
    outputs: dict[str, dict[str, str]],
) -> None:
    out = outputs["nissan-qashqai-j10"]
    for where in ("terminal", "html", "request"):
        assert "from the ECM part number" in out[where], where


def test_the_owners_screens_give_the_units_not_probed_in_short_and_the_json_keeps_the_details(
    outputs: dict[str, dict[str, str]],
) -> None:
    """The terminal and the page name the units left out and how to probe them; each unit's reason and its
    public source (repository names) stay in the JSON report (model.Problem.summary)."""
    made = outputs["nissan-qashqai-j10"]
    (problem,) = [p for p in json.loads(made["json"])["problems"] if p["code"] == "units-not-probed"]
    assert "balrog-kun" in problem["message"] and "OVMS3" in problem["message"]
    for screen in ("terminal", "html"):  # the problems part of each (the page cites sources in footnotes)
        text = " ".join(made[screen].split()).split("Problems", 1)[1].split("How it was read")[0]
        assert "TCM (7E1)" in text and "--full" in text, screen
        for source in ("balrog-kun", "OVMS3", "commaai", "Details:"):
            assert source not in text, (screen, source)
