"""Speed of a full identification scan against a timing model of a real adapter, beside python-OBD.

Run:  python benchmarks/scan_speed.py            (after: pip install -e '.[test]')

For each link (USB serial at 38400 baud, Bluetooth Classic SPP at 40 ms a line, Bluetooth LE at 80 ms a
line: issue 13's; then two harsher Bluetooth LE links) it scans the reference Nissan vehicle
(hw-fixtures/profiles/benchmark-nissan-reference.toml: service 09 plus the physical-address units of the
Qashqai J10 and Leaf profiles, with absent candidates) through the timing model in benchmarks/timing.py, in
virtual time, and prints: the scan's time, its round trips, the time spent waiting out receive timeouts,
the ideal (the same exchanges with no avoidable wait), and python-OBD 0.7.3's ``obd.OBD(...)`` connect plus
one VIN query on the same simulated adapter, with the ratios. Beside the default scan (which skips the units
the established family does not have: on this reference vehicle the J10 family drops the Leaf units, and
with them the Leaf VCM's VIN) it prints ``--full`` (every unit probed) and the simulated J10 profile. It is
not part of the test suite (tests/test_benchmark_model.py checks its serial figures; tests/test_round_trips.py
the line budgets). Last, it prints every built-in profile's line budget beside the figure measured now
(benchmarks/line_budgets.py).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

from line_budgets import table as budget_table
from timing import HARSH_LINKS, LINKS, Link, TimedPort, VirtualClock

from obdident.scanning import ScanOptions, scan_port
from obdident.sim.profile import find_profile, load_profile

PROFILE = "benchmark-nissan-reference"
J10 = "nissan-qashqai-j10"  # the simulated J10 (the recorded session's profile), ECU latencies: the sim's


@dataclass(frozen=True)
class Result:
    seconds: float
    exchanges: int
    waited_s: float
    ideal_s: float
    ok: bool
    detail: str


def obdident_scan(link: Link, *, full: bool = False, profile: str = PROFILE) -> Result:
    clock = VirtualClock()
    port = TimedPort(load_profile(find_profile(profile)), link, clock)
    report = scan_port(port, f"bench://{profile}", options=ScanOptions(full=full), clock=clock)
    units = sum(1 for e in report.ecus if e.identification.fields or e.identification.calibration_ids)
    s = port.stats
    return Result(clock.now, s.exchanges, s.waited_s, s.ideal_s, report.complete, f"{units} units identified")


@contextlib.contextmanager
def python_obd_on(port: TimedPort, clock: VirtualClock) -> Iterator[object]:
    import obd
    from obd import elm327

    saved_serial, saved_time = elm327.serial.serial_for_url, elm327.time
    def open_port(*_args: object, timeout: float | None = None, **_kwargs: object) -> TimedPort:
        port.timeout = timeout
        return port

    elm327.serial.serial_for_url = open_port
    elm327.time = SimpleNamespace(sleep=clock.sleep, time=clock.time)
    try:
        yield obd
    finally:
        elm327.serial.serial_for_url, elm327.time = saved_serial, saved_time


def python_obd_vin(link: Link) -> Result:
    clock = VirtualClock()
    port = TimedPort(load_profile(find_profile(PROFILE)), link, clock)
    with python_obd_on(port, clock) as obd:
        connection = obd.OBD("bench", baudrate=38400, fast=False)  # type: ignore[attr-defined]
        connected, status = clock.now, connection.status()
        response = connection.query(obd.commands.VIN)  # type: ignore[attr-defined]
        connection.close()
    s = port.stats
    detail = f"connect {connected:.2f} s ({status}); VIN value {response.value!r}"
    return Result(clock.now, s.exchanges, s.waited_s, s.ideal_s, bool(response.messages), detail)


def _row(label: str, r: Result) -> str:
    return (
        f"{label:<62} {r.seconds:7.2f} {r.exchanges:6d} {r.waited_s:9.2f} {r.ideal_s:8.2f} "
        f"{r.seconds / r.ideal_s:8.2f}"
    )


def main() -> None:
    print(f"Reference vehicle: {PROFILE}; virtual time under benchmarks/timing.py's model\n")
    header = f"{'link':<62} {'scan s':>7} {'trips':>6} {'waited s':>9} {'ideal s':>8} {'x ideal':>8}"
    for key, link in {**LINKS, **HARSH_LINKS}.items():
        ours = obdident_scan(link)
        full = obdident_scan(link, full=True)
        j10 = obdident_scan(link, profile=J10)
        theirs = python_obd_vin(link)
        print(link.name + ("  (harsher than issue 13's links)" if key in HARSH_LINKS else ""))
        print(header)
        print(_row("  obdident full scan (" + ours.detail + ")", ours))
        print(_row("  obdident scan --full (" + full.detail + ")", full))
        print(_row(f"  obdident full scan of {J10} (" + j10.detail + ")", j10))
        print(_row("  python-OBD 0.7.3 connect + VIN", theirs))
        print(f"  python-OBD: {theirs.detail}")
        verdict = "sooner than" if ours.seconds < theirs.seconds else "NOT sooner than"
        print(
            f"  obdident's full scan ends {verdict} python-OBD's connect + one VIN ({key}): "
            f"{ours.seconds / theirs.seconds:.2f}x its time; complete={ours.ok}\n"
        )
    print("Lines written to the adapter by one scan of each built-in profile, beside its budget (at most)")
    print("\n".join(budget_table()))


if __name__ == "__main__":
    main()
