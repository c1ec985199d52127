"""pyserial protocol handler for ``ble://ADDRESS[?options]``: an ELM327 adapter over Bluetooth LE (bleak).

pyserial finds this module as ``<package>.protocol_ble`` once ``obdident.transports`` is in
``serial.protocol_handler_packages`` (importing :mod:`obdident.transports` does that)::

    serial.serial_for_url("ble://AA:BB:CC:DD:EE:FF")                      # Linux, Windows: the MAC address
    serial.serial_for_url("ble://5C3D2F1A-0B4E-4F6A-9C1D-2E3F4A5B6C7D")   # macOS: the device UUID
    serial.serial_for_url("ble://AA:BB:CC:DD:EE:FF?write=fff2&notify=fff1&mtu=185")

Options:
    ``write=UUID``, ``notify=UUID``: the characteristics to use (``fff2`` or a 128-bit UUID), instead of
    the automatic choice (:data:`~obdident.transports.ble.FAMILIES`, then the first service that has a
    writable and a notifying characteristic).
    ``response=1``: always write with response; ``0`` (default): write without response where the
    characteristic offers it.
    ``mtu=N``: the ATT MTU in bytes (23-517); writes are split into ``N - 3`` byte chunks. Default: the
    MTU the connection negotiated, or 23 (20-byte chunks) when it is unknown.
    ``timeout=S``: seconds one connection attempt may take (default 10); there are at most 3 attempts.

bleak is asynchronous; each open port runs its own event loop on a daemon thread, started by
:meth:`Serial.open` and stopped by :meth:`Serial.close`, and offers pyserial's blocking calls on top:
``write`` returns once every chunk was written, ``read`` returns what the adapter's notifications
delivered as soon as there is anything, waiting at most ``timeout``. Once the link drops (the adapter
disconnects, or a write fails) every read and write raises :class:`serial.SerialException` at once,
after what was already received has been read.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException, SerialTimeoutException

from obdident.errors import PortNotFoundError, PortPermissionError, PortUrlError, TransportError
from obdident.transports.ble import FAMILIES
from obdident.transports.ble_gatt import (
    ATT_HEADER,
    MIN_MTU,
    SCHEME,
    BleUrl,
    Choice,
    choose_characteristics,
    parse_ble_url,
)
from obdident.transports.virtual import NoModemLines

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.characteristic import BleakGATTCharacteristic
    from bleak.backends.client import BaseBleakClient

__all__ = [
    "BACKEND",
    "CONNECT_ATTEMPTS",
    "FAMILIES",
    "SCHEME",
    "BleUrl",
    "Choice",
    "Serial",
    "choose_characteristics",
    "parse_ble_url",
]

log = logging.getLogger(__name__)

#: bleak client backend class to use instead of the platform's: None normally; tests set a fake here.
#: bleak documents ``BleakClient(..., backend=...)`` for custom backends.
BACKEND: type[BaseBleakClient] | None = None
#: Connection attempts before giving up; each is bounded by the ``timeout=`` option and retried at once.
#: bleak-retry-connector (4.7) is not used, although its ``establish_connection`` does pass ``backend=``
#: through to ``BleakClient`` and runs without a Bluetooth adapter: it wants a ``BLEDevice`` (on BlueZ one
#: from a scan, not one made up from the address), connects with its own fixed 20 s timeout whatever
#: ``timeout=`` says, sleeps fixed back-offs between attempts, and counts "device not found" as transient
#: beyond ``max_attempts``: with ``max_attempts=3`` a missing adapter took 9 attempts and 36 s against a
#: fake backend. So obdident retries here, at most this many times.
CONNECT_ATTEMPTS = 3
#: How long closing may wait for bleak to disconnect, in seconds.
CLOSE_TIMEOUT_S = 5.0
_NOT_FOUND_HINT = (
    "switch the adapter on (some have a button), plug it into the car's OBD-II socket (it takes its power "
    "from there), bring the computer closer, and make sure no phone or app is connected to it: a BLE "
    "adapter accepts one connection at a time"
)


class _LinkLost(Exception):
    """Internal: the link dropped while chunks were still to be written."""


def _import_bleak() -> Any:
    try:
        import bleak
    except ImportError as err:
        raise TransportError(
            "Bluetooth LE ports need the bleak package, which is not installed",
            hint="pip install bleak",
        ) from err
    return bleak


class Serial(NoModemLines, SerialBase):  # type: ignore[misc]  # pyserial is untyped
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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._client: BleakClient | None = None
        self._write_char: BleakGATTCharacteristic | None = None
        self._write_lock: asyncio.Lock | None = None
        self._pending: set[concurrent.futures.Future[None]] = set()
        super().__init__(*args, **kwargs)

    # --- opening and closing ----------------------------------------------------------------------
    def from_url(self, url: str) -> BleUrl:
        """Parse the ``ble://`` URL (pyserial's hook name); see :func:`parse_ble_url`.

        Raises:
            PortUrlError: the URL is malformed (also a ``serial.SerialException``, as pyserial users expect).
        """
        try:
            return parse_ble_url(url)
        except ValueError as err:
            raise PortUrlError(str(err)) from err

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
        _import_bleak()
        self.address = parsed.address
        with self._cond:
            self._rx.clear()
            self._lost = None
            self._closing = False
            self._cancel_read = False
        loop = asyncio.new_event_loop()
        thread = threading.Thread(
            target=_run_loop, args=(loop,), name=f"obdident-ble-{parsed.address}", daemon=True
        )
        thread.start()
        self._loop, self._thread = loop, thread
        future = asyncio.run_coroutine_threadsafe(self._connect(parsed), loop)
        # each attempt bounds itself; this only guards against a Bluetooth stack that ignores cancelling
        limit = CONNECT_ATTEMPTS * parsed.timeout_s + CLOSE_TIMEOUT_S
        try:
            done, _ = concurrent.futures.wait([future], timeout=limit)
            if not done:
                future.cancel()
                raise PortNotFoundError(
                    f"the Bluetooth LE adapter at {parsed.address} did not connect within {limit:.0f} s",
                    hint=_NOT_FOUND_HINT,
                )
            future.result()
        except BaseException:
            self._stop_loop()
            raise
        self.is_open = True

    async def _connect(self, parsed: BleUrl) -> None:
        from bleak import BleakClient
        from bleak.exc import BleakBluetoothNotAvailableError, BleakError

        last: BaseException | None = None
        client: BleakClient | None = None
        for attempt in range(1, CONNECT_ATTEMPTS + 1):
            client = BleakClient(
                parsed.address,
                disconnected_callback=self._on_disconnect,
                timeout=parsed.timeout_s,
                backend=BACKEND,
            )
            try:
                async with asyncio.timeout(parsed.timeout_s):
                    await client.connect()
            except BleakBluetoothNotAvailableError as err:
                raise _unavailable(err) from err
            except (FileNotFoundError, PermissionError) as err:
                raise _connect_error(parsed.address, err, attempt) from err
            except (TimeoutError, BleakError, OSError, EOFError) as err:
                log.debug(
                    "BLE connect to %s, attempt %d of %d: %r", parsed.address, attempt, CONNECT_ATTEMPTS, err
                )
                last = err
                await _quietly_disconnect(client)
                client = None
                continue
            break
        if client is None:
            assert last is not None
            raise _connect_error(parsed.address, last, CONNECT_ATTEMPTS) from last
        try:
            async with asyncio.timeout(parsed.timeout_s):
                choice = choose_characteristics(client.services, write=parsed.write, notify=parsed.notify)
                self._client = client
                await client.start_notify(choice.notify, self._on_notify)
        except TransportError:
            self._client = None
            await _quietly_disconnect(client)
            raise
        except (TimeoutError, BleakError, OSError, EOFError) as err:
            self._client = None
            await _quietly_disconnect(client)
            raise TransportError(
                f"connected to {parsed.address}, but could not subscribe to its notifications: {err}",
                hint="switch the adapter off and on, then retry",
            ) from err
        with_response = parsed.response or "write-without-response" not in choice.write.properties
        self.chunk_size = _chunk_size(client, choice.write, parsed.mtu, with_response)
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
        if loop is not None and client is not None and not loop.is_closed():
            future = asyncio.run_coroutine_threadsafe(self._disconnect(client), loop)
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
        await _quietly_disconnect(client)

    def _stop_loop(self) -> None:
        loop, thread = self._loop, self._thread
        self._loop = self._thread = None
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            loop.call_soon_threadsafe(loop.stop)
        if thread is not threading.current_thread():
            thread.join(CLOSE_TIMEOUT_S)

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
        future = asyncio.run_coroutine_threadsafe(self._write_chunks(chunks), loop)
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


def _run_loop(loop: asyncio.AbstractEventLoop) -> None:
    """The port's event-loop thread: run until stopped, then cancel what is left and close the loop."""
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


async def _quietly_disconnect(client: BleakClient) -> None:
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S / 2):
            await client.disconnect()
    except Exception:  # nothing to do about a failed disconnect of a failed link
        log.debug("BLE disconnect failed", exc_info=True)


def _chunk_size(
    client: BleakClient, char: BleakGATTCharacteristic, mtu_option: int | None, with_response: bool
) -> int:
    """Bytes per GATT write: the ``mtu`` option, else the negotiated MTU, less the 3-byte ATT header."""
    if mtu_option is not None:
        return mtu_option - ATT_HEADER
    try:
        mtu = int(client.mtu_size)
    except Exception:  # some backends cannot tell before the first exchange
        mtu = MIN_MTU
    size = mtu - ATT_HEADER if mtu > MIN_MTU else MIN_MTU - ATT_HEADER
    if not with_response:
        # bleak: a write without response carries at most max_write_without_response_size bytes
        try:
            size = min(size, max(MIN_MTU - ATT_HEADER, int(char.max_write_without_response_size)))
        except Exception:
            size = min(size, MIN_MTU - ATT_HEADER)
    return size


def _unavailable(err: Exception) -> TransportError:
    from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

    reason = err.reason if isinstance(err, BleakBluetoothNotAvailableError) else None
    denied = (
        BleakBluetoothNotAvailableReason.DENIED_BY_USER,
        BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM,
        BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN,
    )
    if reason in denied:
        return PortPermissionError(
            f"the operating system denied this program the use of Bluetooth: {err.args[0]}",
            hint="allow Bluetooth for the terminal or program that runs obdident (macOS: System Settings > "
            "Privacy & Security > Bluetooth)",
        )
    if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
        return TransportError(
            f"Bluetooth is switched off on this computer: {err.args[0]}", hint="switch Bluetooth on and retry"
        )
    return TransportError(
        f"Bluetooth LE is not available on this computer: {err.args[0]}",
        hint="use a computer or USB dongle with Bluetooth 4.0 or later, or a USB/WiFi adapter",
    )


def _connect_error(address: str, err: BaseException, attempts: int) -> TransportError:
    """The obdident error for a failed connection (after ``attempts`` attempts)."""
    from bleak.exc import BleakDeviceNotFoundError

    text = str(err) or type(err).__name__
    tried = f"{attempts} attempt" + ("s" if attempts != 1 else "")
    if isinstance(err, FileNotFoundError):
        return TransportError(
            f"Bluetooth is not available: no D-Bus system bus to reach BlueZ ({text})",
            hint="on Linux install BlueZ and start it: sudo systemctl start bluetooth",
        )
    if isinstance(err, PermissionError) or "not permitted" in text.lower() or "accessdenied" in text.lower():
        return PortPermissionError(
            f"permission denied connecting to {address}: {text}",
            hint="on Linux add yourself to the bluetooth group (sudo usermod -aG bluetooth $USER, then log "
            "out and in)",
        )
    if isinstance(err, (BleakDeviceNotFoundError, TimeoutError)) or "not found" in text.lower():
        return PortNotFoundError(
            f"no Bluetooth LE adapter answers at {address} ({tried}: {text})", hint=_NOT_FOUND_HINT
        )
    return TransportError(
        f"could not connect to the Bluetooth LE adapter at {address} ({tried}: {text})", hint=_NOT_FOUND_HINT
    )
