"""The catalogues are up to date, compiled, and complete (issue 19, sections 2 and 4).

``tools/catalogues.py`` makes them (``python tools/catalogues.py``; the README's "Languages"). These tests
hold everyone to it:

* the committed ``.pot`` files hold exactly the messages a fresh extraction finds (the Python sources, the
  templates, the family records; click's and typer's installed words), so a new ``T("...")`` without a
  catalogue run fails here;
* every language's ``.po`` holds every message of its ``.pot``, with the language's number of plural forms;
* every committed ``.mo`` is a compile of its ``.po`` (the header, which names dates and Babel's version,
  left out), so nobody forgets to compile;
* every catalogue is complete: nothing missing, nothing fuzzy, the same ``{placeholders}`` as the source and
  valid ``%`` formats (Babel's checkers, ``babel.messages.checkers``, and the tool's brace checker).
  This last one waits on the translators: it fails, naming each missing entry, until they are done.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, TranslationError
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "obdident" / "locale"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogues_tool", ROOT / "tools" / "catalogues.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


tool = _tool()
LANGUAGES = tool.languages()
DOMAINS = (tool.DOMAIN, tool.CLICK_DOMAIN)
PAIRS = [(language, domain) for language in LANGUAGES for domain in DOMAINS]


def ids(catalog: Catalog) -> set[object]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalog if m.id}


def load(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="module")
def fresh() -> dict[str, Catalog]:
    return tool.extract()


def test_every_language_but_english_has_both_catalogues() -> None:
    from obdident.i18n import LANGUAGES as SPOKEN

    assert set(LANGUAGES) == set(SPOKEN) - {"en"}
    for language, domain in PAIRS:
        for suffix in (".po", ".mo"):
            assert (LOCALE / language / "LC_MESSAGES" / f"{domain}{suffix}").is_file(), (language, domain)


@pytest.mark.parametrize("domain", DOMAINS)
def test_the_template_holds_what_the_sources_say(domain: str, fresh: dict[str, Catalog]) -> None:
    committed = ids(load(LOCALE / f"{domain}.pot"))
    found = ids(fresh[domain])
    where = "the installed " + tool.click_versions() if domain == tool.CLICK_DOMAIN else "src/obdident"
    assert (sorted(map(str, found - committed)), sorted(map(str, committed - found))) == ([], []), (
        f"{domain}.pot is not what {where} holds (new, gone): run python tools/catalogues.py"
    )


def test_the_family_records_owner_texts_are_extracted(fresh: dict[str, Catalog]) -> None:
    # one sentence the owner reads from a record (a head unit's 'why'), found by the TOML extractor
    import tomllib

    record = tomllib.loads((ROOT / "src/obdident/vehicles/families/qashqai.toml").read_text("utf-8"))
    assert "head_unit.why" in tool.owner_text_keys()
    texts = [model["head_unit"]["why"] for model in record["model"] if model.get("head_unit", {}).get("why")]
    assert texts and set(texts) <= ids(fresh[tool.DOMAIN])
    sources = {model["head_unit"]["source"] for model in record["model"] if "head_unit" in model}
    assert not sources & ids(fresh[tool.DOMAIN])  # engineer detail (sources) is not owner text


@pytest.mark.parametrize(("language", "domain"), PAIRS)
def test_each_catalogue_holds_every_message_of_its_template(language: str, domain: str) -> None:
    template = ids(load(LOCALE / f"{domain}.pot"))
    catalog = load(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", language)
    assert ids(catalog) == template, f"{language}/{domain}.po: run python tools/catalogues.py"


@pytest.mark.parametrize(("language", "domain"), PAIRS)
def test_each_catalogue_has_its_languages_plural_forms(language: str, domain: str) -> None:
    from babel.messages.plurals import get_plural

    catalog = load(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", language)
    assert catalog.num_plurals == get_plural(language).num_plurals
    if language in ("ru", "uk", "pl"):
        assert catalog.num_plurals == 3  # one, few, many: 1 файл, 2 файла, 5 файлов
    for message in catalog:
        if isinstance(message.id, tuple | list) and message.id:
            assert len(message.string) == catalog.num_plurals, (language, domain, message.id)


@pytest.mark.parametrize(("language", "domain"), PAIRS)
def test_each_compiled_catalogue_is_a_compile_of_its_po(language: str, domain: str) -> None:
    folder = LOCALE / language / "LC_MESSAGES"
    fresh_mo = tool.mo_bytes(load(folder / f"{domain}.po", language))
    assert tool.mo_messages((folder / f"{domain}.mo").read_bytes()) == tool.mo_messages(fresh_mo), (
        f"{language}/{domain}.mo is not its .po compiled: run python tools/catalogues.py"
    )


@pytest.mark.parametrize(("language", "domain"), PAIRS)
def test_each_catalogue_is_complete(language: str, domain: str) -> None:
    # Waits on the translators: fails, naming the entries, until every message is translated.
    catalog = load(LOCALE / language / "LC_MESSAGES" / f"{domain}.po", language)
    found = list(tool.problems(catalog))
    assert found == [], f"{language}/{domain}.po: {len(found)} problems, first: " + "; ".join(found[:5])


def test_the_completeness_check_finds_missing_fuzzy_and_wrong_placeholders() -> None:
    catalog = Catalog(locale="ru")
    catalog.add("The {unit} did not answer.", "{unit} не ответил.")
    assert list(tool.problems(catalog)) == []
    catalog.add("Scan {port}.", "")
    catalog.add("Read {vin}.", "Прочитан {vim}.")
    catalog.add("Old words.", "Старые слова.", flags=["fuzzy"])
    catalog.add(("{n} unit", "{n} units"), ("{n} блок", "{n} блока", ""))
    catalog.add("%(prog)s, version %(version)s", "%(prog)s, версия %(version)d")
    found = list(tool.problems(catalog))
    assert any("not translated" in p and "Scan {port}." in p for p in found)
    assert any("placeholders differ" in p and "Read {vin}." in p for p in found)
    assert any("fuzzy" in p and "Old words." in p for p in found)
    assert any("not translated" in p and "{n} unit" in p for p in found)
    assert any("%(prog)s" in p for p in found)
    assert len(found) == 5
    with pytest.raises(TranslationError):
        tool.brace_placeholders(None, catalog["Read {vin}."])


def test_a_catalogue_with_the_wrong_number_of_plural_forms_is_found() -> None:
    import io

    # a Polish catalogue copied from a two-form language: Polish has three (1 plik, 2 pliki, 5 plików)
    po = (
        'msgid ""\nmsgstr ""\n"Language: pl\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgid "{n} file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} plik"\nmsgstr[1] "{n} pliki"\n'
    )
    catalog = read_po(io.BytesIO(po.encode("utf-8")), locale="pl")
    assert catalog.num_plurals == 2
    assert any("Plural-Forms has 2 forms, pl has 3" in p for p in tool.problems(catalog))
