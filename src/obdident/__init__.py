"""obdident: read a vehicle's identity (VIN, ECU identifiers) through an ELM327 adapter, read-only.

The public API::

    import obdident
    report = obdident.scan("/dev/ttyUSB0")        # or "socket://192.168.0.10:35000", "sim://nissan-xtrail-t32"
    vin, complete = report.vehicle.vin, report.complete
    text = report.to_json()

Errors all derive from :class:`obdident.errors.ObdidentError`. Submodules load on first use, so importing
the package stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

__version__ = version("obdident")

if TYPE_CHECKING:
    from obdident.errors import ObdidentError
    from obdident.model import Report
    from obdident.scanning import scan, scan_port

__all__ = ["ObdidentError", "Report", "__version__", "scan", "scan_port"]

_LAZY = {
    "scan": ("obdident.scanning", "scan"),
    "scan_port": ("obdident.scanning", "scan_port"),
    "Report": ("obdident.model", "Report"),
    "ObdidentError": ("obdident.errors", "ObdidentError"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        return getattr(import_module(module), attr)
    raise AttributeError(f"module 'obdident' has no attribute {name!r}")
