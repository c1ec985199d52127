"""Read, check and decode a vehicle identification number (VIN).

Standards:
    * ISO 3779: a VIN is 17 characters from ``0-9`` and ``A-Z`` without ``I``, ``O`` and ``Q``;
      positions 1-3 are the WMI, 4-9 the VDS, 10-17 the VIS.
    * ISO 3780: positions 1-2 give the region and country (see :mod:`obdident.vehicles.wmi`).
    * 49 CFR 565.15 (United States; applied throughout North America): position 9 is a check digit
      and position 10 codes the model year. Elsewhere neither is required.

:mod:`obdident.vehicles.vin_entry` checks what an owner types in (``--vin``, ``--model-year``) against the
same rules.

Nothing here guesses. A field that holds no VIN yields ``value=None`` and a reason; a decode step
that cannot be trusted yields None and a note saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from obdident.errors import InvalidVinError
from obdident.i18n import TN, T, Text
from obdident.vehicles.wmi import country_for, manufacturer_for

CheckDigitStatus = Literal["valid", "invalid", "not-required", "unknown"]

VIN_LENGTH = 17

#: Where an owner finds the VIN without an adapter (the report's advice when no ECU gave a usable one).
VIN_PLACES = T(
    "the plate at the bottom of the windscreen, the label on the driver's door pillar, or the "
    "registration document"
)

_VIN_RE = re.compile(r"[0-9A-HJ-NPR-Z]{17}")

# 49 CFR 565.15: value of each VIN character for the check digit (its transliteration table).
_TRANSLITERATION: dict[str, int] = {
    **{str(digit): digit for digit in range(10)},
    "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7, "H": 8,
    "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9,
    "S": 2, "T": 3, "U": 4, "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9,
}  # fmt: skip

# 49 CFR 565.15: weight of each position 1-17 (position 9, the check digit, weighs 0).
_WEIGHTS: tuple[int, ...] = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)

# 49 CFR 565.15: position 10 codes of the 1980-2009 cycle; the same code plus 30 years in
# 2010-2039. I, O, Q, U, Z and 0 are never used.
_MODEL_YEAR_1980_CYCLE: dict[str, int] = {
    code: 1980 + offset for offset, code in enumerate("ABCDEFGHJKLMNPRSTVWXY123456789")
}

# Positions 1 characters allotted to North America (ISO 3780), where 49 CFR 565 / CMVSS 115 apply.
_NORTH_AMERICA = frozenset("12345")

# Byte values ECUs send in place of a VIN they do not hold.
_FILLER_BYTES = frozenset({0x00, 0x1B, 0x20, 0xFF})
# Bytes some ECUs append after a complete 17-character VIN (the Nissan Leaf AZE0 pads with 0x1B).
_PADDING_BYTES = frozenset({0x1B, 0xFF})
# Strings written by factories, tools and emulators where no real VIN was programmed.
_KNOWN_PLACEHOLDERS = frozenset({"123456789ABCDEFGH", "00000000000000000"})

_MAX_RENDERED_BYTES = 64


@dataclass(frozen=True)
class VinField:
    """Result of reading a VIN field sent by an ECU.

    Attributes:
        value: the VIN (17 characters, ISO 3779), or None when not stored / not a VIN.
        problem: None when ``value`` is a usable VIN; otherwise the reason as an owner sentence (a Text), such
            as ``"the ECU reports no VIN stored (17 bytes of 0xFF)"``. Never contains control
            characters.
        placeholder: True when the field is a known placeholder or filler (no VIN stored).
    """

    value: str | None
    problem: str | None
    placeholder: bool


@dataclass(frozen=True)
class VinInfo:
    """What a structurally valid VIN says about the vehicle, and nothing more.

    Attributes:
        vin: the 17-character VIN.
        wmi: positions 1-3, the world manufacturer identifier (ISO 3780). When position 3 is ``9``
            the maker is a small manufacturer identified further by positions 12-14; ``wmi`` still
            holds three characters.
        vds: positions 4-9, the vehicle descriptor section (ISO 3779).
        vis: positions 10-17, the vehicle indicator section (ISO 3779).
        check_digit: position 9 against 49 CFR 565.15: ``"valid"`` or ``"invalid"`` for a North
            American VIN (position 1 is 1-5); elsewhere ``"valid"`` when it happens to match and
            ``"not-required"`` otherwise.
        region: ISO 3780 region of position 1, e.g. ``"Europe"``; None when not known.
        country: ISO 3780 country of positions 1-2, e.g. ``"United Kingdom"``; None when not known.
        manufacturer: holder of the WMI from the WMI table, e.g. ``"Nissan"``; None when the WMI is
            not in the table.
        model_year: model year from position 10, only where 49 CFR 565 applies and the code can be
            read; otherwise None.
        model_year_note: one sentence saying how ``model_year`` was found or why it is None.
    """

    vin: str
    wmi: str
    vds: str
    vis: str
    check_digit: CheckDigitStatus
    region: str | None
    country: str | None
    manufacturer: str | None
    model_year: int | None
    model_year_note: str


def is_valid_structure(vin: str) -> bool:
    """Tell whether a string has the ISO 3779 VIN structure.

    Args:
        vin: the candidate.

    Returns:
        True for exactly 17 characters from ``0-9`` and upper-case ``A-Z`` other than I, O and Q.
    """
    return _VIN_RE.fullmatch(vin) is not None


def is_north_american(vin: str) -> bool:
    """Whether position 1 is 1-5 (ISO 3780 North America), where 49 CFR 565.15 requires the check digit."""
    return vin[:1] in _NORTH_AMERICA


def is_placeholder(vin: str) -> bool:
    """Whether a 17-character string is what factories and tools write where no VIN was programmed
    (``00000000000000000``, ``123456789ABCDEFGH``, one character 17 times)."""
    return vin in _KNOWN_PLACEHOLDERS or (len(vin) == VIN_LENGTH and len(set(vin)) == 1)


def compute_check_digit(vin: str) -> str:
    """Compute the check digit that belongs in position 9 (49 CFR 565.15).

    Each character is transliterated to a number, multiplied by its position's weight
    (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2); the sum is divided by 11 and the
    remainder is the check digit, 10 being written ``X``. Position 9 itself weighs 0, so whatever
    it holds does not change the result.

    Args:
        vin: a 17-character VIN.

    Returns:
        ``"0"`` to ``"9"`` or ``"X"``.

    Raises:
        InvalidVinError: when ``vin`` is not a structurally valid ISO 3779 VIN.
    """
    if not is_valid_structure(vin):
        raise InvalidVinError(f"not a valid ISO 3779 VIN: {_render_text(vin)}")
    total = sum(_TRANSLITERATION[char] * weight for char, weight in zip(vin, _WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def decode_vin(vin: str) -> VinInfo:
    """Split and decode a VIN as far as the standards and the tables allow.

    Args:
        vin: a 17-character VIN, upper case.

    Returns:
        The decoded fields; anything that is not known or cannot be trusted is None.

    Raises:
        InvalidVinError: when ``vin`` is not a structurally valid ISO 3779 VIN.
    """
    if not is_valid_structure(vin):
        raise InvalidVinError(f"not a valid ISO 3779 VIN: {_render_text(vin)}")
    north_american = vin[0] in _NORTH_AMERICA
    matches = compute_check_digit(vin) == vin[8]
    status: CheckDigitStatus
    if matches:
        status = "valid"
    elif north_american:
        status = "invalid"
    else:
        status = "not-required"
    region, country = country_for(vin)
    model_year, note = _model_year(vin, status)
    return VinInfo(
        vin=vin,
        wmi=vin[0:3],
        vds=vin[3:9],
        vis=vin[9:17],
        check_digit=status,
        region=region,
        country=country,
        manufacturer=manufacturer_for(vin[0:3]),
        model_year=model_year,
        model_year_note=note,
    )


def _model_year(vin: str, status: CheckDigitStatus) -> tuple[int | None, Text]:
    """Read the model year from position 10 where 49 CFR 565.15 defines it.

    Args:
        vin: a structurally valid VIN.
        status: the VIN's check-digit status.

    Returns:
        ``(year, note)``; ``year`` is None with the reason in ``note`` when it cannot be trusted.
    """
    code = vin[9]
    if vin[0] not in _NORTH_AMERICA:
        return None, T("not encoded: only North-American VINs carry a model year (49 CFR 565.15)")
    if status == "invalid":
        return None, T("not decoded: the check digit does not match, so the VIN may be misread")
    first_cycle_year = _MODEL_YEAR_1980_CYCLE.get(code)
    if first_cycle_year is None:
        return None, T(
            "position 10 is '{code}', which 49 CFR 565.15 never uses as a model-year code", code=code
        )
    if vin[6].isdigit():
        return first_cycle_year, T(
            "position 10 '{code}', 1980-2009 cycle as position 7 is a digit (49 CFR 565.15; cars, MPVs, "
            "trucks up to 10,000 lb GVWR)",
            code=code,
        )
    return first_cycle_year + 30, T(
        "position 10 '{code}', 2010-2039 cycle as position 7 is a letter (49 CFR 565.15; cars, MPVs, "
        "trucks up to 10,000 lb GVWR)",
        code=code,
    )


def parse_vin_field(data: bytes) -> VinField:
    """Turn the raw bytes of a VIN field sent by an ECU into a VIN or a reason there is none.

    Only trailing 0x00 bytes are removed (never the characters ``0``, ``1`` or ``2``). Fill patterns
    (nothing, or only 0x00 / 0xFF / 0x1B / 0x20 bytes) and known placeholder strings mean no VIN is
    stored. 0x1B or 0xFF bytes after a complete 17-character VIN are padding and are dropped. Any
    other content must be a structurally valid ISO 3779 VIN to be returned.

    Args:
        data: the field as received, any length.

    Returns:
        A :class:`VinField`; this function never raises.
    """
    body = data.rstrip(b"\x00")
    if not data:
        return VinField(None, T("the ECU returned an empty VIN field"), placeholder=True)
    if not body:
        return VinField(None, _no_vin(data), placeholder=True)
    if set(body) <= _FILLER_BYTES:
        return VinField(None, _no_vin(body), placeholder=True)
    candidate = body
    if len(body) > VIN_LENGTH and set(body[VIN_LENGTH:]) <= _PADDING_BYTES:
        candidate = body[:VIN_LENGTH]
    if all(0x20 <= byte < 0x7F for byte in candidate):
        text = candidate.decode("ascii")
        if text in _KNOWN_PLACEHOLDERS or (len(text) == VIN_LENGTH and len(set(text)) == 1):
            problem = T('the ECU holds the placeholder "{value}", not a real VIN', value=_escape(candidate))
            return VinField(None, problem, placeholder=True)
        if is_valid_structure(text):
            return VinField(text, None, placeholder=False)
    return VinField(
        None,
        T(
            'not a valid ISO 3779 VIN: "{value}" ({reason})',
            value=_escape(body),
            reason=_structure_reason(candidate),
        ),
        placeholder=False,
    )


def _no_vin(data: bytes) -> Text:
    """Say no VIN is stored, naming the run of filler bytes, e.g. ``... (17 bytes of 0xFF)``.

    Args:
        data: non-empty bytes, all of them fillers.

    Returns:
        The sentence, with the count and the byte values as parameters.
    """
    kinds = sorted(set(data))
    if len(kinds) == 1:
        return TN(
            "the ECU reports no VIN stored ({n} byte of {value})",
            "the ECU reports no VIN stored ({n} bytes of {value})",
            len(data),
            value=f"0x{kinds[0]:02X}",
        )
    return TN(
        "the ECU reports no VIN stored ({n} filler byte: {values})",
        "the ECU reports no VIN stored ({n} filler bytes: {values})",
        len(data),
        values=tuple(f"0x{kind:02X}" for kind in kinds),
    )


def _structure_reason(candidate: bytes) -> Text:
    """Say in a few words why bytes are not an ISO 3779 VIN.

    Args:
        candidate: the bytes that were tested.

    Returns:
        A short phrase, e.g. ``"16 characters, a VIN has 17"``.
    """
    if any(not 0x20 <= byte < 0x7F for byte in candidate):
        return T("it contains non-printable bytes")
    if len(candidate) != VIN_LENGTH:
        return TN(
            "{n} character, a VIN has {length}",
            "{n} characters, a VIN has {length}",
            len(candidate),
            length=VIN_LENGTH,
        )
    text = candidate.decode("ascii")
    if any(char.islower() for char in text):
        return T("it contains lower-case letters")
    if any(char in "IOQ" for char in text):
        return T("it contains I, O or Q, which ISO 3779 excludes")
    return T("it contains characters other than 0-9 and A-Z")


def _escape(data: bytes) -> str:
    """Render bytes as printable ASCII with ``\\xNN`` escapes, shortened when long.

    Args:
        data: any bytes.

    Returns:
        Text with no control characters: printable ASCII is kept, backslash and double quote are
        escaped, every other byte is written ``\\xNN``.
    """
    shown = data[:_MAX_RENDERED_BYTES]
    parts: list[str] = []
    for byte in shown:
        if byte in (0x22, 0x5C):
            parts.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            parts.append(chr(byte))
        else:
            parts.append(f"\\x{byte:02x}")
    rendered = "".join(parts)
    if len(data) > len(shown):
        rendered += f"... ({len(data)} bytes)"
    return rendered


def _render_text(text: str) -> str:
    """Render a string for an error message without control characters.

    Args:
        text: any string.

    Returns:
        ``repr(text)``, shortened when long; ``repr`` escapes control characters.
    """
    if len(text) > _MAX_RENDERED_BYTES:
        return repr(text[:_MAX_RENDERED_BYTES]) + f"... ({len(text)} characters)"
    return repr(text)
