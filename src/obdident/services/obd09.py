"""SAE J1979 (ISO 15031-5) service 09, "request vehicle information": pure builders and parsers.

Shapes (SAE J1979 service 09, ISO 15031-5 Annex G):

* ISO 15765-4 (CAN): one message per ECU, ``49 <InfoType> <NODI> <data...>`` where NODI is the number of
  data items (one VIN, n CALIDs of 16 bytes, n CVNs of 4 bytes, one ECU name of 20 bytes).
* J1850, ISO 9141-2, ISO 14230-4 ("legacy"): several messages per ECU, ``49 <InfoType> <seq> <4 bytes>``
  with seq from 1; the VIN's first message starts with three 0x00 fill bytes. InfoTypes 01, 03 and 05 give
  the number of messages that 02, 04 and 06 take.

Strings are decoded here, byte for byte: every character is kept ('0', '1' and '2' included) and only
trailing 0x00 padding is removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from obdident.errors import DecodeError

__all__ = [
    "CALID",
    "CVN",
    "ECU_NAME",
    "INFOTYPE_NAMES",
    "SUPPORTED",
    "VIN",
    "InfoTypeData",
    "build_request",
    "decode_ascii",
    "decode_ecu_name",
    "format_cvn",
    "parse_items",
    "parse_message_count",
    "parse_supported",
]

SID = 0x09
POSITIVE_SID = 0x49  # SID + 0x40, ISO 15031-5 §6.2
SUPPORTED, VIN_COUNT, VIN, CALID_COUNT, CALID, CVN_COUNT, CVN, ECU_NAME = (
    0x00,
    0x01,
    0x02,
    0x03,
    0x04,
    0x05,
    0x06,
    0x0A,
)

#: SAE J1979 service 09 InfoTypes obdident reads.
INFOTYPE_NAMES: dict[int, str] = {
    SUPPORTED: "supported InfoTypes 01-20",
    VIN_COUNT: "VIN message count",
    VIN: "vehicle identification number (VIN)",
    CALID_COUNT: "calibration ID message count",
    CALID: "calibration IDs (CALID)",
    CVN_COUNT: "calibration verification number message count",
    CVN: "calibration verification numbers (CVN)",
    ECU_NAME: "ECU name",
}

#: Bytes per data item (SAE J1979 service 09): VIN 17, CALID 16, CVN 4, ECU name 20.
ITEM_SIZES: dict[int, int] = {VIN: 17, CALID: 16, CVN: 4, ECU_NAME: 20}
_LEGACY_CHUNK = 4
_LEGACY_VIN_FILL = 3


@dataclass(frozen=True)
class InfoTypeData:
    """The data items of one InfoType from one ECU.

    Attributes:
        info_type: the InfoType (0x02 VIN ...).
        items: each data item's raw bytes, padding included.
    """

    info_type: int
    items: tuple[bytes, ...]


def build_request(info_type: int) -> bytes:
    """Build a service 09 request.

    Args:
        info_type: the InfoType, 0x00-0xFF.

    Returns:
        ``09 <InfoType>``.
    """
    if not 0 <= info_type <= 0xFF:
        raise ValueError(f"InfoType out of range: {info_type}")
    return bytes((SID, info_type))


def _check_header(payload: bytes, info_type: int, min_len: int) -> None:
    if len(payload) < min_len or payload[0] != POSITIVE_SID or payload[1] != info_type:
        raise DecodeError(
            f"not a service 09 InfoType {info_type:02X} answer: {payload.hex(' ').upper() or '(empty)'}"
        )


def parse_supported(payload: bytes) -> frozenset[int]:
    """Decode InfoType 00, the bitmap of supported InfoTypes 01-20.

    Args:
        payload: ``49 00 A B C D`` (CAN) or ``49 00 01 A B C D`` (legacy, with a message number).

    Returns:
        The supported InfoTypes: bit 7 of A is InfoType 01, bit 0 of D is 20 (SAE J1979 service 09,
        InfoType 00).

    Raises:
        DecodeError: wrong SID, InfoType or length.
    """
    _check_header(payload, SUPPORTED, 6)
    bitmap = payload[2:6] if len(payload) == 6 else payload[3:7]
    if len(bitmap) != 4 or len(payload) not in (6, 7):
        raise DecodeError(f"InfoType 00 answer has {len(payload)} bytes, expected 6 or 7")
    value = int.from_bytes(bitmap, "big")
    return frozenset(n for n in range(1, 33) if value & (1 << (32 - n)))


def parse_message_count(payload: bytes, info_type: int) -> int:
    """Decode a message-count InfoType (01, 03, 05: legacy protocols only).

    Args:
        payload: ``49 <InfoType> <count>``.
        info_type: 0x01, 0x03 or 0x05.

    Returns:
        The number of messages the matching data InfoType takes.

    Raises:
        DecodeError: wrong SID, InfoType or length.
    """
    _check_header(payload, info_type, 3)
    return payload[2]


def parse_items(messages: Sequence[bytes], info_type: int, *, legacy: bool) -> InfoTypeData:
    """Split one ECU's answer to a data InfoType (02 VIN, 04 CALID, 06 CVN, 0A ECU name) into items.

    Args:
        messages: the ECU's answer: one message on CAN, ``49 <InfoType> <seq> <4 bytes>`` messages on the
            legacy protocols (any order; they are sorted by seq).
        info_type: 0x02, 0x04, 0x06 or 0x0A.
        legacy: True on J1850, ISO 9141-2 and ISO 14230-4.

    Returns:
        The items, each of the InfoType's fixed size (SAE J1979 service 09).

    Raises:
        DecodeError: no message, a wrong SID or InfoType, or data that is not a whole number of items.
    """
    size = ITEM_SIZES[info_type]
    if not messages:
        raise DecodeError(f"no answer to InfoType {info_type:02X}")
    for message in messages:
        _check_header(message, info_type, 3)
    if legacy:
        ordered = sorted(messages, key=lambda m: m[2])
        data = b"".join(m[3:] for m in ordered)
        if info_type == VIN and len(data) == size + _LEGACY_VIN_FILL and not any(data[:_LEGACY_VIN_FILL]):
            data = data[_LEGACY_VIN_FILL:]
        declared = None
    else:
        if len(messages) != 1:
            raise DecodeError(f"{len(messages)} answers to InfoType {info_type:02X} from one ECU, expected 1")
        declared, data = messages[0][2], messages[0][3:]
    if not data or len(data) % size:
        raise DecodeError(
            f"InfoType {info_type:02X} carries {len(data)} bytes, not a whole number of {size}-byte items"
        )
    items = tuple(data[i : i + size] for i in range(0, len(data), size))
    if declared is not None and declared != len(items):
        raise DecodeError(f"InfoType {info_type:02X} declares {declared} items but carries {len(items)}")
    return InfoTypeData(info_type, items)


def decode_ascii(field: bytes) -> str | None:
    """Decode a fixed-size ASCII field: strip trailing 0x00 padding only, keep every other character.

    Args:
        field: the raw item (CALID, ECU name part).

    Returns:
        The text, or None when the field is empty after padding or holds a byte outside printable ASCII
        (0x20-0x7E); the raw bytes stay in the evidence either way.
    """
    text = field.rstrip(b"\x00")
    if not text or any(b < 0x20 or b > 0x7E for b in text):
        return None
    return text.decode("ascii")


def decode_ecu_name(field: bytes) -> str | None:
    """Decode InfoType 0A, the ECU name: a 4-byte acronym, ``-``, a 15-byte name (SAE J1979 InfoType 0A).

    Args:
        field: the 20-byte item.

    Returns:
        ``ECM-EngineControl``; each part stripped of trailing 0x00. None when not printable ASCII.
    """
    if len(field) == 20 and field[4:5] == b"-":
        acronym, name = decode_ascii(field[:4]), decode_ascii(field[5:])
        if acronym and name:
            return f"{acronym}-{name}"
    return decode_ascii(field)


def format_cvn(item: bytes) -> str:
    """Format a 4-byte CVN as 8 upper-case hex digits (SAE J1979 InfoType 06)."""
    return item.hex().upper()
