"""Knowledge by family (issue 20, point 1): one data record per Nissan model family, checked against its
schema, every fact with its source and confidence; head-unit candidates chosen per family; the research
note on head units and the records agree."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

from obdident.vehicles import nissan
from obdident.vehicles.families import RECORDS, RecordError, knowledge, load_records

ROOT = Path(__file__).resolve().parents[1]

#: The families the owners' guides name (issue 20), by record, with their model codes.
COVERED = {
    "note": ("E11", "E12"),
    "almera": ("N16", "G15"),
    "qashqai": ("J10", "J11"),
    "xtrail": ("T30", "T31", "T32"),
    "juke": ("F15",),
    "navara": ("D40", "D23"),
    "micra": ("K12", "K13", "K14"),
    "tiida": ("C11",),
    "leaf": ("ZE0", "AZE0", "ZE1"),
    "patrol": ("Y61", "Y62"),
    "teana": ("TEANA",),
}


def _facts(node: object) -> list[dict[str, object]]:
    """Every table in a record that states a fact (holds a ``source``)."""
    found: list[dict[str, object]] = []
    if isinstance(node, dict):
        if "source" in node:
            found.append(node)
        for value in node.values():
            found.extend(_facts(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_facts(value))
    return found


def test_every_family_the_guides_name_has_one_record_with_its_model_codes() -> None:
    records = knowledge().records
    for stem, codes in COVERED.items():
        assert records[stem] == codes, stem
    assert sorted(p.name for p in RECORDS.glob("*.toml")) == sorted(f"{s}.toml" for s in records)


@pytest.mark.parametrize("path", sorted(RECORDS.glob("*.toml")), ids=lambda p: p.stem)
def test_each_record_states_every_fact_with_its_source_and_what_is_not_known(path: Path) -> None:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    facts = _facts(data)
    assert facts, path.name
    for fact in facts:
        assert isinstance(fact["source"], str) and len(fact["source"]) > 5, fact
        assert fact["confidence"] in ("confirmed", "likely", "guess", "seed"), fact
    for model in data["model"]:
        assert model["unknown"], f"{path.name} {model['code']}: say what is not known"
        for pattern in model.get("vin", ()):
            # the one VIN rule the records apply: the model code itself, in a European VIN
            assert pattern["market"] == "europe" and pattern["pattern"] == model["code"], pattern


def test_no_north_american_vin_pattern_or_unsourced_address_is_invented() -> None:
    for family in knowledge().families.values():
        assert not [p for p in family.vin if p.market == "north-america"], family.code
        assert any("North American" in u or "any VIN pattern" in u for u in family.unknown), family.code
        for candidate in family.candidates or ():
            assert candidate.unit in nissan.UNITS, (family.code, candidate.unit)  # the address table's rows


def test_head_unit_candidates_are_chosen_per_family_and_an_unknown_family_keeps_the_default_set() -> None:
    known = knowledge()
    j10 = known.by_calid("23710BB31A")
    leaf = known.by_vin("SJNFAAAZE0U000001")
    assert j10 is not None and leaf is not None
    assert [u.request_id for u in known.candidates(j10)] == ["747"]  # the audio unit is on AV COMM
    assert [u.request_id for u in known.candidates(leaf)] == ["747"]
    assert [u.request_id for u in known.candidates(leaf, "second")] == ["747"]
    default = [u.request_id for u in nissan.UNITS if u.head_unit]
    assert [u.request_id for u in known.candidates(None)] == default
    j11 = known.by_vin("SJNFAAJ11U2000001")
    assert j11 is not None and [u.request_id for u in known.candidates(j11)] == default


def test_the_fingerprints_find_their_family() -> None:
    known = knowledge()
    for calid in ("23710BB31A", "23701BB36A"):
        found = known.by_calid(calid)
        assert found is not None and found[0].code == "J10" and calid in found[1]
    found = known.by_suffix("765", "BR02A")
    assert found is not None and found[0].code == "J10" and "765" in found[1]
    vin = known.by_vin("SJNFAAJ10U2000001")
    assert vin is not None and vin[0].name == "Qashqai (J10)" and "7-9" in vin[1]
    assert known.by_vin("1N4BL4BV7LC123450") is None  # a North American VIN: no pattern is known


def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "families"
    shutil.copytree(RECORDS, folder)
    return folder


NEW_FAMILY = """family = "Pulsar"

[[model]]
code = "C13"
name = "Pulsar (C13)"
guidance = ["lcn2kai"]
unknown = ["a North American VIN pattern"]

[[model.vin]]
market = "europe"
positions = "7-9"
pattern = "C13"
source = "a test's record"
confidence = "likely"
"""


def test_adding_a_family_means_one_record(tmp_path: Path) -> None:
    folder = _copy(tmp_path)
    (folder / "pulsar.toml").write_text(NEW_FAMILY, encoding="utf-8")
    known = load_records(folder)
    found = known.by_vin("SJNFAAC13U2000001")
    assert found is not None and found[0].name == "Pulsar (C13)" and found[0].family == "Pulsar"
    assert found[0].advice == (nissan.ADVICE["lcn2kai"],)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('confidence = "confirmed"', 'confidence = "sure"'), "is not one of"),
        (('source = "balrog-kun/nissan-qashqai-can-info"\n', ""), "'source' is a required property"),
        (('unit = "IPDM"', 'unit = "RADIO"'), "no unit 'RADIO'"),
        (('guidance = ["lcn2kai"]', 'guidance = ["no-such-row"]'), "no guidance row"),
        (('name = "Qashqai (J10)"', 'name = "Qashqai (J10)"\ncolour = "red"'), "Additional properties"),
        (('unit = "AV"', 'unit = "ECM"'), "not a head-unit candidate"),
    ],
)
def test_a_broken_record_is_refused_naming_the_file(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    folder = _copy(tmp_path)
    path = folder / "qashqai.toml"
    text = path.read_text(encoding="utf-8")
    assert change[0] in text
    path.write_text(text.replace(change[0], change[1], 1), encoding="utf-8")
    with pytest.raises(RecordError, match=re.escape(message)) as caught:
        load_records(folder)
    assert "qashqai.toml" in str(caught.value)


def _note_rows() -> list[tuple[str, ...]]:
    text = (ROOT / "docs" / "evidence" / "head-units.md").read_text(encoding="utf-8")
    section = text[text.index("## 6. Head-unit candidates by family") :]
    return [
        tuple(cell.strip() for cell in line.strip("|").split("|"))
        for line in section.splitlines()
        if re.match(r"^\| [a-z]+\.toml \|", line)
    ]


def test_the_head_unit_research_note_and_the_records_agree() -> None:
    known = knowledge()
    rows = []
    for stem, codes in known.records.items():
        for code in codes:
            family = known.families[code]
            candidates = (
                "default set"
                if family.candidates is None
                else ", ".join(f"{c.unit.request_id}/{c.unit.response_id} {c.bus}" for c in family.candidates)
            )
            on_obd = {None: "unknown", False: "no", True: "yes"}[family.head_unit_on_obd]
            route = family.second_can
            second = f"pins {route.pins}, STP {route.preset}, {route.bit_rate} bit/s" if route else "none"
            rows.append((f"{stem}.toml", code, candidates, on_obd, second))
    assert _note_rows() == rows
    default = ", ".join(f"{u.request_id}/{u.response_id}" for u in known.default_candidates)
    assert default in (ROOT / "docs" / "evidence" / "head-units.md").read_text(encoding="utf-8")


def test_the_records_are_package_data_beside_their_loader() -> None:
    """The wheel ships src/obdident whole (pyproject: packages = ["src/obdident"]), records and schema
    included; they sit beside the module that reads them, not in a folder of the source tree outside it."""
    assert Path(load_records.__code__.co_filename).parent == RECORDS
    assert (RECORDS / "schema.json").is_file()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == ["src/obdident"]
