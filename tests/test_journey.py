"""The journey under both front ends: the terminal and the window show the same facts with the same
caveats for every built-in profile; a cancel stops a scan through its token and keeps what was read."""

from __future__ import annotations

import html
import json
import re
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.interrupt import CancelToken
from obdident.journey import Journey, Plan, dealer_rows, news
from obdident.report.load import load_report
from tests.fakes import Tripwire, at_physical, seams
from tests.ui_harness import WAIT_S, running, session

runner = CliRunner()
BUILT_IN = sorted(p.stem for p in (Path(__file__).parents[1] / "hw-fixtures" / "profiles").glob("*.toml"))


def _words(text: str) -> str:
    """Text with markup, table borders and line breaks gone: words separated by single spaces."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    return " ".join(re.sub(r"[│╭╮╰╯─┃━┏┓┗┛┡┩┣┫╇╋┳┻]", " ", text).split())


def _window(tmp_path: Path, url: str) -> tuple[str, list[str]]:
    """The window's result page (its words) and the early facts it showed, for a scan of ``url``."""
    state = session(tmp_path, fixed=url)
    with running(state) as window:
        base, token = window.url.split("/?token=")[0], window.token
        request = urllib.request.Request(f"{base}/scan?token={token}", method="POST", data=b"")
        with urllib.request.urlopen(request, timeout=WAIT_S):
            pass
        run = state.runs[1]
        assert state.wait_done(run, WAIT_S)
        with urllib.request.urlopen(f"{base}/result/1?token={token}", timeout=WAIT_S) as response:
            page = response.read().decode()
    facts = [e.text for e in run.events if e.kind in ("vin", "head_unit")]  # the scan page's live lines
    return _words(page), facts


@pytest.mark.parametrize("profile", BUILT_IN)
def test_the_terminal_and_the_window_show_the_same_facts(profile: str, tmp_path: Path) -> None:
    url = f"sim://{profile}"
    out = tmp_path / "t.json"
    terminal = runner.invoke(cli.app, ["scan", "--port", url, "--json", str(out)], env={"COLUMNS": "400"})
    assert terminal.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL, cli.EXIT_NO_CONTACT), terminal.output
    report = load_report(out)
    shown, told = _words(terminal.stdout), _words(terminal.stderr)
    window, facts = _window(tmp_path / "w", url)
    for row in dealer_rows(report):
        said = _words(f"{row.label} {row.text}")
        assert said in shown, f"terminal lacks {said!r}"
        assert said in window, f"window lacks {said!r}"
    expected = [fact.text for fact in news(report).values()]
    assert [_words(f) for f in facts] == [_words(f) for f in expected]
    for fact in expected:
        assert _words(fact) in told, f"terminal lacks the early {fact!r}"
    if report.head_unit and report.head_unit.confidence not in (None, "confirmed"):
        assert "how sure" in window.lower() and "how sure" in told.lower()  # the caveat, on both


def test_a_cancelled_journey_keeps_what_it_read_and_says_so(tmp_path: Path) -> None:
    token = CancelToken()
    plan = Plan("sim://nissan-xtrail-t32", folder=tmp_path)
    opener = Tripwire(at_physical, lambda: token.cancel("the window's Cancel button"))
    journey = Journey(plan, seams=seams(opener=opener), cancel=token)
    ending = journey.run()
    assert ending.error is None and ending.report is not None
    assert ending.exit_code == cli.EXIT_PARTIAL
    assert [p.code for p in ending.report.problems][-1] == "interrupted"
    assert "Cancel button" in ending.report.problems[-1].message
    assert ending.report.vehicle.vin == "SJNFBAT32U1000001"
    assert ending.report.head_unit is not None and ending.report.head_unit.status == "not-asked"
    kept = json.loads(Path(str(ending.kept)).read_text())
    assert kept["complete"] is False and kept["vehicle"]["vin"] == "SJNFBAT32U1000001"
    assert opener.lines[-1] == "ATSH7E0"  # nothing was sent after the cancel


@pytest.mark.parametrize(
    "said",
    [
        "on Linux add yourself to the group that owns the port, then log out and in: "
        "`sudo usermod -aG dialout $USER` (Arch and Fedora: the group is uucp or dialout)",
        "Bluetooth Classic adapters appear once paired and bound: sudo rfcomm bind 0 MAC "
        "(then /dev/rfcomm0), or use --port rfcomm://MAC",
        "on Linux add yourself to the bluetooth group "
        "(sudo usermod -aG bluetooth $USER, then log out and in)",
        "Not probed: TCM (7E1). Scan with --full to probe them too.",
        "The time limit ran out. Allow more time with --timeout SECONDS (timeout_s in Python).",
        "raise the time limit (obdident scan --timeout SECONDS) if the vehicle is slow",
    ],
)
def test_the_window_gets_words_never_commands_or_options(said: str) -> None:
    from obdident.journey.guidance import ADAPTER_HELP, for_window

    words = for_window(said)
    assert words
    for command in ("sudo", "usermod", "systemctl", "rfcomm bind", "--", "`", "$USER"):
        assert command not in words
        assert all(command not in text for _heading, text in ADAPTER_HELP)
