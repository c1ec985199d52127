"""The scan's early news: the VIN and the head unit on stderr as soon as a step has read them.

The scan hands the CLI a partial report after every step (``checkpoint``); :class:`EarlyNews` looks at each
and prints a line the first time the VIN, then the head unit, is known (:func:`obdident.report.text.so_far`).
The lines go to stderr, the console the progress spinner runs on, so on a terminal they appear above the
spinner while the scan goes on, and stdout keeps only the report (or the JSON of ``--json -``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.model import Report

__all__ = ["EarlyNews"]


class EarlyNews:
    """Prints each of the scan's early lines once.

    Attributes:
        err: where to print (stderr).
        shown: the keys of :func:`~obdident.report.text.so_far` already printed (``vin``, ``head_unit``).
    """

    def __init__(self, err: Console) -> None:
        self.err = err
        self.shown: set[str] = set()

    def show(self, report: Report | None) -> None:
        """Print what ``report`` (a checkpoint's) holds that was not printed before; None prints nothing."""
        if report is None:
            return
        from obdident.report.text import so_far

        for key, line in so_far(report).items():
            if key not in self.shown:
                self.shown.add(key)
                self.err.print(line)
