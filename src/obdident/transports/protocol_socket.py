"""pyserial's ``socket://`` handler with obdident's ``guarded`` option (:mod:`obdident.transports.guarded`).

:func:`obdident.transports.register` puts this package before pyserial's own handlers, so pyserial finds this
module for ``socket://``. Without ``guarded=1`` it opens pyserial's own class, unchanged; with it,
:class:`GuardedSerial`, which judges every line before pyserial's code writes it.
"""

from __future__ import annotations

from typing import Any

from serial.urlhandler import protocol_socket as _pyserial

from obdident.transports.guarded import GuardedPort, class_for_url

__all__ = ["GuardedSerial", "serial_class_for_url"]


class GuardedSerial(GuardedPort, _pyserial.Serial):  # type: ignore[misc]  # pyserial is untyped
    """``socket://HOST:PORT?guarded=1``: pyserial's port; every line written passes obdident's
    guard first."""


def serial_class_for_url(url: str) -> tuple[str, type[Any]]:
    """pyserial's hook: the URL without the ``guarded`` option, and :class:`GuardedSerial` when it asked
    for ``guarded=1``, else pyserial's own class.

    Raises:
        PortUrlError: a malformed ``guarded`` option.
    """
    return class_for_url(url, _pyserial.Serial, GuardedSerial)
