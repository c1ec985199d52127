"""What every port without a real UART (simulated, recorded, Bluetooth LE) answers about modem lines."""

from __future__ import annotations

__all__ = ["NoModemLines"]


class NoModemLines:
    """Mixin for pyserial ports with no modem lines: break, RTS and DTR do nothing; CTS, DSR and CD are
    asserted, RI is not. Put it before ``serial.SerialBase`` in the bases."""

    def _update_break_state(self) -> None:
        """Break conditions mean nothing here."""

    def _update_rts_state(self) -> None:
        """Modem lines mean nothing here."""

    def _update_dtr_state(self) -> None:
        """Modem lines mean nothing here."""

    @property
    def cts(self) -> bool:
        """Clear To Send: always asserted."""
        return True

    @property
    def dsr(self) -> bool:
        """Data Set Ready: always asserted."""
        return True

    @property
    def ri(self) -> bool:
        """Ring Indicator: never."""
        return False

    @property
    def cd(self) -> bool:
        """Carrier Detect: asserted."""
        return True
