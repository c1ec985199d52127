"""STN adapters (OBDLink MX, MX+, EX): the second CAN on OBD-II pins 3/11 through the guard, in the
simulator, and in a scan (issue 12, section 1)."""

from __future__ import annotations

import pytest

from obdident import guard
from obdident.errors import GuardRefusal


def _reset_guard() -> guard.Guard:
    g = guard.Guard()
    g.check("ATZ")
    return g


# --- the guard's STN rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["STP53", "STP 54", "stp 33", "STP34", "STP35", "STP36", "STPBR500000", "STPBR 250000", "STPBR125000"]
)
def test_stn_preset_and_bit_rate_rows_admit_the_volatile_commands(line: str) -> None:
    assert guard.is_allowed(line)


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ("STSBR115200", "UART baud rate (STWBR saves it)"),
        ("STWBR", "writes the UART baud rate to NVM"),
        ("STSATI HELLO", "writes the ATI string to NVM"),
        ("STRSTNVM", "erases NVM"),
        ("STSLCS", "PowerSave settings live in NVM"),
        ("STBTDN X", "Bluetooth settings live in NVM"),
        ("STP11", "J1850: no CAN head unit there"),
        ("STP61", "single-wire CAN: not listed"),
        ("STP51", "ISO 11898 raw CAN (no ISO-TP): not listed"),
        ("STP", "no preset"),
        ("STP530", "not a preset"),
        ("STPBR1000000", "not a listed bit rate"),
        ("STPBR 0", "not a bit rate"),
        ("STPBRR5", "not a command"),
        ("STPX h:747 d:2180", "sends an arbitrary message"),
        ("STPPMA 7DF", "periodic messages"),
        ("STCFCPA 747, 767", "not needed (AT FC SH/SD/SM are used)"),
        ("STP 53\r", "two commands"),
    ],
)
def test_other_stn_commands_are_refused(line: str, why: str) -> None:
    assert not guard.is_allowed(line), why
    with pytest.raises(GuardRefusal):
        _reset_guard().check(line)


def test_every_stn_row_cites_the_frpm_and_says_it_stores_nothing() -> None:
    rows = [r for r in guard.ALLOWLIST if r.name.startswith(("STP", "STI"))]
    assert len(rows) == 3
    for row in rows:
        assert "OBDLink Family Reference and Programming Manual" in row.source
    for row in rows[1:]:
        assert "stores nothing" in row.reason


@pytest.mark.parametrize(
    ("preset", "family"),
    [("53", guard.CAN11), ("33", guard.CAN11), ("35", guard.CAN11), ("54", guard.CAN29), ("34", guard.CAN29)],
)
def test_stp_pins_the_id_width_like_at_tp(preset: str, family: str) -> None:
    g = _reset_guard()
    g.check(f"STP{preset}")
    assert g.context.families == frozenset({family})


def test_a_header_of_the_other_width_is_refused_after_stp() -> None:
    g = _reset_guard()
    g.check("STP53")
    g.check("ATSH18DA58F1")
    with pytest.raises(GuardRefusal, match="29-bit id"):
        g.check("2180")
    g.check("STP54")
    g.check("2180")  # 29-bit Tx now
    g.check("ATSH747")
    with pytest.raises(GuardRefusal, match="11-bit id"):
        g.check("2180")


def test_stp_answered_question_mark_leaves_the_family_as_it_was() -> None:
    g = _reset_guard()
    g.check("ATTP6")
    g.check("STP54")
    g.settle("refused")  # an OBDLink SX / LX has no MS-CAN: '?' (FRPM, STP)
    assert g.context.families == frozenset({guard.CAN11})
