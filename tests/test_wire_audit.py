"""The wire audit itself: it sees lines on every transport kind and flags those off the allowlist."""

from __future__ import annotations

import serial

from tests.conftest import WireAudit


def test_audit_flags_a_refused_line_written_to_a_transport(wire_audit: WireAudit) -> None:
    port = serial.serial_for_url("loop://", timeout=0)
    port.write(b"ATI\r04\r")
    port.close()
    assert wire_audit.violations() == ["04"]
    wire_audit.clear()  # this test wrote the refused line on purpose


def test_audit_sees_writes_to_the_simulator(wire_audit: WireAudit) -> None:
    port = serial.serial_for_url("sim://nissan-xtrail-t32", timeout=0)
    port.write(b"ATI\r")
    port.write(b"AT SP 6\r")  # SP with a fixed protocol would save it: not on the allowlist
    port.close()
    assert wire_audit.lines() == ["ATI", "AT SP 6"]
    assert wire_audit.violations() == ["AT SP 6"]
    wire_audit.clear()
