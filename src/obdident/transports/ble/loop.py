"""The one bridge between bleak's asyncio world and obdident's blocking calls: an event loop on a thread.

bleak is asynchronous; obdident's ports and scans are blocking (pyserial's API). A :class:`LoopThread`
runs an event loop on a daemon thread; other threads hand it coroutines and wait for their results with a
bound. The ``ble://`` port keeps one for as long as it is open; a scan for adapters uses one for the scan.
Working from a thread also serves callers that already run an event loop of their own.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["CLOSE_TIMEOUT_S", "LoopThread"]

T = TypeVar("T")

#: How long stopping may wait for the loop's thread to end, in seconds.
CLOSE_TIMEOUT_S = 5.0


class LoopThread:
    """An asyncio event loop running on its own daemon thread.

    Args:
        name: the thread's name (shows in debuggers and thread dumps).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the loop's thread; returns at once."""
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=_run_loop, args=(loop,), name=self._name, daemon=True)
        thread.start()
        self._loop, self._thread = loop, thread

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`, while the loop is not closed."""
        return self._loop is not None and not self._loop.is_closed()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        """Schedule ``coro`` on the loop; its future can be waited on (with a timeout) or cancelled.

        Raises:
            RuntimeError: the loop is not running.
        """
        loop = self._loop
        if loop is None or loop.is_closed():
            coro.close()
            raise RuntimeError(f"the event loop {self._name} is not running")
        return asyncio.run_coroutine_threadsafe(coro, loop)

    def run(self, coro: Coroutine[Any, Any, T], *, timeout_s: float) -> T:
        """Run ``coro`` on the loop and return its result, waiting at most ``timeout_s`` seconds.

        Raises:
            TimeoutError: not done in time (the coroutine is cancelled).
            Exception: whatever the coroutine raised.
        """
        future = self.submit(coro)
        try:
            return future.result(timeout=timeout_s)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError(f"{self._name} did not finish within {timeout_s:g} s") from None

    def stop(self) -> None:
        """Stop the loop: cancel what is left, close it, and wait (bounded) for its thread to end."""
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join(CLOSE_TIMEOUT_S)

    def __enter__(self) -> LoopThread:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The loop's thread: run until stopped, then cancel what is left and close the loop."""
    asyncio.set_event_loop(loop)
    try:
        loop.run_forever()
    finally:
        tasks = asyncio.all_tasks(loop)
        for task in tasks:
            task.cancel()
        if tasks:
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
