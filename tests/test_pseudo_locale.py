"""Every owner-visible word goes through the catalogue: each output under the pseudo-locale (issue 19, §4).

Under ``--lang qps`` every catalogued sentence is wrapped in ``⟦ ⟧`` and its letters accented
(:func:`obdident.i18n.pseudo`; click's and typer's words through ``locale/qps/LC_MESSAGES/messages.mo``).
A word that bypassed the catalogue (an f-string, a template's literal text, an English sentence passed as a
parameter) keeps its plain letters. So the test looks for *plain words*: a run of ASCII letters holding at
least one letter the pseudo-locale accents (``a c d e g h i j k l n o r s t u w y z``, either case), wherever
it stands, inside the markers or not (a parameter shown inside a wrapped sentence must be a value, or a
Text of its own). Such a word fails the output unless it is one of these, and only these:

* :data:`FIRST_SPANS` (the QR code's payload, dates in Babel's English form) and :data:`ALLOWED_SPANS`:
  spans removed before words are looked for, each a regex with its reason: URLs
  (ports, the window's address), file paths and names, tokens holding a digit (VIN, hex ids, part and
  serial numbers, CALIDs, versions, ELM327, J1979), options and their metavars (``--json PATH``), AT
  commands, OBD-II, click's ``[OPTIONS]`` / ``COMMAND [ARGS]...``, typer's argument types (``<path>``),
  command names where a command is named (``obdident report``);
* :data:`IDENTIFIERS`: names never translated: the program's name, standard and protocol names
  (ISO, SAE, CAN, KWP, UDS, CALID, CVN), makes (Nissan, Infiniti), Bluetooth, USB, UTC;
* the unit names of the address table (``obdident.vehicles.nissan.UNITS``: ECM, BCM, AV...), the
  families' and models' names of the family records (Qashqai, X-Trail), and the languages' own names
  (the switcher's Deutsch, Polski: :data:`obdident.i18n.LANGUAGES`);
* values the car or adapter gave, from the scan's own JSON report (``ecus[].identification``,
  ``ecus[].name``, ``adapter`` port/version/protocol, ``vehicle.vin``/``wmi``, the VIN's sources,
  which are standard references, and the problem codes): shown as read, never translated.

HTML elements marked ``lang="en"`` are left out of the page and the window: engineer detail kept in English
on purpose (the sources' footnotes), which the page marks so for screen readers too.

Outputs: the terminal of ``obdident scan`` for every built-in profile (``sim://<profile>``) and
``--demo``; ``--help`` of every command, and click's own errors (no such option, missing argument); the
JSON problem texts (each problem's ``msgid``/``params`` rendered under qps must be wrapped whole, and its
msgid must be in ``obdident.pot``); the page (``report X.json --html``); the letter (``report X.json
--request``); the window's pages in headless Chromium (the visible text after its script ran, and the
``title``/``placeholder``/``aria-label``/``alt`` attributes and button labels).

A failure lists every plain word's line, per output (``output: line``), so one run shows what is left.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
LANG = ["--lang", "qps"]
STEP_TIMEOUT_S = 120

#: The letters :func:`obdident.i18n.pseudo` accents: a word holding one of them unaccented bypassed it.
ACCENTED = frozenset("AaCcDdEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz")
#: Spans that are values or identifiers, removed before words are looked for: (regex, why).
ALLOWED_SPANS: tuple[tuple[str, str], ...] = (
    (r"\b[a-z][a-z0-9+.-]*://[^\s'\"<>)\]]*", "a URL: a port (sim://, socket://), the window's address"),
    (r"(?<![\w])(?:[A-Za-z]:)?[~.]{0,2}[\\/]?(?:[\w.-]+[\\/])+[\w.-]*", "a file path"),
    (r"\b[\w.-]+\.(?:json|html|txt|csv|svg|toml|jsonl|log|png|pdf|py)\b", "a file name"),
    (r"\b\w*\d\w*\b", "a token with a digit: VIN, hex id, part/serial number, CALID, version, J1979"),
    (r"(?<![\w-])--?[a-z][a-z0-9-]*(?:[ =](?:\[?[A-Z][A-Z0-9_.|]*\]?|\{[^}]*\})(?![a-z]))?", "an option"),
    (r"\bAT ?[A-Z@]{1,4}\b", "an AT command (AT Z, ATSP)"),
    (r"\bOBD-II\b", "the standard's name"),
    (r"\[OPTIONS\]|\bCOMMAND \[ARGS\]\.\.\.|\[ARGS\]", "click's usage metavars"),
    (r"\{[A-Z][A-Za-z0-9_.]*(?:\.\.\.)?\}(?:\.\.\.)?|^\s*[A-Z][A-Z0-9_.]*(?:\.\.\.)?(?= +<)", "an argument"),
    (r"<[A-Za-z][\w\[\], |]*>", "typer's type of an argument (<path>, <list[str]>)"),
)
#: Names shown as they are in every language.
IDENTIFIERS = frozenset(
    {
        "obdident",
        "ISO",
        "SAE",
        "CAN",
        "KWP",
        "UDS",
        "OBD",
        "CALID",
        "CVN",
        "Nissan",
        "Infiniti",
        "Bluetooth",
        "USB",
    }
)
_WORD = re.compile(r"[^\W\d_]+")
#: Removed first, before the values (whose numbers would split them): (regex, why).
FIRST_SPANS: tuple[tuple[str, str], ...] = (
    (r"\bOBDIDENT\d+(?:;[A-Z]+=(?:\\.|[^;\s\\])*)*", "the QR code's payload: a format's keys (HU, SN, SW)"),
    (
        r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)"
        r"(?:\s\d{1,2},)?\s\d{4}(?:,?\s(?:at\s)?\d{1,2}:\d{2}(?::\d{2})?(?:\s[AP]M)?)?(?:\sUTC)?",
        "a date in Babel's English form (what the pseudo-locale's dates fall back to)",
    ),
    (r"\b\d{1,2}:\d{2}(?::\d{2})?\s[AP]M(?:\sUTC)?", "a time in Babel's English form"),
)
_FIRST = re.compile("|".join(f"(?:{regex})" for regex, _why in FIRST_SPANS))


@cache
def spans() -> re.Pattern[str]:
    """:data:`ALLOWED_SPANS`, and the command names where a command is named: after ``obdident`` (usage
    lines, "Try 'obdident scan --help'") and at the start of a line (the command list of ``--help``)."""
    names = "|".join(sorted({re.escape(p[-1]) for p in commands() if p}, key=len, reverse=True))
    found = [regex for regex, _why in ALLOWED_SPANS]
    found += [rf"\bobdident(?: (?:{names})(?![\w.-]))+", rf"^\s*(?:{names})(?=\s)"]
    return re.compile("|".join(f"(?:{regex})" for regex in found))


@cache
def known_names() -> frozenset[str]:
    """Unit names (address table) and family/model names (family records): identifiers."""
    from obdident.i18n import LANGUAGES, PSEUDO
    from obdident.vehicles.families import knowledge
    from obdident.vehicles.nissan import UNITS

    names = {u.name for u in UNITS} | {PSEUDO}
    names.update(word for name in LANGUAGES.values() for word in _WORD.findall(name))  # the switcher's
    for family in knowledge().families.values():
        names.update(_WORD.findall(family.name))
        names.update(_WORD.findall(family.family))
    return frozenset(names) | IDENTIFIERS


def values_of(report: dict[str, Any]) -> frozenset[str]:
    """What the car and the adapter gave, in a scan's JSON report, whole and word by word: identification
    values, unit names, the adapter's port, version and protocol, the VIN and WMI, the VIN's sources
    (standard references: ``SAE J1979 service 09 InfoType 02``) and the problem codes."""
    found: list[str] = []

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for inner in value.values():
                yield from strings(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from strings(inner)

    for ecu in report.get("ecus") or ():
        found += strings(ecu.get("identification"))
        found += strings(ecu.get("name"))
    adapter = report.get("adapter") or {}
    found += strings([adapter.get(k) for k in ("port", "version", "protocol", "description")])
    vehicle = report.get("vehicle") or {}
    found += strings([vehicle.get("vin"), vehicle.get("wmi")])
    found += strings([row.get("source") for row in vehicle.get("vin_sources") or ()])  # SAE J1979 service 09
    found += strings([problem.get("code") for problem in report.get("problems") or ()])  # vin-not-stored
    return frozenset(found) | frozenset(word for text in found for word in _WORD.findall(text))


def plain_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The lines of ``text`` that hold a word the pseudo-locale would have accented, with those words."""
    allowed = known_names() | frozenset(allowed)
    whole = sorted((a for a in allowed if _WORD.fullmatch(a) is None), key=len, reverse=True)
    values = re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, whole))})(?!\w)") if whole else None
    lines = []
    for line in text.splitlines():
        rest = _FIRST.sub(" ", line)
        rest = values.sub(" ", rest) if values else rest
        rest = spans().sub(" ", rest)
        words = [
            w
            for w in _WORD.findall(rest)
            if w.isascii() and w not in allowed and ACCENTED & set(w) and len(w) > 1
        ]
        if words:
            lines.append(f"{line.strip()[:140]}   <- {' '.join(dict.fromkeys(words))}")
    return lines


def check(outputs: dict[str, str], allowed: Iterable[str] = ()) -> None:
    """Fail listing every plain word's line of every output (``output: line``)."""
    found = [f"{name}: {line}" for name, text in outputs.items() for line in plain_words(text, allowed)]
    assert not found, f"{len(found)} lines bypass the catalogue:\n" + "\n".join(found)


def obdident(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``obdident --lang qps ARGS`` in a fresh process (the language is chosen once, at the start)."""
    env = {**os.environ, "OBDIDENT_LANG": "qps", "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        env.pop(name, None)
    script = Path(sys.executable).with_name("obdident")  # the program as owners run it (its usage name)
    program = [str(script)] if script.exists() else [sys.executable, "-m", "obdident"]
    command = [*program, *LANG, *map(str, args)]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT_S, check=False
    )


def said(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    return result.stdout + result.stderr


def profiles() -> list[str]:
    from obdident.sim.profile import list_profiles

    return list_profiles()


def commands() -> list[list[str]]:
    """Every command's path: [], [scan], [report], ... (and subcommands of groups)."""
    import typer

    from obdident.cli import app

    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:  # click's or typer's own copy of click (typer._click)
        found.append(path)
        if isinstance(getattr(command, "commands", None), dict):
            for name, inner in sorted(command.commands.items()):
                if not inner.hidden:
                    walk(inner, [*path, name])

    walk(typer.main.get_command(app), [])
    return found


# --- the terminal, the JSON's texts, the page, the letter: every built-in profile -------------------------
@pytest.mark.parametrize("profile", ["--demo", *profiles()])
def test_every_output_of_every_profile_speaks_only_through_the_catalogue(
    profile: str, tmp_path: Path
) -> None:
    """``scan`` (the terminal), its JSON's texts, ``report --html`` (the page), ``report --request`` (the
    letter), all under qps; every output's plain words listed together."""
    where = ["--demo"] if profile == "--demo" else ["--port", f"sim://{profile}"]
    outputs = {f"scan {' '.join(where)}": said(obdident("scan", *where, "--json", "scan.json", cwd=tmp_path))}
    path = tmp_path / "scan.json"
    assert path.exists(), outputs
    report = json.loads(path.read_text("utf-8"))
    values = values_of(report)
    outputs["JSON texts"] = json_texts(report)
    page = obdident("report", path, "--html", "page.html", cwd=tmp_path)
    outputs["report --html (terminal)"] = said(page)
    html = tmp_path / "page.html"
    outputs["report --html"] = visible_html(html.read_text("utf-8")) if html.exists() else "no page written"
    outputs["report --request"] = said(obdident("report", path, "--request", cwd=tmp_path))
    check(outputs, values)


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "obdident")
def test_the_help_of_every_command_speaks_only_through_the_catalogue(path: list[str], tmp_path: Path) -> None:
    result = obdident(*path, "--help", cwd=tmp_path)
    assert result.returncode == 0, said(result)
    check({f"{' '.join(['obdident', *path])} --help": said(result)})


def test_clicks_own_errors_speak_only_through_the_catalogue(tmp_path: Path) -> None:
    unknown = obdident("scan", "--no-such-option", cwd=tmp_path)
    missing = obdident("report", cwd=tmp_path)
    assert unknown.returncode == missing.returncode == 2
    check({"scan --no-such-option": said(unknown), "report (no file)": said(missing)})


# --- helpers of the profile test ---------------------------------------------------------------------
def texts_in(value: Any) -> Iterator[dict[str, Any]]:
    """Every ``{"msgid", "params"}`` object in a JSON report (problems, head unit, vehicle texts)."""
    if isinstance(value, dict):
        if isinstance(value.get("msgid"), str):
            yield value
        for inner in value.values():
            yield from texts_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from texts_in(inner)


@cache
def catalogued() -> frozenset[str]:
    """The message ids of ``obdident.pot``."""
    from babel.messages.pofile import read_po

    with (ROOT / "src/obdident/locale/obdident.pot").open("rb") as handle:
        return frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id)


def json_texts(report: dict[str, Any]) -> str:
    """Each ``{"msgid", "params"}`` text of a JSON report rendered under qps, one a line; a text that is not
    wrapped whole, whose msgid is not in ``obdident.pot``, or a problem without a msgid, shown plain (so
    :func:`plain_words` reports it)."""
    from obdident.i18n import PSEUDO, render, strip_accents, text_from_json

    lines = []
    for problem in report.get("problems") or ():
        if not isinstance(problem.get("msgid"), str):
            lines.append(f"{problem['code']} has no msgid: {problem.get('message')}")
    for data in texts_in(report):
        shown = render(text_from_json(data), PSEUDO)
        if data["msgid"] not in catalogued():
            lines.append(f"not in obdident.pot: {data['msgid']}")
        elif not (shown.startswith("⟦") and shown.endswith("⟧")):
            lines.append(f"not wrapped whole: {strip_accents(shown)}")
        else:
            lines.append(shown)
    return "\n".join(lines)


VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


def visible_html(html: str) -> str:
    """The text a reader sees in ``html``, and the attributes read aloud or shown on hover, line by line.
    An element marked ``lang="en"`` is left out: engineer detail kept in English on purpose (sources,
    footnotes), marked so for screen readers too."""
    from html.parser import HTMLParser

    class Visible(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.hidden = 0
            self.stack: list[tuple[str, bool]] = []  # the open elements: tag, does it hide its content

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            shown = dict(attrs)
            english = tag not in ("html", "body") and (shown.get("lang") or "").startswith("en")
            hides = tag in ("script", "style") or english
            if not (self.hidden or hides):
                for name in ("title", "placeholder", "aria-label", "alt"):
                    if shown.get(name):
                        self.parts.append(f"\n[{tag} {name}] {shown[name]}\n")
                if tag == "input" and shown.get("type") in ("submit", "button") and shown.get("value"):
                    self.parts.append(f"\n[{tag} value] {shown['value']}\n")
            if tag not in VOID:
                self.stack.append((tag, hides))
                self.hidden += hides

        def handle_endtag(self, tag: str) -> None:
            if any(open_tag == tag for open_tag, _hides in self.stack):  # implied ends (<p>, <li>) too
                while self.stack:
                    open_tag, hides = self.stack.pop()
                    self.hidden -= hides
                    if open_tag == tag:
                        break

        def handle_data(self, data: str) -> None:
            if not self.hidden:
                self.parts.append(data)

    parser = Visible()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


# --- the window -------------------------------------------------------------------------------------------
WINDOW_PAGES = ("/", "/ignition", "/scan/1", "/result/1", "/label/1", "/print/1", "/page/1")


#: The page's visible text (``innerText``) once the elements marked ``lang="en"`` (engineer detail) are
#: hidden.
HIDE_ENGLISH_AND_READ = """() => {
  document.querySelectorAll('body [lang^="en"]').forEach(e => { e.style.display = 'none'; });
  return document.body.innerText;
}"""


def test_the_windows_pages_speak_only_through_the_catalogue(tmp_path: Path) -> None:
    from tests.ui_harness import WAIT_S, browser, running, session

    outputs: dict[str, str] = {}
    with running(session(tmp_path, fixed="sim://nissan-qashqai-j11-navi")) as window:  # a head unit read
        base, token = window.url.split("/?token=", maxsplit=1)[0], window.token
        query = f"token={token}&lang=qps"
        start = urllib.request.Request(
            f"{base}/scan?token={token}", data=b"", method="POST", headers={"Origin": base}
        )
        with urllib.request.urlopen(start, timeout=WAIT_S) as answer:
            assert answer.status == 200
        deadline = time.monotonic() + WAIT_S
        while not window.session.runs[1].done:
            assert time.monotonic() < deadline, "the demo scan did not end"
            time.sleep(0.02)
        with browser() as chromium:
            context = chromium.new_context(locale="qps", extra_http_headers={"Accept-Language": "qps"})
            context.add_cookies([{"name": "obdident_lang", "value": "qps", "url": base}])  # the switcher's
            page = context.new_page()
            for path in WINDOW_PAGES:
                page.goto(f"{base}{path}?{query}", timeout=WAIT_S * 1000)
                page.wait_for_load_state("load")
                shown = page.evaluate(HIDE_ENGLISH_AND_READ)
                extras = page.eval_on_selector_all(
                    "[title], [placeholder], [aria-label], [alt], input[type=submit], input[type=button]",
                    "els => els.map(e => [e.title, e.placeholder, e.getAttribute('aria-label'), e.alt,"
                    " ['submit', 'button'].includes(e.type) ? e.value : ''].filter(Boolean).join('\\n'))",
                )
                outputs[f"window {path}"] = shown + "\n" + "\n".join(extras) + "\n" + page.title()
        text = urllib.request.Request(
            f"{base}/request/1.txt?{query}", headers={"Cookie": "obdident_lang=qps"}
        )
        with urllib.request.urlopen(text, timeout=WAIT_S) as answer:
            outputs["window /request/1.txt"] = answer.read().decode("utf-8")
        report = next(iter(tmp_path.rglob("*.json")), None)
        values = values_of(json.loads(report.read_text("utf-8"))) if report else frozenset()
    check(outputs, values)


# --- the harness itself -----------------------------------------------------------------------------------
def test_the_harness_finds_plain_words_and_lets_values_through() -> None:
    from obdident.i18n import PSEUDO, T, render

    wrapped = render(
        T("The {unit} did not answer on {port}.", unit="BCM", port="sim://nissan-qashqai-j10"), PSEUDO
    )
    assert plain_words(wrapped) == []
    assert plain_words("VIN  SJNFBAT32U1000001  │ 7E8 │ 28185-BH10A  ELM327 v1.5  12.4 V") == [
        "VIN  SJNFBAT32U1000001  │ 7E8 │ 28185-BH10A  ELM327 v1.5  12.4 V   <- VIN"
    ]
    assert plain_words("Scan complete in 0.1 s") != []
    leaked = render(T("The {unit} did not answer.", unit="the body control module"), PSEUDO)  # English param
    assert plain_words(leaked) != []
    assert plain_words("Usage: obdident report [OPTIONS] {SCAN.json}") != []  # click's word, not wrapped
    assert plain_words("⟦Ûšåĝé:⟧ obdident report [OPTIONS] {SCAN.json}") == []
    assert plain_words("  --json PATH  ⟦Ŵŕîţé⟧") == []
    assert plain_words("Report written to /home/o/obdident-2026.json") != []
    assert plain_words("⟦Ŕéþöŕţ ŵŕîţţéñ ţö⟧ /home/o/obdident-2026.json") == []
    assert plain_words("AUDIO answered", {"answered"}) == []  # a value the car gave
    assert plain_words("⟦Přîñţåbļé påĝé:⟧  obdident report scan.json --html page.html") == []
    assert plain_words("OBDIDENT1;SIM=1;VIN=SJNFBAT32U1000001;HU=259155FA1A;SW=5FA1A0D302") == []
    assert plain_words("│ units-not-probed │ ⟦Ñöţ přöbéð⟧", {"units-not-probed"}) == []
    assert plain_words("│ units-not-probed │ ⟦Ñöţ přöbéð⟧") != []  # a code only where the report holds it
    assert visible_html('<p>⟦Šöûřçéš⟧</p><ol lang="en"><li>seed articles</ol><p title="Go">x</p>') == (
        "⟦Šöûřçéš⟧\n[p title] Go\nx"
    )
