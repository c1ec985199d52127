"""The ELM327 dialogue: write one command, read until the ``>`` prompt under a deadline, parse the answer.

Every line goes through the read-only :class:`~obdident.guard.Guard` first, inside :meth:`ELM327.command`,
the only method that writes. No fixed sleeps: the driver waits for the prompt, bounded by a per-command
deadline measured on an injectable clock (ELM327 datasheet, "Talking to the Vehicle").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from obdident.elm327 import clones, failures, search
from obdident.elm327.addressing import Addressing
from obdident.elm327.addressing import first_line as _first
from obdident.elm327.lines import (
    Protocol,
    frames_declared,
    is_info,
    looks_like_banner,
    parse_voltage,
    raise_for_status,
    shows_reset,
)
from obdident.elm327.masking import MaskedAnswer
from obdident.elm327.search import CAN_RECEIVE_TIMEOUT_HEX
from obdident.elm327.types import AdapterInfo, Clock, Exchange, Response, SerialLike
from obdident.elm327.wire import MAX_ANSWER_BYTES, Wire
from obdident.errors import (
    AdapterError,
    AdapterReplyError,
    AdapterResetError,
    AdapterTimeoutError,
    AnswerTooLongError,
    IsoTpTruncatedError,
    NoDataError,
)
from obdident.guard import Guard
from obdident.i18n import T
from obdident.interrupt import CancelToken

log = logging.getLogger(__name__)

__all__ = ["ELM327", "MAX_ANSWER_BYTES", "AdapterInfo", "Clock", "Exchange", "Response", "SerialLike"]

_SEARCH_TIMEOUT_S = 20.0  # the automatic search tries every protocol; K-line inits take seconds each


class ELM327:
    """A read-only ELM327 driver over any pyserial-like port.

    Args:
        port: an open port (``serial.serial_for_url(...)``) whose read timeout is short (tens of ms).
        guard: the allowlist every line passes; a fresh :class:`Guard` when omitted.
        clock: monotonic seconds; tests pass a virtual clock.
        on_exchange: called with every exchange, failed ones included, as it is kept (masked): the
            recorder's hook.
        cancel: the scan's cancel token, polled before each line and after every read (``ScanCancelled``).

    The guard, the overall :attr:`deadline`, the :attr:`transcript` and the :attr:`protocol` are properties.
    """

    def __init__(
        self,
        port: SerialLike,
        *,
        guard: Guard | None = None,
        clock: Clock = time.monotonic,
        on_exchange: Callable[[Exchange], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> None:
        self._on_exchange, self.cancel = on_exchange, cancel
        self._wire = Wire(port, guard=guard or Guard(), clock=clock, on_exchange=self._kept)
        self._wire.cancel = cancel
        self._addressing = Addressing(self.at)
        self._unsupported: list[str] = []
        self._count_works = True
        #: Requests the vehicle left unanswered (NO DATA) since it last answered one; None before any answer.
        self.unanswered: int | None = None

    @property
    def guard(self) -> Guard:
        """The read-only guard every line passes."""
        return self._wire.guard

    @property
    def deadline(self) -> float | None:
        """An overall clock limit no command may pass (the scan's ``--timeout``), or None."""
        return self._wire.deadline

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        self._wire.deadline = value

    @property
    def transcript(self) -> list[Exchange]:
        """Every exchange so far, in order (masked data only)."""
        return self._wire.transcript

    def _kept(self, exchange: Exchange) -> None:
        """Log every exchange the wire keeps (the dialogue ``--verbose`` shows), then tell the recorder."""
        log.debug(
            "%s -> %s (%.0f ms%s)",
            exchange.request,
            list(exchange.lines),
            exchange.elapsed_s * 1000,
            "" if exchange.outcome == "ok" else ", " + exchange.outcome,
        )
        if self._on_exchange is not None:
            self._on_exchange(exchange)

    # --- the only writer --------------------------------------------------------------------------
    def command(self, line: str, *, timeout_s: float = 2.0) -> Exchange:
        """Send one line and read the answer up to the ``>`` prompt.

        Args:
            line: one command without CR (``ATI``, ``0902``).
            timeout_s: deadline for the prompt, in seconds.

        Returns:
            The exchange, echo removed, security-bearing bytes masked.

        Raises:
            GuardRefusal: the line is not on the allowlist; nothing was written.
            LinkLostError: the port failed while writing or reading.
            AdapterTimeoutError: no prompt before the deadline; the (masked) lines read so far are attached.
            ScanTimeoutError: the same, when the overall :attr:`deadline` cut the command's own short.
            AnswerTooLongError: more than :data:`MAX_ANSWER_BYTES` came without a prompt (a flood).
        """
        return self._transact(line, timeout_s)[0]

    def _transact(self, line: str, timeout_s: float) -> tuple[Exchange, MaskedAnswer]:
        return self._wire.transact(line, timeout_s, self.protocol)

    # --- AT commands ------------------------------------------------------------------------------
    def at(self, line: str, *, timeout_s: float = 1.0, required: bool = True) -> list[str]:
        """Send an AT/ST command and return its answer lines.

        Args:
            line: the command (``ATH1``).
            timeout_s: deadline for the prompt, in seconds.
            required: when False, a ``?`` answer (a clone without the command) is recorded and tolerated.

        Returns:
            The answer lines; empty when a non-required command was answered ``?``.

        Raises:
            AdapterReplyError: the adapter answered ``?`` to a required command.
            AdapterError: the adapter reset itself (its banner appeared) in answer to something other than a
                reset, or its answer ran past :data:`MAX_ANSWER_BYTES` (an AT answer is a few bytes).
        """
        try:
            exchange = self.command(line, timeout_s=timeout_s)
        except AnswerTooLongError as err:
            raise failures.never_ended(err, MAX_ANSWER_BYTES) from err
        lines = list(exchange.lines)
        if "?" in lines:
            if required:
                raise AdapterReplyError(
                    T("the adapter does not support {command}", command=exchange.request),
                    status="?",
                    request=exchange.request,
                    response=lines,
                )
            self._unsupported.append(exchange.request)
            return []
        if exchange.request not in ("ATZ", "ATWS", "ATI"):
            self._raise_for_reset(exchange)
        return lines

    def _raise_for_reset(self, exchange: Exchange) -> None:
        """Raise :class:`AdapterResetError` when the answer shows the adapter rebooted (banner, LV RESET)."""
        if shows_reset(exchange.lines):
            raise AdapterResetError(
                T("the adapter reset itself (its start-up banner appeared): its settings are lost"),
                request=exchange.request,
                response=exchange.lines,
                hint=T("check the adapter's power and that it sits firmly in the socket"),
            )

    def recover(self) -> None:
        """Set the adapter up again after it reset itself, on the protocol the vehicle was found on.

        Raises:
            AdapterError, TransportError: it does not come back.
        """
        protocol = self.vehicle_protocol
        self.initialize()
        self.protocol = None
        if protocol is not None:
            self.use_protocol(protocol.number)
            if protocol.can:
                self.set_receive_timeout(CAN_RECEIVE_TIMEOUT_HEX)
            if protocol.header_bits != 11:
                self.functional()  # off 11-bit CAN the default header carries the stored tester address

    def initialize(self) -> AdapterInfo:
        """Bring the adapter into the state the driver relies on and read its identity.

        Settings: defaults (AT D, or AT Z when the adapter answers it late: the wire sends AT Z only once
        AT D's prompt came, and closes the port when none comes), echo off, spaces off (saves a third of the
        bytes), headers on (each frame names its ECU), and CAN automatic formatting on (AT CAF1, sent because
        the default a reset restores is what PP 24 stores: the read-only guard admits no request before it
        is confirmed; sent after AT I, whose answer reads as a reset's banner). AT D restores adaptive
        timing AT1 (ELM327 datasheet, AT D), and the line parser takes CR or CR LF, so AT L0 would buy
        nothing. The receive timeout is set on purpose once the protocol is known (AT ST), the protocol
        pinned by the search (AT TP h). Reads AT I and AT RV; not AT @1, a fixed description ("OBDII to
        RS232 Interpreter" on ELM327s and their clones) not worth a round trip.

        Returns:
            What the adapter says about itself.

        Raises:
            AdapterTimeoutError: the adapter stayed silent (or flooded) even after AT Z, or never came back
                to its prompt after AT D (the wire then closed the port);
                :class:`ScanTimeoutError` when the scan's overall limit ran out first.
            AdapterNotELM327Error: the device answers, but not like an ELM327.
            LinkLostError: the port failed.
        """
        try:
            first = self.command("ATD", timeout_s=1.0).lines
        except (AdapterTimeoutError, AnswerTooLongError):
            try:
                first = self.command("ATZ", timeout_s=5.0).lines
            except (AdapterTimeoutError, AnswerTooLongError) as err:
                # a wire that closed the port never sent AT Z: the adapter stayed busy after AT D
                raise failures.silent(err, closed=self._wire.closed, port=self._wire.port) from err
        self._addressing.forget()
        if not first:  # a prompt alone: perhaps an adapter one command late (obdident.elm327.clones)
            clones.raise_if_late(self.command("ATI", timeout_s=1.0).lines)
        if not any(x.upper() == "OK" or looks_like_banner(x) for x in first):
            raise failures.not_elm327(first, self._wire.port)
        self.at("ATE0")
        self.at("ATS0", required=False)
        self.at("ATH1")
        version = _first(self.at("ATI"))
        voltage = parse_voltage(self.at("ATRV", required=False))
        # after AT I, whose answer reads as a reset's banner, so a reset during it could not be told
        self._addressing.setting("CAF", "ATCAF1")  # raises unless OK: the guard needs it confirmed
        return AdapterInfo(version, None, voltage, tuple(self._unsupported))

    @property
    def addressing(self) -> Addressing:
        """The adapter's protocol and addressing settings (STN presets: :meth:`Addressing.use_preset`)."""
        return self._addressing

    @property
    def flow_control_supported(self) -> bool:
        """False once the adapter answered ``?`` to AT FC SH/SD/SM (a pre-v1.1 chip or a clone)."""
        return self._addressing.flow_control_supported

    @property
    def unsupported(self) -> tuple[str, ...]:
        """Commands the adapter answered ``?`` to so far (clone quirks), canonical form."""
        return tuple(self._unsupported)

    # --- settings and addressing (obdident.elm327.addressing), sent only when they change --------------
    @property
    def protocol(self) -> Protocol | None:
        """The protocol in use: found by :meth:`connect_vehicle`, or set by :meth:`use_protocol`."""
        return self._addressing.protocol

    @protocol.setter
    def protocol(self, value: Protocol | None) -> None:
        self._addressing.protocol = value

    @property
    def vehicle_protocol(self) -> Protocol | None:
        """The vehicle's own protocol: the first one that worked (29-bit CAN may be used later for a unit)."""
        return self._addressing.vehicle_protocol

    def set_receive_timeout(self, value_hex: str) -> None:
        """Set the receive timeout, AT ST hh (see :meth:`Addressing.set_receive_timeout`)."""
        self._addressing.set_receive_timeout(value_hex)

    def use_protocol(self, number: str) -> None:
        """Switch protocol without a search, saving nothing: AT TP h (:meth:`Addressing.use_protocol`)."""
        self._addressing.use_protocol(number)

    def use_header_bits(self, bits: int) -> None:
        """The CAN sibling with ``bits``-bit ids: 6<->7, 8<->9 (:meth:`Addressing.use_header_bits`)."""
        self._addressing.use_header_bits(bits)

    def functional(self) -> None:
        """Back to functional addressing on the vehicle's protocol (see :meth:`Addressing.functional`)."""
        self._addressing.functional()

    def address(self, request_id: str, response_id: str | None, *, flow_control: bool = True) -> None:
        """Address one unit physically: header, receive filter, flow control (:meth:`Addressing.address`)."""
        self._addressing.address(request_id, response_id, flow_control=flow_control)

    # --- talking to the vehicle -------------------------------------------------------------------
    def connect_vehicle(self, *, timeout_s: float = _SEARCH_TIMEOUT_S) -> Response:
        """Find the vehicle's protocol, trying ISO 15765-4 CAN 11-bit 500k first
        (:func:`obdident.elm327.search.connect_vehicle`).

        Args:
            timeout_s: deadline for the search, in seconds.

        Returns:
            The answer to ``0100``: which ECUs are present.

        Raises:
            UnableToConnectError: no protocol found (ignition off, or a vehicle without OBD emissions ECUs).
            AdapterReplyError: ``CAN ERROR``, ``BUS INIT: ...ERROR`` and the like.
        """
        response = search.connect_vehicle(self, timeout_s)
        self.unanswered = 0 if response.messages else self.unanswered
        return response

    def request(
        self, payload: bytes, *, expected_frames: int | None = None, timeout_s: float = 2.0
    ) -> Response:
        """Send a request to the vehicle and collect every ECU's answer.

        Args:
            payload: the request bytes (``09 02``), without the ISO-TP PCI: the adapter adds it.
            expected_frames: the number of frames (lines) expected, 1-15: the response-count digit. The
                adapter then returns as soon as that many arrived instead of waiting out AT ST (ELM327
                v1.3+). It may be a guess: when it cut a multi-frame answer short, the request is sent again
                without it; a chip that answers ``?`` to it never gets it again.
            timeout_s: deadline for the prompt, in seconds.

        Returns:
            The exchange and the reassembled messages; no messages on ``NO DATA``.

        Raises:
            AdapterError: called before :meth:`connect_vehicle`.
            AdapterReplyError: a status line other than ``NO DATA`` (``CAN ERROR``, ``BUFFER FULL`` ...).
            ProtocolError: lines that are not frames, or frames that do not reassemble.
        """
        if self.protocol is None:
            raise AdapterError(T("no vehicle protocol yet: connect_vehicle() first"))
        self._addressing.flow_control_fits(self.protocol)
        line = payload.hex().upper()
        if self._count_works and expected_frames is not None and 1 <= expected_frames <= 15:
            exchange, answer = self._transact(line + f"{expected_frames:X}", timeout_s)
            if [x.strip() for x in exchange.lines] == ["?"]:
                # a chip before v1.3 (or a clone claiming more) does not take the response-count digit
                self._count_works = False
                self._unsupported.append("response-count digit")
                exchange, answer = self._transact(line, timeout_s)
            elif isinstance(answer.error, IsoTpTruncatedError):
                # the guess was short: ask again for as many frames as the first frames declare (or AT ST)
                needed = frames_declared(exchange.lines, self.protocol)
                retry = f"{needed:X}" if needed is not None and needed <= 15 else ""
                exchange, answer = self._transact(line + retry, timeout_s)
        else:
            exchange, answer = self._transact(line, timeout_s)
        self._raise_for_reset(exchange)
        try:
            raise_for_status([x for x in exchange.lines if not is_info(x)], exchange.request)
        except NoDataError:
            self.unanswered = None if self.unanswered is None else self.unanswered + 1
            return Response(exchange, ())
        if answer.error is not None:
            raise answer.error
        if answer.messages:
            self.unanswered = 0
        return Response(exchange, answer.messages or ())
