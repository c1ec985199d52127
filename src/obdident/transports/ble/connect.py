"""Connecting to a Bluetooth LE adapter: at most :data:`CONNECT_ATTEMPTS` bounded attempts, then one error.

Runs on the port's :class:`~obdident.transports.ble.loop.LoopThread`; failures are told through the one
mapping of Bluetooth errors (:func:`~obdident.transports.ble.errors.bluetooth_error`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from obdident.errors import TransportError
from obdident.i18n import T
from obdident.transports.ble.errors import bluetooth_error
from obdident.transports.ble.loop import CLOSE_TIMEOUT_S
from obdident.transports.ble.url import BleUrl

if TYPE_CHECKING:
    from bleak import BleakClient
    from bleak.backends.client import BaseBleakClient

__all__ = ["CONNECT_ATTEMPTS", "connect_client", "quietly_disconnect", "require_bleak"]

log = logging.getLogger(__name__)

#: Connection attempts before giving up; each is bounded by the ``timeout=`` option and retried at once.
#: bleak-retry-connector (4.7) is not used, although its ``establish_connection`` does pass ``backend=``
#: through to ``BleakClient`` and runs without a Bluetooth adapter: it wants a ``BLEDevice`` (on BlueZ one
#: from a scan, not one made up from the address), connects with its own fixed 20 s timeout whatever
#: ``timeout=`` says, sleeps fixed back-offs between attempts, and counts "device not found" as transient
#: beyond ``max_attempts``: with ``max_attempts=3`` a missing adapter took 9 attempts and 36 s against a
#: fake backend. So obdident retries here, at most this many times.
CONNECT_ATTEMPTS = 3


def require_bleak() -> Any:
    """The bleak module.

    Raises:
        TransportError: bleak is not installed.
    """
    try:
        import bleak
    except ImportError as err:
        raise TransportError(
            T("Bluetooth LE ports need the bleak package, which is not installed"),
            hint=T("{command}", command="pip install bleak"),
        ) from err
    return bleak


async def connect_client(
    parsed: BleUrl,
    *,
    backend: type[BaseBleakClient] | None,
    on_disconnect: Callable[[BleakClient], None],
) -> BleakClient:
    """Connect to the adapter at ``parsed.address``, each attempt bounded by ``parsed.timeout_s``.

    Args:
        parsed: the ``ble://`` URL.
        backend: a bleak client backend class, or None for the platform's.
        on_disconnect: bleak's disconnected callback for the client.

    Returns:
        The connected client.

    Raises:
        TransportError: (or its :class:`~obdident.errors.PortNotFoundError` and
            :class:`~obdident.errors.PortPermissionError`) no attempt connected, or Bluetooth is off,
            missing or denied (not retried).
    """
    from bleak import BleakClient
    from bleak.exc import BleakBluetoothNotAvailableError, BleakError

    last: BaseException | None = None
    client: BleakClient | None = None
    for attempt in range(1, CONNECT_ATTEMPTS + 1):
        client = BleakClient(
            parsed.address,
            disconnected_callback=on_disconnect,
            timeout=parsed.timeout_s,
            backend=backend,
        )
        try:
            async with asyncio.timeout(parsed.timeout_s):
                await client.connect()
        except BleakBluetoothNotAvailableError as err:
            raise bluetooth_error(err, address=parsed.address) from err
        except (FileNotFoundError, PermissionError) as err:
            raise bluetooth_error(err, address=parsed.address, attempts=attempt) from err
        except (TimeoutError, BleakError, OSError, EOFError) as err:
            log.debug(
                "BLE connect to %s, attempt %d of %d: %r", parsed.address, attempt, CONNECT_ATTEMPTS, err
            )
            last = err
            await quietly_disconnect(client)
            client = None
            continue
        break
    if client is None:
        assert last is not None
        raise bluetooth_error(last, address=parsed.address, attempts=CONNECT_ATTEMPTS) from last
    return client


async def quietly_disconnect(client: BleakClient) -> None:
    """Disconnect, bounded, ignoring failure: nothing is to be done about a failed link's disconnect."""
    try:
        async with asyncio.timeout(CLOSE_TIMEOUT_S / 2):
            await client.disconnect()
    except Exception:
        log.debug("BLE disconnect failed", exc_info=True)
