"""The terminal text: control and format characters shown escaped, never sent to the terminal."""

from __future__ import annotations

import re

import pytest

from obdident.model import Report
from obdident.report.sanitize import plain, safe
from tests.outputs.common import _terminal

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
