"""One line at a time, even after trouble (issue 22, point 3).

After a command that ran out of time or whose answer flooded past the cap, the wire sends nothing until the
adapter's ``>`` prompt has been read, or it closes the port. A late answer is never taken for the next
command's, nor does it settle the guard for it.

:class:`SlowChip` is an ELM327 on a virtual clock whose answers take the time each test gives them. It
models what the ELM327 datasheet says of a busy chip: a byte it receives before its prompt interrupts it
(the chip drops the rest of its answer, prints ``STOPPED`` and its prompt, and the rest of the line runs as
a command of its own). Some clones and links instead queue the line and answer it after the current one,
always one answer late: ``interrupts=False``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from obdident import guard
from obdident.elm327.driver import ELM327
from obdident.elm327.lines import PROTOCOLS
from obdident.elm327.wire import MAX_ANSWER_BYTES, PROMPT_AFTER_TROUBLE_S, Wire
from obdident.errors import (
    AdapterTimeoutError,
    AnswerTooLongError,
    LinkLostError,
    ScanTimeoutError,
)
from tests.conftest import WIRE

READ_SLICE_S = 0.02  # a read with nothing to give waits the port's timeout: tens of ms


@dataclass
class Answer:
    """How the chip answers one line: ``text`` (without the prompt) after ``delay_s``; ``flood`` bytes
    streamed before it at ``flood_rate`` bytes a second; ``prompt=False`` never ends it."""

    text: str
    delay_s: float = 0.01
    flood: bytes = b""
    flood_rate: float = 400_000.0
    prompt: bool = True


@dataclass
class SlowChip:
    """A virtual-time ELM327 (echo on, as after power-up) answering from a script."""

    script: dict[str, Answer]
    interrupts: bool = True
    now: float = 0.0
    received: list[str] = field(default_factory=list)
    written_while_busy: list[str] = field(default_factory=list)
    closed: bool = False
    _out: list[tuple[float, bytes]] = field(default_factory=list)  # (time it is sent, bytes)
    _busy_until: float = 0.0  # when the prompt of the line being answered goes out (inf: never)
    _line: bytearray = field(default_factory=bytearray)
    _queued: list[str] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    # --- the chip ------------------------------------------------------------------------------------
    def _busy(self) -> bool:
        return self.now < self._busy_until

    def _run(self, line: str, start: float) -> None:
        self.received.append(line)
        answer = self.script.get(line, Answer("?"))
        self._out.append((start, line.encode("ascii") + b"\r"))  # the echo
        at = start + answer.delay_s
        if answer.flood:
            step = 4096
            for offset in range(0, len(answer.flood), step):
                self._out.append((at, answer.flood[offset : offset + step]))
                at += step / answer.flood_rate
        self._out.append((at, answer.text.encode("latin-1") + b"\r"))
        self._busy_until = at if answer.prompt else float("inf")
        if answer.prompt:
            self._out.append((at, b"\r>"))

    def _next_queued(self) -> None:
        """A queueing chip starts the line it kept once its prompt is out."""
        while self._queued and not self._busy():
            self._run(self._queued.pop(0), self._busy_until)

    # --- the port ------------------------------------------------------------------------------------
    def _ready(self) -> int:
        self._next_queued()
        return sum(len(data) for at, data in self._out if at <= self.now)

    @property
    def in_waiting(self) -> int:
        return self._ready()

    def read(self, size: int = 1) -> bytes:
        if self._ready() == 0:
            self.now += READ_SLICE_S
            self._ready()
            return b""
        data = bytearray()
        while self._out and self._out[0][0] <= self.now and len(data) < size:
            at, chunk = self._out.pop(0)
            take = size - len(data)
            data += chunk[:take]
            if chunk[take:]:
                self._out.insert(0, (at, chunk[take:]))
        WIRE.record_read(self, bytes(data))
        return bytes(data)

    def write(self, data: bytes, /) -> int:
        if self.closed:
            raise OSError("the port is closed")
        WIRE.record(self, data)
        for byte in data:
            if self._busy() and self.interrupts and not self._line:
                # ELM327 datasheet: any character received while busy interrupts; it is not kept
                self.written_while_busy.append(chr(byte))
                self._out = [(at, chunk) for at, chunk in self._out if at <= self.now]
                self._out.append((self.now, b"STOPPED\r\r>"))
                self._busy_until = self.now
                continue
            if byte != 0x0D:
                self._line.append(byte)
                continue
            line, self._line = self._line.decode("ascii"), bytearray()
            if self._busy():
                self.written_while_busy.append(line)
                self._queued.append(line)
            else:
                self._run(line, self.now)
        return len(data)

    def reset_input_buffer(self) -> None:
        self._out = [(at, chunk) for at, chunk in self._out if at > self.now]

    def close(self) -> None:
        self.closed = True


def on_can(chip: SlowChip) -> Wire:
    """A wire to ``chip`` that has set it to its defaults (AT D), CAF on (AT CAF1: a reset restores what PP 24
    stores) and pinned protocol 6 (AT TP 6)."""
    chip.script.setdefault("ATD", Answer("OK"))
    chip.script.setdefault("ATCAF1", Answer("OK"))
    chip.script.setdefault("ATTP6", Answer("OK"))
    wire = Wire(chip, guard=guard.Guard(), clock=chip.clock)
    wire.transact("ATD", 1.0, None)
    wire.transact("ATCAF1", 1.0, None)
    wire.transact("ATTP6", 1.0, None)
    chip.received.clear()
    return wire


class SettleSpy(guard.Guard):
    """A guard that keeps which outcome it was told for each line it admitted."""

    def __init__(self, context: guard.GuardContext) -> None:
        super().__init__(context)
        self.told: list[tuple[str, str]] = []
        self._last = ""

    def check(self, line: str) -> str:
        self._last = super().check(line)
        return self._last

    def settle(self, outcome: str) -> None:  # type: ignore[override]
        self.told.append((self._last, outcome))
        super().settle(outcome)  # type: ignore[arg-type]


SET_UP = {
    "ATZ": Answer("\r\rELM327 v1.5", delay_s=0.8),
    "ATE0": Answer("OK"),
    "ATS0": Answer("OK"),
    "ATH1": Answer("OK"),
    "ATI": Answer("ELM327 v1.5"),
    "ATRV": Answer("12.6V"),
    "ATCAF1": Answer("OK"),
}


@pytest.mark.parametrize("interrupts", [True, False], ids=["interrupting chip", "queueing chip"])
def test_an_answer_that_comes_late_is_read_before_the_next_line_and_kept_from_it(interrupts: bool) -> None:
    # AT D answers after 1.5 s, past its 1 s deadline: the driver falls back to AT Z, which must wait
    chip = SlowChip({"ATD": Answer("OK", delay_s=1.5), **SET_UP}, interrupts=interrupts)
    driver = ELM327(chip, clock=chip.clock)
    info = driver.initialize()
    assert chip.written_while_busy == []
    assert info.version == "ELM327 v1.5" and info.voltage_v == 12.6
    answers = {e.request: e.lines for e in driver.transcript}
    assert driver.transcript[0].outcome == "timeout"
    assert answers["ATZ"] == ("ELM327 v1.5",)  # the banner, not AT D's late OK
    assert answers["ATE0"] == ("OK",) and answers["ATI"] == ("ELM327 v1.5",)
    assert chip.received == ["ATD", "ATZ", "ATE0", "ATS0", "ATH1", "ATI", "ATRV", "ATCAF1"]


@pytest.mark.parametrize("interrupts", [True, False], ids=["interrupting chip", "queueing chip"])
def test_a_late_ok_never_settles_the_guard_for_the_next_command(interrupts: bool) -> None:
    # AT H1 is answered OK after its deadline; AT S0 is refused (a clone without it): the guard must be
    # told "unknown" for AT H1 and "refused" for AT S0, never the late OK as AT S0's
    chip = SlowChip({"ATH1": Answer("OK", delay_s=1.4), "ATS0": Answer("?")}, interrupts=interrupts)
    spy = SettleSpy(guard.GuardContext.set_up(guard.PROTOCOL_FAMILIES["6"]))
    wire = Wire(chip, guard=spy, clock=chip.clock)
    with pytest.raises(AdapterTimeoutError):
        wire.transact("ATH1", 1.0, None)
    exchange, _ = wire.transact("ATS0", 1.0, None)
    assert exchange.lines == ("?",)
    assert spy.told == [("ATH1", "unknown"), ("ATS0", "refused")]
    assert chip.written_while_busy == []


@pytest.mark.parametrize("tail", ["OK", "STOPPED"])
def test_a_timeout_then_a_late_prompt_lets_the_next_request_through(tail: str) -> None:
    chip = SlowChip({"0902": Answer(tail, delay_s=2.5), "0904": Answer("7E8054904012345")}, interrupts=True)
    wire = on_can(chip)
    with pytest.raises(AdapterTimeoutError):
        wire.transact("0902", 2.0, PROTOCOLS["6"])
    exchange, answer = wire.transact("0904", 2.0, PROTOCOLS["6"])
    assert exchange.lines == ("7E8054904012345",)
    assert [m.payload.hex() for m in answer.messages or ()] == ["4904012345"]
    assert chip.written_while_busy == [] and chip.received == ["0902", "0904"]


def test_no_prompt_after_a_timeout_closes_the_port_and_sends_nothing_more() -> None:
    chip = SlowChip({"0902": Answer("", prompt=False)})
    wire = on_can(chip)
    with pytest.raises(AdapterTimeoutError):
        wire.transact("0902", 2.0, PROTOCOLS["6"])
    waited_from = chip.now
    with pytest.raises(AdapterTimeoutError, match="still busy") as caught:
        wire.transact("0904", 2.0, PROTOCOLS["6"])
    assert caught.value.request == "0902" and "unplug the adapter" in (caught.value.hint or "")
    assert chip.now - waited_from >= PROMPT_AFTER_TROUBLE_S
    assert chip.closed and wire.closed
    with pytest.raises(LinkLostError, match="closed the port"):
        wire.transact("0906", 2.0, PROTOCOLS["6"])
    assert chip.received == ["0902"] and chip.written_while_busy == []


def test_the_overall_limit_cuts_the_wait_for_the_prompt_short() -> None:
    chip = SlowChip({"0902": Answer("", prompt=False)})
    wire = on_can(chip)
    with pytest.raises(AdapterTimeoutError):
        wire.transact("0902", 2.0, PROTOCOLS["6"])
    wire.deadline = chip.now + 1.0
    with pytest.raises(ScanTimeoutError, match="overall time limit"):
        wire.transact("0904", 2.0, PROTOCOLS["6"])
    assert chip.now <= wire.deadline + READ_SLICE_S
    assert chip.closed and chip.received == ["0902"]


def test_a_set_up_that_never_gets_its_prompt_back_says_what_to_check() -> None:
    chip = SlowChip({"ATD": Answer("", prompt=False)})
    driver = ELM327(chip, clock=chip.clock)
    with pytest.raises(AdapterTimeoutError, match=r"did not answer AT D$") as caught:
        driver.initialize()
    assert "plugged into the car" in (caught.value.hint or "")
    assert chip.received == ["ATD"] and chip.closed


FRAME = b"7E8 21 41 42 43 44 45 46 47\r"


def test_after_a_flood_the_next_line_waits_for_the_prompt() -> None:
    flood = FRAME * (MAX_ANSWER_BYTES // len(FRAME) + 2000)  # past the cap, then the prompt
    chip = SlowChip({"0902": Answer("", flood=flood), "0904": Answer("7E8054904012345")})
    wire = on_can(chip)
    with pytest.raises(AnswerTooLongError):
        wire.transact("0902", 60.0, PROTOCOLS["6"])
    exchange, _ = wire.transact("0904", 2.0, PROTOCOLS["6"])
    assert exchange.lines == ("7E8054904012345",)
    assert chip.written_while_busy == [] and chip.received == ["0902", "0904"]


def test_a_flood_without_end_closes_the_port() -> None:
    flood = FRAME * (4 * MAX_ANSWER_BYTES // len(FRAME))  # 1 MiB at 38400 baud: minutes
    chip = SlowChip({"0902": Answer("", flood=flood, flood_rate=3840.0, prompt=False)})
    wire = on_can(chip)
    with pytest.raises(AnswerTooLongError):
        wire.transact("0902", 1000.0, PROTOCOLS["6"])
    with pytest.raises(AdapterTimeoutError, match="ran past"):
        wire.transact("0904", 2.0, PROTOCOLS["6"])
    assert chip.closed and chip.received == ["0902"]


def test_a_banner_printed_unasked_between_lines_is_read_before_the_next_line_is_judged() -> None:
    # A brown-out between two lines: the adapter reboots and prints its banner with nobody asking. Its stored
    # settings (PP 24: CAF maybe off) are back, so the next request must wait for a confirmed set-up again,
    # not go out as a raw frame. The banner must be read, not thrown away with the input buffer.
    chip = SlowChip({"0902": Answer("7E8 02 49 02")})
    wire = on_can(chip)
    chip._out.append((chip.now, b"\r\rELM327 v1.5\r\r>"))
    with pytest.raises(guard.GuardRefusal):
        wire.transact("0902", 1.0, PROTOCOLS["6"])
    assert chip.received == []  # nothing written: the guard refused before a byte left


def test_unasked_bytes_that_are_no_banner_change_nothing() -> None:
    chip = SlowChip({"0100": Answer("7E8 06 41 00 BE 3F A8 13")})
    wire = on_can(chip)
    chip._out.append((chip.now, b"\r>"))  # a stray prompt: no reset
    exchange, _ = wire.transact("0100", 1.0, PROTOCOLS["6"])
    assert exchange.lines == ("7E8 06 41 00 BE 3F A8 13",) and chip.received == ["0100"]
