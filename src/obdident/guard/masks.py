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


def masked_response_ids() -> frozenset[str]:
    """The response ids whose answers may hold masked fields: their frames must have ISO 15765-2 lengths, and
    their frames that carry no message are masked whole (:mod:`obdident.elm327.masking`)."""
    return frozenset(rule.response_id for rule in MASKS)
