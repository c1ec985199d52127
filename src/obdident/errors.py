"""Every error obdident raises, in one tree.

::

    ObdidentError
     +-- TransportError                  the port could not be opened or broke
     |    +-- PortOpenError              the port could not be opened (also serial.SerialException)
     |    |    +-- PortUrlError          a malformed port name or URL, or a refused scheme (also ValueError)
     |    |    +-- PortNotFoundError     no such device / host / profile, or nothing listening
     |    |    +-- PortPermissionError   the OS refused access (dialout/uucp group)
     |    |    +-- PortBusyError         another program holds the port
     |    +-- LinkLostError              the link dropped mid-dialogue
     |    +-- ReplayDivergedError        a replayed session's requests differ from the recording
     |    +-- ScanCancelled              the scan was cancelled (Ctrl-C, SIGTERM, the window's Cancel)
     +-- AdapterError                    the adapter answered wrongly or not at all
     |    +-- AdapterTimeoutError        no ``>`` prompt before the deadline (also TimeoutError)
     |    |    +-- ScanTimeoutError      the scan's overall time limit (``--timeout``) ran out first
     |    +-- AdapterNotELM327Error      the device does not speak the ELM327 command set
     |    +-- AdapterResetError          the adapter rebooted mid-scan (banner, LV RESET): settings lost
     |    +-- AdapterReplyError          an ELM327 status line such as ``CAN ERROR``
     |         +-- NoDataError           ``NO DATA``: the request went out, no ECU answered
     |         +-- UnableToConnectError  ``UNABLE TO CONNECT``: no OBD protocol found (ignition off?)
     +-- GuardRefusal                    a line was refused by the read-only allowlist
     |    +-- LineRefusedError           ... by a ``guarded=1`` port (also serial.SerialException)
     +-- ProtocolError                   bytes from the vehicle do not fit the protocol
     |    +-- IsoTpError                 ISO 15765-2 reassembly failed (sequence, length)
     |    |    +-- IsoTpTruncatedError   the answer stopped before its declared length
     |    +-- DecodeError                a service payload could not be decoded
     |    +-- AnswerTooLongError         an answer longer than any legitimate one (a flood)
     +-- ProfileError                    a ``sim://`` vehicle profile is malformed or missing
     +-- RecordingError                  a recorded session file is malformed
     +-- InvalidVinError                 a string is not an ISO 3779 VIN
     +-- ScanDeadline                    the scan's overall limit passed between two steps (also TimeoutError)

Foreign exceptions are re-raised as one of these with ``raise ... from err``; each error carries the raw
request and response lines it came from where there are any. Each class names itself with a short ``code``
and the ``exit_code`` the command ends with when the error stops a scan (:class:`ExitCode`): the CLI reads
the attribute, it never tests classes one by one.

Words for the owner (issue 19): every error carries its sentence as data, so an edge shows it in the
owner's language, while ``str(err)`` stays English (logs, the JSON, tests)::

    err.text    the owner sentence: a :class:`~obdident.i18n.Text` (``T("no adapter port {port}", port=url)``)
                wherever obdident made the error; a plain ``str`` only from a caller not converted yet (the
                pseudo-locale test finds it, unwrapped)
    err.hint    what to do: a Text, or None
    err.detail  engineer detail in English, or None: a foreign exception's words (OSError's strerror,
                pyserial's, bleak's, urllib's), never translated
    str(err)    English: ``text`` and, when there is one, `` (detail)``; the same as ``err.message``

Raise with a Text and put a foreign exception's words in ``detail``::

    raise PortNotFoundError(T("nothing answers at {url}", url=url), detail=str(exc),
                            hint=T("Switch the adapter on and bring it within range."))

A plain ``str`` message is still accepted (then ``text`` is that str, shown as it is): never wrap an
f-string's result in a Text; build the sentence with ``T`` and named parameters instead.

What an edge calls (the CLI's ``fail``, ``check``, the scan's ending; the window):
:meth:`ObdidentError.say` for the one line (``render(err.text)`` in the current language, then the English
detail in parentheses), and :meth:`ObdidentError.say_hint` for the "What to do" line (``render(err.hint)``,
"" when there is none); or :func:`obdident.i18n.render` on ``err.text``/``err.hint`` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import ClassVar

from serial import SerialException

from obdident.i18n import T, render


class ExitCode(IntEnum):
    """The ``obdident`` command's exit codes."""

    OK = 0
    """The scan completed, or the command did what it was asked."""
    PROBLEM = 1
    """``check-recording``: a recording holds a problem or is not a readable recording."""
    USAGE = 2
    """Bad usage: an option, a port URL, an input or an output path; nothing was read."""
    NO_CONTACT = 3
    """Could not talk to the adapter or the vehicle: nothing read."""
    PARTIAL = 4
    """Partial: the report is still written, with ``complete: false``."""
    REFUSED = 5
    """A line was refused by the read-only guard."""


class ObdidentError(Exception):
    """Base class of every obdident error.

    Attributes:
        text: the owner sentence (:class:`~obdident.i18n.Text` wherever obdident made it; see the module).
        message: ``str(err)``: English, ``text`` then `` (detail)`` when there is a detail.
        detail: engineer detail in English (a foreign exception's words), or None.
        request: the line sent to the adapter that led to the error, if any.
        response: the raw lines the adapter answered, if any.
        hint: one sentence telling the user what to do (a Text), if there is a useful one.
        code: the problem code a report gives this error when it ends a step or the scan (``link-lost``,
            ``garbled-answer``, ``replay-diverged``...), per class; subclasses inherit their parent's.
        exit_code: the command's exit code when this error stops a scan, per class.
    """

    code: ClassVar[str] = "adapter-error"
    exit_code: ClassVar[ExitCode] = ExitCode.NO_CONTACT

    def __init__(
        self,
        message: str,
        *,
        request: str | None = None,
        response: Sequence[str] = (),
        hint: str | None = None,
        detail: str | None = None,
    ) -> None:
        english = f"{message} ({detail})" if detail else str(message)
        super().__init__(english)
        self.text: str = message
        self.detail = detail or None
        self.message = english
        self.request = request
        self.response: tuple[str, ...] = tuple(response)
        self.hint = hint

    def __str__(self) -> str:
        return self.message

    def say(self, language: str | None = None) -> str:
        """The owner's line in ``language`` (default: the current one): ``render(text)``, then the English
        detail in parentheses when there is one."""
        shown = render(self.text, language)
        return f"{shown} ({self.detail})" if self.detail else shown

    def say_hint(self, language: str | None = None) -> str:
        """What to do, in ``language`` (default: the current one); "" when there is no hint."""
        return render(self.hint, language)


class TransportError(ObdidentError):
    """The port could not be opened, or it failed while in use."""

    code: ClassVar[str] = "link-lost"


class PortOpenError(TransportError, SerialException):  # type: ignore[misc]  # pyserial is untyped
    """The port could not be opened.

    Also a :class:`serial.SerialException`, so python-OBD and other pyserial users that open obdident's URL
    schemes (``sim://``, ``ble://``, ``rfcomm://``, ``replay://``) handle it as they handle any port that
    does not open.
    """

    code: ClassVar[str] = "port-open"


class PortUrlError(PortOpenError, ValueError):
    """The port name or URL is malformed, names something that is not a port (a directory, a file), uses
    a URL scheme obdident refuses (pyserial's ``spy://``, ``loop://``...), or a port setting (the baud rate)
    is invalid. The CLI exits 2.

    Also a :class:`ValueError`, pyserial's convention for a bad URL or setting.
    """

    code: ClassVar[str] = "port-url"
    exit_code: ClassVar[ExitCode] = ExitCode.USAGE


class PortNotFoundError(PortOpenError):
    """The port, device file, host or profile named does not exist, or nothing listens there."""


class PortPermissionError(PortOpenError):
    """The operating system refused access to the port."""


class PortBusyError(PortOpenError):
    """Another program holds the port open."""


class LinkLostError(TransportError):
    """The link to the adapter dropped while obdident was using it."""


class ScanCancelled(TransportError):
    """The scan was cancelled through its cancel token (:class:`obdident.interrupt.CancelToken`): Ctrl-C or
    SIGTERM on the command line, Cancel or Stop in the window. Raised by the scan itself, at its next read,
    write or step, never from a callback; the scan keeps what it read (``complete: false``)."""

    code: ClassVar[str] = "interrupted"
    exit_code: ClassVar[ExitCode] = ExitCode.PARTIAL


class AdapterError(ObdidentError):
    """The adapter answered something unexpected, or nothing."""


class AdapterTimeoutError(AdapterError, TimeoutError):
    """No ``>`` prompt arrived before the command's deadline."""


class ScanTimeoutError(AdapterTimeoutError):
    """The scan's overall time limit (``--timeout``) ran out while a command waited for its answer."""

    code: ClassVar[str] = "scan-timeout"


class AdapterNotELM327Error(AdapterError):
    """The device on the port does not answer like an ELM327."""


class AdapterAnswersLateError(AdapterError):
    """The adapter gives each command the answer of the command before (python-OBD issue #173): no answer can
    be matched with its question."""

    code: ClassVar[str] = "adapter-answers-late"


class AdapterResetError(AdapterError):
    """The adapter rebooted mid-scan (its banner or ``LV RESET`` appeared): its settings are lost."""

    code: ClassVar[str] = "adapter-reset"


class ReplayDivergedError(TransportError):
    """A ``replay://`` session: obdident sent a line other than the one the recording holds next."""

    code: ClassVar[str] = "replay-diverged"


class AdapterReplyError(AdapterError):
    """The adapter answered with an ELM327 status line instead of data.

    Attributes:
        status: the status line as the ELM327 datasheet names it (``CAN ERROR``, ``BUFFER FULL``...).
    """

    def __init__(
        self,
        message: str,
        *,
        status: str,
        request: str | None = None,
        response: Sequence[str] = (),
        hint: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response, hint=hint, detail=detail)
        self.status = status


class NoDataError(AdapterReplyError):
    """``NO DATA``: the request was sent but no ECU answered before the receive timeout (AT ST)."""


class UnableToConnectError(AdapterReplyError):
    """``UNABLE TO CONNECT``: the adapter found no OBD protocol on the vehicle."""


class GuardRefusal(ObdidentError):
    """The read-only guard refused a line; nothing was written to the adapter.

    Attributes:
        line: the refused line, as the caller gave it.
        reason: why no allowlist rule admits it.
    """

    code: ClassVar[str] = "refused"
    exit_code: ClassVar[ExitCode] = ExitCode.REFUSED

    def __init__(self, line: str, reason: str) -> None:
        super().__init__(
            T("refused by the read-only guard: {line}", line=repr(line)), request=line, detail=reason
        )
        self.message = f"refused by the read-only guard: {line!r}: {reason}"  # str(err), as before
        self.line = line
        self.reason = reason


class LineRefusedError(GuardRefusal, SerialException):  # type: ignore[misc]  # pyserial is untyped
    """A port opened with the ``guarded=1`` URL option refused a line a program wrote to it: nothing of that
    line was written (:mod:`obdident.transports.guarded`).

    Also a :class:`serial.SerialException`, which pyserial users (python-OBD) expect from ``write``.
    """


class ProtocolError(ObdidentError):
    """Bytes from the vehicle do not fit the protocol that should carry them."""

    code: ClassVar[str] = "garbled-answer"


class IsoTpError(ProtocolError):
    """An ISO 15765-2 multi-frame answer could not be reassembled."""


class IsoTpTruncatedError(IsoTpError):
    """A multi-frame answer stopped before its declared length (frames lost, or a response-count digit that
    was too small).

    Attributes:
        after_first_frame: only the first frame arrived: no consecutive frame at all (an adapter that sent
            no flow control, or passes on only first frames), rather than some frames lost on the way.
    """

    def __init__(
        self,
        message: str,
        *,
        after_first_frame: bool = False,
        request: str | None = None,
        response: Sequence[str] = (),
        hint: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response, hint=hint, detail=detail)
        self.after_first_frame = after_first_frame


class DecodeError(ProtocolError):
    """A service payload has the wrong shape for its identifier."""


class AnswerTooLongError(ProtocolError):
    """One answer grew past the longest an ELM327 can legitimately print (a device flooding bytes)."""


class ProfileError(ObdidentError):
    """A simulated vehicle profile is missing or malformed: the user's input, so the CLI exits 2."""

    code: ClassVar[str] = "profile"
    exit_code: ClassVar[ExitCode] = ExitCode.USAGE


class RecordingError(ObdidentError):
    """A recorded session file (``--record``, ``replay://``) is malformed or of an unknown format."""

    code: ClassVar[str] = "recording"


class InvalidVinError(ObdidentError):
    """A string is not a structurally valid ISO 3779 VIN."""

    code: ClassVar[str] = "invalid-vin"


class ScanDeadline(ObdidentError, TimeoutError):
    """The scan's overall time limit passed between two steps (the scan keeps what was read)."""
