"""The ``ble://`` port: pyserial's blocking API over a Bluetooth LE OBD-II adapter (bleak).

Each open port runs one :class:`~obdident.transports.ble.loop.LoopThread`, started by :meth:`BlePort.open`
and stopped by :meth:`BlePort.close`, and offers pyserial's blocking calls on top: ``write`` returns once
every chunk was written, ``read`` returns what the adapter's notifications delivered as soon as there is
anything, waiting at most ``timeout``. Once the link drops (the adapter disconnects, or a write fails) every
read and write raises :class:`serial.SerialException` at once, after what was already received has been read.
pyserial opens the subclass :class:`obdident.transports.protocol_ble.Serial`, which adds the backend seam.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException, SerialTimeoutException

from obdident.errors import TransportError
from obdident.i18n import T
from obdident.transports.ble.connect import (
    CONNECT_ATTEMPTS,
    connect_client,
    quietly_disconnect,
    require_bleak,
)
from obdident.transports.ble.errors import connect_overran, not_subscribed
from obdident.transports.ble.gatt import choose_characteristics, chunk_size
from obdident.transports.ble.loop import CLOSE_TIMEOUT_S, LoopThread
from obdident.transports.ble.url import BleUrl, parse_ble_url
from obdident.transports.kinds import LinkKind
from obdident.transports.modem_lines import NoModemLines

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.client import BaseBleakClient

__all__ = ["CONNECT_ATTEMPTS", "BlePort"]

log = logging.getLogger(__name__)


class _LinkLost(Exception):
    """Internal: the link dropped while chunks were still to be written."""


class BlePort(NoModemLines, SerialBase):  # type: ignore[misc]  # pyserial is untyped
    """A pyserial port over a Bluetooth LE OBD-II adapter.

    Attributes:
        family: the adapter family chosen (``fff0``, ``ffe0``, ``vlinker``, ``vgate``, ``nordic-uart``)
            or ``generic``; None until opened.
        address: the device address from the URL; None until opened.
        write_uuid: the characteristic written to; None until opened.
        notify_uuid: the characteristic answers arrive on; None until opened.
        write_with_response: True when writes wait for the adapter's acknowledgement.
        chunk_size: the most bytes one GATT write carries.
    """

    is_open: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.family: str | None = None
        self.address: str | None = None
        self.write_uuid: str | None = None
        self.notify_uuid: str | None = None
        self.write_with_response: bool | None = None
        self.chunk_size: int | None = None
        self._cond = threading.Condition()
        self._rx = bytearray()
        self._lost: str | None = None
        self._closing = False
        self._cancel_read = False
        self._loop: LoopThread | None = None
        self._client: BleakClient | None = None
        self._write_char: BleakGATTCharacteristic | None = None
        self._write_lock: asyncio.Lock | None = None
        self._pending: set[concurrent.futures.Future[None]] = set()
        super().__init__(*args, **kwargs)

    # --- what the port is -------------------------------------------------------------------------
    def bleak_backend(self) -> type[BaseBleakClient] | None:
        """The bleak client backend class to connect with; None: the platform's.

        :class:`obdident.transports.protocol_ble.Serial`, the class pyserial opens, returns its module's
        ``BACKEND`` here, read at each connection (the seam tests set).
        """
        return None

    @property
    def link_kind(self) -> LinkKind:
        """Always :attr:`LinkKind.BLE`."""
        return LinkKind.BLE

    @property
    def link_description(self) -> str:
        """``Bluetooth LE (fff0 family)``: the adapter family chosen, ``unknown`` until opened."""
        if self.family is None:
            return T("Bluetooth LE (unknown family)")
        return T("Bluetooth LE ({family} family)", family=self.family)

    # --- opening and closing ----------------------------------------------------------------------
    def from_url(self, url: str) -> BleUrl:
        """Parse the ``ble://`` URL (pyserial's hook name); see :func:`parse_ble_url`.

        Raises:
            PortUrlError: the URL is malformed (also a ``serial.SerialException``, as pyserial users expect).
        """
        return parse_ble_url(url)

    def open(self) -> None:
        """Connect to the adapter, choose its characteristics and subscribe to its notifications.

        Raises:
            SerialException: already open, or no URL set.
            PortUrlError: the URL is malformed.
            PortNotFoundError: no adapter answers at the address (off, out of range, held by a phone).
            PortPermissionError: the operating system denied the use of Bluetooth.
            TransportError: Bluetooth is off or missing, bleak is not installed, or the device has no
                usable characteristics.
        """
        if self.is_open:
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        parsed = self.from_url(self._port)
        require_bleak()
        self.address = parsed.address
        with self._cond:
            self._rx.clear()
            self._lost = None
            self._closing = False
            self._cancel_read = False
        self._loop = LoopThread(f"obdident-ble-{parsed.address}")
        self._loop.start()
        future = self._loop.submit(self._connect(parsed))
        # each attempt bounds itself; this only guards against a Bluetooth stack that ignores cancelling
        limit = CONNECT_ATTEMPTS * parsed.timeout_s + CLOSE_TIMEOUT_S
        try:
            done, _ = concurrent.futures.wait([future], timeout=limit)
            if not done:
                future.cancel()
                raise connect_overran(parsed.address, limit)
            future.result()
        except BaseException:
            self._stop_loop()
            raise
        self.is_open = True

    async def _connect(self, parsed: BleUrl) -> None:
        from bleak.exc import BleakError

        client = await connect_client(parsed, backend=self.bleak_backend(), on_disconnect=self._on_disconnect)
        try:
            async with asyncio.timeout(parsed.timeout_s):
                choice = choose_characteristics(client.services, write=parsed.write, notify=parsed.notify)
                self._client = client
                await client.start_notify(choice.notify, self._on_notify)
        except TransportError:
            self._client = None
            await quietly_disconnect(client)
            raise
        except (TimeoutError, BleakError, OSError, EOFError) as err:
            self._client = None
            await quietly_disconnect(client)
            raise not_subscribed(parsed.address, err) from err
        with_response = parsed.response or "write-without-response" not in choice.write.properties
        self.chunk_size = chunk_size(client, choice.write, parsed.mtu, with_response)
        self.family = choice.family
        self.write_uuid, self.notify_uuid = choice.write.uuid, choice.notify.uuid
        self.write_with_response = with_response
        self._write_char = choice.write
        self._write_lock = asyncio.Lock()
        log.debug(
            "BLE %s: family %s, write %s (%s response, %d-byte chunks), notify %s",
            parsed.address,
            self.family,
            self.write_uuid,
            "with" if with_response else "without",
            self.chunk_size,
            self.notify_uuid,
        )

    def close(self) -> None:
        """Unsubscribe, disconnect and stop the port's event-loop thread; wakes any blocked read."""
        loop, client = self._loop, self._client
        with self._cond:
            self._closing = True
            self.is_open = False
            self._cond.notify_all()
        if loop is not None and client is not None and loop.running:
            future = loop.submit(self._disconnect(client))
            try:
                future.result(timeout=CLOSE_TIMEOUT_S)
            except Exception:  # closing must not fail: the adapter may be gone already
                log.debug("BLE disconnect from %s failed", self.address, exc_info=True)
        self._client = None
        self._write_char = None
        self._stop_loop()
        with self._cond:
            self._rx.clear()

    async def _disconnect(self, client: BleakClient) -> None:
        for pending in list(self._pending):
            pending.cancel()
        if client.is_connected and self.notify_uuid is not None:
            try:
                async with asyncio.timeout(CLOSE_TIMEOUT_S / 2):
                    await client.stop_notify(self.notify_uuid)
            except Exception:  # the link may have dropped meanwhile
                log.debug("BLE stop_notify failed", exc_info=True)
        await quietly_disconnect(client)

    def _stop_loop(self) -> None:
        loop, self._loop = self._loop, None
        if loop is not None:
            loop.stop()

    # --- callbacks, on the event-loop thread ------------------------------------------------------
    def _on_notify(self, _sender: BleakGATTCharacteristic, data: bytearray) -> None:
        with self._cond:
            self._rx += data
            self._cond.notify_all()

    def _on_disconnect(self, client: BleakClient) -> None:
        if client is self._client and not self._closing:
            self._mark_lost("the adapter disconnected (switched off, unplugged or out of range)")

    def _mark_lost(self, reason: str) -> None:
        with self._cond:
            if self._lost is None:
                self._lost = reason
                log.debug("BLE link to %s lost: %s", self.address, reason)
            pending = list(self._pending)
            self._cond.notify_all()
        for future in pending:
            future.cancel()

    def _lost_error(self) -> SerialException:
        return SerialException(f"BLE link to {self.address} lost: {self._lost}")

    # --- pyserial API -------------------------------------------------------------------------------
    def _reconfigure_port(self) -> None:
        """Nothing to configure: baud rate and framing mean nothing over Bluetooth LE."""

    @property
    def in_waiting(self) -> int:
        """Bytes received and not yet read."""
        if not self.is_open:
            raise PortNotOpenError()
        with self._cond:
            return len(self._rx)

    @property
    def out_waiting(self) -> int:
        """Always 0: :meth:`write` returns once everything was written."""
        return 0

    def read(self, size: int = 1) -> bytes:
        """Return up to ``size`` received bytes as soon as there are any, waiting at most ``timeout``.

        Raises:
            SerialException: the link dropped and everything received before has been read.
        """
        if not self.is_open:
            raise PortNotOpenError()
        if size <= 0:
            return b""
        timeout = self._timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not self._rx:
                if not self.is_open:
                    raise PortNotOpenError()
                if self._lost is not None:
                    raise self._lost_error()
                if self._cancel_read:
                    self._cancel_read = False
                    return b""
                if deadline is None:
                    self._cond.wait()
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return b""
                self._cond.wait(remaining)
            chunk = bytes(self._rx[:size])
            del self._rx[:size]
            return chunk

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write ``data`` in MTU-sized chunks; return once every chunk was written.

        Raises:
            SerialTimeoutException: not written within ``write_timeout``.
            SerialException: the link dropped (before or while writing).
        """
        if not self.is_open:
            raise PortNotOpenError()
        if isinstance(data, str):
            raise TypeError("unicode strings are not supported, please encode to bytes")
        payload = bytes(data)
        with self._cond:
            if self._lost is not None:
                raise self._lost_error()
        if not payload:
            return 0
        loop = self._loop
        assert loop is not None and self.chunk_size is not None
        size = self.chunk_size
        chunks = [payload[i : i + size] for i in range(0, len(payload), size)]
        future = loop.submit(self._write_chunks(chunks))
        with self._cond:
            self._pending.add(future)
        future.add_done_callback(self._write_done)
        if self._write_timeout == 0:
            return len(payload)  # non-blocking: a failure shows on the next call
        done, _ = concurrent.futures.wait([future], timeout=self._write_timeout)
        if not done:
            future.cancel()
            raise SerialTimeoutException("Write timeout")
        if future.cancelled():
            with self._cond:
                if self._lost is not None:
                    raise self._lost_error()
            raise SerialException(f"write to {self.address} cancelled")
        err = future.exception()
        if err is not None:
            # the done callback may not have run yet: mark the loss here too (idempotent)
            if not isinstance(err, _LinkLost):
                self._mark_lost(f"a write failed: {err!r}")
            raise self._lost_error() from err
        return len(payload)

    def _write_done(self, future: concurrent.futures.Future[None]) -> None:
        with self._cond:
            self._pending.discard(future)
        if future.cancelled():
            return
        err = future.exception()
        if err is not None and not isinstance(err, _LinkLost):
            self._mark_lost(f"a write failed: {err!r}")

    async def _write_chunks(self, chunks: list[bytes]) -> None:
        client, char, lock = self._client, self._write_char, self._write_lock
        assert client is not None and char is not None and lock is not None
        async with lock:
            for chunk in chunks:
                if self._lost is not None:
                    raise _LinkLost()
                await client.write_gatt_char(char, chunk, response=bool(self.write_with_response))

    def flush(self) -> None:
        """Wait until writes made with ``write_timeout=0`` are done (at most ``write_timeout`` otherwise)."""
        with self._cond:
            pending = list(self._pending)
        if pending:
            concurrent.futures.wait(pending, timeout=self._write_timeout or None)

    def reset_input_buffer(self) -> None:
        """Discard received bytes not yet read."""
        if not self.is_open:
            raise PortNotOpenError()
        with self._cond:
            self._rx.clear()

    def reset_output_buffer(self) -> None:
        """Nothing is queued: writes block until done."""
        if not self.is_open:
            raise PortNotOpenError()

    def cancel_read(self) -> None:
        """Make a blocked :meth:`read` return what it has (possibly nothing)."""
        with self._cond:
            self._cancel_read = True
            self._cond.notify_all()

    def cancel_write(self) -> None:
        """Cancel writes in progress."""
        with self._cond:
            pending = list(self._pending)
        for future in pending:
            future.cancel()

    @property
    def cd(self) -> bool:
        """Carrier Detect: asserted while the link is up."""
        return self.is_open and self._lost is None
