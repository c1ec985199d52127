"""What the window's pages say, in the owner's language: the templates' environment and its filters.

The templates write their own words as ``{{ _("...") }}`` (jinja2's i18n extension, newstyle gettext bound
to :func:`obdident.i18n._`, so the language is the request's: :class:`obdident.ui.gates.LanguageGate`);
model values pass the ``tr`` filter (:func:`obdident.i18n.render`: a :class:`~obdident.i18n.Text` is
translated, an identifier shown as it is), notes, hints and problems the ``words`` filter (the same, in the
window's words: no shell command or command-line option, :func:`obdident.journey.guidance.for_window`), and
a line holding identifiers the ``ids`` filter (each identifier in a monospace ``<span class="value">``).
The script's words come from :func:`script_words`, put in the page as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import jinja2
from markupsafe import Markup, escape

from obdident.i18n import LANGUAGES, N_, Text, _, current_language, render
from obdident.journey.guidance import for_window
from obdident.report.html import template_environment

__all__ = [
    "SCRIPT_WORDS",
    "environment",
    "ids",
    "ids_markup",
    "say",
    "script_words",
    "switcher",
    "tr",
    "words",
]

#: The script's words (ui.js), by key: translated on the server, given to the page as JSON.
SCRIPT_WORDS: dict[str, str] = {
    "ended": N_("The scan has ended"),
    "print_frame": N_("The page for the dealer, for printing"),
}


def tr(value: object) -> str:
    """A model value for the window, in the current language (:func:`obdident.i18n.render`)."""
    return render(value)


def words(value: object) -> str | None:
    """A note, hint, problem or reason for the window, in the current language: a :class:`Text` translated
    (or, when it holds a shell command or a command-line option, its window form,
    :func:`obdident.journey.guidance.for_window`); other values as they are. None stays None; "" when nothing
    is left for the window."""
    if value is None:
        return None
    window = for_window(value if isinstance(value, str) else str(value))
    if isinstance(window, Text):  # the Text itself, or its window form as a Text: translated
        return window.render()
    english = str(value)
    if window is None or window == english:
        return render(value)
    if window and window not in english:  # the window's own advice instead (journey.guidance's sentences)
        return _(window)
    if isinstance(value, Text):  # its sentences that name a command left out, in the current language
        return for_window(value.render()) or ""
    return render(window)


def say(value: object) -> str:
    """A constant of the window's words (an advice heading, the scan time): a :class:`Text` translated, a
    plain message id through the catalogue."""
    return render(value) if isinstance(value, Text) else _(str(value))


def ids(line: object, *identifiers: object) -> Markup:
    """``line`` (translated by :func:`render`) escaped, with each of ``identifiers`` found in it in a
    monospace ``<span class="value">`` (a VIN, a part number: never translated, shown as they are)."""
    text = render(line)
    shown = [str(i) for i in identifiers if i]
    if not shown:
        return Markup(escape(text))
    out, rest = [], text
    while rest:
        hits = [(rest.find(i), i) for i in shown if i in rest]
        if not hits:
            out.append(escape(rest))
            break
        at, ident = min(hits, key=lambda h: (h[0], -len(h[1])))
        out += [escape(rest[:at]), Markup('<span class="value">{}</span>').format(ident)]
        rest = rest[at + len(ident) :]
    return Markup("").join(out)


def ids_markup(value: object, id: str | None = None, tag: str = "span") -> Markup:
    """``value`` (an identifier: a port, a file, a VIN) in a monospace ``<span class="value">`` (or ``tag``),
    for a template's placeholder."""
    shown = Markup(' id="{}"').format(id) if id else Markup("")
    return Markup('<{0} class="value"{1}>{2}</{0}>').format(Markup(tag), shown, str(value))


def script_words() -> str:
    """:data:`SCRIPT_WORDS` in the current language, as JSON for a ``<script type="application/json">``
    (``<``, ``>`` and ``&`` escaped, so no word can close the element)."""
    data = json.dumps({key: _(msgid) for key, msgid in SCRIPT_WORDS.items()}, ensure_ascii=False)
    return data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def switcher(languages: Iterable[str] = LANGUAGES) -> list[tuple[str, str, bool]]:
    """The language switcher's entries: (code, the language's own name, is it the current one)."""
    now = current_language()
    return [(code, LANGUAGES.get(code, code), code == now) for code in languages]


def environment() -> jinja2.Environment:
    """The templates' environment: autoescape, strict undefined, i18n (newstyle) in the current language."""
    env = template_environment("obdident.ui")
    env.filters["tr"] = tr
    env.filters["words"] = words
    env.filters["say"] = say
    env.filters["ids"] = ids
    env.globals["current_language"] = current_language
    env.globals["switcher"] = switcher
    env.globals["script_words"] = script_words
    env.globals["ids_markup"] = ids_markup
    return env
