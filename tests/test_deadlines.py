"""Every scan ends on time and says truthfully how it ended (issue 10, section 4).

An expired overall limit is a ``scan-timeout`` (exit 4, what was read kept), never "could not reach the
vehicle"; an answer that arrived whole but cannot be decoded is an ``undecodable-answer`` problem with the
raw request and answer, and its step still ran to its end; a device that streams or floods is stopped.
Everything runs on a virtual clock, the CLI run too (through the scan's clock).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from typer.testing import CliRunner

from obdident import cli
from obdident.elm327.driver import Exchange
from obdident.model import Report
from obdident.scanning import scan_port
from obdident.transports import open_port

FIXTURES = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
runner = CliRunner()


def virtual_clock(step_s: float = 0.001):  # type: ignore[no-untyped-def]
    ticks = itertools.count()
    return lambda: next(ticks) * step_s


def scan(url: str, timeout_s: float = 120.0) -> tuple[Report, list[Exchange]]:
    sent: list[Exchange] = []
    link = open_port(url)
    read, reads = link.read, itertools.count(1)

    def bounded_read(size: int = 1) -> bytes:
        if next(reads) > 500_000:  # a driver that never stops reading fails instead of hanging
            raise RuntimeError(f"{url}: still reading after 500,000 reads")
        return bytes(read(size))

    link.read = bounded_read
    try:
        report = scan_port(link, url, timeout_s=timeout_s, clock=virtual_clock(), on_exchange=sent.append)
    finally:
        link.close()
    return report, sent


# the protocol search's command line
SEARCH_LINE = [e.request for e in scan("sim://nissan-xtrail-t32")[1]].index("0100") + 1


def test_a_limit_that_runs_out_during_the_search_is_a_timeout_not_no_vehicle() -> None:
    # the adapter stalls on the search: its own 20 s deadline would outlast the 5 s limit
    report, _ = scan(f"sim://nissan-xtrail-t32?fault=stall@{SEARCH_LINE}", timeout_s=5.0)
    codes = [p.code for p in report.problems]
    assert codes == ["scan-timeout"], codes
    message = report.problems[0].message
    assert "time limit of 5 s ran out" in message and "--timeout" in message
    assert "could not reach the vehicle" not in report.to_json()
    assert not report.complete


def test_a_limit_that_runs_out_mid_scan_keeps_what_was_read() -> None:
    clean, sent = scan("sim://nissan-xtrail-t32")
    line = next(i for i, e in enumerate(sent) if e.request.startswith("0906")) + 1  # after VIN and CALIDs
    limit_s = sent[line - 1].started_s + 1.0  # runs out while that command still waits: a stream, no prompt
    report, exchanges = scan(f"sim://nissan-xtrail-t32?fault=no-prompt@{line}+", timeout_s=limit_s)
    assert report.problems[-1].code == "scan-timeout"
    assert exchanges[-1].outcome == "timeout" and exchanges[-1].lines  # the stream's lines are kept
    assert exchanges[-1].started_s + exchanges[-1].elapsed_s <= limit_s + 0.01
    assert report.vehicle.vin == clean.vehicle.vin == "SJNFBAT32U1000001"
    assert not report.complete


def test_cli_an_expired_timeout_exits_4_with_the_report_and_says_timeout(tmp_path: Path) -> None:
    from obdident.journey import Seams

    clock = virtual_clock(0.01)
    out = tmp_path / "r.json"
    url = f"sim://nissan-xtrail-t32?fault=stall@{SEARCH_LINE}"
    command = ["scan", "--port", url, "--timeout", "1", "--json", str(out)]
    result = runner.invoke(cli.app, command, obj=Seams(clock=clock))
    assert result.exit_code == 4, result.output
    data = json.loads(out.read_text("utf-8"))
    assert data["complete"] is False
    assert [p["code"] for p in data["problems"]] == ["scan-timeout"]
    assert "could not reach the vehicle" not in result.output
    assert 1.0 <= clock() < 1.5  # the 1 s limit ran out on the virtual clock, and the scan stopped there


def test_an_undecodable_infotype_is_its_own_problem_and_the_scan_is_complete(tmp_path: Path) -> None:
    text = (FIXTURES / "nissan-xtrail-t32.toml").read_text("utf-8")
    good = '"0904" = "49 04 01 32 33 37 31 30 36 46 52 39 41 00 00 00 00 00 00"'
    assert good in text
    profile = tmp_path / "bad-calid.toml"
    profile.write_text(text.replace(good, '"0904" = "49 04 01 32 33"'), "utf-8")
    report, _ = scan(f"sim://{profile}")
    bad = [p for p in report.problems if p.response_id == "7E8"]
    assert [p.code for p in bad] == ["undecodable-answer"]
    assert "09 04" in bad[0].message and "answer: 7E80549040132335555" in bad[0].message
    assert report.complete  # every planned step ran to its end
    ecm = next(e for e in report.ecus if e.response_id == "7E8")
    assert ecm.identification.calibration_ids == ()  # nothing invented
    assert report.vehicle.vin == "SJNFBAT32U1000001"  # everything else read
    result = runner.invoke(cli.app, ["scan", "--port", f"sim://{profile}"])
    assert result.exit_code == 0
    assert "stopped early" not in result.output
