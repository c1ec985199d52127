"""The only writer: every line to the adapter passes the guard, is written, and is read back to the prompt.

:class:`Wire` checks a line with the read-only :class:`~obdident.guard.Guard` (nothing is written when it
refuses), writes it, reads until the ``>`` prompt under a deadline measured on an injectable clock (no fixed
sleeps: ELM327 datasheet, "Talking to the Vehicle"), caps the answer's size, masks security-bearing bytes
(:mod:`obdident.elm327.masking`) before anything keeps them, and tells the guard how the adapter took the
line (:meth:`~obdident.guard.Guard.settle`).

One line at a time, even after trouble. A command that ran out of time, or whose answer ran past
:data:`MAX_ANSWER_BYTES`, may leave the adapter busy: the ELM327 datasheet ("Talking to the ELM327") says to
wait for the prompt, since a character sent while the chip is busy interrupts it (and the rest of the line
then runs as a command of its own: ``10811`` becoming ``0811``). So after either, the wire sends nothing
until it has read a ``>`` prompt (``STOPPED`` and a prompt included) within :data:`PROMPT_AFTER_TROUBLE_S`.
What arrives before that prompt is the late end of the troubled command's answer: it is logged (masked) and
neither attributed to the next command nor used to settle the guard (the troubled command stays
``unknown``). When no prompt comes, the wire closes the port and raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from typing import Literal

from obdident.elm327 import failures
from obdident.elm327.lines import Protocol, looks_like_banner, shows_reset, split_lines, strip_echo
from obdident.elm327.masking import MaskedAnswer, mask_answer, mask_unfinished
from obdident.elm327.types import Clock, Exchange, SerialLike
from obdident.errors import (
    AdapterTimeoutError,
    AnswerTooLongError,
    GuardRefusal,
    LinkLostError,
    ScanCancelled,
)
from obdident.guard import Guard
from obdident.i18n import T
from obdident.interrupt import CancelToken

log = logging.getLogger(__name__)

__all__ = ["MAX_ANSWER_BYTES", "PROMPT_AFTER_TROUBLE_S", "Wire", "answer_outcome", "confirmed"]

#: The most bytes one answer may bring before the driver calls it garbled and stops reading: 256 KiB.
#: The longest legitimate answer: ISO 15765-2 first frames declare at most 4095 bytes (12-bit FF_DL, the
#: most the ELM327 reassembles: ELM327 datasheet, "Multiline Responses"), i.e. a first frame and 585
#: consecutive frames; printed with 29-bit headers and spaces (``18 DA F1 10 21 11 22 33 44 55 66 77``
#: and CR LF) that is 586 x 37 = 21,682 bytes per ECU, and at most 8 ECUs answer a functional request
#: (7E8-7EF, ISO 15765-4 §6.3.2): 173,456 bytes. The cap adds half again for echo, status lines and NULs.
MAX_ANSWER_BYTES = 256 * 1024

#: How long the wire waits for the adapter's prompt after a command that ran out of time or flooded, before
#: it gives up and closes the port: 5 s. An ELM327 left busy finishes on its own within its own timers: a
#: reset (AT Z) takes about 1 s, a CAN request at most AT ST (up to 1 s, ELM327 datasheet, AT ST), a K-line
#: initialisation about 3 s (ISO 9141-2's 5-baud init). A search that is still running after the driver's
#: 20 s, or a device that streams without end, is not waited out: the port is closed.
PROMPT_AFTER_TROUBLE_S = 5.0

#: The most bytes of a late answer kept for the log; the rest is read and dropped.
_LATE_KEPT_BYTES = 4096


def confirmed(text: str, lines: Sequence[str]) -> bool:
    """Whether the adapter confirmed an AT command: ``OK``, or for a reset its banner (ELM327 datasheet)."""
    if any(line.strip().upper() == "OK" for line in lines):
        return True
    return text in ("ATZ", "ATWS", "ATD") and any(looks_like_banner(line) for line in lines)


def answer_outcome(text: str, lines: Sequence[str]) -> Literal["confirmed", "refused", "unknown", "reset"]:
    """How the adapter answered a line, for :meth:`Guard.settle`: its start-up banner or ``LV RESET`` (but
    AT I's own version string) means it reset, so its stored settings are back; ``OK`` (or a reset's banner)
    means carried out, ``?`` alone not carried out (ELM327 datasheet, "AT Commands"), anything else unknown.

    Args:
        text: the canonical command.
        lines: its answer's lines, echo removed.
    """
    if text != "ATI" and shows_reset(lines):
        return "reset"
    if confirmed(text, lines):
        return "confirmed"
    return "refused" if [line.strip() for line in lines] == ["?"] else "unknown"


class Wire:
    """The guarded line dialogue with one adapter.

    Args:
        port: an open port whose read timeout is short (tens of ms).
        guard: the allowlist every line passes.
        clock: monotonic seconds; tests pass a virtual clock.
        on_exchange: called with every exchange, failed ones included, as it is kept (masked).

    Attributes:
        guard: the read-only guard.
        deadline: an overall clock limit no command may pass (the scan's ``--timeout``), or None.
        cancel: the scan's cancel token, polled before each line and after every read, or None.
        transcript: every exchange so far, in order (masked data only).
    """

    def __init__(
        self,
        port: SerialLike,
        *,
        guard: Guard,
        clock: Clock = time.monotonic,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self._port = port
        self.guard = guard
        self._clock = clock
        self._on_exchange = on_exchange
        self.deadline: float | None = None
        self.cancel: CancelToken | None = None
        self.transcript: list[Exchange] = []
        # The command whose answer ran out of time or flooded, and its protocol: no line goes out until
        # the adapter's prompt has been read.
        self._trouble: tuple[str, str, Protocol | None] | None = None
        self._closed: str | None = None  # a Text: the owner sentence LinkLostError repeats

    @property
    def closed(self) -> bool:
        """True once the wire closed the port because the adapter never came back to its prompt."""
        return self._closed is not None

    @property
    def port(self) -> SerialLike:
        """The port written to."""
        return self._port

    def transact(
        self, line: str, timeout_s: float, protocol: Protocol | None
    ) -> tuple[Exchange, MaskedAnswer]:
        """Send one line and read the answer up to the ``>`` prompt.

        Args:
            line: one command without CR (``ATI``, ``0902``).
            timeout_s: deadline for the prompt, in seconds.
            protocol: the protocol in use, for masking the answer's frames (None: mask conservatively).

        Returns:
            The exchange (echo removed, security-bearing bytes masked) and the masked, parsed answer.

        After a timeout or a flood, nothing is written until the adapter's prompt has been read, within
        :data:`PROMPT_AFTER_TROUBLE_S` (or the overall :attr:`deadline`); when none comes, the port is closed.

        Raises:
            GuardRefusal: the line is not on the allowlist (the wire's guard, or the port's own when it was
                opened with ``guarded=1``); nothing was written.
            LinkLostError: the port failed while writing or reading; or the wire closed it earlier (nothing
                was written).
            AdapterTimeoutError: no prompt before the deadline; the (masked) lines read so far are attached.
                Also: no prompt came after an earlier command's timeout or flood; nothing was written and
                the port is closed.
            ScanTimeoutError: the same, when the overall :attr:`deadline` cut the wait short.
            AnswerTooLongError: more than :data:`MAX_ANSWER_BYTES` came without a prompt (a flood).
            ScanCancelled: the scan's :attr:`cancel` token was cancelled (before the line, or while waiting).
        """
        self._check_cancel(line)
        if self._closed is not None:
            raise LinkLostError(self._closed, request=line)
        if self._trouble is not None:
            self._await_prompt(*self._trouble)
        self._unasked(line, protocol)
        text = self.guard.check(line)
        started = self._clock()
        deadline = started + timeout_s
        overall = self.deadline is not None and self.deadline < deadline
        if overall and self.deadline is not None:
            deadline = max(self.deadline, started)
        try:
            self._port.reset_input_buffer()
            self._port.write(text.encode("ascii") + b"\r")
        except GuardRefusal:
            # a port opened with guarded=1 judged the line again and refused it (its guard knows no make):
            # a refusal, not a lost link (obdident.transports.guarded)
            self.guard.settle("refused")
            raise
        except OSError as err:
            self._keep(Exchange(text, (), started, self._clock() - started, "link-lost"))
            said = T("the link to the adapter failed while sending {command}", command=text)
            raise failures.link_lost(said, text, err) from err
        try:
            raw = self._read_until_prompt(text, deadline, protocol, overall=overall)
        except (AdapterTimeoutError, LinkLostError, AnswerTooLongError, ScanCancelled) as err:
            # the command may or may not take effect, and its answer may still come: out of step until the
            # prompt it owes is read (_await_prompt)
            self.guard.lost_prompt()
            outcome = (
                "timeout"
                if isinstance(err, AdapterTimeoutError)
                else "oversize"
                if isinstance(err, AnswerTooLongError)
                else "interrupted"
                if isinstance(err, ScanCancelled)
                else "link-lost"
            )
            self._keep(Exchange(text, err.response, started, self._clock() - started, outcome))
            if outcome != "link-lost":
                self._trouble = (text, outcome, protocol)
            raise
        answer = mask_answer(strip_echo(split_lines(raw), text), protocol, text)
        del raw  # only the masked lines are kept
        self.guard.settle(answer_outcome(text, answer.lines))
        exchange = Exchange(text, answer.lines, started, self._clock() - started)
        self._keep(exchange)
        return exchange, answer

    def _check_cancel(self, text: str, partial: tuple[str, ...] = ()) -> None:
        if self.cancel is not None and self.cancel.cancelled:
            raise ScanCancelled(
                T("the scan was cancelled ({reason}) at {command}", reason=self.cancel.reason, command=text),
                request=text,
                response=partial,
            )

    def _unasked(self, line: str, protocol: Protocol | None) -> None:
        """Read what the adapter sent while no line was waiting for an answer, before ``line`` is judged.

        An adapter that reset on its own (a brown-out while cranking, a clone's watchdog) prints its banner
        or ``LV RESET`` unasked, and its stored settings are back: the guard is told (``maybe_reset``)
        before it judges the next line, so those bytes are read here rather than thrown away with the input
        buffer. Other unasked bytes are logged (masked) and dropped. A port that fails here is left for the
        write to report.
        """
        try:
            waiting = self._port.in_waiting
            stray = self._port.read(min(waiting, _LATE_KEPT_BYTES)) if waiting else b""
        except OSError:
            return
        if not stray:
            return
        if shows_reset(split_lines(stray)):
            self.guard.maybe_reset()  # the adapter may have reset: its stored settings may be back
        log.debug("unasked bytes before %s: %s", line, list(self._partial(bytearray(stray), line, protocol)))

    def _await_prompt(self, text: str, trouble: str, protocol: Protocol | None) -> None:
        """Read, without writing, until the adapter's ``>`` prompt ends the troubled command's answer.

        Nothing is written meanwhile: a byte sent to a busy ELM327 interrupts it (ELM327 datasheet). The
        bytes read are the late end of ``text``'s answer: logged masked, never given to the next command.

        Args:
            text: the command that timed out or flooded.
            trouble: ``timeout`` or ``oversize``.
            protocol: the protocol it was sent on, for masking.

        Raises:
            AdapterTimeoutError: no prompt within :data:`PROMPT_AFTER_TROUBLE_S`; the port is closed
                (:class:`ScanTimeoutError` when the overall :attr:`deadline` came first).
            LinkLostError: the port failed while reading.
        """
        started = self._clock()
        deadline = started + PROMPT_AFTER_TROUBLE_S
        overall = self.deadline is not None and self.deadline < deadline
        if overall and self.deadline is not None:
            deadline = max(self.deadline, started)
        late = bytearray()
        while True:
            try:
                chunk = self._port.read(self._port.in_waiting or 1)
            except OSError as err:
                self._trouble = None
                said = T(
                    "the link to the adapter failed while waiting for the end of the answer to {command}",
                    command=text,
                )
                raise failures.link_lost(said, text, err, self._partial(late, text, protocol)) from err
            if chunk:
                end = chunk.rfind(b">")
                late += chunk[: len(chunk) if end < 0 else end][: max(0, _LATE_KEPT_BYTES - len(late))]
                if end >= 0:
                    self._trouble = None
                    late_lines = split_lines(bytes(late))
                    if shows_reset(late_lines):
                        self.guard.maybe_reset()  # the adapter may have reset: its stored settings back
                    self.guard.resynchronized()  # every prompt owed is read: answers are in step again
                    log.debug(
                        "late end of the answer to %s, read before the next line (%.0f ms): %s",
                        text,
                        (self._clock() - started) * 1000,
                        list(self._partial(late, text, protocol)),
                    )
                    return
            if self._clock() < deadline:
                continue
            reason, error = failures.busy_after_trouble(
                text,
                trouble,
                self._partial(late, text, protocol),
                most=MAX_ANSWER_BYTES,
                seconds=PROMPT_AFTER_TROUBLE_S,
                overall=overall,
            )
            self._close(reason)
            raise error

    def _close(self, reason: str) -> None:
        """Close the port for good: nothing more is written through this wire."""
        self._closed = reason
        self._trouble = None
        try:
            self._port.close()
        except OSError as err:
            log.debug("closing the port after %s: %s", reason, err)

    def _keep(self, exchange: Exchange) -> None:
        self.transcript.append(exchange)
        if self._on_exchange is not None:
            self._on_exchange(exchange)

    @staticmethod
    def _partial(buf: bytearray, text: str, protocol: Protocol | None) -> tuple[str, ...]:
        """The masked lines of an answer the read stopped in: its unfinished last line is masked whole."""
        raw = bytes(buf)
        end = max(raw.rfind(b"\r"), raw.rfind(b"\n")) + 1
        lines = strip_echo(split_lines(raw[:end]), text)
        return mask_unfinished(lines, split_lines(raw[end:]), protocol, text)

    def _read_until_prompt(
        self, text: str, deadline: float, protocol: Protocol | None, *, overall: bool
    ) -> bytes:
        """Read until the ``>`` prompt, checking the clock after every read, data or not, and the size.

        A read returns within the port's own timeout (tens of ms: ``READ_SLICE_S``), so the deadline is
        passed by at most one read; a device that streams bytes and never prompts is stopped there too.

        Raises:
            LinkLostError: the port failed.
            AdapterTimeoutError: the command's deadline passed (:class:`ScanTimeoutError` when it was the
                overall deadline).
            AnswerTooLongError: more than :data:`MAX_ANSWER_BYTES` without a prompt.
        """
        buf = bytearray()
        while True:
            try:
                waiting = self._port.in_waiting
                chunk = self._port.read(waiting or 1)
            except OSError as err:
                said = T(
                    "the link to the adapter failed while waiting for the answer to {command}", command=text
                )
                raise failures.link_lost(said, text, err, self._partial(buf, text, protocol)) from err
            if chunk:
                buf += chunk
                if b">" in chunk:
                    return bytes(buf[: buf.rindex(b">") + 1])
                if len(buf) > MAX_ANSWER_BYTES:
                    del buf[MAX_ANSWER_BYTES:]
                    raise AnswerTooLongError(
                        T(
                            "the answer to {command} ran past {most} bytes without a prompt: garbled",
                            command=text,
                            most=MAX_ANSWER_BYTES,
                        ),
                        request=text,
                        response=self._partial(buf, text, protocol),
                    )
            if self.cancel is not None and self.cancel.cancelled:
                self._check_cancel(text, self._partial(buf, text, protocol) if buf else ())
            if self._clock() < deadline:
                continue
            raise failures.slow(text, self._partial(buf, text, protocol), overall=overall)
