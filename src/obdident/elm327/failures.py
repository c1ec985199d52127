"""The driver's and the wire's failures in the owner's words: each builder returns the error to raise, its
sentence and hint as :class:`~obdident.i18n.Text` (translated at the edge), the raw request and response
lines attached, and a foreign exception's own words kept in ``detail`` (English, for engineers).

Sources: the ELM327 datasheet (the ``>`` prompt, AT D, AT Z); the wire's limits are passed in by the caller
(:data:`obdident.elm327.wire.MAX_ANSWER_BYTES`, :data:`~obdident.elm327.wire.PROMPT_AFTER_TROUBLE_S`).
"""

from __future__ import annotations

from collections.abc import Sequence

from obdident.errors import (
    AdapterError,
    AdapterNotELM327Error,
    AdapterTimeoutError,
    AnswerTooLongError,
    LinkLostError,
    ScanTimeoutError,
)
from obdident.i18n import T, Text

__all__ = ["busy_after_trouble", "has_baud", "link_lost", "never_ended", "not_elm327", "silent", "slow"]

_MORE_TIME = T(
    "raise the time limit ({option}) if the vehicle is slow", option="obdident scan --timeout SECONDS"
)
_REPLUG = T(
    "unplug the adapter for a few seconds and plug it in again; check that nothing else uses the port"
)


def has_baud(port: object) -> bool:
    """True for a serial device (pyserial's ``serial.Serial``), whose baud rate may be wrong; False for a
    network, Bluetooth LE or simulated port, which has no baud rate to get wrong."""
    import serial

    return isinstance(port, serial.Serial)


def link_lost(
    sentence: Text, command: str, err: BaseException, response: Sequence[str] = ()
) -> LinkLostError:
    """The port failed (``err``: the OSError) while sending ``command`` or waiting for its answer."""
    return LinkLostError(sentence, request=command, response=response, detail=str(err) or type(err).__name__)


def slow(command: str, response: Sequence[str], *, overall: bool) -> AdapterTimeoutError:
    """No prompt before the command's deadline; :class:`ScanTimeoutError` when the scan's limit came first."""
    if overall:
        said = T(
            "the scan's overall time limit ran out while waiting for the answer to {command}", command=command
        )
        return ScanTimeoutError(said, request=command, response=response, hint=_MORE_TIME)
    return AdapterTimeoutError(
        T("the adapter did not finish answering {command} in time", command=command),
        request=command,
        response=response,
        hint=T("check that the adapter is powered and that nothing else uses the port"),
    )


def busy_after_trouble(
    command: str, trouble: str, response: Sequence[str], *, most: int, seconds: float, overall: bool
) -> tuple[Text, AdapterTimeoutError]:
    """The adapter never came back to its prompt after an earlier ``trouble`` (``timeout`` or a flood past
    ``most`` bytes) within ``seconds``: the reason the wire closes the port, and the error to raise."""
    what = T("ran out of time") if trouble == "timeout" else T("ran past {most} bytes", most=most)
    reason = T(
        "the adapter never came back to its prompt after the answer to {command} {what}: obdident closed the "
        "port rather than send a line the busy adapter would take as an interruption",
        command=command,
        what=what,
    )
    if overall:
        said = T(
            "the scan's overall time limit ran out while waiting for the adapter to finish "
            "answering {command}",
            command=command,
        )
        return reason, ScanTimeoutError(said, request=command, response=response, hint=_MORE_TIME)
    said = T(
        "the adapter was still busy {seconds} s after the answer to {command} {what} (no prompt): obdident "
        "closed the port rather than interrupt it",
        seconds=seconds,
        command=command,
        what=what,
    )
    return reason, AdapterTimeoutError(said, request=command, response=response, hint=_REPLUG)


def never_ended(err: AnswerTooLongError, most: int) -> AdapterError:
    """An AT command's answer ran past ``most`` bytes without a prompt (an AT answer is a few bytes)."""
    return AdapterError(
        T(
            "the adapter's answer to {request} never ended (over {most} bytes, no prompt)",
            request=err.request,
            most=most,
        ),
        request=err.request,
        response=err.response[:20],
        hint=T("unplug the adapter for a few seconds and try again; check nothing else uses the port"),
    )


def silent(
    err: AdapterTimeoutError | AnswerTooLongError, *, closed: bool, port: object
) -> AdapterTimeoutError:
    """Neither AT D nor AT Z got an answer (``closed``: the wire closed the port after AT D, so AT Z was never
    sent); :class:`ScanTimeoutError` when the scan's limit ran out first."""
    if isinstance(err, ScanTimeoutError):
        return ScanTimeoutError(
            T("the adapter did not answer AT D or AT Z before the scan's time limit ran out"),
            request="ATZ",
            response=err.response,
            hint=T(
                "check that the adapter is plugged into the car and the baud rate is right; "
                "allow more time with {option}",
                option="--timeout SECONDS",
            ),
        )
    hint = (
        T(
            "check that the adapter is plugged into the car (it takes power from the OBD connector) and "
            "that the baud rate is right (38400 for most; some use 9600 or 115200)"
        )
        if has_baud(port)
        else T("check that the adapter is plugged into the car (it takes power from the OBD connector)")
    )
    return AdapterTimeoutError(
        T("the adapter did not answer AT D") if closed else T("the adapter did not answer AT D or AT Z"),
        request="ATD" if closed else "ATZ",
        response=err.response,
        hint=hint,
    )


def not_elm327(first: Sequence[str], port: object) -> AdapterNotELM327Error:
    """The device answered AT D, but neither ``OK`` nor an ELM327 banner."""
    return AdapterNotELM327Error(
        T("the device on this port does not answer like an ELM327"),
        request="ATD",
        response=first,
        hint=T("check that the port is the OBD-II adapter's and that the baud rate is right")
        if has_baud(port)
        else T("check that the port is the OBD-II adapter's"),
    )
