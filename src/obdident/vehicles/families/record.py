"""Reading the family records: one TOML file per Nissan model family, checked against ``schema.json``.

Each file holds one family (``Qashqai``) and its model codes (``J10``, ``J11``), and for each model every
fact with its source and confidence: VIN patterns, fingerprints (CALID prefixes, part-number suffixes with
the capture they come from), the units present and absent, the head-unit candidates and their buses, a
second CAN, the owner's guidance (rows of :data:`obdident.vehicles.nissan.ADVICE`) and what is not known.
:func:`load_records` turns a folder of them into :class:`Knowledge`, the one object the scan asks.
"""

from __future__ import annotations

import importlib
import json
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from obdident.errors import ObdidentError
from obdident.i18n import T, Text
from obdident.model import Advice
from obdident.vehicles.nissan import ADVICE, UNITS, Unit

__all__ = [
    "OWNER_TEXT_KEYS",
    "Candidate",
    "Family",
    "Found",
    "Knowledge",
    "RecordError",
    "SecondCan",
    "VinPattern",
    "load_records",
]

Bus = Literal["diagnostic", "second"]

#: The keys of a family record (dotted paths from a ``[[model]]`` row) whose values are owner text: they are
#: loaded as param-less :class:`~obdident.i18n.Text` (the message id is the English text), so the
#: catalogues' extractor takes these values from every ``*.toml`` record beside this module. The other
#: strings are identifiers, sources and engineers' notes (English).
OWNER_TEXT_KEYS: tuple[str, ...] = ("head_unit.why", "head_unit.candidate.description")

_SCHEMA = Path(__file__).with_name("schema.json")
_CATALOGUE = {u.name: u for u in UNITS}


class RecordError(ObdidentError):
    """A family record does not follow ``schema.json`` or names a unit, guidance row or model it lacks."""

    code = "bad-family-record"


@dataclass(frozen=True)
class SecondCan:
    """A CAN bus a family brings out on other OBD-II socket pins, where its head unit may answer.

    Attributes:
        pins: the socket pins (``3/11``).
        preset: the STN protocol preset that reaches them with 11-bit ids (OBDLink FRPM rev F, STP: 53 =
            MS-CAN, ISO 15765, 11-bit Tx, pins 3/11).
        bit_rate: its bit rate in bits per second (set with STPBR).
        source: the public source of the pins and bit rate.
        confidence: ``confirmed`` / ``likely`` / ``guess``.
    """

    pins: str
    preset: str
    bit_rate: int
    source: str
    confidence: str


@dataclass(frozen=True)
class Candidate:
    """A head-unit candidate of one family: a unit and the bus it is asked on, with the source."""

    unit: Unit
    bus: Bus
    source: str
    confidence: str


@dataclass(frozen=True)
class VinPattern:
    """Where a model code stands in a VIN: ``market`` (``europe`` / ``north-america``), 1-based positions
    ``first``-``last`` (7-9) and the ``pattern`` there, with its source and confidence."""

    market: str
    first: int
    last: int
    pattern: str
    source: str
    confidence: str


@dataclass(frozen=True)
class Family:
    """One Nissan model (a model code of a family's record) and what is known about it.

    Attributes:
        code: Nissan's model code (``J10``).
        name: the model as owners know it (``Qashqai (J10)``).
        family: the record's family (``Qashqai``).
        head_unit_on_obd: False when public evidence shows the head unit on a bus the OBD-II socket's CAN
            pins do not reach; None when unknown.
        why: the evidence for ``head_unit_on_obd``, in the owner's words (no source reference): a param-less
            :class:`~obdident.i18n.Text` (:data:`OWNER_TEXT_KEYS`), or "" when the record gives none.
        advice: where the owner can read the head unit's identifiers on this model (:data:`ADVICE` rows).
        source: the public source of the head-unit facts.
        candidates: the head-unit candidates by the record, or None: not known (the default set is asked).
        present: units a public capture shows answering on this model (probed last, read at once).
        session_units: units a capture shows answering only in Nissan's session ``10 C0``.
        absent: unit name -> why the model has it not (not probed; ``--full`` probes them).
        second_can: the model's second CAN, when it has one.
        vin: where its model code stands in a VIN.
        unknown: what the record says is not known.
    """

    code: str
    name: str
    family: str
    head_unit_on_obd: bool | None
    why: str
    advice: tuple[Advice, ...]
    source: str
    candidates: tuple[Candidate, ...] | None = None
    present: frozenset[str] = frozenset()
    session_units: frozenset[str] = frozenset()
    absent: dict[str, str] = field(default_factory=dict)
    second_can: SecondCan | None = None
    vin: tuple[VinPattern, ...] = ()
    unknown: tuple[str, ...] = ()


#: A family found, and what established it (``CALID 23710BB31A (seen on a J10 in public captures)``).
Found = tuple[Family, Text]

# European and Japanese Nissan VINs carry the model code at positions 7-9 (SJNFAAJ10U..., JN1TBNT30U...).
_MODEL_CODE_WMIS = ("SJN", "VSK", "JN1", "JN6", "JN8", "JNK", "MDH", "MNT", "ADN")


@dataclass(frozen=True)
class Knowledge:
    """Every family record, indexed for the scan.

    Attributes:
        families: model code -> the model.
        records: record file stem -> the model codes it holds.
        calids: (CALID prefix, model code), in record order.
        suffixes: (response id, part-number suffix) -> model code.
        default_candidates: the head-unit candidates of a Nissan whose family is unknown or whose record
            names none: every head-unit row of :data:`obdident.vehicles.nissan.UNITS`.
    """

    families: dict[str, Family]
    records: dict[str, tuple[str, ...]]
    calids: tuple[tuple[str, str], ...]
    suffixes: dict[tuple[str, str], str]
    default_candidates: tuple[Unit, ...] = tuple(u for u in UNITS if u.head_unit)

    def by_vin(self, vin: str) -> Found | None:
        """The model whose European VIN pattern the VIN shows (WMIs of European and Japanese Nissans).

        Args:
            vin: a structurally valid VIN.

        Returns:
            The model and the basis (``VIN positions 7-9 'J10' (Nissan model code)``), or None.
        """
        if vin[:3] not in _MODEL_CODE_WMIS:
            return None
        hits = [
            (f, p)
            for f in self.families.values()
            for p in f.vin
            if p.market == "europe" and vin[p.first - 1 : p.last] == p.pattern
        ]
        if not hits:
            return None
        family, pattern = max(hits, key=lambda hit: len(hit[1].pattern))  # AZE0 before ZE0
        where = T(
            "VIN positions {first}-{last} '{code}' (Nissan model code)",
            first=pattern.first,
            last=pattern.last,
            code=pattern.pattern,
        )
        return family, where

    def by_calid(self, calid: str) -> Found | None:
        """The model whose record holds a CALID prefix ``calid`` starts with, or None."""
        text = calid.strip().upper()
        for prefix, code in self.calids:
            if text.startswith(prefix):
                return self.families[code], T(
                    "CALID {calid} (seen on a {family} in public captures)", calid=calid.strip(), family=code
                )
        return None

    def by_suffix(self, response_id: str, suffix: str) -> Found | None:
        """The model whose record holds this unit's part-number suffix (``21 83``, bytes A-E), or None."""
        code = self.suffixes.get((response_id.upper(), suffix))
        if code is None:
            return None
        return (
            self.families[code],
            T(
                "{unit} part-number suffix {suffix} (seen on a {family} in public captures)",
                unit=response_id,
                suffix=suffix,
                family=code,
            ),
        )

    def candidates(self, found: Found | None, bus: Bus = "diagnostic") -> tuple[Unit, ...]:
        """The head-unit candidates to ask on ``bus``: the record's, or the default set when the family is
        unknown or its record names none (11-bit ones only on a second CAN)."""
        named = found[0].candidates if found is not None else None
        if named is None:
            units = self.default_candidates
            return units if bus == "diagnostic" else tuple(u for u in units if u.bits == 11)
        return tuple(c.unit for c in named if c.bus == bus)


def _validate(data: dict[str, Any], where: str) -> None:
    jsonschema: Any = importlib.import_module("jsonschema")
    validator = jsonschema.Draft202012Validator(json.loads(_SCHEMA.read_text(encoding="utf-8")))
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        place = "/".join(str(p) for p in error.absolute_path) or "(top)"
        raise RecordError(f"{where}: {place}: {error.message}")


def _unit(name: str, where: str) -> Unit:
    if name not in _CATALOGUE:
        raise RecordError(f"{where}: no unit {name!r} in the address table (vehicles/nissan.py UNITS)")
    return _CATALOGUE[name]


def _candidate(row: dict[str, Any], where: str) -> Candidate:
    if "request_id" in row:  # a candidate the address table lacks, defined in full here
        missing = [k for k in ("response_id", "dialect", "description") if k not in row]
        if missing:
            raise RecordError(f"{where}: a candidate with its own request_id needs {', '.join(missing)}")
        status: Literal["confirmed", "likely", "guess"] = (
            "guess" if row["confidence"] == "seed" else row["confidence"]
        )
        unit = Unit(row["unit"], Text(row["description"]), row["request_id"], row["response_id"],
                    row["dialect"], status, row["source"], head_unit=True)  # fmt: skip
    else:
        unit = _unit(row["unit"], where)
        if not unit.head_unit:
            raise RecordError(f"{where}: {unit.name} is not a head-unit candidate")
    return Candidate(unit, row["bus"], row["source"], row["confidence"])


def _model(family: str, row: dict[str, Any], where: str, base: Family | None) -> Family:
    code = row["code"]
    vin = tuple(
        VinPattern(p["market"], first, last, p["pattern"], p["source"], p["confidence"])
        for p in row.get("vin", ())
        for first, last in [map(int, p["positions"].split("-"))]
    )
    unknown = tuple(row["unknown"])
    if base is not None:
        return replace(base, code=code, name=row["name"], vin=vin, unknown=base.unknown + unknown)
    for key in row.get("guidance", ()):
        if key not in ADVICE:
            raise RecordError(f"{where}: {code}: no guidance row {key!r} in vehicles/nissan.py ADVICE")
    for unit in [*row.get("present", ()), *row.get("absent", ())]:
        _unit(unit["unit"], f"{where}: {code}")
    head = row.get("head_unit", {})
    rows = head.get("candidate")
    route = row.get("second_can")
    both = {c["unit"] for c in rows or ()} & {u["unit"] for u in row.get("absent", ())}
    if both:
        raise RecordError(f"{where}: {code}: {', '.join(sorted(both))} both a candidate and absent")
    return Family(
        code=code,
        name=row["name"],
        family=family,
        head_unit_on_obd=head.get("on_obd"),
        why=Text(head["why"]) if head.get("why") else "",
        advice=tuple(ADVICE[k] for k in row.get("guidance", ())),
        source=head.get("source", ""),
        candidates=None if rows is None else tuple(_candidate(c, f"{where}: {code}") for c in rows),
        present=frozenset(u["unit"] for u in row.get("present", ())),
        session_units=frozenset(u["unit"] for u in row.get("present", ()) if u.get("session")),
        absent={u["unit"]: u["why"] for u in row.get("absent", ())},
        second_can=SecondCan(**route) if route else None,
        vin=vin,
        unknown=unknown,
    )


def load_records(folder: Path) -> Knowledge:
    """Read and check every ``*.toml`` family record in ``folder``.

    Args:
        folder: a folder of records (the package's own, or a copy a test changed).

    Returns:
        The knowledge the scan asks.

    Raises:
        RecordError: a record is not valid TOML, does not follow ``schema.json``, names a unit, guidance
            row or model that does not exist, or repeats a model code or suffix.
    """
    families: dict[str, Family] = {}
    records: dict[str, tuple[str, ...]] = {}
    calids: list[tuple[str, str]] = []
    suffixes: dict[tuple[str, str], str] = {}
    for path in sorted(folder.glob("*.toml")):
        where = path.name
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise RecordError(f"{where}: not a TOML file: {err}") from err
        _validate(data, where)
        codes = []
        for row in data["model"]:
            code = row["code"]
            if code in families:
                raise RecordError(f"{where}: model code {code} is in another record too")
            base = None
            if "same_as" in row:
                base = families.get(row["same_as"])
                if base is None:
                    raise RecordError(f"{where}: {code}: same_as {row['same_as']} is not an earlier model")
            families[code] = _model(data["family"], row, where, base)
            codes.append(code)
            calids.extend((calid["prefix"], code) for calid in row.get("calid", ()))
            for fingerprint in row.get("suffix", ()):
                key = (fingerprint["response_id"], fingerprint["suffix"])
                if key in suffixes:
                    raise RecordError(f"{where}: suffix {key} is in another model's record too")
                suffixes[key] = code
        records[path.stem] = tuple(codes)
    return Knowledge(families, records, tuple(calids), suffixes)
