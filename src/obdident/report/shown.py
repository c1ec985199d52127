"""Small helpers of the page and the letter for showing values in the owner's language.

- :func:`word`: a constant marked with ``N_`` elsewhere (a status, a label) or a model value as a
  :class:`~obdident.i18n.Text`, translated where it is shown.
- :func:`when`: a report's UTC timestamp (``2026-12-04T19:24:05Z``) in the language's own form
  (``4. Dezember 2026, 19:24:05 UTC``; Babel's CLDR ``long`` date-time format).
- :func:`number`: a number in the language's own form (``1,5`` in German).
"""

from __future__ import annotations

from datetime import datetime

from obdident.i18n import PSEUDO, Param, T, Text, current_language, pseudo

__all__ = ["WINDOW_SWITCHES", "babel_locale", "for_window", "when", "word"]

#: Command-line options a sentence may name (as its ``option`` parameter), with the window's words for them.
WINDOW_SWITCHES: dict[str, Text] = {
    "--full": T('"{switch}" switched on', switch=Text("ask every unit (slower)")),
}


def word(value: str | None) -> Text | None:
    """``value`` as a :class:`Text`: a Text as it is, a plain string as a message id without parameters (a
    constant marked ``N_`` where it is defined, or an old report's English sentence: translated where the
    catalogue has it, shown as it is otherwise). None stays None."""
    if value is None:
        return None
    return value if isinstance(value, Text) else Text(value)


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of ``language`` (default: the current one); the pseudo-locale's is English's."""
    language = language or current_language()
    return "en" if language == PSEUDO else language


def when(stamp: str | None, language: str | None = None, form: str = "long") -> str | None:
    """``stamp`` (ISO 8601, as the report's ``started_at``) in the language's ``form`` (Babel, CLDR:
    ``long``, ``medium``) date-time form, in UTC; a stamp that is not ISO 8601 is shown as it is; None or ""
    gives None. In the pseudo-locale: English's form, marked as having gone through the locale."""
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    from babel.dates import format_datetime

    shown = str(format_datetime(moment, form, tzinfo=moment.tzinfo, locale=babel_locale(language)))
    return pseudo(shown) if (language or current_language()) == PSEUDO else shown


def for_window(value: Param) -> Param:
    """``value`` with every command-line option it names (a parameter ``option``, :data:`WINDOW_SWITCHES`)
    in the window's words: the window's owner sets switches and types no options."""
    if isinstance(value, tuple):
        return tuple(for_window(v) for v in value)
    if not isinstance(value, Text) or not value.params:
        return value
    params = {
        name: WINDOW_SWITCHES.get(v, v) if name == "option" and isinstance(v, str) else for_window(v)
        for name, v in value.params.items()
    }
    return Text(value.msgid, params, value.plural, value.plural_param)
