"""What a report means, without the dialogue that led to it: the decoded identification, the vehicle, the
head unit's conclusion and the problem codes. Goldens, replays and the "one candidate changes one family"
check compare this, so a change of probe order, of a request's form or of a message's wording leaves them
alone, while a value read, a unit found or a problem raised does not."""

from __future__ import annotations

import json
from typing import Any


def meaning(report: dict[str, Any]) -> dict[str, Any]:
    """The meaning of a JSON report (``Report.to_json`` / ``--json``), as plain JSON data.

    Kept: the vehicle (VIN, its check, make, family and model year, each VIN source's value or problem),
    each unit by response id (its request id, name, dialect, session, bus and every decoded identification
    value), the head unit's status, unit, confidence and the candidates probed, the problem codes (with the
    unit each names), the unknown units of a sweep, and whether the scan was complete. Left out: evidence
    (the wire), time stamps, the tool's version, the port, and the wording of messages and guidance.
    """
    vehicle = dict(report["vehicle"])
    vehicle["vin_sources"] = sorted(
        ({k: s[k] for k in ("source", "response_id", "value")} for s in vehicle["vin_sources"]),
        key=lambda s: (s["response_id"], s["source"]),
    )
    ecus = {
        e["response_id"]: {
            "request_id": e["request_id"],
            "name": e["name"],
            "dialect": e["dialect"],
            "session": e["session"],
            "bus": e["bus"],
            "identification": e["identification"],
        }
        for e in report["ecus"]
    }
    head = report.get("head_unit")
    head_unit = None
    if head is not None:
        head_unit = {k: head.get(k) for k in ("status", "response_id", "confidence")}
        head_unit["probed"] = sorted(head.get("probed") or head.get("candidates") or [])
    return {
        "complete": report["complete"],
        "protocol": report["adapter"]["protocol_number"],
        "vehicle": vehicle,
        "ecus": dict(sorted(ecus.items())),
        "head_unit": head_unit,
        "problems": sorted(f"{p['code']} {p.get('response_id') or '-'}" for p in report["problems"]),
        "unknown_units": report.get("unknown_units", []),
    }


def dumps(data: dict[str, Any]) -> str:
    """Stable text of a meaning, for golden files."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
