"""The command speaks the chosen language (issue 19): ``--lang`` on every command and in every position, then
``OBDIDENT_LANG``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``; click's and typer's own words, option help and the
terminal report through the catalogue. Checked with the pseudo-locale ``qps``: a catalogued sentence is
wrapped in ``⟦ ⟧``, so an English word left outside the markers bypassed the catalogue."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.cli.lang import lang_argument
from obdident.i18n import LANGUAGES, install_click, use_language
from obdident.report.words import decimal, moment

runner = CliRunner()

COMMANDS = ("scan", "report", "ports", "ui", "check-adapter", "intake", "check-recording")
#: The language variables, none set: each test sets the one it is about.
UNSET: dict[str, str | None] = {"OBDIDENT_LANG": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None}

_WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
#: A word of English outside the markers: 3+ lowercase letters not part of an option, a path or a name.
_WORD = re.compile(r"(?<![-\w/.'=@])[a-z]{3,}(?![-\w/.'])")


def _outside(text: str) -> list[str]:
    """The English words ``text`` holds outside ``⟦ ⟧`` (nested markers removed from the inside out)."""
    while _WRAPPED.search(text):
        text = _WRAPPED.sub(" ", text)
    text = re.sub(r"<[^<>]*>", " ", text)  # typer's type names (<list[Path]>): Python's, not words
    return _WORD.findall(text)


def _help(args: list[str], env: dict[str, str | None]) -> str:
    result = runner.invoke(cli.app, args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def _pseudo(text: str) -> bool:
    return "⟦" in text


@pytest.mark.parametrize("variable", ["OBDIDENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"])
def test_each_variable_chooses_the_language(variable: str) -> None:
    assert _pseudo(_help(["--help"], {**UNSET, variable: "qps"}))


def test_the_order_is_lang_then_obdident_lang_then_lc_all_lc_messages_lang() -> None:
    assert not _pseudo(_help(["--lang", "en", "--help"], {**UNSET, "OBDIDENT_LANG": "qps"}))
    assert _pseudo(_help(["--lang", "qps", "--help"], {**UNSET, "OBDIDENT_LANG": "en"}))
    assert not _pseudo(_help(["--help"], {**UNSET, "OBDIDENT_LANG": "en", "LC_ALL": "qps"}))
    assert not _pseudo(_help(["--help"], {**UNSET, "LC_ALL": "en_GB.UTF-8", "LANG": "qps"}))
    assert _pseudo(_help(["--help"], {**UNSET, "LC_MESSAGES": "qps", "LANG": "en_US.UTF-8"}))


def test_lang_c_is_english() -> None:
    assert not _pseudo(_help(["--help"], {**UNSET, "LANG": "C"}))
    assert not _pseudo(_help(["--help"], {**UNSET, "LC_ALL": "C", "LANG": "qps"}))


@pytest.mark.parametrize(
    "args",
    [
        ["--lang", "qps", "scan", "--help"],
        ["scan", "--lang", "qps", "--help"],
        ["scan", "--help", "--lang=qps"],
        ["--lang=qps", "report", "--help"],
    ],
)
def test_lang_works_before_and_after_the_command(args: list[str]) -> None:
    assert _pseudo(_help(args, UNSET))


def test_lang_argument_is_read_wherever_it_stands() -> None:
    assert lang_argument(["scan", "--demo", "--lang", "de"]) == "de"
    assert lang_argument(["--lang=fr", "scan"]) == "fr"
    assert lang_argument(["scan", "--", "--lang", "de"]) is None
    assert lang_argument(["scan", "--lang"]) is None


def test_an_unknown_language_is_a_one_line_usage_error() -> None:
    result = runner.invoke(cli.app, ["--lang", "xx", "scan", "--demo"], env=UNSET)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "xx" in lines[0] and all(code in lines[0] for code in LANGUAGES)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_of_every_command_is_translated_click_words_included(command: str | None) -> None:
    args = ["--lang", "qps"] + ([command] if command else []) + ["--help"]
    shown = _help(args, UNSET)
    names = {"obdident", "options", "command", "args", *(c for c in COMMANDS)}
    left = [word for word in _outside(shown) if word not in names]
    assert not left, f"English outside the catalogue in {args}: {left}\n{shown}"
    assert "Usage:" not in shown and "Show this message and exit." not in shown
    assert "--lang" in shown  # on every command


def test_usage_errors_are_translated() -> None:
    result = runner.invoke(cli.app, ["scan", "--lang", "qps", "--baudrate", "x"], env=UNSET)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and all(_pseudo(line) for line in lines), result.stderr
    assert not [w for w in _outside(result.stderr) if w not in {"obdident", "scan", "help"}], result.stderr
    result = runner.invoke(cli.app, ["--lang", "qps", "scan", "--no-such-option"], env=UNSET)
    assert result.exit_code == 2
    assert "No such option" not in result.stderr and "--no-such-option" in result.stderr


def test_english_usage_errors_are_clicks_own() -> None:
    result = runner.invoke(cli.app, ["scan", "--no-such-option"], env={**UNSET, "LANG": "C"})
    assert result.exit_code == 2
    assert "Error: No such option: --no-such-option" in result.stderr


def test_the_demo_scan_speaks_the_pseudo_locale_in_the_terminal_report() -> None:
    result = runner.invoke(cli.app, ["--lang", "qps", "scan", "--demo"], env=UNSET)
    assert result.exit_code == 0, result.output
    out = result.stdout
    # the panels' and tables' titles, the labels of the vehicle and adapter rows, the last lines
    titles = ("Vehicle", "Adapter", "Check digit", "Protocol", "Voltage", "ECUs", "Request", "Identification")
    for english in (*titles, "Scan complete", "Read-only", "For the dealer", "Printable page"):
        assert english not in out, english
    vehicle = out.split("╭─ ⟦")[1]
    labels = [line[2:16] for line in vehicle.splitlines()[1:] if line.startswith("│ ") and line[2] != " "]
    assert labels and all(label.startswith("⟦") or label.strip() in {"Nissan"} for label in labels), labels
    ending = [line for line in out.splitlines() if "obdident 0" in line or "0.1.0" in line]
    assert ending and all(line.lstrip().startswith("⟦") for line in ending), ending
    assert "JSON report" not in result.stderr


def test_numbers_use_the_languages_decimal_sign() -> None:
    result = runner.invoke(cli.app, ["--lang", "de", "scan", "--demo"], env=UNSET)
    assert result.exit_code == 0, result.output
    assert "12,6 V" in result.stdout and "12.6 V" not in result.stdout
    with use_language("ru"):
        assert decimal(1234.5, 1).replace("\xa0", " ") == "1 234,5"
    with use_language("en"):
        assert decimal(12.0, 1) == "12.0"


def test_dates_take_the_languages_form() -> None:
    with use_language("de"):
        assert moment("2026-12-04T19:22:05Z").startswith("04.12.2026")
    with use_language("en"):
        assert moment("2026-12-04T19:22:05Z").startswith("Dec 4, 2026")
    assert moment(None) == "" and moment("not a time") == "not a time"


def test_click_words_under_the_pseudo_locale_are_undone_by_another_language() -> None:
    install_click("qps")
    assert gettext.gettext("Options").startswith("⟦")
    install_click("en")
    assert gettext.gettext("Options") == "Options"


def test_check_adapter_and_intake_speak_the_pseudo_locale(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["--lang", "qps", "check-adapter", "--demo"], env=UNSET)
    assert result.exit_code == 0, result.output
    for english in ("Adapter:", "What the scan needs it for", "Supported", "This adapter can read", "yes"):
        assert english not in result.stdout, english
    scan = tmp_path / "scan.json"
    assert runner.invoke(cli.app, ["scan", "--demo", "--json", str(scan)], env=UNSET).exit_code == 0
    result = runner.invoke(
        cli.app, ["--lang", "qps", "intake", str(scan), "--csv", str(tmp_path / "log.csv")]
    )
    assert result.exit_code == 0, result.output
    for english in ("Cars taken in", "Part number", "simulated:", "invented", "appended"):
        assert english not in result.output, english


def test_the_terminal_report_gives_the_scans_start_in_the_languages_form(tmp_path: Path) -> None:
    import json

    scan = tmp_path / "scan.json"
    assert runner.invoke(cli.app, ["scan", "--demo", "--json", str(scan)], env=UNSET).exit_code == 0
    started = json.loads(scan.read_text("utf-8"))["started_at"]
    result = runner.invoke(cli.app, ["--lang", "de", "report", str(scan)], env=UNSET)
    assert result.exit_code == 0, result.output
    with use_language("de"):
        day = moment(started).split(",")[0]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4}", day) and day in result.stdout, result.stdout
