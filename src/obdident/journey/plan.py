"""What a scan is asked to do (:class:`Plan`) and what it runs on (:class:`Seams`).

A front end (the command line, the window) fills a :class:`Plan` from what the owner asked; the
:class:`Seams` are the scan's clock, its port opener and its Bluetooth LE backend: the real ones by default,
fakes in tests (no module attribute is replaced).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from obdident.elm327.types import Clock
from obdident.model import EnteredValue
from obdident.scanning import PortOpener
from obdident.transports import DEFAULT_BAUDRATE, open_port

if TYPE_CHECKING:
    from bleak.backends.client import BaseBleakClient

__all__ = ["Plan", "Seams"]


@dataclass(frozen=True)
class Seams:
    """What a scan runs on.

    Attributes:
        clock: monotonic seconds (a virtual clock in tests: deadlines pass without waiting).
        opener: opens the adapter's port (:func:`obdident.transports.open_port`).
        ble_backend: the bleak client backend class for ``ble://`` ports; None: the platform's.
    """

    clock: Clock = time.monotonic
    opener: PortOpener = open_port
    ble_backend: type[BaseBleakClient] | None = None


@dataclass(frozen=True)
class Plan:
    """One scan, as the owner asked for it.

    Attributes:
        url: the adapter's port or URL (``/dev/ttyUSB0``, ``ble://...``, ``sim://PROFILE``).
        make: ``nissan`` when the car does not show it, or None.
        sweep: also probe every physical id 700-7F7.
        full: ask every unit (slower): also the units the family lacks by the public record.
        baudrate: serial speed, baud.
        timeout_s: the scan's overall limit, seconds.
        redact: mask what is shared (the terminal, the outputs asked for); the kept report still holds
            the values read.
        entered: the owner's head-unit values, checked, added to every report kept.
        json_path: ``--json`` (``-`` for stdout), or None for the report file kept in ``folder``.
        folder: where the report file is kept when ``json_path`` is None (or with ``redact``).
        record: the ``--record`` recording file, or None.
        note: the vehicle as the person recording describes it.
        html, qr, csv: the other outputs asked for, or None.
        tool: the tool and version (``obdident 0.1.0``), for the recording.
    """

    url: str
    make: str | None = None
    sweep: bool = False
    full: bool = False
    baudrate: int = DEFAULT_BAUDRATE
    timeout_s: float = 120.0
    redact: bool = False
    entered: tuple[EnteredValue, ...] = ()
    json_path: str | None = None
    folder: Path = field(default_factory=Path)
    record: str | None = None
    note: str | None = None
    html: str | None = None
    qr: str | None = None
    csv: str | None = None
    tool: str = "obdident"

    @property
    def simulated(self) -> bool:
        """True for a ``sim://`` car: its values are invented, and the owner's label values are not taken."""
        return self.url.startswith("sim://")
