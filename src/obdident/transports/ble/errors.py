"""The one mapping of Bluetooth failures (bleak's errors, the operating system's) to obdident's errors.

Used both when connecting to a ``ble://`` port and when scanning for adapters, so a user reads the same
sentence and hint for the same cause either way. bleak is imported only when an error is mapped.
"""

from __future__ import annotations

from obdident.errors import PortNotFoundError, PortPermissionError, TransportError

__all__ = ["NOT_FOUND_HINT", "bluetooth_error", "sentence"]

NOT_FOUND_HINT = (
    "switch the adapter on (some have a button), plug it into the car's OBD-II socket (it takes its power "
    "from there), bring the computer closer, and make sure no phone or app is connected to it: a BLE "
    "adapter accepts one connection at a time"
)
_GROUP_HINT = (
    "on Linux add yourself to the bluetooth group (sudo usermod -aG bluetooth $USER, then log out and in)"
)
_PRIVACY_HINT = (
    "allow Bluetooth for the terminal or program that runs obdident (macOS: System Settings > "
    "Privacy & Security > Bluetooth)"
)


def sentence(err: TransportError) -> str:
    """``err``'s message and hint as one sentence, ``message (hint)``: a note in ``obdident ports``."""
    return f"{err.message} ({err.hint})" if err.hint else err.message


def bluetooth_error(err: BaseException, *, address: str | None = None, attempts: int = 1) -> TransportError:
    """The obdident error for a Bluetooth failure while scanning (no ``address``) or connecting.

    Args:
        err: what bleak or the operating system raised.
        address: the device being connected to, or None for a scan.
        attempts: connection attempts made, for the message.

    Returns:
        :class:`~obdident.errors.PortPermissionError` (the system denied Bluetooth, or BlueZ refused:
        ``NotPermitted``/``AccessDenied``), :class:`~obdident.errors.PortNotFoundError` (no adapter answers
        at the address, or the connection timed out), else (Bluetooth off or
        absent, no D-Bus to reach BlueZ, any other failure) as a plain :class:`TransportError`.
    """
    from bleak.exc import (
        BleakBluetoothNotAvailableError,
        BleakBluetoothNotAvailableReason,
        BleakDeviceNotFoundError,
    )

    text = str(err) or type(err).__name__
    if isinstance(err, BleakBluetoothNotAvailableError):
        detail = err.args[0] if err.args else text
        reason = err.reason
        if reason in (
            BleakBluetoothNotAvailableReason.DENIED_BY_USER,
            BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM,
            BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN,
        ):
            return PortPermissionError(
                f"the operating system denied this program the use of Bluetooth: {detail}", hint=_PRIVACY_HINT
            )
        if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
            return TransportError(
                f"Bluetooth is switched off on this computer: {detail}", hint="switch Bluetooth on and retry"
            )
        return TransportError(
            f"Bluetooth LE is not available on this computer: {detail}",
            hint="use a computer or USB dongle with Bluetooth 4.0 or later, or a USB/WiFi adapter",
        )
    if isinstance(err, FileNotFoundError):
        return TransportError(
            f"Bluetooth is not available: no D-Bus system bus to reach BlueZ ({text})",
            hint="on Linux install BlueZ and start it: sudo systemctl start bluetooth",
        )
    lowered = text.lower()
    if isinstance(err, PermissionError) or "not permitted" in lowered or "accessdenied" in lowered:
        doing = f"connecting to {address}" if address else "using Bluetooth"
        return PortPermissionError(f"permission denied {doing}: {text}", hint=_GROUP_HINT)
    if address is None:
        if isinstance(err, TimeoutError):
            return TransportError("the Bluetooth scan did not finish in time")
        return TransportError(f"the Bluetooth scan failed: {text}")
    tried = f"{attempts} attempt" + ("s" if attempts != 1 else "")
    if isinstance(err, (BleakDeviceNotFoundError, TimeoutError)) or "not found" in lowered:
        return PortNotFoundError(
            f"no Bluetooth LE adapter answers at {address} ({tried}: {text})", hint=NOT_FOUND_HINT
        )
    return TransportError(
        f"could not connect to the Bluetooth LE adapter at {address} ({tried}: {text})", hint=NOT_FOUND_HINT
    )
