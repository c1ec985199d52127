"""Tests for obdident.vehicles.vin and obdident.vehicles.wmi (ISO 3779, ISO 3780, 49 CFR 565.15)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from obdident.errors import InvalidVinError
from obdident.vehicles.vin import (
    VinField,
    compute_check_digit,
    decode_vin,
    is_valid_structure,
    parse_vin_field,
)
from obdident.vehicles.wmi import VIN_ALPHABET, country_for, manufacturer_for, region_for

# The classic worked example of 49 CFR 565: 1M8GDM9A?KP042788.
# values   1  4  8  7  4  4  9  1  -  2  7  0  4  2  7  8  8   (M=4 G=7 D=4 A=1 K=2 P=7)
# weights  8  7  6  5  4  3  2 10  0  9  8  7  6  5  4  3  2
# products 8 28 48 35 16 12 18 10  0 18 56  0 24 10 28 24 16   sum 351 = 31*11 + 10 -> 'X'
CLASSIC = "1M8GDM9AXKP042788"

# Constructed Leaf-style US VIN that starts with '1' and ends with '0': 1N4AZ0CP?DC412340.
# values   1  5  4  1  9  0  3  7  -  4  3  4  1  2  3  4  0   (N=5 A=1 Z=9 C=3 P=7 D=4)
# products 8 35 24  5 36  0  6 70  0 36 24 28  6 10 12 12  0   sum 312 = 28*11 + 4 -> '4'
LEAF_US = "1N4AZ0CP4DC412340"
LEAF_US_BAD = "1N4AZ0CP5DC412340"

# Constructed European Leaf-style VIN from Sunderland: SJNFAAZE?U6012345 (position 10 'U').
# values   2  1  5  6  1  1  9  5  -  4  6  0  1  2  3  4  5   (S=2 J=1 N=5 F=6 Z=9 E=5 U=4)
# products 16 7 30 30  4  3 18 50  0 36 48  0  6 10 12 12 10   sum 292 = 26*11 + 6 -> '6'
LEAF_EU = "SJNFAAZE0U6012345"  # position 9 holds '0', not '6': allowed outside North America
LEAF_EU_MATCHING = "SJNFAAZE6U6012345"

vins = st.text(alphabet=VIN_ALPHABET, min_size=17, max_size=17)


@pytest.mark.parametrize(
    ("vin", "digit"),
    [(CLASSIC, "X"), (LEAF_US, "4"), (LEAF_US_BAD, "4"), (LEAF_EU, "6"), ("11111111111111111", "1")],
)
def test_check_digit_worked_by_hand(vin: str, digit: str) -> None:
    assert compute_check_digit(vin) == digit


@pytest.mark.parametrize(
    "bad",
    [
        "1M8GDM9AXKP04278",
        "1M8GDM9AXKP0427888",
        "1m8gdm9axkp042788",
        "1M8GDM9AXKP0427O8",
        "",
        "1M8GDM9AXKP04278 ",
    ],
)
def test_malformed_vins_raise(bad: str) -> None:
    assert not is_valid_structure(bad)
    with pytest.raises(InvalidVinError):
        compute_check_digit(bad)
    with pytest.raises(InvalidVinError):
        decode_vin(bad)


def test_structure_rejects_i_o_q_and_trailing_newline() -> None:
    assert is_valid_structure(CLASSIC)
    for letter in "IOQ":
        assert not is_valid_structure(CLASSIC[:16] + letter)
    assert not is_valid_structure(CLASSIC + "\n")


def test_classic_example_decodes_1989() -> None:
    info = decode_vin(CLASSIC)
    assert info.check_digit == "valid"
    assert (info.wmi, info.vds, info.vis) == ("1M8", "GDM9AX", "KP042788")
    assert (info.region, info.country) == ("North America", "United States")
    assert info.manufacturer is None  # 1M8 is not in the table: unknown, not guessed
    assert info.model_year == 1989  # 'K', position 7 '9' numeric -> 1980-2009 cycle
    assert "1980-2009" in info.model_year_note


def test_us_vin_starting_1_ending_0_round_trips() -> None:
    field = parse_vin_field(LEAF_US.encode("ascii") + b"\x00\x00")
    assert field == VinField(LEAF_US, None, placeholder=False)
    info = decode_vin(field.value or "")
    assert info.vin == LEAF_US
    assert info.check_digit == "valid"
    assert info.manufacturer == "Nissan"
    assert info.country == "United States"
    assert info.model_year == 2013  # 'D', position 7 'C' alphabetic -> 2010-2039 cycle
    assert "2010-2039" in info.model_year_note


def test_us_vin_with_wrong_check_digit_is_invalid_and_year_withheld() -> None:
    info = decode_vin(LEAF_US_BAD)
    assert info.check_digit == "invalid"
    assert info.model_year is None
    assert "check digit" in info.model_year_note


def test_european_nissan() -> None:
    info = decode_vin(LEAF_EU)
    assert info.check_digit == "not-required"
    assert (info.region, info.country, info.manufacturer) == ("Europe", "United Kingdom", "Nissan")
    assert info.model_year is None
    assert "North-American" in info.model_year_note
    assert decode_vin(LEAF_EU_MATCHING).check_digit == "valid"
    assert decode_vin(LEAF_EU_MATCHING).model_year is None


@pytest.mark.parametrize("code", ["U", "Z", "0"])
def test_unused_model_year_codes(code: str) -> None:
    vin = LEAF_US[:9] + code + LEAF_US[10:]
    vin = vin[:8] + compute_check_digit(vin) + vin[9:]
    info = decode_vin(vin)
    assert info.check_digit == "valid"
    assert info.model_year is None
    assert repr(code) in info.model_year_note


@pytest.mark.parametrize(
    ("prefix", "region", "country"),
    [
        ("SJ", "Europe", "United Kingdom"),
        ("VS", "Europe", "Spain"),
        ("VF", "Europe", "France"),
        ("TW", "Europe", "Portugal"),
        ("T1", "Europe", "Portugal"),
        ("T2", "Europe", None),
        ("W0", "Europe", "Germany"),
        ("JN", "Asia", "Japan"),
        ("KN", "Asia", "South Korea"),
        ("1N", "North America", "United States"),
        ("3N", "North America", "Mexico"),
        ("94", "South America", "Brazil"),
        ("9F", "South America", None),
        ("AD", "Africa", "South Africa"),
        ("6A", "Oceania", "Australia"),
        ("H1", None, None),
        ("7S", None, None),
        ("0A", None, None),
    ],
)
def test_country_ranges(prefix: str, region: str | None, country: str | None) -> None:
    assert country_for(prefix + "X" * 15) == (region, country)


def test_lookups_answer_none_rather_than_guess() -> None:
    assert manufacturer_for("JNK") == "Infiniti (Nissan)"
    assert manufacturer_for("VSK") == "Nissan"
    assert manufacturer_for("WP0") == "Porsche"
    assert manufacturer_for("JN9") is None  # small-manufacturer form: maker is in positions 12-14
    assert manufacturer_for("JNZ") is None
    assert manufacturer_for("jn1") is None
    assert region_for("") is None
    assert country_for("S") == ("Europe", None)


@pytest.mark.parametrize(
    ("data", "filler"),
    [
        (b"\xff" * 17, "17 bytes of 0xFF"),
        (b"\x00" * 17, "17 bytes of 0x00"),
        (b"\x1b" * 17, "17 bytes of 0x1B"),
        (b" " * 17, "17 bytes of 0x20"),
        (b"\xff" * 17 + b"\x00\x00", "17 bytes of 0xFF"),
    ],
)
def test_fillers_mean_no_vin_stored(data: bytes, filler: str) -> None:
    assert parse_vin_field(data) == VinField(None, f"the ECU reports no VIN stored ({filler})", True)


def test_empty_field() -> None:
    field = parse_vin_field(b"")
    assert field.value is None and field.placeholder and field.problem


@pytest.mark.parametrize("text", ["123456789ABCDEFGH", "AAAAAAAAAAAAAAAAA", "00000000000000000", "*" * 17])
def test_placeholders(text: str) -> None:
    field = parse_vin_field(text.encode("ascii"))
    assert field.value is None and field.placeholder
    assert f'"{text}"' in (field.problem or "") and "placeholder" in (field.problem or "")


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b"1N4AZ0CP4DC41\x0134\x07", "1N4AZ0CP4DC41\\x0134\\x07"),
        (b"1N4AZ0CP4DC41234", "1N4AZ0CP4DC41234"),
        (b"1n4az0cp4dc412340", "1n4az0cp4dc412340"),
        (b"1N4AZ0CP4DC4O2340", "1N4AZ0CP4DC4O2340"),
        (b"1N4AZ0CP4DC41-340", "1N4AZ0CP4DC41-340"),
        (b"\x00\x00\x001N4AZ0CP4DC412340", "\\x00\\x00\\x001N4AZ0CP4DC412340"),
        (b'1N4AZ0CP4DC41"\\\n0', '1N4AZ0CP4DC41\\"\\\\\\x0a0'),
    ],
)
def test_invalid_fields_are_reported_escaped(data: bytes, shown: str) -> None:
    field = parse_vin_field(data)
    assert field.value is None and not field.placeholder
    assert (field.problem or "").startswith(f'not a valid ISO 3779 VIN: "{shown}" (')


def test_leaf_0x1b_padding_after_17_characters() -> None:
    assert parse_vin_field(LEAF_EU.encode() + b"\x1b\x1b") == VinField(LEAF_EU, None, False)
    assert parse_vin_field(LEAF_EU.encode() + b"\xff\xff\x00") == VinField(LEAF_EU, None, False)
    assert parse_vin_field(LEAF_EU.encode() + b"\x1bA").value is None


@given(st.binary(max_size=200))
def test_parse_never_raises_and_keeps_invariants(data: bytes) -> None:
    field = parse_vin_field(data)
    assert isinstance(field, VinField)
    if field.value is not None:
        assert is_valid_structure(field.value)
        assert field.problem is None and not field.placeholder
    else:
        assert field.problem
    assert all(ord(char) >= 0x20 for char in field.problem or "")


@given(vins, st.integers(min_value=0, max_value=4))
def test_any_real_looking_vin_round_trips_whole(vin: str, zeros: int) -> None:
    field = parse_vin_field(vin.encode("ascii") + b"\x00" * zeros)
    if len(set(vin)) > 1 and vin != "123456789ABCDEFGH":
        assert field.value == vin
    else:
        assert field.placeholder


@given(vins)
def test_decode_any_structurally_valid_vin(vin: str) -> None:
    info = decode_vin(vin)
    assert info.check_digit in ("valid", "invalid", "not-required")
    assert info.wmi + info.vds + info.vis == vin
    assert info.model_year_note
    if info.model_year is not None:
        assert vin[0] in "12345" and 1980 <= info.model_year <= 2039


@given(st.sampled_from("12345"), st.text(alphabet=VIN_ALPHABET, min_size=16, max_size=16))
def test_computed_check_digit_makes_north_american_vin_valid(first: str, rest: str) -> None:
    vin = first + rest
    fixed = vin[:8] + compute_check_digit(vin) + vin[9:]
    assert compute_check_digit(fixed) == fixed[8]
    assert decode_vin(fixed).check_digit == "valid"
    wrong = fixed[:8] + ("0" if fixed[8] != "0" else "1") + fixed[9:]
    assert decode_vin(wrong).check_digit == "invalid"
