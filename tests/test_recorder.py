"""The recorder appends each exchange as it happens (issue 11): nothing is rewritten, a scan that dies
leaves every exchange it made on disk, and the file is the same text the format module writes."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.elm327.driver import ELM327
from obdident.errors import ExitCode, ObdidentError, RecordingError
from obdident.recording import format as recording_format
from obdident.transports.protocol_sim import Serial as SimSerial

runner = CliRunner()
_EXCHANGE_END = re.compile(r"^= [0-9.]+ \S+$", re.MULTILINE)


def test_each_exchange_is_on_disk_before_the_next_line_is_sent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session = tmp_path / "s.txt"
    seen: list[tuple[int, int]] = []  # (lines sent before this one, exchanges on disk when it is sent)
    write = SimSerial.write

    def spy(self: Any, data: bytes) -> int:
        on_disk = len(_EXCHANGE_END.findall(session.read_text())) if session.exists() else 0
        seen.append((len(seen), on_disk))
        return write(self, data)

    monkeypatch.setattr(SimSerial, "write", spy)
    result = runner.invoke(cli.app, ["scan", "--demo", "--record", str(session)])
    assert result.exit_code == cli.EXIT_OK, result.output
    assert len(seen) > 10
    assert all(on_disk == sent for sent, on_disk in seen)  # every earlier exchange already written
    loaded = recording_format.load(session)
    assert len(loaded.exchanges) == len(seen)


def test_the_recorders_file_is_what_the_format_writes(tmp_path: Path) -> None:
    session = tmp_path / "s.txt"
    result = runner.invoke(cli.app, ["scan", "--demo", "--record", str(session), "--note", "demo car"])
    assert result.exit_code == cli.EXIT_OK, result.output
    loaded = recording_format.load(session)
    assert loaded.meta.vehicle == "demo car" and loaded.meta.duration_s > 0
    assert recording_format.dumps(loaded.meta, loaded.exchanges) == session.read_text()
    first, *rest = session.read_text().splitlines()
    assert first == "# obdident session 1"
    assert rest[-1].startswith("# adapter: ")  # the fields known only at the end come last


def test_a_recording_the_scan_never_closed_says_it_was_cut_short() -> None:
    text = "# obdident session 1\n# tool: obdident 0.1.0\n> 0.000 ATD\n< OK\n= 0.001 ok\n"
    with pytest.raises(RecordingError, match=r"header fields missing: started_at.*cut short"):
        recording_format.loads(text)


class _Stop(ObdidentError):
    """An error that names its own exit code: the CLI must take it from the error, not from its class."""

    exit_code = ExitCode.REFUSED


def test_the_scans_exit_code_is_the_errors_own(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: object) -> None:
        raise _Stop("stopped")

    monkeypatch.setattr(ELM327, "initialize", fail)
    result = runner.invoke(cli.app, ["scan", "--demo"])
    assert result.exit_code == ExitCode.REFUSED, result.output
    assert "Refused:" in result.stderr and "Traceback" not in result.output
