"""A small HTML parser for the report tests: the elements, attribute names and text a page holds."""

from __future__ import annotations

from html.parser import HTMLParser


class Elements(HTMLParser):
    """Collects every start tag, every attribute name and every text node of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> Elements:
    """Parse ``html`` and return what it holds."""
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser
