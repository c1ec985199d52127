"""``obdident check-adapter`` (issue 20 point 5): read-only, the capability table in the owner's words, and a
verdict on the head unit."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from obdident import cli
from obdident.report.adapter_check import rows, verdict
from obdident.scanning.adapter_check import AdapterCheck, check_adapter
from obdident.transports import open_port

NAVI = "sim://nissan-qashqai-j11-navi"
runner = CliRunner()


def checked(url: str) -> tuple[AdapterCheck, list[str]]:
    link = open_port(url)
    written: list[str] = []
    write = link.write

    def spy(data: bytes) -> int | None:
        written.append(data.decode("ascii").strip())
        return write(data)  # type: ignore[no-any-return]

    link.write = spy  # type: ignore[method-assign]
    try:
        return check_adapter(link, url), written
    finally:
        link.close()


def test_a_good_adapter_can_read_the_head_unit_and_only_at_commands_and_0100_are_sent() -> None:
    check, written = checked(NAVI)
    assert check.can_read_head_unit
    assert verdict(check).startswith("This adapter can read the head unit")
    assert all(line.startswith("AT") or re.fullmatch(r"0100[1-9A-F]?", line) for line in written), written
    assert check.protocol == "ISO 15765-4 CAN (11 bit ID, 500 kbaud)"
    assert check.voltage_v == pytest.approx(12.6, abs=1.0)
    assert check.round_trip_ms is not None
    table = rows(check)
    assert ("let a unit other than the engine ECU send a long answer (AT FC SH)", "ATFCSH7E0", "yes") in table


@pytest.mark.parametrize("quirk", ["no-fc", "fake-v21"])
def test_a_clone_without_flow_control_cannot_read_the_head_unit_and_says_why(quirk: str) -> None:
    check, _ = checked(f"{NAVI}?quirk={quirk}")
    assert not check.can_read_head_unit
    said = verdict(check)
    assert said.startswith("It cannot read the head unit, because") and "ATFCSH7E0" in said
    assert ("let a unit other than the engine ECU send a long answer (AT FC SH)", "ATFCSH7E0",
            "no (it answered ?)") in rows(check)  # fmt: skip


def test_a_clone_without_cra_can_still_read_the_head_unit() -> None:
    check, _ = checked(f"{NAVI}?quirk=no-cra")
    assert check.can_read_head_unit  # AT CF + AT CM stand in for AT CRA


def test_with_the_ignition_off_it_cannot_say() -> None:
    check, _ = checked(f"{NAVI}?ignition=off")
    assert not check.can_read_head_unit and check.protocol is None
    assert verdict(check).startswith("It cannot say whether this adapter can read the head unit, because")


def test_the_command_prints_the_table_and_the_verdict() -> None:
    good = runner.invoke(cli.app, ["check-adapter", "--demo"])
    assert good.exit_code == 0, good.output
    said = " ".join(good.output.split())  # the terminal wraps lines
    assert "This adapter can read the head unit" in said and "ATFCSH7E0" in said and "12.6 V" in said
    bad = runner.invoke(cli.app, ["check-adapter", "--port", f"{NAVI}?quirk=no-fc"])
    assert bad.exit_code == 4, bad.output
    assert "It cannot read the head unit, because" in " ".join(bad.output.split())
