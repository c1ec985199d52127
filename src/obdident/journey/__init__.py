"""A scan's life for any front end: the layer under the command line (``cli/``) and the window (``ui/``).

The front ends only ask the owner and show what this package gives them:

- :mod:`.plan`: what a scan is asked to do (:class:`Plan`) and what it runs on (:class:`Seams`: the clock,
  the port opener, the Bluetooth LE backend; fakes in tests).
- :mod:`.run`: :class:`Journey` opens the port, runs the scan with its cancel token
  (:class:`~obdident.interrupt.CancelToken`) and its deadline, keeps the report, hands on each early fact
  once, takes the owner's label values and writes the outputs; :class:`Ending` is how it ended.
- :mod:`.keeper`: the report as read (always kept, for ``obdident report``) and as shared (redacted with
  ``--redact``), and the recording.
- :mod:`.check`: the adapter check (``check-adapter``, the window's "Check the adapter").
- :mod:`.facts`: the facts in the owner's words, the same on every screen: the early news, the dealer rows
  with their provenance, the label fields to ask for, how the scan ended.
"""

from __future__ import annotations

from obdident.interrupt import CancelToken
from obdident.journey.facts import (
    LABEL_FIELDS,
    EarlyNews,
    Fact,
    Row,
    dealer_rows,
    missing_label_fields,
    missing_label_keys,
    news,
)
from obdident.journey.plan import Plan, Seams
from obdident.journey.run import Ending, Journey

__all__ = [
    "LABEL_FIELDS",
    "CancelToken",
    "EarlyNews",
    "Ending",
    "Fact",
    "Journey",
    "Plan",
    "Row",
    "Seams",
    "dealer_rows",
    "missing_label_fields",
    "missing_label_keys",
    "news",
]
