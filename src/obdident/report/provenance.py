"""Where a report's values come from, as every dealer output must say it: a simulated car's (``sim://``) are
invented, and the letter's heading, the page, the QR payload (``SIM=1``) and the CSV row (``simulated``) mark
them so (issue 18: a simulated scan is never taken for a car's)."""

from __future__ import annotations

from obdident.model import Report

__all__ = ["SIMULATED_PREFIX", "is_simulated"]

#: The port prefix of obdident's simulated cars (:mod:`obdident.sim`).
SIMULATED_PREFIX = "sim://"


def is_simulated(report: Report) -> bool:
    """True for a simulated car's scan (its port is ``sim://...``): every value in it is invented."""
    return report.adapter.port.startswith(SIMULATED_PREFIX)
