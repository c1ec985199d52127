"""ISO 14230-3 (KWP2000) identification reads: service 21 local identifiers and service 1A, pure build and
parse, with Nissan's layout of ``21 83``.

``21 <LID>`` answers ``61 <LID> <data>``; ``1A <option>`` answers ``5A <option> <data>``; ``10 <session>``
answers ``50 <session>``. Nissan's ``61 83`` layout (24 data bytes, A to X) comes from a public capture of a
Qashqai J10 (balrog-kun/nissan-qashqai-can-info; shared/evidence/nissan-identification.md section 2). The
Renault-Nissan alliance identification ``61 80`` (DDT2000 "DataRead.Identification.RenaultR2", 24 data
bytes) comes from fesch/CanZE's field tables and pyren's ``mod_scan_ecus.py`` (research/headunit.md §2.1).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from obdident.errors import DecodeError
from obdident.services.common import Encoding, render

__all__ = [
    "ALLIANCE_80_FIELDS",
    "EXPECTED_ANSWER_BYTES",
    "LIDS",
    "MANUFACTURER_CODES",
    "NISSAN_83_FIELDS",
    "Field",
    "build_read_ecu_id",
    "build_read_lid",
    "build_session",
    "decode_alliance_80",
    "decode_nissan_83",
    "ecu_id_key",
    "parse_read_ecu_id",
    "parse_read_lid",
    "parse_session",
]

READ_LID, READ_ECU_ID, SESSION = 0x21, 0x1A, 0x10
_POSITIVE = 0x40

#: Local identifiers read for identification, with their report keys. 83 is decoded field by field.
LIDS: dict[int, str] = {
    0x80: "product_number",  # Renault-built ECMs: "BB36AF4BE0669R" on a J10 (evidence section 2)
    0x81: "vin",  # Leaf VCM, J10 ECM (evidence section 2)
    0x83: "nissan_identification",
    0xF0: "local_identifier_f0",
    0xF1: "local_identifier_f1",
    0xFE: "product_number_fe",  # Renault-built ECMs: same product number as 21 80 on the J10
    0xFF: "hardware_number",  # Renault-built ECMs: "BB31ANMUK" on a J10
}


@dataclass(frozen=True)
class Field:
    """One field of Nissan's ``61 83`` answer.

    Attributes:
        key: its key in the report.
        start: offset in the 24 data bytes after ``61 83`` (A = 0).
        length: bytes.
        encoding: how it is shown (:func:`obdident.services.common.render`).
    """

    key: str
    start: int
    length: int
    encoding: Encoding


#: balrog-kun J10 capture: A-E part-number suffix, F diag id, G-I supplier code, J-N hardware id,
#: O-P software id, Q-R edition, S-T calibration id. The captured units show J-T both as text and as
#: binary, hence ``auto``. U-X are not identified: not reported.
NISSAN_83_FIELDS: tuple[Field, ...] = (
    Field("part_number_suffix", 0, 5, "ascii"),
    Field("diag_id", 5, 1, "hex"),
    Field("supplier_code", 6, 3, "hex"),
    Field("hardware_id", 9, 5, "auto"),
    Field("software_id", 14, 2, "auto"),
    Field("edition", 16, 2, "auto"),
    Field("calibration_id", 18, 2, "auto"),
)
_NISSAN_83_LENGTH = 24

#: The alliance identification ``61 80`` (DDT2000 "DataRead.Identification.RenaultR2"), offsets into the 24
#: data bytes after ``61 80`` (research/headunit.md §2.1 counts from the ``61`` byte: subtract 2). Sources:
#: fesch/CanZE ``EcuDiag*.java`` field tables (``2180,6180`` rows) and anatoliis/pyren ``mod_scan_ecus.py``
#: (its sample ``61 80 34 36 33 32 52 45 34 42 45 ...`` decodes to part "4632R", diag 45, supplier "4BE").
#: Bytes 20-22 (offsets 20-22) index ECU-specific DDT2000 lists (basic parts of part, hardware, approval
#: numbers): kept as hex, their meaning needs the unit's database file.
ALLIANCE_80_FIELDS: tuple[Field, ...] = (
    Field("part_number_suffix", 0, 5, "auto"),  # PartNumber.LowerPart: 5 ASCII (old Renault: BCD digits)
    Field("diag_id", 5, 1, "hex"),  # DiagnosticIdentificationCode
    Field("supplier_code", 6, 3, "auto"),  # SupplierNumber.ITG: 3 ASCII ("AMR", "037")
    Field("hardware_id", 9, 5, "auto"),  # HardwareNumber.LowerPart: 5 ASCII
    Field("software_id", 14, 2, "hex"),  # SoftwareNumber
    Field("edition", 16, 2, "hex"),  # EditionNumber (ddt4all: "VERSION")
    Field("calibration_id", 18, 2, "hex"),  # CalibrationNumber
    Field("part_number_list_index", 20, 1, "hex"),  # PartNumber.BasicPartList
    Field("hardware_number_list_index", 21, 1, "hex"),  # HardwareNumber.BasicPartList
    Field("approval_number_list_index", 22, 1, "hex"),  # ApprovalNumber.BasicPartList
    Field("manufacturer_code", 23, 1, "hex"),  # ManufacturerIdentificationCode
)
_ALLIANCE_80_LENGTH = 24

#: ManufacturerIdentificationCode (``61 80`` last byte) as fesch/CanZE lists it (research/headunit.md §2.1).
MANUFACTURER_CODES: dict[int, str] = {
    0x00: "Renault R1",
    0x80: "Nissan N1",
    0x81: "Nissan N2",
    0x82: "Nissan N3",
    0x88: "5DIGITS R2",
    0xFF: "Renault R3",
}

#: The usual length of each LID's positive answer (SID, LID and data), from the public captures (evidence
#: section 2): 61 83 + 24, 61 81 + 19 (VIN and two padding bytes), 61 80 / 61 FE + 14, 61 FF + 9. Used only
#: to guess the response-count digit; a longer answer is read again in full.
EXPECTED_ANSWER_BYTES: dict[int, int] = {0x83: 26, 0x81: 21, 0x80: 16, 0xFE: 16, 0xFF: 11}


def build_read_lid(lid: int) -> bytes:
    """Build ``21 <LID>`` (ISO 14230-3 ReadDataByLocalIdentifier).

    Raises:
        ValueError: not an identification LID obdident reads (the guard would refuse it too).
    """
    if lid not in LIDS:
        raise ValueError(f"0x{lid:02X} is not an identification local identifier")
    return bytes((READ_LID, lid))


def _parse(payload: bytes, sid: int, ident: int, what: str) -> bytes:
    if len(payload) < 2 or payload[0] != sid + _POSITIVE or payload[1] != ident:
        raise DecodeError(f"not an answer to {what}: {payload.hex(' ').upper() or '(empty)'}")
    return payload[2:]


def parse_read_lid(payload: bytes, lid: int) -> bytes:
    """Return the data of ``61 <LID> <data>``.

    Raises:
        DecodeError: not a positive answer for ``lid``.
    """
    return _parse(payload, READ_LID, lid, f"21 {lid:02X}")


def build_read_ecu_id(option: int) -> bytes:
    """Build ``1A <option>`` (ISO 14230-3 ReadEcuIdentification), option 0x80-0x9F.

    Raises:
        ValueError: option outside 0x80-0x9F.
    """
    if not 0x80 <= option <= 0x9F:
        raise ValueError(f"0x{option:02X} is not an identification option (80-9F)")
    return bytes((READ_ECU_ID, option))


def parse_read_ecu_id(payload: bytes, option: int) -> bytes:
    """Return the data of ``5A <option> <data>``.

    Raises:
        DecodeError: not a positive answer for ``option``.
    """
    return _parse(payload, READ_ECU_ID, option, f"1A {option:02X}")


def ecu_id_key(option: int) -> str:
    """The report key of a ``1A`` option: ``ecu_id`` for Nissan's 0x81 (fenugrec/nisprog), else
    ``ecu_identification_<option>``."""
    return "ecu_id" if option == 0x81 else f"ecu_identification_{option:02x}"


def build_session(session: int) -> bytes:
    """Build ``10 <session>`` (DiagnosticSessionControl / StartDiagnosticSession)."""
    return bytes((SESSION, session))


def parse_session(payload: bytes, session: int) -> None:
    """Check ``50 <session> ...``.

    Raises:
        DecodeError: not a positive answer for ``session``.
    """
    _parse(payload, SESSION, session, f"10 {session:02X}")


def decode_nissan_83(data: bytes, masked: Collection[int] = ()) -> dict[str, str]:
    """Decode Nissan's ``61 83`` ECU identification.

    Args:
        data: the bytes after ``61 83`` (24 on the captured units).
        masked: indexes into ``data`` masked as security data (the BCM's bytes L-M).

    Returns:
        ``part_number_suffix``, ``diag_id``, ``supplier_code``, ``hardware_id``, ``software_id``,
        ``edition``, ``calibration_id``; only the fields the data covers. The full part number
        (``NNNNN-suffix``) is not in this answer and is not reported.

    Raises:
        DecodeError: fewer than the 5 bytes of the part-number suffix.
    """
    if len(data) < 5:
        raise DecodeError(f"61 83 answer too short ({len(data)} bytes) for Nissan's layout")
    fields: dict[str, str] = {}
    for f in NISSAN_83_FIELDS:
        chunk = data[f.start : f.start + f.length]
        if len(chunk) < f.length:
            break
        inside = {i - f.start for i in masked if f.start <= i < f.start + f.length}
        fields[f.key] = render(chunk, f.encoding, inside)
    if len(data) != _NISSAN_83_LENGTH:
        fields["layout_note"] = f"{len(data)} data bytes where the captured layout has 24"
    return fields


def decode_alliance_80(data: bytes, masked: Collection[int] = ()) -> dict[str, str]:
    """Decode the Renault-Nissan alliance identification ``61 80`` (24 data bytes).

    Args:
        data: the bytes after ``61 80``.
        masked: indexes into ``data`` masked as security data (shown as ``**``).

    Returns:
        The fields of :data:`ALLIANCE_80_FIELDS` (``part_number_suffix`` is the part number's lower five
        characters; the upper five are not in the answer), ``manufacturer`` when the code is a known one, and
        ``alliance_identification_raw``: the 24 bytes in hex, kept because the layout is read from public
        code, not from a Nissan capture.

    Raises:
        DecodeError: not 24 bytes (a Renault-built ECM answers ``21 80`` with a 14-byte product number, a
            different layout: the caller keeps that as ``product_number``).

    Source: fesch/CanZE ``EcuDiag*.java``; anatoliis/pyren ``mod_scan_ecus.py`` (research/headunit.md §2.1).
    """
    if len(data) != _ALLIANCE_80_LENGTH:
        raise DecodeError(
            f"61 80 answer of {len(data)} data bytes; the alliance identification layout has "
            f"{_ALLIANCE_80_LENGTH}"
        )
    fields: dict[str, str] = {}
    for f in ALLIANCE_80_FIELDS:
        inside = {i - f.start for i in masked if f.start <= i < f.start + f.length}
        fields[f.key] = render(data[f.start : f.start + f.length], f.encoding, inside)
    if 23 not in masked and data[23] in MANUFACTURER_CODES:
        fields["manufacturer"] = MANUFACTURER_CODES[data[23]]
    fields["alliance_identification_raw"] = "".join(
        "**" if i in masked else f"{b:02X}" for i, b in enumerate(data)
    )
    return fields
