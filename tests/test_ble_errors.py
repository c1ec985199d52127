"""One mapping of Bluetooth failures: the scan for adapters and the ble:// port tell the same cause in the
same words (``obdident.transports.ble.errors``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bleak.exc import BleakBluetoothNotAvailableError, BleakBluetoothNotAvailableReason

from obdident.errors import TransportError
from obdident.transports import ble, open_port
from tests.fake_ble import ADDRESS, failing_scanner, fake_adapter, use_backend

Reason = BleakBluetoothNotAvailableReason
CAUSES: dict[str, Callable[[], BaseException]] = {
    "powered-off": lambda: BleakBluetoothNotAvailableError("off", Reason.POWERED_OFF),
    "denied": lambda: BleakBluetoothNotAvailableError("denied", Reason.DENIED_BY_USER),
    "no-radio": lambda: BleakBluetoothNotAvailableError("none", Reason.NO_BLUETOOTH),
    "no-dbus": lambda: FileNotFoundError(2, "No such file or directory"),
    "permission": lambda: PermissionError(13, "Permission denied"),
}


def _port_error(cause: Callable[[], BaseException]) -> TransportError:
    class Failing(fake_adapter("fff0")):  # type: ignore[misc,valid-type]
        async def connect(self, pair: bool, **kwargs: Any) -> None:
            raise cause()

    with use_backend(Failing), pytest.raises(TransportError) as info:
        open_port(f"ble://{ADDRESS}")
    return info.value


@pytest.mark.parametrize("name", sorted(CAUSES))
def test_the_scan_and_the_port_tell_one_cause_alike(name: str) -> None:
    err = _port_error(CAUSES[name])
    candidates, why = ble.discover(0.01, backend=failing_scanner(CAUSES[name]))
    assert candidates == [] and why is not None
    assert err.hint and err.hint in why  # the same advice either way
    assert (err.detail or err.message) in why  # the cause as told
