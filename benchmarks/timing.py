"""A timing model of an ELM327 adapter on a link, around obdident's simulated adapter, in virtual time.

The simulated ELM327 (obdident.sim) answers at once; this module says *when* each byte of its answer would
reach the host, and a virtual clock advances as the host reads, so a whole scan is measured without waiting
in real time. What it models (figures from the ELM327 datasheet and shared/evidence section 7):

* the link: UART bytes at 38400 baud (10 bits a byte) plus a small USB latency; Bluetooth Classic (SPP) and
  Bluetooth LE with a per-direction latency (40 and 80 ms a line: :data:`LINKS`); harsher Bluetooth LE
  links in :data:`HARSH_LINKS` (150 ms a line; one 20-byte notification per 30 ms connection event);
* the chip: AT command processing (about 1 ms), AT Z about 0.9 s, the automatic protocol search (about
  1.5 s; 0.1 s when the protocol tried first is the vehicle's), the receive timeout AT ST after the last
  frame unless the response-count digit was met, CAN frames at 500 kbit/s;
* the vehicle: each ECU's latency (profile ``latency_ms``) before its first frame, STmin 0 (AT FC SD 30 00 00).

Adaptive timing (AT AT1) is modelled as the plain AT ST wait: the chip may shorten it, so scans here err on
the slow side, obdident's and python-OBD's alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from obdident.sim.elm import SimulatedELM327
from obdident.sim.profile import VehicleProfile

ST_STEP_S = 0.004096
P2_CAN_S = 0.050  # ISO 15765-4: an absent ECU cannot be known absent sooner
CAN_FRAME_S = 0.00025  # a 8-byte frame at 500 kbit/s, stuffing included
AT_PROCESSING_S = 0.001
ATZ_S = 0.9
SEARCH_S = 1.5
FIRST_TRY_S = 0.1


@dataclass(frozen=True)
class Link:
    """How long bytes take between host and chip.

    Attributes:
        name: shown in the results.
        byte_s: seconds per byte on the wire (UART).
        latency_s: fixed latency per direction of each transfer (USB, SPP, BLE connection event).
        chunk: bytes per BLE write or notification (0: a byte stream).
        chunk_s: seconds between consecutive chunks (BLE: one connection event).
    """

    name: str
    byte_s: float
    latency_s: float
    chunk: int = 0
    chunk_s: float = 0.0

    def transfer_s(self, size: int) -> float:
        """Seconds to move ``size`` bytes one way, latency included."""
        if self.chunk:
            chunks = max(1, -(-size // self.chunk))
            return self.latency_s + (chunks - 1) * self.chunk_s + size * self.byte_s
        return self.latency_s + size * self.byte_s


UART = 10 / 38400
#: The links of issue 13: USB serial at 38400 baud; Bluetooth Classic SPP at 40 ms a line and Bluetooth LE at
#: 80 ms a line (the link's round trip, half each way, on top of the chip's and the vehicle's time; the
#: evidence notes measured about 55 ms on a Vgate SPP, 91 ms on a Konnwei BLE). Answer bytes leave the chip
#: at the UART's 38400 baud; the BLE module forwards them as they come (several 20-byte notifications per
#: connection event keep up with that rate).
LINKS = {
    "usb-serial": Link("USB serial, 38400 baud", UART, 0.001),
    "bluetooth-spp": Link("Bluetooth Classic SPP, 40 ms a line", UART, 0.020),
    "ble": Link("Bluetooth LE, 80 ms a line", UART, 0.040),
}
#: Harsher links, shown beside the others: a cheap BLE clone at 150 ms a line (the evidence notes' figure),
#: and a BLE link that sends one 20-byte notification per 30 ms connection event (long answers pay most).
HARSH_LINKS = {
    "ble-150ms": Link("Bluetooth LE, cheap clone, 150 ms a line", UART, 0.075),
    "ble-one-notification": Link(
        "Bluetooth LE, one 20-byte notification per 30 ms connection event", UART, 0.030, 20, 0.030
    ),
}


class VirtualClock:
    """Seconds of virtual time; ``sleep`` advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def time(self) -> float:
        return self.now


@dataclass
class Stats:
    """What one run cost."""

    exchanges: int = 0
    waited_s: float = 0.0  # receive-timeout waits after the last frame (avoidable ones)
    ideal_s: float = 0.0  # the same exchanges with no avoidable wait
    busy_s: float = 0.0  # sum of exchange durations (write to prompt)
    waits: list[tuple[str, float]] = field(default_factory=list)  # (request, seconds waited) per exchange


_HEX = re.compile(r"^[0-9A-F]+$")


class TimedPort:
    """A pyserial-like port: the simulated chip behind a link, in virtual time."""

    def __init__(self, profile: VehicleProfile, link: Link, clock: VirtualClock) -> None:
        self.elm = SimulatedELM327(profile, echo=True)
        self.profile = profile
        self.link = link
        self.clock = clock
        self.timeout: float | None = 0.02
        self.baudrate = 38400
        self.stats = Stats()
        self._chunks: list[tuple[float, bytes]] = []
        self._partial = b""
        self._st = 0x32
        self._first: str | None = None  # the protocol AT TP Ah / AT SP Ah tries first; None for SP 0
        self._latency = {f"{e.response_id:X}": e.latency_ms / 1000 for e in profile.ecus}
        self.is_open = True

    # --- pyserial surface ----------------------------------------------------------------------------
    @property
    def in_waiting(self) -> int:
        return sum(len(c) for t, c in self._chunks if t <= self.clock.now)

    def read(self, size: int = 1) -> bytes:
        ready = [c for c in self._chunks if c[0] <= self.clock.now]
        if not ready:
            upcoming = min((t for t, _ in self._chunks), default=None)
            wait = self.timeout if self.timeout is not None else float("inf")
            if upcoming is not None and upcoming <= self.clock.now + wait:
                self.clock.now = upcoming
            else:
                self.clock.now += wait if wait != float("inf") else 0.0
                return b""
        out = bytearray()
        while self._chunks and self._chunks[0][0] <= self.clock.now and len(out) < size:
            when, data = self._chunks[0]
            take = data[: size - len(out)]
            out += take
            rest = data[len(take) :]
            if rest:
                self._chunks[0] = (when, rest)
            else:
                self._chunks.pop(0)
        return bytes(out)

    def write(self, data: bytes) -> int:
        buffer = self._partial + bytes(data)
        *lines, self._partial = buffer.split(b"\r")
        for line in lines:
            self._exchange(line.decode("latin-1"))
        return len(data)

    def reset_input_buffer(self) -> None:
        self._chunks = [c for c in self._chunks if c[0] > self.clock.now]

    def flushInput(self) -> None:  # noqa: N802  (python-OBD calls pyserial's old name)
        self.reset_input_buffer()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.is_open = False

    # --- the model -----------------------------------------------------------------------------------
    def _exchange(self, line: str) -> None:
        start = self.clock.now
        text = line.replace(" ", "").upper()
        arrive = start + self.link.transfer_s(len(line) + 1)
        output = self.elm.feed(line.encode("latin-1") + b"\r").decode("latin-1")
        lines = [x for x in output.replace("\n", "").split("\r")]
        is_at = text.startswith(("AT", "ST")) or not text
        if is_at:
            ready = arrive + (ATZ_S if text in ("ATZ", "ATWS") else AT_PROCESSING_S)
            self._note_at(text)
            self._emit(output, ready, start, ready, 0.0)
            return
        t = arrive + AT_PROCESSING_S
        if any("SEARCHING" in x for x in lines):
            t += FIRST_TRY_S if self.elm.connected_protocol == self._first else SEARCH_S
        count = int(text[-1], 16) if len(text) % 2 else None
        frames = [x for x in lines if _HEX.match(x.replace(" ", "")) and len(x.replace(" ", "")) > 6]
        per_ecu: dict[str, int] = {}
        last = t
        for frame in frames:
            header = frame.split()[0] if " " in frame else frame[:3]
            k = per_ecu.get(header, 0)
            per_ecu[header] = k + 1
            last = max(last, t + self._latency.get(header.upper(), 0.015) + (k + 1) * CAN_FRAME_S)
        met = count is not None and len(frames) >= count
        timeout = self._st * ST_STEP_S
        if met:
            prompt_at, waited = last, 0.0
        elif frames:
            prompt_at, waited = last + timeout, timeout
        else:
            prompt_at, waited = t + timeout, timeout - P2_CAN_S
        ideal_end = last if frames else t + P2_CAN_S
        self.stats.waits.append((text, waited))
        self._emit(output, prompt_at, start, ideal_end, waited)

    def _note_at(self, text: str) -> None:
        if text.startswith("ATST") and len(text) == 6:
            self._st = int(text[4:], 16) or 0x32
        elif text in ("ATZ", "ATWS", "ATD"):
            self._st = 0x32
        elif text.startswith(("ATTPA", "ATSPA")):
            self._first = text[5:]
        elif text in ("ATSP0", "ATTP0"):
            self._first = None

    def _emit(self, output: str, ready: float, start: float, ideal_ready: float, waited: float) -> None:
        data = output.encode("latin-1")
        done = ready + self.link.transfer_s(len(data))
        self._chunks.append((done, data))
        self.stats.exchanges += 1
        self.stats.waited_s += waited
        self.stats.busy_s += done - start
        self.stats.ideal_s += ideal_ready + self.link.transfer_s(len(data)) - start
