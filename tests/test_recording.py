"""Record and replay: a recorded session replays to a byte-identical report; recordings hold no security
data; a replay that diverges says so."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.errors import RecordingError
from obdident.recording import format as sessionfile
from obdident.recording.audit import audit
from obdident.transports import open_port

runner = CliRunner()
SESSIONS = Path(__file__).resolve().parents[1] / "hw-fixtures" / "sessions"


def record(tmp_path: Path, url: str, name: str = "s") -> tuple[Path, Path, int]:
    session, report = tmp_path / f"{name}.txt", tmp_path / f"{name}.json"
    result = runner.invoke(cli.app, ["scan", "--port", url, "--record", str(session), "--json", str(report)])
    return session, report, result.exit_code


@pytest.mark.parametrize(
    "profile", ["nissan-qashqai-j10", "nissan-leaf-aze0", "nissan-altima-2019-uds", "test-kline-iso9141"]
)
def test_recorded_session_replays_to_a_byte_identical_report(tmp_path: Path, profile: str) -> None:
    session, live, code = record(tmp_path, f"sim://{profile}")
    assert code == 0
    replayed = tmp_path / "replayed.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{session}", "--json", str(replayed)])
    assert result.exit_code == 0, result.output
    assert replayed.read_bytes() == live.read_bytes()


def test_a_recording_holds_no_security_data_and_passes_the_audit(tmp_path: Path) -> None:
    session, _, _ = record(tmp_path, "sim://nissan-qashqai-j10")
    text = session.read_text()
    assert "A5 5A" not in text and "A55A" not in text  # the profile's stand-in for the BCM PIN bytes
    assert "XX XX" in text or "XXXX" in text
    loaded = sessionfile.load(session)
    assert audit(loaded) == []
    assert loaded.meta.provenance.startswith("simulated")
    result = runner.invoke(cli.app, ["check-recording", str(session)])
    assert result.exit_code == 0 and "clean" in result.stdout


def test_the_audit_flags_unmasked_pin_bytes_and_refused_requests(tmp_path: Path) -> None:
    session, _, _ = record(tmp_path, "sim://nissan-qashqai-j10")
    text = session.read_text()
    leaked = text.replace("XX XX", "A5 5A", 1).replace("XXXX", "A55A", 1)
    refused = leaked.replace("> 0.000 ATD", "> 0.000 2121", 1)
    bad = tmp_path / "bad.txt"
    bad.write_text(refused)
    problems = audit(sessionfile.load(bad))
    assert any("unmasked security-bearing bytes" in p for p in problems)
    assert any("'2121' would be refused" in p for p in problems)
    result = runner.invoke(cli.app, ["check-recording", str(bad)])
    assert result.exit_code == 1


def test_a_replay_answers_by_content_and_names_what_the_recording_cannot_answer(tmp_path: Path) -> None:
    """A request the recording never holds is answered NO DATA (the recording does not say anything answered
    it) and listed; an adapter command it holds in no form stops the replay, naming the command."""
    session, _, _ = record(tmp_path, "sim://nissan-xtrail-t32")
    text = session.read_text()
    moved = re.sub(r"^(> [0-9.]+ )09023$", r"\g<1>0903", text, count=1, flags=re.MULTILINE)
    assert moved != text
    session.write_text(moved)  # the recording now holds another request where 09 02 was
    with open_port(f"replay://{session}") as port:
        port.write(b"ATD\r09023\r")
        assert port.unrecorded == ["09023"]
    out = tmp_path / "r.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{session}", "--json", str(out)])
    assert result.exit_code in (cli.EXIT_OK, cli.EXIT_PARTIAL)
    assert json.loads(out.read_text())["vehicle"]["vin"] is None  # 09 02 went unanswered
    session.write_text(re.sub(r"^(> [0-9.]+ )ATI$", r"\g<1>ATWS", text, count=1, flags=re.MULTILINE))
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{session}", "--json", str(out)])
    assert result.exit_code != cli.EXIT_OK
    assert "holds no answer to 'ATI'" in " ".join(result.output.split()), result.output


def test_a_partial_scan_records_and_replays_too(tmp_path: Path) -> None:
    session, live, code = record(tmp_path, "sim://nissan-qashqai-j10?ignition=off")
    assert code == cli.EXIT_NO_CONTACT
    replayed = tmp_path / "replayed.json"
    result = runner.invoke(cli.app, ["scan", "--port", f"replay://{session}", "--json", str(replayed)])
    assert result.exit_code == cli.EXIT_NO_CONTACT
    assert replayed.read_bytes() == live.read_bytes()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello\n", "not an obdident recording"),
        ("# obdident session 1\n> 0.0 ATD\n< OK\n", "cut short"),
        ("# obdident session 1\n> 0.0 ATD\n= 0.1 maybe\n", "unknown outcome"),
        ("# obdident session 1\n# tool: x\n", "header fields missing"),
        ("# obdident session 1\n< OK\n", "unexpected"),
    ],
)
def test_malformed_recordings_are_named(text: str, message: str) -> None:
    with pytest.raises(RecordingError, match=message):
        sessionfile.loads(text)


def test_every_contributed_session_is_clean_and_replays() -> None:
    files = sorted(SESSIONS.glob("*.txt"))
    assert files, "hw-fixtures/sessions holds at least one example session"
    for path in files:
        loaded = sessionfile.load(path)
        assert audit(loaded) == [], path
        assert loaded.meta.provenance, path
        result = runner.invoke(cli.app, ["scan", "--port", f"replay://{path}", "--json", "-"])
        assert result.exit_code in (0, 4), (path, result.output)
