"""pyserial protocol handler for ``sim://PROFILE[?option=value&...]``: a simulated ELM327 and vehicle.

pyserial finds this module as ``<package>.protocol_sim`` once ``obdident.transports`` is in
``serial.protocol_handler_packages`` (importing :mod:`obdident.transports` does that)::

    serial.serial_for_url("sim://nissan-xtrail-t32")              # a profile by name
    serial.serial_for_url("sim:///home/me/car.toml?ignition=off")  # a profile file by absolute path

Options:
    ``ignition=on|off``: override the profile's ignition state.
    ``echo=0|1``: the echo setting at power-up (``0``: a clone that starts with echo off).
    ``version=ELM327%20v2.1``: the banner (ATZ, ATI).
    ``cra=0|1``: ``0``: a clone chip that answers ``?`` to every AT CRA (AT CF + AT CM still work);
    ``1``: AT CRA works even if a quirk (the profile's, or ``quirk=``) says otherwise.
    ``quirk=NAME`` (repeatable): a clone quirk of :mod:`obdident.sim.quirks` (``crlf``, ``fake-v21`` ...).
    ``fault=KIND@N`` or ``fault=KIND@N+`` (repeatable): inject a fault at command line N (from line N on
    with ``+``); see :mod:`obdident.sim.faults`. A ``+`` here is literal, not a space.
    ``chip=elm327|stn2255|stn2230|stn1155``: the chip (:mod:`obdident.sim.stn`): an OBDLink MX+ / EX with
    MS-CAN on pins 3/11 (STI, STP 53/54, STPBR), an OBDLink LX without it; an ELM327 by default.
    ``switch=hs|ms``: a clone's HS/MS-CAN switch; ``ms`` routes it to pins 3/11 (the ``ms-can`` units).
    ``guarded=1``: every line written passes obdident's read-only guard (:mod:`obdident.transports.guarded`).

The simulator answers synchronously when a line is written; :meth:`Serial.read` returns what is
buffered without ever waiting, whatever the timeout. Two things happen here rather than in the chip:
the ``drop`` fault (the port raises :class:`~serial.SerialException` "link lost" from the write of the
fatal line on) and the ``slow-prompt`` quirk (the ``>`` prompt becomes readable only after a read has
taken the rest of the answer).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from serial.serialutil import PortNotOpenError, SerialBase, SerialException

from obdident.errors import PortNotFoundError, ProfileError
from obdident.i18n import T
from obdident.sim.elm import SimulatedELM327
from obdident.sim.profile import find_profile, load_profile
from obdident.transports.guarded import GuardedPort, url_hook
from obdident.transports.kinds import LinkKind
from obdident.transports.modem_lines import NoModemLines
from obdident.transports.sim_url import SCHEME, SimUrl, known_profiles, parse_sim_url

__all__ = ["SCHEME", "GuardedSerial", "Serial", "SimUrl", "parse_sim_url", "serial_class_for_url"]


class Serial(NoModemLines, SerialBase):  # type: ignore[misc]  # pyserial is untyped
    """A pyserial port whose far end is a :class:`~obdident.sim.elm.SimulatedELM327`.

    Attributes:
        elm: the simulated chip (None until the port is first opened; kept after close for audits).
    """

    is_open: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.elm: SimulatedELM327 | None = None
        self._rx = bytearray()
        self._late = bytearray()  # slow-prompt: readable only after a read took what is in _rx
        self._lost: str | None = None  # drop fault: why every call now raises
        super().__init__(*args, **kwargs)

    @property
    def link_kind(self) -> LinkKind:
        """Always :attr:`LinkKind.SIM`."""
        return LinkKind.SIM

    @property
    def link_description(self) -> str:
        """``simulated adapter and vehicle``."""
        return T("simulated adapter and vehicle")

    def open(self) -> None:
        """Load the profile named by the URL and power a fresh simulated ELM327 up.

        Raises:
            SerialException: already open, or no URL set.
            PortUrlError: the URL is malformed or has an unknown option.
            PortNotFoundError: no profile of that name, or no such profile file.
            ProfileError: the profile is malformed.
        """
        if self.is_open:
            raise SerialException("Port is already open.")
        if self._port is None:
            raise SerialException("Port must be configured before it can be used.")
        parsed = self.from_url(self._port)
        if parsed.is_path:
            path = Path(parsed.profile)
            if not path.is_file():
                raise PortNotFoundError(T("no simulated vehicle profile file {path}", path=str(path)))
        else:
            try:
                path = find_profile(parsed.profile)
            except ProfileError as err:
                raise PortNotFoundError(
                    T("no simulated vehicle profile named '{profile}'", profile=parsed.profile),
                    hint=known_profiles(),
                ) from err
        profile = load_profile(path)
        self.elm = SimulatedELM327(
            profile,
            echo=parsed.echo,
            version=parsed.version,
            ignition=parsed.ignition,
            cra=parsed.cra,
            quirks=parsed.quirks,
            faults=parsed.faults,
            chip=parsed.chip,
            switch=parsed.switch,
        )
        self._rx.clear()
        self._late.clear()
        self._lost = None
        self.is_open = True

    def from_url(self, url: str) -> SimUrl:
        """Parse the ``sim://`` URL (pyserial's hook name); see :func:`parse_sim_url`.

        Raises:
            PortUrlError: the URL is malformed (also a ``serial.SerialException``, as pyserial users expect).
        """
        return parse_sim_url(url)

    def close(self) -> None:
        """Close the port; :attr:`elm` stays for inspection."""
        self.is_open = False
        self._rx.clear()
        self._late.clear()

    def _check(self) -> None:
        """Raise if the port is closed, or the link died (``drop`` fault)."""
        if not self.is_open:
            raise PortNotOpenError()
        if self._lost is not None:
            raise SerialException(self._lost)

    def _reconfigure_port(self) -> None:
        """Nothing to configure: baud rate and framing mean nothing to the simulator."""

    @property
    def in_waiting(self) -> int:
        """Bytes buffered for reading (with ``slow-prompt``, not a prompt held back)."""
        self._check()
        stream = self.elm.stream if self.elm is not None else None
        return len(self._rx) or (stream.waiting() if stream is not None else 0)

    @property
    def out_waiting(self) -> int:
        """Always 0: writes are processed at once."""
        return 0

    def read(self, size: int = 1) -> bytes:
        """Return up to ``size`` buffered bytes without waiting: the simulator answered at write time.

        After the answer, a ``no-prompt`` or ``flood`` fault's stream is read from the chip, as much as
        asked for (``in_waiting`` offers one repeat of the answer, or 4 KiB of a flood, at a time).

        With the ``slow-prompt`` quirk, a prompt held back becomes readable once this read has taken
        everything before it: it arrives in a read of its own.

        Raises:
            SerialException: the link was lost (``drop`` fault).
        """
        self._check()
        if not self._rx and self.elm is not None and self.elm.stream is not None:
            return self.elm.stream.read(size)  # no-prompt / flood: the chip is still sending
        chunk = bytes(self._rx[:size])
        del self._rx[:size]
        if not self._rx and self._late:
            self._rx += self._late
            self._late.clear()
        return chunk

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Feed ``data`` to the simulated ELM327 and buffer its answer; return ``len(data)``.

        Raises:
            SerialException: the link is lost, now (a ``drop`` fault at a line in ``data``) or before.
        """
        self._check()
        if isinstance(data, str):
            raise TypeError("unicode strings are not supported, please encode to bytes")
        payload = bytes(data)
        if self.elm is None:
            return len(payload)
        answer = self.elm.feed(payload)
        if self.elm.link_lost:
            line = len(self.elm.received)
            self._lost = f"{self._port}: link lost at command line {line} (injected fault drop@{line})"
            self._rx.clear()
            self._late.clear()
            raise SerialException(self._lost)
        if "slow-prompt" in self.elm.quirks and b">" in answer:
            self._rx += self._late
            self._late.clear()
            cut = answer.rindex(b">")
            self._rx += answer[:cut]
            self._late += answer[cut:]
        else:
            self._rx += answer
        return len(payload)

    def flush(self) -> None:
        """Nothing to flush: writes are processed at once."""

    def reset_input_buffer(self) -> None:
        """Discard buffered answer bytes."""
        self._check()
        self._rx.clear()
        self._late.clear()

    def reset_output_buffer(self) -> None:
        """Nothing is ever pending towards the simulator."""
        self._check()

    def cancel_read(self) -> None:
        """Reads never block; nothing to cancel."""

    def cancel_write(self) -> None:
        """Writes never block; nothing to cancel."""


class GuardedSerial(GuardedPort, Serial):
    """``sim://...?guarded=1``: every line written passes obdident's read-only guard first
    (:mod:`obdident.transports.guarded`)."""


#: pyserial's hook: the URL without the ``guarded`` option, and :class:`GuardedSerial` when it asked for
#: ``guarded=1``, else :class:`Serial` (:func:`obdident.transports.guarded.url_hook`).
serial_class_for_url = url_hook(Serial, GuardedSerial)
