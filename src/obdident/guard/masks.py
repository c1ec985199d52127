"""Response fields known to carry security data, which the driver masks (:mod:`obdident.elm327.masking`).

Part of :mod:`obdident.guard`.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.guard.rules import EVIDENCE


@dataclass(frozen=True)
class MaskRule:
    """A response field known to carry security data, masked before anything leaves the driver.

    Attributes:
        name: what the field is.
        response_id: the unit that sends it, upper-case hex.
        prefix: the positive response it sits in (SID + identifier).
        offsets: the payload byte offsets (0 = the response SID) to mask.
        source: where the field's meaning is documented.
    """

    name: str
    response_id: str
    prefix: bytes
    offsets: tuple[int, ...]
    source: str


#: Security-bearing response fields. The driver replaces these bytes, and every other payload byte of the
#: frames that carry them, in the lines it keeps and marks them masked in the payloads it decodes; an
#: answer from which they cannot be located is masked whole (:mod:`obdident.elm327.masking`).
MASKS: tuple[MaskRule, ...] = (
    MaskRule(
        "Nissan BCM encrypted PIN (61 83 bytes L-M)",
        "765",
        b"\x61\x83",
        (13, 14),
        "balrog-kun/nissan-qashqai-can-info; " + EVIDENCE + " section 6",
    ),
)


def mask_offsets(response_id: str, payload: bytes) -> tuple[int, ...]:
    """Return the payload offsets that :data:`MASKS` says hold security data.

    Args:
        response_id: the sender, upper-case hex.
        payload: the complete message, response SID first.

    Returns:
        Sorted offsets inside ``payload``; empty when no mask rule applies.
    """
    found: set[int] = set()
    for rule in MASKS:
        if rule.response_id == response_id.upper() and payload.startswith(rule.prefix):
            found.update(o for o in rule.offsets if o < len(payload))
    return tuple(sorted(found))


def garbled_offsets(response_id: str, payload: bytes, request: str | None) -> tuple[int, ...]:
    """The payload offsets to mask in an answer whose prefix may have been garbled on the way.

    A digit lost and another gained inside the first frame's line can turn ``61 83`` into bytes no rule
    names while the message still reads. So every answer from a rule's unit to the rule's request (``21 83``
    for a ``61 83`` field; a trailing response-count digit allowed), or to a request that is not known, has
    the rule's offsets masked whatever it starts with; only a negative response (``7F`` SID NRC, 3 bytes)
    is left as it is.

    Args:
        response_id: the sender, upper-case hex.
        payload: the complete message (or the part of it that arrived), response SID first.
        request: the request sent, canonical hex (``2183``, ``21834``), or None when unknown.

    Returns:
        Sorted offsets inside ``payload``; empty when no rule applies.
    """
    if len(payload) == 3 and payload[0] == 0x7F:
        return ()
    found: set[int] = set()
    for rule in MASKS:
        if rule.response_id == response_id.upper() and _asks(rule, request):
            found.update(o for o in rule.offsets if o < len(payload))
    return tuple(sorted(found))


def may_carry_field(request: str | None) -> bool:
    """The answer to ``request`` may hold a field of :data:`MASKS`: the request is a rule's own (``21 83`` for
    a ``61 83`` field; a trailing response-count digit allowed) or is not known.

    The masking then fails closed on an answer with frames lost or garbled (:mod:`obdident.elm327.masking`).

    Args:
        request: the request sent, canonical hex (``2183``), or None when unknown.
    """
    return any(_asks(rule, request) for rule in MASKS)


def shaped_like_field_answer(
    response_id: str, payload: bytes, request: str | None, *, complete: bool
) -> bool:
    """Whether a message from a rule's unit, in the answer to a request that may reach the rule's field, has
    the shape of an answer that request gets, so that it may be read by position: a negative response to the
    request (``7F``, its SID, an NRC: 3 bytes), a complete message long enough to hold the field, or the
    first part of a message cut short that starts with the field's prefix (``61 83``).

    A shorter positive message cannot hold the field where the rule says, so a garbled frame of the field's
    answer may be what it is (``765 22 A5 5A`` read as ``765 01 A5`` and padding): it is masked whole.

    Args:
        response_id: the sender, upper-case hex.
        payload: the message (or the part of it that arrived), response SID first.
        request: the request sent, canonical hex, or None when unknown.
        complete: the message arrived whole.
    """
    for rule in MASKS:
        if rule.response_id != response_id.upper() or not _asks(rule, request):
            continue
        sid = rule.prefix[0] - 0x40
        if complete and len(payload) == 3 and payload[:2] == bytes([0x7F, sid]):
            return True
        if complete and len(payload) > max(rule.offsets):
            return True
        if not complete and payload.startswith(rule.prefix):
            return True
    return False


def _asks(rule: MaskRule, request: str | None) -> bool:
    """``request`` is the rule's request (the response SID minus 0x40, then the identifier), or None."""
    asked = bytes([rule.prefix[0] - 0x40]) + rule.prefix[1:]
    return request is None or request.replace(" ", "").upper().startswith(asked.hex().upper())


def masked_response_ids() -> frozenset[str]:
    """The response ids whose answers may hold masked fields: their frames must have ISO 15765-2 lengths, and
    their frames that carry no message are masked whole (:mod:`obdident.elm327.masking`)."""
    return frozenset(rule.response_id for rule in MASKS)
