"""What is known about each Nissan model family: one data record per family, in this folder.

Each ``*.toml`` file (``qashqai.toml``: J10, J11) holds every fact with its source and confidence, checked
against ``schema.json`` (:mod:`~obdident.vehicles.families.record`). The scan asks :func:`knowledge` which
family a VIN, a CALID or a part-number suffix shows, which head-unit candidates that family has on which bus,
which units it has not (not probed; ``--full`` probes them), which a capture shows answering, and whether it
brings a second CAN out. Adding a family, or a candidate to one, means editing one record (and its test).
"""

from __future__ import annotations

import functools
from pathlib import Path

from obdident.vehicles.families.record import (
    Candidate,
    Family,
    Found,
    Knowledge,
    RecordError,
    SecondCan,
    load_records,
)

__all__ = [
    "RECORDS",
    "Candidate",
    "Family",
    "Found",
    "Knowledge",
    "RecordError",
    "SecondCan",
    "knowledge",
    "load_records",
]

#: The folder of the records shipped with obdident (package data).
RECORDS = Path(__file__).parent


@functools.cache
def knowledge() -> Knowledge:
    """The shipped records, read and checked once (on first use, not at import).

    Raises:
        RecordError: a shipped record is broken (a defect; the suite checks every record).
    """
    return load_records(RECORDS)
