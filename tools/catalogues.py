"""Make obdident's gettext catalogues with Babel: extract, update, compile, in one command.

    python tools/catalogues.py               # extract -> .pot, update every .po, compile every .mo
    python tools/catalogues.py --check       # change nothing; exit 1 when a file is out of date
    python tools/catalogues.py --statistics  # also print, per language, translated / fuzzy / missing

Two gettext domains, under ``src/obdident/locale`` (the wheel and the bundle ship the folder):

* ``obdident``: our words. Extracted with keywords ``T``, ``TN:1,2``, ``N_``, ``_``, ``ngettext:1,2`` from
  the Python sources under ``src/obdident``; from the jinja2 templates (``report/templates``,
  ``ui/templates``) through jinja2's own extractor (``jinja2.ext.babel_extract`` with ``jinja2.ext.i18n``);
  and from the owner texts of the family records (``vehicles/families/*.toml``: the keys listed in
  :func:`owner_text_keys`). ``obdident.pot`` and ``<lang>/LC_MESSAGES/obdident.po`` / ``.mo``.
* ``messages``: click's and typer's own words (Usage, Error, Options, "Show this message and exit."),
  extracted from the installed click and typer packages, so that the command line's frame speaks the
  owner's language too (:func:`obdident.i18n.install_click`). ``messages.pot`` and per language
  ``messages.po`` / ``.mo`` (the pseudo-locale needs no file: :mod:`obdident.i18n` wraps every message).

The languages are :data:`obdident.i18n.LANGUAGES` without ``en`` (the message ids are English). A ``.po``
keeps its translations on update (new entries empty, gone entries kept as obsolete ``#~`` lines, changed
ones marked fuzzy by Babel's matcher); ``.mo`` files leave fuzzy entries out. Files are rewritten only when
their content changes (dates alone do not count), and without line numbers in the references, so the
catalogues change only when the words change.

Babel is the library (``pybabel extract / update / compile`` do the same steps); this script holds the one
configuration. It is a developer's tool, not part of the installed package: the wheel ships the compiled
catalogues, never the machinery that makes them. ``tests/test_catalogues.py`` runs :func:`extract` to check
the committed ``.pot`` files are up to date, every ``.mo`` is a fresh compile of its ``.po``, and every
catalogue is complete.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import tomllib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog, Message
from babel.messages.checkers import num_plurals, python_format
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "obdident"
LOCALE = PACKAGE / "locale"
DOMAIN = "obdident"
CLICK_DOMAIN = "messages"

#: Extraction keywords (``pybabel extract -k``): name -> the arguments holding the message (None: the first).
KEYWORDS: dict[str, Any] = {"T": None, "TN": (1, 2), "N_": None, "_": None, "ngettext": (1, 2)}
#: Comments above a marked line that start so are kept for the translator.
COMMENT_TAGS = ("TRANSLATORS:",)
#: Jinja2 templates: the i18n extension's gettext calls and ``{% trans %}`` blocks.
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "trimmed": "true"}
#: The family records' keys whose values the owner reads, used when record.py does not list them.
DEFAULT_OWNER_TEXT_KEYS = frozenset({"head_unit.why"})

_DATES = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*\\n"$', re.M)
_BRACES = re.compile(r"\{([^{}:!]*)(?:[:!][^{}]*)?\}")


def languages() -> list[str]:
    """Every language with a catalogue: :data:`obdident.i18n.LANGUAGES` but English."""
    sys.path.insert(0, str(ROOT / "src"))
    from obdident.i18n import LANGUAGES

    return [code for code in LANGUAGES if code != "en"]


def owner_text_keys() -> frozenset[str]:
    """The family records' keys holding owner text: ``OWNER_TEXT_KEYS`` of
    ``obdident.vehicles.families.record`` when it has one, else :data:`DEFAULT_OWNER_TEXT_KEYS`. A key
    names the end of a key's dotted path: ``head_unit.why`` is ``why`` in any ``[model.head_unit]`` table,
    ``why`` any key so named."""
    sys.path.insert(0, str(ROOT / "src"))
    from obdident.vehicles.families import record

    return frozenset(getattr(record, "OWNER_TEXT_KEYS", DEFAULT_OWNER_TEXT_KEYS))


# --- extraction --------------------------------------------------------------------------------------------
def extract_toml(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, str, list[str]]]:
    """A Babel extraction method for the family records: every string (or list of strings) under one of
    :func:`owner_text_keys`, with the line where it first appears."""
    text = fileobj.read().decode("utf-8")
    ends = [tuple(key.split(".")) for key in owner_text_keys()]
    lines = text.splitlines()

    def owner(path: tuple[str, ...]) -> bool:
        return any(path[-len(end) :] == end for end in ends)

    def walk(value: Any, path: tuple[str, ...]) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from walk(inner, (*path, key))
        elif isinstance(value, list):
            for inner in value:
                if isinstance(inner, dict):
                    yield from walk(inner, path)
                elif isinstance(inner, str) and owner(path):
                    yield inner
        elif isinstance(value, str) and owner(path):
            yield value

    for message in walk(tomllib.loads(text), ()):
        if not message.strip():
            continue
        quoted = message.replace("\\", "\\\\").replace('"', '\\"')
        lineno = next((i for i, line in enumerate(lines, 1) if quoted in line or message in line), 1)
        yield lineno, "", message, []


def _catalog(domain: str, **header: Any) -> Catalog:
    return Catalog(
        domain=domain,
        project="obdident",
        version=header.get("version", ""),
        copyright_holder="obdident developers",
        msgid_bugs_address="",
        charset="utf-8",
        fuzzy=False,
    )


def _add(catalog: Catalog, found: Iterable[tuple[str, int, Any, list[str], Any]], prefix: str) -> None:
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"{prefix}{Path(filename).as_posix()}", lineno)],
            auto_comments=comments,
            context=context,
        )


def extract_python(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel's Python extractor, and the calls it does not see: those inside an f-string's expressions
    (``f"{_('Date:')} ..."``), found with :mod:`ast`."""
    import ast

    from babel.messages.extract import extract_python as babel_python

    source = fileobj.read()
    seen: set[tuple[int, Any]] = set()
    for lineno, funcname, messages, comments in babel_python(
        io.BytesIO(source), keywords, comment_tags, options
    ):
        seen.add((lineno, messages))
        yield lineno, funcname, messages, comments
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.JoinedStr):
            continue
        for call in ast.walk(node):
            if not (
                isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in keywords
            ):
                continue
            spec = KEYWORDS.get(call.func.id) or (1,)
            args = [
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in call.args
            ]
            picked = tuple(args[i - 1] if i - 1 < len(args) else None for i in spec if isinstance(i, int))
            if not picked or any(p is None for p in picked):
                continue
            messages = picked[0] if len(picked) == 1 else picked
            if (call.lineno, messages) not in seen:
                seen.add((call.lineno, messages))
                yield call.lineno, call.func.id, messages, []


def extract_obdident() -> Catalog:
    """Our words, from the package's Python sources, templates and family records."""
    catalog = _catalog(DOMAIN)
    method_map = [
        ("locale/**", "ignore"),
        ("**.py", extract_python),
        ("report/templates/**.html", "jinja2.ext:babel_extract"),
        ("ui/templates/**.html", "jinja2.ext:babel_extract"),
        ("vehicles/families/*.toml", extract_toml),
    ]
    options = {"report/templates/**.html": JINJA_OPTIONS, "ui/templates/**.html": JINJA_OPTIONS}
    found = extract_from_dir(
        PACKAGE, method_map, options, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True
    )
    _add(catalog, found, "src/obdident/")
    return catalog


def _package_dir(name: str) -> Path:
    module = __import__(name)
    return Path(module.__file__).resolve().parent


def click_versions() -> str:
    """``click X, typer Y``: the installed versions the ``messages`` domain was extracted from."""
    from importlib.metadata import version

    return f"click {version('click')}, typer {version('typer')}"


def click_packages() -> tuple[str, ...]:
    """The installed packages whose words frame the command line: typer, and click unless typer carries its
    own copy of click (``typer._click``, typer 0.2x: that copy has no ``_()`` calls, so its words, "Usage:",
    "Show this message and exit.", cannot come from a catalogue and the command line must say them)."""
    import importlib.util

    return ("typer",) if importlib.util.find_spec("typer._click") else ("click", "typer")


def extract_click() -> Catalog:
    """click's and typer's own words, from the installed packages (their ``_()`` / ``ngettext`` calls)."""
    catalog = _catalog(CLICK_DOMAIN, version=click_versions())
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    for name in click_packages():
        found = extract_from_dir(_package_dir(name), [("**.py", "python")], keywords=keywords)
        _add(catalog, found, f"{name}/")
    return catalog


def extract() -> dict[str, Catalog]:
    """Both templates, fresh from the sources: domain -> catalog."""
    return {DOMAIN: extract_obdident(), CLICK_DOMAIN: extract_click()}


# --- files ---------------------------------------------------------------------------------------------
def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=110, include_lineno=False, ignore_obsolete=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _same(old: bytes, new: bytes) -> bool:
    """Equal but for the dates and Babel's version in the header."""

    def strip(data: bytes) -> str:
        return _DATES.sub("", data.decode("utf-8"))

    return strip(old) == strip(new)


class Writer:
    """Writes files whose content changed; in ``check`` mode only lists them."""

    def __init__(self, check: bool) -> None:
        self.check = check
        self.stale: list[Path] = []

    def text(self, path: Path, data: bytes) -> None:
        if path.exists() and _same(path.read_bytes(), data):
            return
        self._put(path, data)

    def binary(self, path: Path, data: bytes, catalog: Catalog) -> None:
        if path.exists() and mo_messages(path.read_bytes()) == mo_messages(data):
            return
        self._put(path, data)

    def _put(self, path: Path, data: bytes) -> None:
        self.stale.append(path)
        if not self.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)


def mo_messages(data: bytes) -> dict[Any, str]:
    """A compiled catalogue's messages, its header left out (the header names Babel's version and dates)."""
    import gettext

    translations = gettext.GNUTranslations(io.BytesIO(data))
    return {k: v for k, v in translations._catalog.items() if k != ""}  # type: ignore[attr-defined]


def update(template: Catalog, path: Path, language: str) -> Catalog:
    """The catalogue at ``path`` (or a new one for ``language``) brought up to ``template``."""
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language, domain=template.domain)
    else:
        catalog = Catalog(locale=language, domain=template.domain, fuzzy=False)
        catalog.project, catalog.version = template.project, template.version
        catalog.copyright_holder = template.copyright_holder
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    for key, message in list(catalog.obsolete.items()):  # keep a gone message only for its translation
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not any(strings):
            del catalog.obsolete[key]
    catalog.project, catalog.version = template.project, template.version
    return catalog


# --- checks ----------------------------------------------------------------------------------------------
def brace_placeholders(catalog: Catalog | None, message: Message) -> None:
    """A checker in Babel's form: every translation names the same ``{placeholders}`` as its message id.

    Raises:
        babel.messages.catalog.TranslationError: a placeholder is missing or added.
    """
    from babel.messages.catalog import TranslationError

    ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    wanted = {name for msgid in ids for name in _BRACES.findall(msgid)}
    for string in strings:
        if not string:
            continue
        have = set(_BRACES.findall(string))
        if have != wanted:
            raise TranslationError(
                f"placeholders differ: the source has {sorted(wanted)}, the translation {sorted(have)}"
            )


CHECKERS: tuple[Callable[[Catalog | None, Message], None], ...] = (
    num_plurals,
    python_format,
    brace_placeholders,
)


def problems(catalog: Catalog) -> Iterator[str]:
    """What keeps ``catalog`` from being complete: missing and fuzzy entries, a wrong number of plural
    forms, placeholders that differ from the source (Babel's checkers and :func:`brace_placeholders`)."""
    language = str(catalog.locale)
    wanted = get_plural(language).num_plurals
    if catalog.num_plurals != wanted:
        yield f"Plural-Forms has {catalog.num_plurals} forms, {language} has {wanted}"
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if message.fuzzy:
            yield f"fuzzy: {message.id!r}"
        elif not all(strings):
            yield f"not translated: {message.id!r}"
            continue
        for checker in CHECKERS:
            try:
                checker(catalog, message)
            except Exception as error:  # TranslationError, and a bad %-format raising ValueError
                yield f"{error}: {message.id!r}"


def statistics(catalog: Catalog) -> tuple[int, int, int]:
    """(translated, fuzzy, untranslated) entries of ``catalog``."""
    done = fuzzy = missing = 0
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy += 1
        elif message.string and all(message.string if isinstance(message.string, tuple) else [1]):
            done += 1
        else:
            missing += 1
    return done, fuzzy, missing


# --- the command ---------------------------------------------------------------------------------------
def run(check: bool = False, show_statistics: bool = False, out: Any = sys.stdout) -> list[Path]:
    """Extract, update, compile. Returns the files that were (``check``: would be) written."""
    writer = Writer(check)
    templates = extract()
    for domain, template in templates.items():
        writer.text(LOCALE / f"{domain}.pot", po_bytes(template))
        for language in languages():
            folder = LOCALE / language / "LC_MESSAGES"
            catalog = update(template, folder / f"{domain}.po", language)
            writer.text(folder / f"{domain}.po", po_bytes(catalog))
            writer.binary(folder / f"{domain}.mo", mo_bytes(catalog), catalog)
            if show_statistics:
                done, fuzzy, missing = statistics(catalog)
                total = done + fuzzy + missing
                share = 100 * done // total if total else 100
                print(
                    f"{language} {domain}: {done}/{total} translated ({share}%), {fuzzy} fuzzy, "
                    f"{missing} missing",
                    file=out,
                )
    return writer.stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is stale")
    parser.add_argument("--statistics", action="store_true", help="print each catalogue's completeness")
    args = parser.parse_args(argv)
    stale = run(check=args.check, show_statistics=args.statistics)
    for path in stale:
        verb = "out of date" if args.check else "written"
        print(f"{path.relative_to(ROOT).as_posix()}: {verb}")
    if args.check and stale:
        print("run: python tools/catalogues.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
