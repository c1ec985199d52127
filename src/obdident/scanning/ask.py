"""Asking: one bounded retry policy for busy, response-pending, slow and garbled answers.

A unit may answer ``7F xx 78`` (response pending: the answer follows), ``7F xx 21`` (busy: repeat the
request) (ISO 14229-1:2020 §A.1), or stay silent past the short probe timeout though it answered before.
:class:`RetryPolicy` decides, from what came back and what was tried, whether to ask again; its two
instances hold the limits: :data:`PHYSICAL` for one unit on its physical address (:class:`Asker`) and
:data:`FUNCTIONAL` for a functional request every ECU answers (:func:`ask_functional`). A garbled answer is
never repeated here: the runner skips that step and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from obdident.elm327.driver import ELM327
from obdident.elm327.isotp import can_frames
from obdident.elm327.lines import EcuMessage
from obdident.elm327.search import CAN_RECEIVE_TIMEOUT_HEX
from obdident.i18n import T
from obdident.model import Evidence
from obdident.scanning.state import Asked, ScanState, UnitResult
from obdident.services.common import BUSY_REPEAT_REQUEST, RESPONSE_PENDING, Negative, parse_negative

__all__ = [
    "FUNCTIONAL",
    "PHYSICAL",
    "PROBE_TIMEOUT_HEX",
    "UNDECODABLE",
    "UNDECODABLE_TEXT",
    "Asker",
    "RetryPolicy",
    "Tries",
    "ask_functional",
    "undecodable_detail",
    "waiting_kind",
]

#: Receive timeout while probing and reading physical addresses: 0x0E x 4.096 ms = 57.3 ms, just over the
#: ISO 15765-4 P2(CAN) of 50 ms (the longest a unit may take to answer), so an absent unit costs little
#: (ELM327 datasheet, AT ST). A present unit that misses it is asked once more with 205 ms. The same value
#: as the functional requests' (:data:`obdident.elm327.search.CAN_RECEIVE_TIMEOUT_HEX`): no AT ST between.
PROBE_TIMEOUT_HEX = CAN_RECEIVE_TIMEOUT_HEX

#: The problem code of an answer that arrived whole but could not be decoded: the step still ran to its end.
UNDECODABLE = "undecodable-answer"

Kind = Literal["pending", "busy", "silent"]

#: NRC 0x13 incorrectMessageLengthOrInvalidFormat (ISO 14229-1 Annex A.1; the same code in ISO 14230-3).
INCORRECT_LENGTH = 0x13


@dataclass
class Tries:
    """How often one request was repeated, per reason (``pending``, ``busy``, ``silent``)."""

    counts: dict[Kind, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Repeats of any kind."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class RetryPolicy:
    """The bounded repeats of one request.

    Attributes:
        max_pending: repeats after ``7F xx 78`` (ISO 14229-2 P2*(server) is 5 s).
        max_busy: repeats after ``7F xx 21``.
        max_silent: repeats, with :attr:`slow_timeout_hex`, for a unit that answered before and is silent.
        max_total: repeats of any kind, or None for no limit beyond the per-kind ones.
        pending_timeout_hex: the AT ST receive timeout while an answer is pending, or None to keep it.
        slow_timeout_hex: the AT ST receive timeout of a repeat after silence.
    """

    max_pending: int
    max_busy: int
    max_silent: int = 0
    max_total: int | None = None
    pending_timeout_hex: str | None = None
    slow_timeout_hex: str | None = None

    def again(self, kind: Kind, tries: Tries) -> bool:
        """Whether to ask once more after a ``kind`` answer; counts the repeat in ``tries`` when so."""
        limit = {"pending": self.max_pending, "busy": self.max_busy, "silent": self.max_silent}[kind]
        done = tries.counts.get(kind, 0)
        if done >= limit or (self.max_total is not None and tries.total >= self.max_total):
            return False
        tries.counts[kind] = done + 1
        return True


#: One unit on its physical address: two long waits after 78 (enough for identification), three repeats
#: when busy, one slower try (0x32 x 4.096 ms = 205 ms) after silence; pending waits use 0xFF (1.04 s).
PHYSICAL = RetryPolicy(
    max_pending=2, max_busy=3, max_silent=1, pending_timeout_hex="FF", slow_timeout_hex="32"
)
#: A functional request: three repeats in all for the ECUs still busy or pending.
FUNCTIONAL = RetryPolicy(max_pending=3, max_busy=3, max_total=3)


def waiting_kind(negative: Negative | None) -> Kind | None:
    """``pending`` or ``busy`` for a negative answer that asks to be asked again, else None."""
    if negative is None:
        return None
    if negative.nrc == RESPONSE_PENDING:
        return "pending"
    if negative.nrc == BUSY_REPEAT_REQUEST:
        return "busy"
    return None


def _code(kind: Kind) -> str:
    return "busy" if kind == "busy" else "response-pending-storm"


#: The owner's sentence of an undecodable answer (:data:`UNDECODABLE`).
UNDECODABLE_TEXT = T("An answer could not be decoded: that value is missing, and the scan went on.")


def undecodable_detail(request: str, answer: Sequence[str], err: Exception) -> str:
    """The engineers' detail of an undecodable answer: the raw request, what was wrong, the answer's lines.

    Args:
        request: the request as hex (``09 02``).
        answer: the lines (or hex payload) that carried the answer, masked.
        err: what the decoder found wrong.
    """
    shown = " / ".join(answer) or "nothing"
    return f"the answer to {request} could not be decoded ({err}); answer: {shown}"


def ask_functional(
    driver: ELM327, state: ScanState, payload: bytes, expected: int | None, policy: RetryPolicy = FUNCTIONAL
) -> dict[str, list[EcuMessage]]:
    """A functional request, repeated (bounded) for the ECUs that answered busy or response-pending.

    Args:
        driver: a driver on functional addressing.
        state: where each ECU's evidence and problems go.
        payload: the request.
        expected: the response-count digit for the first try, or None.
        policy: the limits.

    Returns:
        Response id -> that ECU's messages; an ECU still busy or pending at the end is left out (a problem
        says so).
    """
    by_ecu = state.record(driver.request(payload, expected_frames=expected))
    tries: dict[str, Tries] = {}
    while True:
        waiting = {
            rid: (negative, kind)
            for rid, messages in by_ecu.items()
            if (kind := waiting_kind(negative := parse_negative(messages[-1].payload))) is not None
        }
        for rid, (negative, kind) in list(waiting.items()):
            if not policy.again(kind, tries.setdefault(rid, Tries())):
                state.problem(
                    _code(kind),
                    T("The unit {unit} kept saying its answer would follow and never gave it.", unit=rid)
                    if kind == "pending"
                    else T("The unit {unit} kept saying it was busy and never gave its answer.", unit=rid),
                    detail=f"{rid} answered {payload.hex(' ').upper()} with {negative} every time",
                    response_id=rid,
                )
                del by_ecu[rid], waiting[rid]
        if not waiting:
            return by_ecu
        again = state.record(driver.request(payload))
        for rid in waiting:
            if rid in again:
                by_ecu[rid] = again[rid]


class Asker:
    """Asks the addressed unit, keeps its evidence, and repeats within :data:`PHYSICAL`'s limits."""

    def __init__(self, driver: ELM327, result: UnitResult, policy: RetryPolicy = PHYSICAL) -> None:
        self.driver = driver
        self.result = result
        self.policy = policy

    def _send(self, payload: bytes, frames: int | None) -> list[EcuMessage]:
        response = self.driver.request(payload, expected_frames=frames)
        own = [m for m in response.messages if m.response_id == self.result.unit.response_id]
        unique = tuple(dict.fromkeys(line for m in own for line in m.lines))
        evidence = Evidence(response.exchange.request, unique or response.exchange.lines)
        self.result.asked.append(Asked(payload, evidence))
        return own

    def ask(
        self,
        payload: bytes,
        answer_bytes: int | None = None,
        *,
        silence_answers: bool = False,
        any_answer: bool = False,
    ) -> EcuMessage | None:
        """The unit's final answer to ``payload``, or None when it gave none.

        Args:
            payload: the request.
            answer_bytes: the usual length of the positive answer, when known: the response-count digit
                then lets the adapter return at once (a longer answer is read again in full).
            silence_answers: silence is a normal answer to this request (a head unit that ignores a
                service it lacks): not repeated, and no ``stopped-answering`` problem.
            any_answer: any answer will do, even busy or response-pending (the presence request: it only
                shows the unit is there): nothing is repeated and no problem filed.

        Raises:
            TransportError, AdapterError: the link or adapter failed (the evidence so far is kept).
        """
        result, policy, tries = self.result, self.policy, Tries()
        frames = can_frames(answer_bytes) if answer_bytes else None
        while True:
            own = self._send(payload, None if tries.total else frames)
            if not own:
                if silence_answers:
                    self._restore_timeout()
                    return None
                answered = result.present and not result.presence_only
                if answered and policy.again("silent", tries):
                    if policy.slow_timeout_hex is not None:
                        self.driver.set_receive_timeout(policy.slow_timeout_hex)
                    continue
                self._restore_timeout()
                if answered:
                    result.problem(
                        "stopped-answering",
                        T(
                            "The {unit} answered before but then stopped (was the ignition switched off?); "
                            "what it gave before is kept.",
                            unit=result.unit.name,
                        ),
                        detail=f"no answer to {payload.hex(' ').upper()}",
                    )
                return None
            final = own[-1]
            negative = parse_negative(final.payload)
            result.two_byte_answered |= negative is None and len(payload) == 2
            if negative is not None and negative.nrc == INCORRECT_LENGTH and len(payload) > 2:
                # a whole, well-formed request refused as too short: the adapter sent only its start
                # (adapter_flaws, FORScan forum topic 1575); the runner names the adapter, not the unit
                result.truncated.append(payload)
                result.present, result.presence_only = True, False
                self._restore_timeout()
                return None
            kind = None if any_answer else waiting_kind(negative)
            if kind is not None:
                if policy.again(kind, tries):
                    if kind == "pending" and policy.pending_timeout_hex is not None:
                        self.driver.set_receive_timeout(policy.pending_timeout_hex)
                    continue
                asked = tries.counts.get(kind, 0) + 1
                result.problem(
                    _code(kind),
                    T(
                        "The {unit} kept saying its answer would follow and never gave it.",
                        unit=result.unit.name,
                    )
                    if kind == "pending"
                    else T(
                        "The {unit} kept saying it was busy and never gave its answer.", unit=result.unit.name
                    ),
                    detail=f"{payload.hex(' ').upper()}: {negative}; asked {asked} times",
                )
            self._restore_timeout()
            result.present, result.presence_only = True, False
            return final

    def _restore_timeout(self) -> None:
        self.driver.set_receive_timeout(PROBE_TIMEOUT_HEX)

    def undecodable(self, request: bytes, answer: Sequence[str], err: Exception) -> None:
        """File an answer that arrived whole but could not be decoded."""
        self.result.problem(
            UNDECODABLE,
            UNDECODABLE_TEXT,
            detail=undecodable_detail(request.hex(" ").upper(), answer, err),
        )
