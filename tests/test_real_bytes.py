"""Real bytes as fixtures (issue 20, point 4): answers public captures and logs show real Nissans sending,
framed as ISO 15765-2 the way the ECU sends them (tests/real_bytes/fixtures.toml), go through the driver's
line parser, ISO-TP reassembly and decoders, and give the values the sources give. A fixture not seen on a
real car is named ``*_hypothesis``."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from obdident.elm327.lines import PROTOCOLS, group_messages, parse_frames
from obdident.report.headunit import nissan_form
from obdident.services import kwp, obd09, uds
from obdident.services.common import parse_negative
from obdident.vehicles.families import knowledge
from obdident.vehicles.vin import parse_vin_field

FIXTURES: dict[str, dict[str, Any]] = tomllib.loads(
    (Path(__file__).resolve().parent / "real_bytes" / "fixtures.toml").read_text(encoding="utf-8")
)
SOURCES = ("_balrog", "_opendbc", "_wican288", "_hypothesis")


def _payload(fixture: dict[str, Any]) -> tuple[str | None, bytes]:
    """The response id and the message the frames carry, reassembled as the driver does."""
    if "frames" not in fixture:
        return None, bytes.fromhex(fixture["payload"])
    protocol = PROTOCOLS[fixture["protocol"]]
    (message,) = group_messages(parse_frames(fixture["frames"], protocol), protocol)
    if "payload" in fixture:
        assert message.payload == bytes.fromhex(fixture["payload"])
    return message.response_id, message.payload


def _decoded(name: str, fixture: dict[str, Any]) -> dict[str, str]:
    rid, payload = _payload(fixture)
    request = bytes.fromhex(fixture["request"])
    got: dict[str, str] = {"length": str(len(payload)), "starts": payload[:6].hex(" ").upper()}
    negative = parse_negative(payload)
    if negative is not None:
        got["negative"] = payload.hex(" ").upper()
        return got
    if request == b"\x21\x83":
        got.update(kwp.decode_nissan_83(kwp.parse_read_lid(payload, 0x83)))
    elif request == b"\x21\x80":
        got.update(kwp.decode_alliance_80(kwp.parse_read_lid(payload, 0x80)))
    elif request == b"\x21\x81":
        got["vin"] = parse_vin_field(kwp.parse_read_lid(payload, 0x81)).value or "none"
    elif request == b"\x22\xf1\x88":
        got["part_number"] = uds.parse_read(payload, 0xF188).decode("ascii")
        got["shown"] = nissan_form(got["part_number"])
    elif request == b"\x09\x02":
        (item,) = obd09.parse_items([payload], 0x02, legacy=False).items
        got["vin"] = parse_vin_field(item).value or "none"
    elif request == b"\x09\x04":
        items = obd09.parse_items([payload], 0x04, legacy=False).items
        calids = [obd09.decode_ascii(item) or "" for item in items]
        got["calids"] = " ".join(calids)
        found = knowledge().by_calid(calids[0])
        got["family"] = found[0].code if found else "none"
    if "part_number_suffix" in got:
        got["shown"] = f"\u2026-{got['part_number_suffix']}"
        found = knowledge().by_suffix(rid or "", got["part_number_suffix"])
        got["family"] = found[0].code if found else "none"
    return got


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_real_answer_decodes_to_what_its_source_shows(name: str) -> None:
    fixture = FIXTURES[name]
    got = _decoded(name, fixture)
    for key, value in fixture["expect"].items():
        assert got.get(key) == value, (name, key, got)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_each_fixture_is_named_with_its_source_and_a_hypothesis_says_so(name: str) -> None:
    fixture = FIXTURES[name]
    assert name.endswith(SOURCES), name
    assert fixture["source"]
    assert name.endswith("_hypothesis") == (not fixture["seen_on_a_car"]), name
    for line in fixture.get("frames", ()):
        header = 8 if fixture["protocol"] in ("7", "9") else 3
        assert len(line) == header + 16, line  # a whole CAN frame: 8 data bytes, padding included


def test_the_issue_lists_every_real_answer_among_the_fixtures() -> None:
    payloads = " ".join(f.get("payload", "") for f in FIXTURES.values())
    for text in ("42 52 30 32 41", "7F 21 80", "49 02 01 FF", "61 81 00 00", "7F 22 80", "18 42 05 17"):
        assert text in payloads, text
    shown = {f["expect"].get("shown") for f in FIXTURES.values()}
    assert {"284N8-6CA1D", "23710-9HE2B", "47660-5SA1C", "284U2-9HE0A"} <= shown
    assert any(name.startswith("leaf_ze0_lbc") for name in FIXTURES)
    assert "03 68" not in payloads  # the BCM's encrypted PIN bytes are never reproduced


def test_every_simulated_head_unit_is_named_a_hypothesis() -> None:
    """No Nissan head unit has been captured answering (evidence sections 8, 9): every profile's unit on a
    head-unit candidate address is an invention, and its name says so. Replace it when a capture exists."""
    from obdident.vehicles import nissan

    candidates = {u.request_id for u in nissan.UNITS if u.head_unit}
    profiles = Path(__file__).resolve().parents[1] / "hw-fixtures" / "profiles"
    seen = 0
    for path in sorted(profiles.glob("*.toml")):
        for ecu in tomllib.loads(path.read_text(encoding="utf-8")).get("ecu", []):
            if ecu["request_id"] in candidates:
                seen += 1
                assert ecu["name"].endswith("_hypothesis"), (path.name, ecu["name"])
    assert seen >= 4
