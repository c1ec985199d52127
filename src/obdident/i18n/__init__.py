"""Words as data: owner-facing sentences with a message id and parameters, made text only at an edge.

The package keeps every sentence an owner reads as a :class:`Text`: a ``str`` whose value is the English
rendering (so logs, the JSON's ``message`` fields and readers of older reports see English, as before), and
which also carries its gettext message id (the English template, ``"{unit} did not answer"``) and its
parameters. An edge (the terminal, the window, the page, the letter) turns it into the chosen language with
:func:`render` (or ``_()`` for its own constant words). A plain ``str`` that reaches :func:`render` is shown
as it is: the pseudo-locale test (``--lang qps``) finds such strings, because every catalogued sentence is
wrapped in ``⟦ ⟧`` there.

Catalogues: gettext ``.po``/``.mo`` files under ``obdident/locale/<lang>/LC_MESSAGES/``, domain
``obdident`` for our words and ``messages`` for click's and typer's own (Usage, Error, option help), made
with Babel (``python tools/catalogues.py``, see the README). Languages: :data:`LANGUAGES`.

Choosing the language (:func:`choose_language`): ``--lang``, then ``OBDIDENT_LANG``, then ``LC_ALL``,
``LC_MESSAGES``, ``LANG``; English when none names a language obdident has.

Markers for extraction (``pybabel extract -k T -k TN:1,2 -k N_``):

- ``T("The {unit} did not answer.", unit="BCM")``: a :class:`Text` now, translated at the edge.
- ``TN("{n} unit", "{n} units", n)``: the same with a plural form chosen by ``n`` in the target language.
- ``N_("Vehicle")``: marks a constant for extraction; the edge translates it with ``_()``.
- ``_("Vehicle")``: translates now, in the current language (edges only).
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, Union

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LOCALEDIR",
    "N_",
    "PSEUDO",
    "TN",
    "Param",
    "PseudoTranslations",
    "T",
    "Text",
    "_",
    "choose_language",
    "current_language",
    "install_click",
    "language_from_accept",
    "ngettext",
    "normalise_language",
    "render",
    "set_language",
    "text_from_json",
    "text_to_json",
    "texts_json",
    "translations",
    "use_language",
]

#: Our gettext domain.
DOMAIN = "obdident"
#: click's and typer's domain: they call :func:`gettext.gettext`, which reads the default domain.
CLICK_DOMAIN = "messages"
#: Where the compiled catalogues are: ``LOCALEDIR/<lang>/LC_MESSAGES/<domain>.mo``.
LOCALEDIR = Path(__file__).resolve().parent.parent / "locale"
#: The languages obdident speaks: code -> the language's own name (for a language switcher).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "ru": "Русский",
    "uk": "Українська",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "pl": "Polski",
}
#: The pseudo-locale (Microsoft's ``qps-ploc``): every catalogued sentence wrapped in ``⟦ ⟧`` with its
#: letters accented, placeholders kept. Not listed in :data:`LANGUAGES`: it is for tests.
PSEUDO = "qps"

#: A parameter of a :class:`Text`: a value shown as it is (an identifier, a number), another Text
#: (translated with it), or a tuple of them (joined by the template's own words).
Param = Union[str, int, float, bool, None, "Text", tuple["Param", ...]]

_current: contextvars.ContextVar[str] = contextvars.ContextVar("obdident_language", default="en")


class Text(str):
    """An owner-facing sentence: its English rendering as a ``str``, with its message id and parameters.

    Attributes:
        msgid: the gettext message id: the English template with ``{name}`` placeholders.
        params: the values for the placeholders (:data:`Param`).
        plural: the plural template for :func:`TN`, or None.
        plural_param: the parameter name whose value chooses the plural form (``n``), or None.
    """

    msgid: str
    params: Mapping[str, Param]
    plural: str | None
    plural_param: str | None

    def __new__(
        cls,
        msgid: str,
        params: Mapping[str, Param] | None = None,
        plural: str | None = None,
        count: str | None = None,
    ) -> Text:
        params = dict(params or {})
        english = _fill(_choose(msgid, plural, params.get(count) if count else None, None), params, None)
        self = super().__new__(cls, english)
        self.msgid, self.params, self.plural, self.plural_param = msgid, params, plural, count
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Text, (self.msgid, dict(self.params), self.plural, self.plural_param))

    def __deepcopy__(self, memo: dict[int, Any]) -> Text:
        return self

    def __copy__(self) -> Text:
        return self

    def render(self, language: str | None = None) -> str:
        """This sentence in ``language`` (default: the current one, :func:`current_language`)."""
        tr = translations(language or _current.get())
        n = self.params.get(self.plural_param) if self.plural_param else None
        return _fill(_choose(self.msgid, self.plural, n, tr), self.params, language or _current.get())


def _choose(msgid: str, plural: str | None, n: Any, tr: gettext.NullTranslations | None) -> str:
    if plural is None:
        return tr.gettext(msgid) if tr is not None else msgid
    count = n if isinstance(n, int) else 0
    if tr is None:
        return msgid if count == 1 else plural
    return tr.ngettext(msgid, plural, count)


def _fill(template: str, params: Mapping[str, Param], language: str | None) -> str:
    if not params:
        return template
    shown = {k: _param(v, language) for k, v in params.items()}
    try:
        return template.format_map(shown)
    except (KeyError, IndexError, ValueError):  # a translation with a broken placeholder: English instead
        return template if language is None else _fill(template, {}, None)


def _param(value: Param, language: str | None) -> str:
    if isinstance(value, Text):
        return value.render(language) if language is not None else str(value)
    if isinstance(value, tuple):
        return ", ".join(_param(v, language) for v in value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def T(msgid: str, /, **params: Param) -> Text:  # noqa: N802 - the extraction keyword
    """A :class:`Text` for ``msgid`` with ``params`` (``pybabel extract -k T``)."""
    return Text(msgid, params)


def TN(singular: str, plural: str, n: int, /, **params: Param) -> Text:  # noqa: N802
    """A :class:`Text` whose form follows ``n`` (given to the template as ``{n}``; ``-k TN:1,2``)."""
    return Text(singular, {**params, "n": n}, plural, "n")


def N_(msgid: str) -> str:  # noqa: N802
    """Mark ``msgid`` for extraction without translating it (the edge calls :func:`_` on it)."""
    return msgid


def _(msgid: str) -> str:
    """``msgid`` in the current language (edges only: the terminal, the window, the page, the letter)."""
    return translations(_current.get()).gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def render(value: object, language: str | None = None) -> str:
    """``value`` for the owner in ``language`` (default: current): a :class:`Text` translated; any other
    value as ``str(value)`` (an identifier, a number; or a plain string that bypassed the catalogue, which
    the pseudo-locale test finds); None as ""."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.render(language)
    return str(value)


# --- languages --------------------------------------------------------------------------------------------
def normalise_language(value: str | None) -> str | None:
    """``ru_RU.UTF-8`` / ``ru-RU`` / ``RU`` -> ``ru``; None when ``value`` names no language obdident has
    (``C``, ``POSIX``, ``ja_JP``, "")."""
    if not value:
        return None
    code = re.split(r"[_.@-]", value.strip(), maxsplit=1)[0].lower()
    if code == PSEUDO or code in LANGUAGES:
        return code
    return None


def choose_language(option: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """The language to speak: ``option`` (``--lang``), then ``OBDIDENT_LANG``, ``LC_ALL``, ``LC_MESSAGES``,
    ``LANG`` (the first that is set and names a language obdident has); else ``en``.

    Raises:
        ValueError: ``option`` is given but names no language obdident has (the message lists them).
    """
    if option is not None:
        chosen = normalise_language(option)
        if chosen is None:
            raise ValueError(
                f"--lang {option!r} is not a language obdident speaks; choose one of: {', '.join(LANGUAGES)}"
            )
        return chosen
    env = os.environ if environ is None else environ
    for name in ("OBDIDENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            chosen = normalise_language(value)
            if chosen is not None:
                return chosen
            if name != "OBDIDENT_LANG":
                return "en"  # POSIX: the first set of LC_ALL, LC_MESSAGES, LANG decides, "C" included
    return "en"


def language_from_accept(header: str | None) -> str:
    """The best language obdident has for an HTTP ``Accept-Language`` header (RFC 9110 §12.5.4); ``en``."""
    best: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "").split(",")):
        tag, _sep, rest = part.strip().partition(";")
        q = 1.0
        match = re.search(r"q\s*=\s*([0-9.]+)", rest)
        if match:
            try:
                q = float(match.group(1))
            except ValueError:
                q = 0.0
        code = normalise_language(tag)
        if code is not None and code != PSEUDO and q > 0:
            best.append((-q, i, code))
    return min(best)[2] if best else "en"


def current_language() -> str:
    """The language of this thread or task (:func:`set_language`, :func:`use_language`)."""
    return _current.get()


def set_language(language: str) -> None:
    """Speak ``language`` from now on in this context (a CLI run: once, at the start)."""
    _current.set(normalise_language(language) or "en")


@contextlib.contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Speak ``language`` inside the block (a letter in the dealer's language, one window request)."""
    token = _current.set(normalise_language(language) or _current.get())
    try:
        yield _current.get()
    finally:
        _current.reset(token)


@lru_cache(maxsize=32)
def translations(language: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalogue for ``language`` (English: none, the message ids are English)."""
    if language == PSEUDO:
        return PseudoTranslations()
    if language == "en" or language not in LANGUAGES:
        return gettext.NullTranslations()
    return gettext.translation(domain, LOCALEDIR, languages=[language], fallback=True)


def install_click(language: str) -> None:
    """Make click's and typer's own words (Usage, Error, Options) speak ``language``: they translate with
    :func:`gettext.gettext`, whose catalogue is our ``messages`` domain and whose language comes from the
    environment (``LANGUAGE``), so this binds the domain and sets ``LANGUAGE`` for this process."""
    gettext.bindtextdomain(CLICK_DOMAIN, str(LOCALEDIR))
    gettext.textdomain(CLICK_DOMAIN)
    os.environ["LANGUAGE"] = "en" if language == PSEUDO else language


# --- JSON ------------------------------------------------------------------------------------------------
def text_to_json(value: Param) -> Any:
    """A :data:`Param` as JSON: a Text as ``{"msgid", "params"}`` (and ``plural``/``count`` if any)."""
    if isinstance(value, Text):
        data: dict[str, Any] = {
            "msgid": value.msgid,
            "params": {k: text_to_json(v) for k, v in value.params.items()},
        }
        if value.plural is not None:
            data["plural"], data["count"] = value.plural, value.plural_param
        return data
    if isinstance(value, tuple):
        return [text_to_json(v) for v in value]
    return value


def text_from_json(data: Any) -> Param:
    """The inverse of :func:`text_to_json`."""
    if isinstance(data, dict) and isinstance(data.get("msgid"), str):
        params = {str(k): text_from_json(v) for k, v in dict(data.get("params") or {}).items()}
        return Text(data["msgid"], params, data.get("plural"), data.get("count"))
    if isinstance(data, list):
        return tuple(text_from_json(v) for v in data)
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)


def texts_json(obj: Any, data: dict[str, Any]) -> None:
    """Add ``texts`` to ``data`` (report schema 1.3, ``#/$defs/texts``): the sentences of ``obj``'s fields
    that have parameters, as data."""
    texts: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if isinstance(value, Text) and (value.params or value.plural):
            texts[name] = text_to_json(value)
        elif isinstance(value, tuple) and any(isinstance(v, Text) and (v.params or v.plural) for v in value):
            texts[name] = [
                text_to_json(v) if isinstance(v, Text) and (v.params or v.plural) else None for v in value
            ]
    if texts:
        data["texts"] = texts


# --- the pseudo-locale -----------------------------------------------------------------------------------
_ACCENTS = str.maketrans(
    "AaCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
    "ÅåÇçÐðÉéĜĝĤĥÎîĴĵĶķĻļÑñÖöŘřŠšŢţÛûŴŵÝýŽž",
)
_PLACEHOLDER = re.compile(r"(\{[^{}]*\}|%\([a-z_]+\)[sd]|%[sd]|https?://\S+|\bAT [A-Z@0-9]+\b)")


def pseudo(text: str) -> str:
    """``text`` in the pseudo-locale: letters accented outside placeholders, wrapped in ``⟦ ⟧``."""
    parts = _PLACEHOLDER.split(text)
    shown = "".join(p if i % 2 else p.translate(_ACCENTS) for i, p in enumerate(parts))
    return f"⟦{shown}⟧" if text.strip() else text


class PseudoTranslations(gettext.NullTranslations):
    """The pseudo-locale's catalogue: :func:`pseudo` of every message id."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)


def strip_accents(text: str) -> str:
    """``text`` without the pseudo-locale's accents (tests compare with English through it)."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
