"""How early the scan knows the two things the dealer needs, the VIN and the head unit, against its end.

Run:  python benchmarks/early_news.py            (after: pip install -e '.[test]')

For each link of benchmarks/timing.py's model and each profile, it scans in virtual time and notes, at each
step's checkpoint, when :func:`obdident.journey.news` first holds the VIN and the head unit (what
``obdident scan`` prints on stderr and the window shows at that moment): seconds and round trips, beside the scan's end. It is
not part of the test suite.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import LINKS, TimedPort, VirtualClock

from obdident.model import Report
from obdident.journey import news
from obdident.scanning import scan_port
from obdident.sim.profile import find_profile, load_profile

PROFILES = ("benchmark-nissan-reference", "nissan-qashqai-j11-navi")


def first_known(profile: str, key: str) -> tuple[dict[str, tuple[float, int]], float, int]:
    """Return ({'vin'|'head_unit': (seconds, round trips) when first known}, end seconds, end round trips)."""
    clock = VirtualClock()
    port = TimedPort(load_profile(find_profile(profile)), LINKS[key], clock)
    known: dict[str, tuple[float, int]] = {}

    def checkpoint(report: Report) -> None:
        for name in news(report):
            known.setdefault(name, (clock.now, port.stats.exchanges))

    scan_port(port, f"bench://{profile}", clock=clock, checkpoint=checkpoint)
    return known, clock.now, port.stats.exchanges


def main() -> None:
    print("When the VIN and the head unit are on the owner's screen, against the scan's end (virtual time)\n")
    print(
        f"{'profile':<28} {'link':<14} {'VIN s (trips)':>15} {'head unit s (trips)':>20} {'end s (trips)':>15}"
    )
    for profile in PROFILES:
        for key in LINKS:
            known, end_s, trips = first_known(profile, key)
            cells = [
                f"{known[n][0]:.2f} ({known[n][1]})" if n in known else "not read"
                for n in ("vin", "head_unit")
            ]
            print(f"{profile:<28} {key:<14} {cells[0]:>15} {cells[1]:>20} {f'{end_s:.2f} ({trips})':>15}")


if __name__ == "__main__":
    main()
