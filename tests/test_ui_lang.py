"""The window in the owner's language (issue 19): the browser's Accept-Language chooses it unless the owner
chose one with the switcher (kept in a cookie) or ``obdident ui --lang`` gave one; the switcher shows the
page again in the new language while a scan runs on; the pseudo-locale finds any word of the window that
bypasses the catalogue; the window fits 360 px in every language; the letter's language is chosen apart."""

from __future__ import annotations

import http.cookiejar
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from obdident.i18n import LANGUAGES, PSEUDO, Text, pseudo
from tests.fakes import Tripwire, seams
from tests.ui_harness import WAIT_S, browser, running, session

TIMEOUT_MS = WAIT_S * 1000
DEMO = "sim://nissan-qashqai-j11-navi"
NO_VIN = "sim://nissan-qashqai-j10"


@pytest.fixture(scope="module")
def chromium() -> Any:
    with browser() as launched:
        yield launched


def _page(chromium: Any, width: int = 1000, **context: Any) -> Any:
    page = chromium.new_context(viewport={"width": width, "height": 800}, **context).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _get(url: str, headers: dict[str, str] | None = None, opener: Any = None) -> tuple[int, str, Any]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=WAIT_S) as response:
            return int(response.status), response.read().decode("utf-8"), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), exc.headers


def _html_lang(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found, "the page names its language"
    return found.group(1)


# --- choosing the language -------------------------------------------------------------------------------
def test_the_browsers_accept_language_chooses_the_windows_language(tmp_path: Path) -> None:
    with running(session(tmp_path, fixed=DEMO)) as window:
        for header, expected in [
            ("de-DE,de;q=0.9,en;q=0.5", "de"),
            ("ja, ru;q=0.8, en;q=0.1", "ru"),  # no Japanese: the next the browser accepts
            ("fr-CH, fr;q=0.9", "fr"),
            ("ja", "en"),
            ("", "en"),
        ]:
            status, html, _headers = _get(window.url, {"Accept-Language": header} if header else {})
            assert status == 200 and _html_lang(html) == expected, header
            current = re.search(r'hreflang="(\w+)" aria-current="true"', html)
            assert current and current.group(1) == expected, "the switcher marks the language shown"


def test_ui_lang_starts_the_window_in_its_language_until_the_owner_switches(tmp_path: Path) -> None:
    state = session(tmp_path, fixed=DEMO)
    state.language = "uk"
    with running(state) as window:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        _status, html, _headers = _get(window.url, {"Accept-Language": "de"}, opener)
        assert _html_lang(html) == "uk", "--lang goes before the browser's language"
        _status, html, _headers = _get(window.url + "&lang=pl", {"Accept-Language": "de"}, opener)
        assert _html_lang(html) == "pl", "the switcher goes before --lang"
        ignition = window.url.replace("/?", "/ignition?")
        _status, html, _headers = _get(ignition, {"Accept-Language": "de"}, opener)
        assert _html_lang(html) == "pl", "the choice sticks (its cookie)"
        _status, html, _headers = _get(window.url + "&lang=klingon", {}, opener)
        assert _html_lang(html) == "pl", "a language obdident has not is no choice"


def test_the_switch_is_answered_with_a_cookie_and_the_same_page(tmp_path: Path) -> None:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with running(session(tmp_path, fixed=DEMO)) as window:
        url = window.url.replace("/?", "/ignition?") + "&lang=ru"
        status, _html, headers = _get(url, opener=urllib.request.build_opener(NoRedirect))
        assert status == 303
        assert headers["Location"] == f"/ignition?token={window.token}"
        cookie = headers["Set-Cookie"]
        assert cookie.startswith("obdident_lang=ru;") and "SameSite=lax" in cookie and "HttpOnly" in cookie


# --- the switcher, live -------------------------------------------------------------------------------------
def test_the_switcher_switches_live_while_a_scan_runs_on(chromium: Any, tmp_path: Path) -> None:
    release = threading.Event()
    held = seams(opener=Tripwire(lambda line: line.startswith("ATSH7"), lambda: release.wait(WAIT_S)))
    with running(session(tmp_path, fixed=DEMO, seams=held)) as window:
        page = _page(chromium, extra_http_headers={"Accept-Language": "en"})
        page.goto(window.url)
        page.click("text=Next: the ignition")
        page.click("text=Start the scan")
        page.wait_for_selector(".found[data-kind=vin]")
        steps = page.locator("#progress li").count()
        page.goto(page.url + "&lang=qps")  # the switcher's link, as the pseudo-locale (it is not listed)
        page.wait_for_selector(".found[data-kind=vin]")
        assert page.evaluate("document.documentElement.lang") == PSEUDO
        assert page.inner_text("#heading") == pseudo("Scanning…")
        assert page.locator("#progress li").count() >= steps, "the steps so far are shown again"
        assert "SJNFAAJ11U2000001" in page.inner_text(".found[data-kind=vin]")
        assert page.inner_text(".found[data-kind=vin] .value") == "SJNFAAJ11U2000001"  # monospace
        run = window.session.runs[1]
        assert not run.done and not run.cancelled, "switching the language does not touch the scan"
        release.set()
        page.wait_for_url("**/result/1?token=*")  # the scan ran on; the script took the page there
        assert page.evaluate("document.documentElement.lang") == PSEUDO, "the choice sticks"
        assert page.inner_text("h1") == pseudo("The result")
        with page.expect_navigation():  # the same address again: wait for the new page, not the old one
            page.click("nav.languages >> text=English")
        page.wait_for_url("**/result/1?token=*")
        assert page.inner_text("h1") == "The result"
        assert page.evaluate("document.documentElement.lang") == "en"
        assert len(window.session.runs) == 1


# --- the pseudo-locale: every word of the window through the catalogue -------------------------------------
#: Collects what an owner reads on the page: text nodes and the attributes read aloud, leaving out the
#: identifiers (.value), the language switcher (each language by its own name), the request text (the
#: letter's: its own test), engineer detail (lang=en) and the brand name.
_SHOWN = """() => {
  const skipped = 'script, style, .value, nav.languages, #request, [lang=en], select';
  const body = document.body.cloneNode(true);
  for (const el of body.querySelectorAll(skipped)) { el.replaceWith(document.createTextNode(' ')); }
  const out = [body.textContent];
  for (const el of document.querySelectorAll('[aria-label], [title]')) {
    if (el.closest(skipped)) { continue; }
    for (const name of ['aria-label', 'title']) {
      if (el.getAttribute(name)) { out.push(el.getAttribute(name)); }
    }
  }
  out.push(document.title.replace(/\\s*·\\s*obdident$/, ''));
  return out;
}"""
_WRAPPED = re.compile(r"⟦[^⟦⟧]*⟧")
#: What may stand outside the markers: identifiers (upper case, digits, hex, ports) and the brand.
_IDENTIFIER = re.compile(r"\bobdident\b|\b[A-Z0-9][A-Z0-9:/._\-]*\b|https?://\S+|\bsim://\S+")


def _unwrapped(texts: list[str]) -> list[str]:
    """The words outside every ``⟦ ⟧`` (identifiers left out), one string a text."""
    found = []
    for text in texts:
        rest = text
        while _WRAPPED.search(rest):
            rest = _WRAPPED.sub(" ", rest)
        left = " ".join(_IDENTIFIER.sub(" ", rest).split())
        if re.search(r"[^\W\d_]{2,}", left):
            found.append(left)
    return found


#: Whose words the journey's test holds to the catalogue: the window's own (a plain string from below the
#: edge taken as given), and every word on the page (the journey's, the scan's, the transports', the
#: adapter check's and the vehicles' sentences too).
_WHOSE = ["window", "every area"]


@pytest.fixture(params=_WHOSE)
def model_values_as_given(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The window's own words under test: a plain string from below the edge (a model value, a sentence of
    another area) is shown wrapped as if catalogued, so only the window's words can show unwrapped (or, for
    ``every area``, every plain string as it is)."""
    from obdident.i18n import render
    from obdident.ui import app, words

    if request.param != "window":
        yield
        return

    def as_given(value: object, language: str | None = None) -> str:
        if value is None or isinstance(value, Text):
            return render(value, language)
        return pseudo(str(value))

    monkeypatch.setattr(words, "render", as_given)
    monkeypatch.setattr(app, "render", as_given)
    yield


def _check(page: Any, where: str, seen: dict[str, list[str]]) -> None:
    # a page a click has just asked for may still be replacing the old one: wait for the new document whole
    page.wait_for_load_state("load")
    page.wait_for_function("document.documentElement !== null && document.readyState === 'complete'")
    assert page.evaluate("document.documentElement.lang") == PSEUDO, where
    seen[where] = _unwrapped(page.evaluate(_SHOWN))


def test_every_page_of_the_journey_speaks_through_the_catalogue(
    chromium: Any, tmp_path: Path, model_values_as_given: None
) -> None:
    seen: dict[str, list[str]] = {}
    for folder in ("found", "demo", "novin"):
        (tmp_path / folder).mkdir()
    with running(session(tmp_path / "found")) as window:  # nothing found: the help, a typed port refused
        page = _page(chromium)
        page.goto(window.url + "&lang=qps")
        _check(page, "adapter, none found", seen)
        page.fill("#typed", "http://x")
        page.click("button[type=submit]")
        page.wait_for_selector("#typed-error")
        _check(page, "adapter, typed port refused", seen)
        page.goto(window.url.replace("/?", "/result/9?"))
        _check(page, "no such scan", seen)
        with page.expect_navigation():
            page.click("#stop")
        _check(page, "stop?", seen)
    release = threading.Event()
    held = seams(opener=Tripwire(lambda line: line.startswith("ATSH7"), lambda: release.wait(WAIT_S)))
    with running(session(tmp_path / "demo", fixed=DEMO, demo=True, seams=held)) as window:
        page = _page(chromium)
        page.goto(window.url + "&lang=qps")
        _check(page, "adapter, the demonstration", seen)
        page.click(".button >> nth=0")
        page.wait_for_url("**/ignition?token=*")
        _check(page, "ignition", seen)
        page.click("form[action^='/scan'] button")
        page.wait_for_selector(".found[data-kind=vin]")
        _check(page, "scanning", seen)
        other = _page(chromium)
        other.goto(window.url.replace("/?", "/ignition?") + "&lang=qps")
        with other.expect_navigation():
            other.click("form[action^='/scan'] button")
        assert other.inner_text("h1") == pseudo("One scan at a time")
        _check(other, "one scan at a time", seen)
        release.set()
        page.wait_for_url("**/result/1?token=*")
        _check(page, "result", seen)
        page.goto(window.url.replace("/?", "/label/1?"))
        _check(page, "label", seen)
        page.goto(window.url.replace("/?", "/print/1?"))
        _check(page, "print", seen)
    with running(session(tmp_path / "novin", fixed=NO_VIN)) as window:
        page = _page(chromium)
        page.goto(window.url + "&lang=qps")
        page.click(".button >> nth=0")
        page.click("form[action^='/check'] button")
        page.wait_for_url("**/check?token=*")
        _check(page, "the adapter checked", seen)
        page.click("form[action^='/scan'] button")
        page.wait_for_url("**/result/1?token=*")
        _check(page, "result, no VIN", seen)
        page.goto(window.url.replace("/?", "/label/1?"))
        page.fill("#VIN", "SJNFBAJ10U123456")
        page.click("form[action^='/label'] button")
        page.wait_for_selector("#VIN-error")
        _check(page, "label, a VIN refused", seen)
    assert {where: words for where, words in seen.items() if words} == {}


# --- 360 px in every language -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A window whose first scan (the J10: no VIN, so the label step has its boxes) has ended."""
    folder = tmp_path_factory.mktemp("narrow")
    state = session(folder, fixed=NO_VIN)
    with running(state) as window:
        state.start()
        assert state.wait_done(state.runs[1], WAIT_S)
        yield window


@pytest.mark.parametrize("language", [*LANGUAGES, PSEUDO])
def test_the_window_fits_360_px_in_every_language(chromium: Any, scanned: Any, language: str) -> None:
    page = _page(chromium, width=360)
    base = scanned.url.split("/?", 1)[0]
    token = scanned.token
    page.goto(f"{base}/?token={token}&lang={language}")
    wide = {}
    for path in ("/", "/ignition", "/result/1", "/label/1", "/print/1", "/stop", "/result/9"):
        page.goto(f"{base}{path}?token={token}")
        assert page.evaluate("document.documentElement.lang") == language
        width = page.evaluate("[document.scrollingElement.scrollWidth,document.scrollingElement.clientWidth]")
        if width[0] > width[1]:
            wide[path] = width
    assert wide == {}


# --- the letter's language ----------------------------------------------------------------------------------
def test_the_letter_has_its_own_language(chromium: Any, scanned: Any) -> None:
    page = _page(chromium)
    base = scanned.url.split("/?", 1)[0]
    page.goto(f"{base}/print/1?token={scanned.token}&lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.select_option("#letter", "de")
    page.click("#letter-apply")
    page.wait_for_url("**/print/1?*letter=de*")
    assert page.evaluate("document.documentElement.lang") == "en", "the screen stays in its language"
    assert page.get_attribute("#request", "lang") == "de"
    assert "letter=de" in (page.get_attribute("#page-link", "href") or "")
    assert "letter=de" in (page.get_attribute("#request-link", "href") or "")
    assert "letter=de" in (page.get_attribute("#print", "data-page") or "")
    with page.expect_navigation():  # the screen's language changes, the letter's stays
        page.click("nav.languages >> text=Polski")
    page.wait_for_url("**/print/1?*letter=de*")
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert page.get_attribute("#request", "lang") == "de"
    page.goto(f"{base}/print/1?token={scanned.token}&letter={PSEUDO}")
    assert page.evaluate("document.documentElement.lang") == "pl", "the screen keeps its language"
    assert page.inner_text("h1") not in ("Print for the dealer", pseudo("Print for the dealer"))
    assert page.locator("#letter").input_value() == PSEUDO


# --- review findings: the window's words, never the command line's ------------------------------------------
def _main_text(url: str) -> str:
    _status, html, _headers = _get(url, {"Accept-Language": "en"})
    main = html[html.index("<main") : html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def test_a_typed_web_address_gets_the_windows_hint_not_the_command_lines(
    chromium: Any, tmp_path: Path
) -> None:
    with running(session(tmp_path)) as window:
        page = _page(chromium)
        page.goto(window.url)
        page.fill("#typed", "http://x")
        page.click("text=Use this adapter")
        error = page.inner_text("#typed-error")
        assert "http://" in error and "examples under the box" in error
        assert "rfcomm" not in error and "Bluetooth Classic" not in error, "an unrelated hint"


def test_the_bluetooth_le_note_is_a_whole_sentence_with_the_systems_words_as_detail(tmp_path: Path) -> None:
    from obdident.transports.ports import find_adapters

    why = "[org.bluez.Error.NotReady] Resource Not Ready"

    def discover() -> Any:
        return find_adapters(ble_timeout_s=1.0, ports=[], ble_discover=lambda _s: ([], why), platform="win32")

    with running(session(tmp_path, discover=discover)) as window:
        _status, html, _headers = _get(window.url, {"Accept-Language": "en"})
        notes = html[html.index('<ul class="notes">') : html.index("</ul>", html.index('<ul class="notes">'))]
        shown = re.sub(r"<details.*?</details>", "", notes, flags=re.S)
        assert "Bluetooth LE adapters could not be looked for: is Bluetooth switched on?" in shown
        assert "bluez" not in shown.lower() and "Errno" not in shown
        assert why in notes and 'lang="en"' in notes, "the system's words kept for engineers"


def test_print_page_and_request_name_the_windows_switch_not_full(tmp_path: Path) -> None:
    from dataclasses import replace

    state = session(tmp_path, fixed=DEMO)
    with running(state) as window:
        run = state.start()
        assert state.wait_done(run, WAIT_S)
        assert run.journey is not None and run.journey.read is not None and run.report is not None
        head = run.report.head_unit
        assert head is not None
        reason = (
            "The head unit did not answer: each was only asked whether it is there, so a unit that ignores "
            "that question is found by scanning again with --full, which asks each address directly."
        )
        run.journey.keeper.keep(
            replace(run.report, head_unit=replace(head, status="not-found", response_id=None, reason=reason))
        )
        base = window.url.split("/?", 1)[0]
        for path in ("/print/1", "/page/1", "/request/1.txt"):
            _status, text, _headers = _get(f"{base}{path}?token={window.token}")
            assert "--full" not in text, path
            if path == "/page/1":  # the page gives the reason (the request may leave the owner's how-to out)
                assert "ask every unit (slower)" in text, path


def test_ui_lang_is_the_windows_starting_language(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from obdident.cli import app
    from obdident.ui import server

    started: list[str | None] = []

    def run(self: server.Window) -> None:  # instead of serving: the session it would serve
        started.append(self.session.language)
        self.session.close()

    monkeypatch.setattr(server.Window, "run", run)
    monkeypatch.chdir(tmp_path)
    for args, expected in (
        (["ui", "--demo", "--no-browser", "--lang", "de"], "de"),
        (["ui", "--demo", "--no-browser"], None),
    ):
        monkeypatch.setattr("sys.argv", ["obdident", *args])
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert started[-1] == expected
