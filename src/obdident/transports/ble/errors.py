"""The one mapping of Bluetooth failures (bleak's errors, the operating system's) to obdident's errors.

Used both when connecting to a ``ble://`` port and when scanning for adapters, so a user reads the same
sentence and hint for the same cause either way. bleak is imported only when an error is mapped.
"""

from __future__ import annotations

from obdident.errors import PortNotFoundError, PortPermissionError, TransportError
from obdident.i18n import TN, T

__all__ = ["NOT_FOUND_HINT", "bluetooth_error", "connect_overran", "not_subscribed", "sentence"]

NOT_FOUND_HINT = T(
    "switch the adapter on (some have a button), plug it into the car's OBD-II socket (it takes its power "
    "from there), bring the computer closer, and make sure no phone or app is connected to it: a BLE "
    "adapter accepts one connection at a time"
)
_GROUP_HINT = T(
    "on Linux add yourself to the bluetooth group ({command}, then log out and in)",
    command="sudo usermod -aG bluetooth $USER",
)
_PRIVACY_HINT = T(
    "allow Bluetooth for the terminal or program that runs obdident (macOS: {settings})",
    settings="System Settings > Privacy & Security > Bluetooth",
)


def sentence(err: TransportError) -> str:
    """``err``'s sentence, English detail and hint as one, ``message (detail) (hint)``: a note in ``obdident
    ports``; a :class:`~obdident.i18n.Text` whose parameters are the error's own Texts."""
    said = T("{message} ({detail})", message=err.text, detail=err.detail) if err.detail else err.text
    return T("{message} ({hint})", message=said, hint=err.hint) if err.hint else said


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
                T("the operating system denied this program the use of Bluetooth"),
                detail=str(detail),
                hint=_PRIVACY_HINT,
            )
        if reason is BleakBluetoothNotAvailableReason.POWERED_OFF:
            return TransportError(
                T("Bluetooth is switched off on this computer"),
                detail=str(detail),
                hint=T("switch Bluetooth on and retry"),
            )
        return TransportError(
            T("Bluetooth LE is not available on this computer"),
            detail=str(detail),
            hint=T("use a computer or USB dongle with Bluetooth 4.0 or later, or a USB/WiFi adapter"),
        )
    if isinstance(err, FileNotFoundError):
        return TransportError(
            T("Bluetooth is not available: no D-Bus system bus to reach BlueZ"),
            detail=text,
            hint=T(
                "on Linux install BlueZ and start it: {command}", command="sudo systemctl start bluetooth"
            ),
        )
    lowered = text.lower()
    if isinstance(err, PermissionError) or "not permitted" in lowered or "accessdenied" in lowered:
        said = (
            T("permission denied connecting to {address}", address=address)
            if address
            else T("permission denied using Bluetooth")
        )
        return PortPermissionError(said, detail=text, hint=_GROUP_HINT)
    if address is None:
        if isinstance(err, TimeoutError):
            return TransportError(T("the Bluetooth scan did not finish in time"))
        return TransportError(T("the Bluetooth scan failed"), detail=text)
    tried = TN("{n} attempt", "{n} attempts", attempts)
    if isinstance(err, (BleakDeviceNotFoundError, TimeoutError)) or "not found" in lowered:
        return PortNotFoundError(
            T("no Bluetooth LE adapter answers at {address} ({tried})", address=address, tried=tried),
            detail=text,
            hint=NOT_FOUND_HINT,
        )
    return TransportError(
        T(
            "could not connect to the Bluetooth LE adapter at {address} ({tried})",
            address=address,
            tried=tried,
        ),
        detail=text,
        hint=NOT_FOUND_HINT,
    )


def connect_overran(address: str, limit_s: float) -> PortNotFoundError:
    """Every connection attempt together took longer than ``limit_s`` seconds (a Bluetooth stack that
    ignores cancelling)."""
    return PortNotFoundError(
        T(
            "the Bluetooth LE adapter at {address} did not connect within {seconds} s",
            address=address,
            seconds=round(limit_s),
        ),
        hint=NOT_FOUND_HINT,
    )


def not_subscribed(address: str, err: BaseException) -> TransportError:
    """Connected, but subscribing to the adapter's notifications failed (``err``: bleak's or the OS's)."""
    return TransportError(
        T("connected to {address}, but could not subscribe to its notifications", address=address),
        detail=str(err) or type(err).__name__,
        hint=T("switch the adapter off and on, then retry"),
    )
