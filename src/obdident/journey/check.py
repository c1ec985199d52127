"""The adapter check for any front end (``obdident check-adapter``, the window's "Check the adapter"):
open the port through the scan's seams, probe it read-only, close it.

The probe is :func:`obdident.scanning.adapter_check.check_adapter` (AT commands the guard admits, and
``0100``); its words are :mod:`obdident.report.adapter_check`.
"""

from __future__ import annotations

from obdident.journey.plan import Seams
from obdident.scanning.adapter_check import AdapterCheck
from obdident.scanning.adapter_check import check_adapter as probe

__all__ = ["check_adapter"]


def check_adapter(url: str, seams: Seams | None = None, *, baudrate: int = 38400) -> AdapterCheck:
    """Check the adapter at ``url``: each command the scan needs, the protocol, the voltage, the round trip.

    Args:
        url: the adapter's port or URL (as ``obdident scan --port`` takes it).
        seams: the clock and the port opener (fakes in tests); the real ones when None.
        baudrate: serial speed, baud.

    Returns:
        What the adapter can do (:class:`~obdident.scanning.adapter_check.AdapterCheck`).

    Raises:
        ObdidentError: the port could not be opened, or the adapter could not be set up (silent, not an
            ELM327, the link lost); its ``exit_code`` and ``hint`` say what to do.
    """
    seams = seams or Seams()
    link = seams.opener(url, baudrate=baudrate, ble_backend=seams.ble_backend)
    try:
        return probe(link, url, clock=seams.clock)
    finally:
        link.close()
