"""The HTML page: hostile strings stay text (the browser checks are in tests/test_html_report.py)."""

from __future__ import annotations

from obdident.model import Report
from obdident.report.html import render_html
from tests.htmlparse import parse as parse_html
from tests.outputs.common import (
    HOSTILE_TEXT,
)


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
