"""The page and the letter in every language (issue 19): no placeholder left unfilled, no owner word that
bypasses the catalogue (the pseudo-locale wraps every catalogued sentence in ⟦ ⟧), the letter in another
language than the page (``--letter-lang``), the proof of ownership named by country, and reports of the
previous schema (1.2: English sentences, no message ids) still making their letter and page."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest

from obdident.i18n import LANGUAGES, PSEUDO, current_language, use_language
from obdident.model import Report
from obdident.report.entered import add_entered
from obdident.report.html import render_html
from obdident.report.load import load_report
from obdident.report.ownership import DOCUMENTS, LANGUAGE_COUNTRY
from obdident.report.request import request_text
from obdident.scanning import scan
from obdident.vehicles.headunit_forms import check_entered
from obdident.vehicles.vin_entry import check_entered_model_year, check_entered_vin
from tests.outputs.common import invoke

SPOKEN = [*LANGUAGES, PSEUDO]
URLS = (
    "sim://nissan-xtrail-t32",  # head unit not found, advice
    "sim://nissan-qashqai-j10",  # head unit not reachable, no VIN
    "sim://nissan-qashqai-j11-navi",  # head unit identified
    "sim://nissan-qashqai-j11-navi?fault=drop@20",  # cut short before the head unit
)
#: Message fields an old report (schema 1.2) did not have.
_NEW_KEYS = {"msgid", "params", "texts", "plural", "count"}


def _entered() -> list[Any]:
    return [
        check_entered_vin("SJNFBAJ10U1234567"),
        check_entered_model_year("2013", this_year=2026),
        check_entered("part_number", "28185 4ea0a"),
        check_entered("serial_number", "BP312345678901"),
    ]


def _kept(report: Report, path: Path) -> Report:
    """The report as ``obdident report`` reads it back: its sentences rebuilt from the JSON."""
    path.write_text(report.to_json(), encoding="utf-8")
    return load_report(path)


def _old(report: Report, path: Path) -> Report:
    """The report as a schema 1.2 file held it: English sentences only."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in _NEW_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = strip(report.to_dict())
    data["schema_version"] = "1.2"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_report(path)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Report]]:
    folder = tmp_path_factory.mktemp("reports")
    made: list[tuple[str, Report]] = []
    for i, url in enumerate(URLS):
        fresh = scan(url)
        made.append((url, _kept(fresh, folder / f"{i}.json")))
        made.append((f"{url} (schema 1.2)", _old(fresh, folder / f"{i}-old.json")))
    entered = add_entered(scan(URLS[2]), _entered())
    made.append(("entered", _kept(entered, folder / "entered.json")))
    made.append(("entered (schema 1.2)", _old(entered, folder / "entered-old.json")))
    return made


class _Shown(HTMLParser):
    """The page's text an owner reads as words: outside identifiers (``id``, ``mono``), the footnotes'
    references (``ref``), the style sheet and the QR code."""

    SKIP: ClassVar[set[str]] = {"id", "mono", "vin", "ref", "payload"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("br", "meta", "path"):
            return
        classes = set((dict(attrs).get("class") or "").split())
        skip = tag in ("style", "svg") or bool(classes & self.SKIP)
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("br", "meta", "path") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not (self.stack and self.stack[-1]):
            self.text.append(data)


def _words(page: str) -> str:
    parser = _Shown()
    parser.feed(page)
    return " ".join(parser.text)


def _bypassing(text: str) -> list[str]:
    """English words outside the pseudo-locale's markers (identifiers are upper case or hold digits)."""
    while True:
        inner = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
        if inner == text:
            break
        text = inner
    return re.findall(r"\b[a-z]{3,}\b", text)


@pytest.mark.parametrize("language", SPOKEN)
def test_the_letter_and_the_page_render_in_every_language(
    language: str, reports: list[tuple[str, Report]]
) -> None:
    for name, report in reports:
        letter = request_text(report, language=language)
        page = render_html(report, language=language)
        for text in (letter, _words(page)):
            assert not re.search(r"\{[a-z_]+\}|%\([a-z_]+\)[sd]", text), name  # every placeholder filled
        assert f'<html lang="{"en" if language == PSEUDO else language}">' in page
        assert current_language() == "en"  # the language was the renderer's, not left behind


def test_no_word_on_the_letter_or_the_page_bypasses_the_catalogue(reports: list[tuple[str, Report]]) -> None:
    for name, report in reports:
        letter = request_text(report, language=PSEUDO)
        page = _words(render_html(report, language=PSEUDO))
        assert _bypassing(letter) == [], (name, letter)
        assert _bypassing(page) == [], (name, page)


def test_old_reports_keep_their_english_where_there_is_no_translation(
    reports: list[tuple[str, Report]],
) -> None:
    old = dict(reports)["sim://nissan-qashqai-j10 (schema 1.2)"]
    assert old.schema_version == "1.2"
    letter = " ".join(request_text(old, language="de").split())
    assert "AV COMM bus" in letter  # the head unit's reason, in English as the old report holds it
    assert "Zulassungsbescheinigung Teil I" in letter


def test_the_letter_may_speak_another_language_than_the_page(demo: Report) -> None:
    with use_language(PSEUDO):
        page = render_html(demo)
        letter = request_text(demo, language="de")
        english = request_text(demo, language="en")
    assert "⟦" in page and '<html lang="en">' in page
    assert "⟦" not in letter and "⟦" not in english
    assert "Zulassungsbescheinigung Teil I" in letter  # the dealer's country from the letter's language
    assert "vehicle registration document" in english


@pytest.mark.parametrize("country", sorted(DOCUMENTS))
def test_the_letter_names_the_countrys_registration_document(country: str, demo: Report) -> None:
    document = DOCUMENTS[country]
    assert document.source and document.name
    letter = request_text(demo, country=country.lower())
    proof = next(line for line in letter.splitlines() if "Proof of ownership" in line)
    assert document.name in proof
    assert not [d.name for d in DOCUMENTS.values() if d is not document and d.name in letter]


@pytest.mark.parametrize(("language", "country"), sorted(LANGUAGE_COUNTRY.items()))
def test_the_letters_language_gives_its_country(language: str, country: str, demo: Report) -> None:
    assert DOCUMENTS[country].name in request_text(demo, language=language)


def test_an_english_letter_names_a_generic_document_unless_the_country_is_given(demo: Report) -> None:
    assert "vehicle registration document, copy attached" in request_text(demo)
    assert "V5C" not in request_text(demo)
    assert "V5C" in request_text(demo, country="GB") and "V5C" in request_text(demo, country="UK")
    assert "vehicle registration document" in request_text(demo, country="JP")  # a country not in the table
    assert "Zulassungsbescheinigung" in request_text(demo, language="en", country="DE")


def test_report_request_letter_lang_and_country(demo_json: Path) -> None:
    result = invoke("report", str(demo_json), "--request", "--letter-lang", "de")
    assert result.exit_code == 0, result.output
    assert "Zulassungsbescheinigung Teil I" in result.stdout
    result = invoke("report", str(demo_json), "--request", "--letter-lang", "de", "--country", "fr")
    assert result.exit_code == 0, result.output
    assert "certificat d'immatriculation" in result.stdout
    assert "Zulassungsbescheinigung Teil I" not in result.stdout
    for bad in (("--letter-lang", "xx"), ("--country", "123")):
        result = invoke("report", str(demo_json), "--request", *bad)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output


def test_the_letter_says_which_details_the_owner_entered(reports: list[tuple[str, Report]]) -> None:
    """Review finding: "read from the vehicle itself" is said only when nothing was typed in."""
    reports_by = dict(reports)
    assert "read from the vehicle itself" in " ".join(request_text(reports_by[URLS[2]]).split())
    entered = " ".join(request_text(reports_by["entered"]).split())
    assert "read from the vehicle itself" not in entered
    assert "except those marked (entered by the owner)" in entered


def test_a_scan_cut_short_is_told_once_in_the_letter(reports: list[tuple[str, Report]]) -> None:
    """Review finding: the letter repeated that the scan stopped before the head unit."""
    letter = " ".join(request_text(dict(reports)[URLS[3]]).split()).lower()
    assert letter.count("before it reached the head unit") == 1


def test_the_page_says_when_an_entered_value_differs_from_the_value_read(tmp_path: Path) -> None:
    report = add_entered(scan(URLS[2]), [check_entered("serial_number", "BP999999999999")])
    page = " ".join(_words(render_html(report)).split())
    assert "differs from the value read over OBD-II (serial number)" in page


def test_the_windows_page_and_the_letter_name_no_command_line_option(demo: Report) -> None:
    """Review finding: the window's /page and /request said "scanning again with --full"."""
    from dataclasses import replace

    from obdident.i18n import T

    assert demo.head_unit is not None and demo.head_unit.status == "not-found"
    reason = T("The head unit did not answer: a unit that ignores that question is found by scanning again "
               "with {option}.", option="--full")  # fmt: skip
    report = replace(demo, head_unit=replace(demo.head_unit, reason=reason))
    assert "--full" in render_html(report)  # the command line's page names its option
    window = " ".join(_words(render_html(report, options=False)).split())
    assert "--full" not in window and 'scanning again with "ask every unit (slower)" switched on' in window
    assert "--full" not in request_text(report)
