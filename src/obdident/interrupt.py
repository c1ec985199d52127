"""Ctrl-C (SIGINT) and SIGTERM during a scan: the scan stops, and what was read is kept.

Python turns SIGINT into :class:`KeyboardInterrupt`, but its default for SIGTERM ends the process at once,
so a report held in memory would be lost. :func:`stop_on_signals` turns both into :class:`Interrupted` (a
:class:`KeyboardInterrupt`, so no ``except Exception`` on the way swallows it) for the time of the scan;
:func:`deferred` then holds further signals while the caller saves and prints what was read, so a second
Ctrl-C cannot cut a file in half. A signal the process was started to ignore (``nohup``, a background job
of a shell without job control) stays ignored. Handlers can only be set in the main thread; elsewhere both
helpers do nothing and the defaults stay.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["SIGNALS", "Interrupted", "deferred", "stop_on_signals"]

#: The signals that stop a scan: Ctrl-C, and the polite "please stop" of ``kill``, systemd and docker.
SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The scan was stopped by a signal.

    Attributes:
        signal_name: ``SIGINT`` or ``SIGTERM``.
    """

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name


def _raise(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


@contextmanager
def _handlers(handler: signal.Handlers | object) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig, old in previous.items():
        if old is not signal.SIG_IGN:
            signal.signal(sig, handler)  # type: ignore[arg-type]
    try:
        yield
    finally:
        for sig, old in previous.items():
            if old is not None:
                signal.signal(sig, old)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise :class:`Interrupted` in the main thread."""
    with _handlers(_raise):
        yield


@contextmanager
def deferred() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM are received and dropped: what is being saved is saved whole."""
    with _handlers(signal.SIG_IGN):
        yield
