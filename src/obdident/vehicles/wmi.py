"""Lookup tables for the first three VIN characters: region, country and manufacturer.

The tables are data, not logic: every row carries the public source it was taken from. They are kept
deliberately small. A row is only present when its value is well established; anything in doubt is
left out, so a lookup answers ``None`` ("unknown") rather than a guess.

Sources:
    * ISO 3780 (world manufacturer identifier): the region of the first character and the
      two-character country ranges, as administered by SAE International under SAE J1044.
    * Published WMI assignments (SAE J1044) as listed in public WMI tables.

Character order: ISO 3780 ranges such as ``SA-SM`` or ``TW-T1`` run through the VIN alphabet in the
order ``A..Z`` (without I, O, Q) then ``1..9`` then ``0``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from obdident.i18n import T

#: The 33 characters a VIN may contain, in ISO 3780 range order (letters, then 1-9, then 0).
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ1234567890"

SOURCE_ISO_3780_REGIONS = "ISO 3780 region allocation of the first WMI character"
SOURCE_ISO_3780_COUNTRIES = "ISO 3780 / SAE J1044 country code ranges"
SOURCE_WMI_LISTS = (
    "SAE J1044 WMI assignment as published in public WMI lists "
    "(Wikipedia 'Vehicle identification number' WMI table; vininfo WMI table)"
)


@dataclass(frozen=True)
class RegionEntry:
    """The ISO 3780 region for a set of first VIN characters.

    Attributes:
        first_chars: every first character (position 1) this row covers.
        region: English name of the region, e.g. ``"Europe"``.
        source: where the row comes from.
    """

    first_chars: str
    region: str
    source: str = SOURCE_ISO_3780_REGIONS


@dataclass(frozen=True)
class CountryRange:
    """An ISO 3780 country range: one first character and an inclusive range of second characters.

    Attributes:
        first: the VIN's position 1 character.
        second_from: first position 2 character of the range, inclusive.
        second_to: last position 2 character of the range, inclusive, in :data:`VIN_ALPHABET` order.
        country: English country name.
        source: where the row comes from.
    """

    first: str
    second_from: str
    second_to: str
    country: str
    source: str = SOURCE_ISO_3780_COUNTRIES

    def contains(self, first: str, second: str) -> bool:
        """Tell whether a two-character country code falls inside this range.

        Args:
            first: position 1 character.
            second: position 2 character.

        Returns:
            True when ``first`` matches and ``second`` lies between the bounds in ISO 3780 order.
        """
        if first != self.first or second not in VIN_ALPHABET:
            return False
        low = VIN_ALPHABET.index(self.second_from)
        high = VIN_ALPHABET.index(self.second_to)
        return low <= VIN_ALPHABET.index(second) <= high


@dataclass(frozen=True)
class WmiEntry:
    """One world manufacturer identifier (VIN positions 1-3).

    Attributes:
        wmi: the three characters.
        manufacturer: the make as shown to the user, e.g. ``"Nissan"`` or ``"Infiniti (Nissan)"``.
        detail: the assignee and what the code covers, for the reader of the table.
        source: where the row comes from.
    """

    wmi: str
    manufacturer: str
    detail: str
    source: str = SOURCE_WMI_LISTS


# ISO 3780 allocates A-H to Africa and 6-7 to Oceania. Two characters are left out on purpose:
# 'H' has reportedly been allotted to China by later SAE J1044 assignments, and '7' now also carries
# United States WMIs (7SA, Tesla), so neither names one region any more. '0' is not allocated here.
REGIONS: tuple[RegionEntry, ...] = (
    RegionEntry("ABCDEFG", T("Africa")),
    RegionEntry("JKLMNPR", T("Asia")),
    RegionEntry("STUVWXYZ", T("Europe")),
    RegionEntry("12345", T("North America")),
    RegionEntry("6", T("Oceania")),
    RegionEntry("89", T("South America")),
)

# Only ranges that public ISO 3780 / SAE J1044 listings agree on. Where listings disagree on a range's
# end, the part they share is used (Philippines PA-PC, Romania UU-UW, Canada 2A-25); ranges whose
# country is in doubt (e.g. VX-V2) are absent and answer None.
COUNTRY_RANGES: tuple[CountryRange, ...] = (
    CountryRange("A", "A", "H", T("South Africa")),
    CountryRange("J", "A", "0", T("Japan")),
    CountryRange("K", "L", "R", T("South Korea")),
    CountryRange("L", "A", "0", T("China")),
    CountryRange("M", "A", "E", T("India")),
    CountryRange("M", "F", "K", T("Indonesia")),
    CountryRange("M", "L", "R", T("Thailand")),
    CountryRange("N", "L", "R", T("Turkey")),
    CountryRange("P", "A", "C", T("Philippines")),
    CountryRange("P", "L", "R", T("Malaysia")),
    CountryRange("R", "F", "K", T("Taiwan")),
    CountryRange("S", "A", "M", T("United Kingdom")),
    CountryRange("S", "N", "T", T("Germany")),  # allotted to the former GDR
    CountryRange("S", "U", "Z", T("Poland")),
    CountryRange("T", "A", "H", T("Switzerland")),
    CountryRange("T", "J", "P", T("Czech Republic")),
    CountryRange("T", "R", "V", T("Hungary")),
    CountryRange("T", "W", "1", T("Portugal")),
    CountryRange("U", "U", "W", T("Romania")),
    CountryRange("V", "A", "E", T("Austria")),
    CountryRange("V", "F", "R", T("France")),
    CountryRange("V", "S", "W", T("Spain")),
    CountryRange("W", "A", "0", T("Germany")),
    CountryRange("X", "L", "R", T("Netherlands")),
    CountryRange("X", "S", "W", T("Russia")),  # allotted to the USSR
    CountryRange("Y", "A", "E", T("Belgium")),
    CountryRange("Y", "F", "K", T("Finland")),
    CountryRange("Y", "S", "W", T("Sweden")),
    CountryRange("Z", "A", "R", T("Italy")),
    CountryRange("1", "A", "0", T("United States")),
    CountryRange("2", "A", "5", T("Canada")),
    CountryRange("3", "A", "W", T("Mexico")),
    CountryRange("4", "A", "0", T("United States")),
    CountryRange("5", "A", "0", T("United States")),
    CountryRange("6", "A", "W", T("Australia")),
    CountryRange("9", "A", "E", T("Brazil")),
    CountryRange("9", "3", "9", T("Brazil")),
)

# Nissan group first. The manufacturer is the holder of the WMI, which can differ from the badge on a
# vehicle built for another brand.
WMI_TABLE: tuple[WmiEntry, ...] = (
    WmiEntry("JN1", "Nissan", "Nissan Motor Co., Japan: passenger cars"),
    WmiEntry("JN6", "Nissan", "Nissan Motor Co., Japan: trucks and vans"),
    WmiEntry("JN8", "Nissan", "Nissan Motor Co., Japan: MPVs and SUVs"),
    WmiEntry("JNK", "Infiniti (Nissan)", "Nissan Motor Co., Japan: Infiniti passenger cars"),
    WmiEntry("JNR", "Infiniti (Nissan)", "Nissan Motor Co., Japan: Infiniti SUVs"),
    WmiEntry("JNX", "Infiniti (Nissan)", "Nissan Motor Co., Japan: Infiniti"),
    WmiEntry("1N4", "Nissan", "Nissan North America, United States: passenger cars"),
    WmiEntry("1N6", "Nissan", "Nissan North America, United States: trucks"),
    WmiEntry("5N1", "Nissan", "Nissan North America, United States: MPVs and SUVs"),
    WmiEntry("5N3", "Infiniti (Nissan)", "Nissan North America, United States: Infiniti SUVs"),
    WmiEntry("3N1", "Nissan", "Nissan Mexicana, Mexico: passenger cars"),
    WmiEntry("3N6", "Nissan", "Nissan Mexicana, Mexico: trucks and vans"),
    WmiEntry("SJN", "Nissan", "Nissan Motor Manufacturing UK, Sunderland"),
    WmiEntry("VSK", "Nissan", "Nissan Motor Iberica, Spain"),
    WmiEntry("MDH", "Nissan", "Nissan Motor India"),
    WmiEntry("ADN", "Nissan", "Nissan South Africa"),
    WmiEntry("MNT", "Nissan", "Nissan Motor Thailand"),
    WmiEntry("94D", "Nissan", "Nissan do Brasil"),
    WmiEntry("VF1", "Renault", "Renault, France"),
    WmiEntry("UU1", "Dacia", "Automobile Dacia (Renault group), Romania"),
    WmiEntry("WP0", "Porsche", "Porsche, Germany: cars"),
    WmiEntry("WP1", "Porsche", "Porsche, Germany: SUVs"),
    WmiEntry("WVW", "Volkswagen", "Volkswagen, Germany: passenger cars"),
    WmiEntry("WV1", "Volkswagen", "Volkswagen Commercial Vehicles, Germany"),
    WmiEntry("WV2", "Volkswagen", "Volkswagen Commercial Vehicles, Germany: buses and vans"),
    WmiEntry("WAU", "Audi", "Audi, Germany"),
    WmiEntry("WBA", "BMW", "BMW, Germany"),
    WmiEntry("WDB", "Mercedes-Benz", "Daimler-Benz / Daimler, Germany"),
    WmiEntry("WDD", "Mercedes-Benz", "DaimlerChrysler / Daimler, Germany: passenger cars"),
    WmiEntry("WMW", "MINI", "BMW group, MINI"),
    WmiEntry("VF3", "Peugeot", "Peugeot, France"),
    WmiEntry("VF7", "Citroen", "Citroen, France"),
    WmiEntry("ZFA", "Fiat", "Fiat Automobiles, Italy"),
    WmiEntry("SB1", "Toyota", "Toyota Motor Manufacturing UK"),
    WmiEntry("JTD", "Toyota", "Toyota Motor Corporation, Japan"),
    WmiEntry("JTE", "Toyota", "Toyota Motor Corporation, Japan: SUVs"),
    WmiEntry("JTH", "Lexus (Toyota)", "Toyota Motor Corporation, Japan: Lexus"),
    WmiEntry("2T1", "Toyota", "Toyota Motor Manufacturing Canada: passenger cars"),
    WmiEntry("MAT", "Tata Motors", "Tata Motors, India"),
    WmiEntry("1G1", "Chevrolet", "General Motors, United States: Chevrolet passenger cars"),
    WmiEntry("1FA", "Ford", "Ford Motor Company, United States: passenger cars"),
    WmiEntry("1FT", "Ford", "Ford Motor Company, United States: trucks"),
    WmiEntry("KMH", "Hyundai", "Hyundai Motor Company, South Korea"),
    WmiEntry("KNA", "Kia", "Kia, South Korea"),
)

_WMI_INDEX: Mapping[str, WmiEntry] = MappingProxyType({row.wmi: row for row in WMI_TABLE})


def wmi_entry_for(wmi: str) -> WmiEntry | None:
    """Find the table row for a WMI.

    Args:
        wmi: VIN positions 1-3, upper case, exactly three characters.

    Returns:
        The row, or None when the WMI is not in :data:`WMI_TABLE`.
    """
    return _WMI_INDEX.get(wmi)


def manufacturer_for(wmi: str) -> str | None:
    """Name the manufacturer that holds a WMI.

    A WMI whose third character is ``9`` belongs to a small manufacturer (ISO 3780, 49 CFR 565.15):
    the maker is then named by VIN positions 12-14, which this table does not cover, so the answer
    is None for those.

    Args:
        wmi: VIN positions 1-3, upper case, exactly three characters.

    Returns:
        The manufacturer, e.g. ``"Nissan"``, or None when the WMI is not in the table (never a guess
        from a partial match).
    """
    row = wmi_entry_for(wmi)
    return row.manufacturer if row is not None else None


def region_for(first: str) -> str | None:
    """Name the ISO 3780 region of a VIN's first character.

    Args:
        first: VIN position 1, one character.

    Returns:
        ``"Africa"``, ``"Asia"``, ``"Europe"``, ``"North America"``, ``"Oceania"``,
        ``"South America"``, or None for a character not allocated in :data:`REGIONS`.
    """
    if len(first) != 1:
        return None
    for row in REGIONS:
        if first in row.first_chars:
            return row.region
    return None


def country_for(vin: str) -> tuple[str | None, str | None]:
    """Name the region and country a VIN's first two characters are allotted to (ISO 3780).

    Args:
        vin: a VIN, or any string whose first two characters are VIN positions 1-2.

    Returns:
        ``(region, country)``; either is None when not known from :data:`REGIONS` and
        :data:`COUNTRY_RANGES` (for instance a string shorter than two characters has no country).
    """
    region = region_for(vin[:1])
    if len(vin) < 2:
        return region, None
    first, second = vin[0], vin[1]
    for row in COUNTRY_RANGES:
        if row.contains(first, second):
            return region, row.country
    return region, None
