"""What the diagnostic services share: negative responses (ISO 14229-1 §8.6, ISO 14230-3) and how
identification bytes are shown.

A negative response is ``7F <SID> <NRC>`` in both ISO 14229-1 (UDS, §A.1) and ISO 14230-3 (KWP2000).
NRC names come from udsoncan's table of ISO 14229-1 codes; the few KWP2000 codes that differ are named
here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "BUSY_REPEAT_REQUEST",
    "NEGATIVE_SID",
    "RESPONSE_PENDING",
    "Negative",
    "nrc_name",
    "parse_negative",
    "render",
]

NEGATIVE_SID = 0x7F
BUSY_REPEAT_REQUEST = 0x21
RESPONSE_PENDING = 0x78

# ISO 14230-3 (KWP2000) codes whose meaning differs from ISO 14229-1 or that it leaves unnamed.
_KWP_NAMES = {
    0x80: "ServiceNotSupportedInActiveDiagnosticMode",
}


def nrc_name(code: int) -> str:
    """Name a negative response code.

    Args:
        code: the NRC byte.

    Returns:
        The ISO 14229-1 name (udsoncan's table), the ISO 14230-3 name for KWP2000-only codes, or
        ``NRC 0xNN`` when neither names it.
    """
    if code in _KWP_NAMES:
        return _KWP_NAMES[code]
    from udsoncan.Response import Response

    name = Response.Code.get_name(code)
    return name if name and not name.isdigit() else f"NRC 0x{code:02X}"


@dataclass(frozen=True)
class Negative:
    """A negative response.

    Attributes:
        sid: the request SID it answers.
        nrc: the negative response code.
    """

    sid: int
    nrc: int

    @property
    def name(self) -> str:
        """The NRC's name (:func:`nrc_name`)."""
        return nrc_name(self.nrc)

    def __str__(self) -> str:
        return f"7F {self.sid:02X} {self.nrc:02X} ({self.name})"


def parse_negative(payload: bytes) -> Negative | None:
    """Return the negative response ``payload`` holds, or None when it is not one.

    Args:
        payload: a complete message, SID first.
    """
    if len(payload) >= 3 and payload[0] == NEGATIVE_SID:
        return Negative(payload[1], payload[2])
    return None


Encoding = Literal["ascii", "hex", "auto"]
_PAD = b"\x00\x20\xff"


def _printable(data: bytes) -> bool:
    return bool(data) and all(0x20 <= b <= 0x7E for b in data)


def render(data: bytes, encoding: Encoding = "auto", masked: Collection[int] = ()) -> str:
    """Show identification bytes as text a person can copy.

    Args:
        data: the field's bytes.
        encoding: ``ascii`` for text fields, ``hex`` for numbers and codes, ``auto`` for fields seen as
            either (text when every byte after trailing 0x00/0x20/0xFF padding is printable ASCII).
        masked: indexes into ``data`` that were masked as security data: shown as ``**``, and such a field
            is always shown in hex.

    Returns:
        The text (padding stripped), or upper-case hex digits; masked bytes as ``**``.
    """
    if not masked and encoding != "hex":
        text = data.rstrip(_PAD)
        if _printable(text):
            return text.decode("ascii")
    return "".join("**" if i in masked else f"{b:02X}" for i, b in enumerate(data))
