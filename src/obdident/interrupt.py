"""Cancelling a scan, and Ctrl-C (SIGINT) and SIGTERM during one: the scan stops, and what was read is kept.

A :class:`CancelToken` is how any front end stops a scan: the scan polls it at every read and write of the
port and between steps, and stops there with :class:`obdident.errors.ScanCancelled` (the report so far is
kept, ``complete: false``). :func:`cancel_on_signals` makes SIGINT and SIGTERM cancel a token (a second
signal raises :class:`Interrupted`, for a scan stuck where it cannot poll); the window's Cancel button
cancels the same kind of token. No exception is raised from a signal handler or a callback for the first
signal.

Python turns SIGINT into :class:`KeyboardInterrupt`, but its default for SIGTERM ends the process at once,
so a report held in memory would be lost. :func:`stop_on_signals` turns both into :class:`Interrupted` (a
:class:`KeyboardInterrupt`, so no ``except Exception`` on the way swallows it) for the time of the scan;
:func:`deferred` then holds further signals while the caller saves and prints what was read, so a second
Ctrl-C cannot cut a file in half. A signal the process was started to ignore (``nohup``, a background job
of a shell without job control) stays ignored. Handlers can only be set in the main thread; elsewhere both
helpers do nothing and the defaults stay.

Only the first signal stops the scan: once it has been raised, later ones (a second Ctrl-C, ``kill`` sent
twice, systemd's SIGTERM after a Ctrl-C) are dropped while the report is saved. In the ``obdident`` process
itself (:func:`own_process`, called by the console script, never by a test or a library user) the defaults
never come back once a scan has begun: a signal that arrives after the saving, while the process exits,
cannot end it by signal (exit 130 or 143) instead of the exit code the scan chose.
"""

from __future__ import annotations

import atexit
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = [
    "SIGNALS",
    "CancelToken",
    "Interrupted",
    "cancel_on_signals",
    "deferred",
    "own_process",
    "stop_on_signals",
]

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


class CancelToken:
    """A request to stop a scan, set from any thread or a signal handler, polled by the scan.

    Attributes:
        reason: who cancelled (``SIGINT``, ``SIGTERM``, ``the window's Cancel button``), or None while the
            scan may go on.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def cancel(self, reason: str) -> None:
        """Ask the scan to stop at its next read, write or step; the first reason given is kept."""
        if self.reason is None:
            self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._event.is_set()


_OWNED = {"process": False}


def own_process() -> None:
    """Say that this process is the ``obdident`` command: once a scan has installed its handlers, the defaults
    are never restored (a signal after the scan is dropped, and the process exits with the scan's code).

    Python itself puts the default handlers back while the interpreter shuts down, so a signal arriving then
    would still end the process by signal: SIGINT and SIGTERM are blocked (POSIX ``pthread_sigmask``) from
    the first exit handler on, and a signal pending at exit is discarded with the process.
    """
    _OWNED["process"] = True
    atexit.register(_block_signals)


def _block_signals() -> None:
    if hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread():
        signal.pthread_sigmask(signal.SIG_BLOCK, set(SIGNALS))


def _drop(_signum: int, _frame: FrameType | None) -> None:
    """A signal that arrives while what was read is saved, or after a first one stopped the scan."""


def _raise(signum: int, _frame: FrameType | None) -> None:
    _install(_drop)  # only the first signal stops the scan; later ones must not cut the saving short
    raise Interrupted(signal.Signals(signum).name)


def _install(handler: signal.Handlers | object) -> None:
    for sig in SIGNALS:
        if signal.getsignal(sig) is not signal.SIG_IGN:  # ignored from the start (nohup): stays ignored
            signal.signal(sig, handler)  # type: ignore[arg-type]


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
            if old is signal.SIG_IGN:
                continue
            if _OWNED["process"]:  # the obdident process: never the defaults again (see own_process)
                signal.signal(sig, _drop)
            elif old is not None:
                signal.signal(sig, old)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, the first SIGINT or SIGTERM raises :class:`Interrupted` in the main thread; later ones
    are dropped."""
    with _handlers(_raise):
        yield


@contextmanager
def cancel_on_signals(token: CancelToken) -> Iterator[None]:
    """While inside, SIGINT and SIGTERM cancel ``token`` (named by the signal); a second signal, when the
    token was already cancelled, raises :class:`Interrupted` (a scan stuck where it cannot poll)."""

    def cancel(signum: int, frame: FrameType | None) -> None:
        if token.cancelled:
            _raise(signum, frame)
        token.cancel(signal.Signals(signum).name)

    with _handlers(cancel):
        yield


@contextmanager
def deferred() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM are received and dropped: what is being saved is saved whole."""
    with _handlers(_drop):
        yield
