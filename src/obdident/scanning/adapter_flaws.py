"""Adapter flaws: when the adapter, not a unit of the car, kept a value from being read, say so once.

Cheap ELM327 clones depart from the datasheet in known ways (``hw-fixtures/quirks.md``). When one of those
ways costs the scan a value, the report names the adapter as the cause in one problem, in the owner's words,
with what a better adapter would do, instead of blaming the unit whose answer was lost ("garbled", "not
found", "stopped answering"). :data:`FLAWS` holds each flaw's problem code and words; :func:`note` files one
on a :class:`~obdident.scanning.state.ScanState`, once per code (the first detail is kept).

Sources of the flaws: ELM327 datasheet "Version History" (AT FC SH/SD/SM came with v1.1), FORScan forum
topic 1575 (clones that send only 2 bytes of longer requests), ioniq-app issue #16 (only the first frame of
a multi-frame answer), python-OBD issue #173 (answers one command late), PowerBroker2/ELMduino issue #69
(lock-up after AT TP A0).
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.elm327.driver import ELM327
from obdident.errors import AdapterReplyError, AdapterTimeoutError, IsoTpTruncatedError
from obdident.i18n import T, Text
from obdident.scanning.state import ScanState, UnitResult

__all__ = [
    "BETTER_ADAPTER",
    "DROPPING_STATUS",
    "FLAWS",
    "Flaw",
    "dropped",
    "first_frame_only",
    "lacks",
    "note",
    "stopped_answering",
    "truncated",
]

#: Status lines an adapter prints in place of a long answer it could not pass on (ELM327 datasheet,
#: "Messages"): its buffer filled, or it stopped.
DROPPING_STATUS = frozenset({"BUFFER FULL", "STOPPED"})

#: What a better adapter is, in a few words, for every flaw's advice.
BETTER_ADAPTER = T(
    "an adapter with a genuine ELM327 v1.4 or later, or an STN-based one (OBDLink, vLinker), which "
    "implements the whole datasheet"
)


@dataclass(frozen=True)
class Flaw:
    """One way an adapter can keep values from being read.

    Attributes:
        code: the problem code (stable kebab-case).
        cost: what it cost the scan, in the owner's words (a sentence, no full stop).
        better: what a better adapter does instead (a sentence, no full stop).
    """

    code: str
    cost: Text
    better: Text


#: Every flaw obdident names, by problem code.
FLAWS: dict[str, Flaw] = {
    flaw.code: flaw
    for flaw in (
        Flaw(
            "adapter-lacks-command",
            T("so answers longer than one frame from units other than the engine ECU could not be read"),
            T("sets the flow control for each unit (AT FC SH/SD/SM) and reads those answers whole"),
        ),
        Flaw(
            "adapter-truncates-requests",
            T("so the units heard only the start of each longer request and refused it as too short"),
            T("sends every byte of a request and reads the identification asked with 3-byte requests"),
        ),
        Flaw(
            "adapter-drops-frames",
            T("so answers longer than one frame could not be read"),
            T("passes every frame of a long answer on"),
        ),
        Flaw(
            "adapter-stopped-answering",
            T("so the scan stopped there"),
            T("does not freeze on a long answer"),
        ),
        Flaw(
            "adapter-answers-late",
            T("so no answer could be matched with its question and nothing was read"),
            T("answers each command before its prompt"),
        ),
    )
}


def note(state: ScanState, code: str, what: Text, detail: str | None = None) -> None:
    """File the flaw ``code`` once: the adapter as the cause, what it cost and what a better one does.

    Args:
        state: the scan's findings.
        code: a key of :data:`FLAWS`.
        what: what the adapter did, in the owner's words, starting with "Your adapter" (no full stop).
        detail: what exactly it did, for engineers (English), if anything.

    Raises:
        KeyError: an unknown code.
    """
    flaw = FLAWS[code]
    if any(problem.code == code for problem in state.problems):
        return
    state.problem(
        code,
        T(
            "{what}, {cost}. This is the adapter's limit, not the car's: what was read is kept. A better "
            "adapter ({better_adapter}) {better}.",
            what=what,
            cost=flaw.cost,
            better_adapter=BETTER_ADAPTER,
            better=flaw.better,
        ),
        detail=detail,
    )


def first_frame_only(state: ScanState, driver: ELM327, err: IsoTpTruncatedError) -> None:
    """A multi-frame answer stopped after its first frame: the adapter sent no flow control (it lacks AT FC
    SH/SD/SM) or passed on only the first frame."""
    if not driver.flow_control_supported:
        refused = ", ".join(c for c in driver.unsupported if c.startswith("ATFC")) or "AT FC SH/SD/SM"
        note(
            state,
            "adapter-lacks-command",
            T(
                "Your adapter does not know {commands} (it answered ?), the commands that let a unit other "
                "than the engine ECU send a long answer",
                commands=refused,
            ),
        )
        return
    note(state, "adapter-drops-frames", T("Your adapter passed on only the first frame of a long answer"))


def lacks(state: ScanState, err: AdapterReplyError) -> None:
    """A command the scan needs, with no stand-in, was answered ``?``; the scan stopped there."""
    note(
        state,
        "adapter-lacks-command",
        T(
            "Your adapter does not know {command} (it answered ?), and the scan cannot go on without it",
            command=err.request,
        )
        if err.request
        else T(
            "Your adapter does not know a command the scan needs (it answered ?), and the scan cannot go on "
            "without it"
        ),
    )


def dropped(state: ScanState, err: AdapterReplyError) -> None:
    """The adapter printed ``BUFFER FULL`` or ``STOPPED`` instead of an answer."""
    note(
        state,
        "adapter-drops-frames",
        T("Your adapter said {status} instead of passing on an answer", status=err.status),
    )


def truncated(state: ScanState, result: UnitResult) -> None:
    """A unit refused a request of 3 bytes or more as too short (``7F xx 13``) while 2-byte ones worked (this
    unit's, or the vehicle's answer to ``01 00``): the adapter's doing. Without a 2-byte answer to show the
    adapter passes requests on, each refusal is the unit's, as any negative response."""
    if not result.truncated:
        return
    if not (result.two_byte_answered or state.first_responders):
        for payload in result.truncated:
            state.problem(
                "negative-response",
                T("The {unit} refused a request for its identification.", unit=result.unit.name),
                detail=(
                    f"{payload.hex(' ').upper()}: 7F {payload[0]:02X} 13 "
                    "(IncorrectMessageLengthOrInvalidFormat)"
                ),
                response_id=result.unit.response_id,
            )
        return
    asked = result.truncated[0].hex(" ").upper()
    note(
        state,
        "adapter-truncates-requests",
        T(
            "Your adapter sends only the first 2 bytes of longer requests: the {unit} ({address}) refused "
            "them as too short, while 2-byte requests worked",
            unit=result.unit.name,
            address=result.unit.response_id,
        ),
        detail=(
            f"{result.unit.response_id} answered {asked} with 7F {asked[:2]} 13 (incorrect message length)"
        ),
    )


def stopped_answering(state: ScanState, err: AdapterTimeoutError) -> None:
    """The adapter stopped answering (no prompt before the command's deadline) and the scan stopped there."""
    note(
        state,
        "adapter-stopped-answering",
        T(
            "Your adapter stopped answering; unplug it, plug it back in and scan again. Some clones freeze "
            "for "
            "good on a long answer"
        ),
        detail=f"no answer to {err.request or 'a command'} in time",
    )
