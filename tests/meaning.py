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
    unit each names, with the owner sentence's message id and parameters), the head unit's reason and the
    vehicle's notes as message id and parameters, the unknown units of a sweep, and whether the scan was
    complete. Left out: evidence (the wire), time stamps, the tool's version, the port, the English
    renderings of messages (a report before schema 1.3 has no message id: its English stands in) and the
    guidance.
    """
    vehicle = dict(report["vehicle"])
    vehicle_texts = vehicle.pop("texts", {})
    for name in ("family_basis", "make_basis", "model_year_note"):
        vehicle[name] = _text(vehicle.get(name), vehicle_texts.get(name))
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
        head_unit["reason"] = _text(head.get("reason"), (head.get("texts") or {}).get("reason"))
    return {
        "complete": report["complete"],
        "protocol": report["adapter"]["protocol_number"],
        "vehicle": vehicle,
        "ecus": dict(sorted(ecus.items())),
        "head_unit": head_unit,
        "problems": sorted(
            (
                {
                    "code": p["code"],
                    "response_id": p.get("response_id"),
                    **(_text(p["message"].split(" Details: ", 1)[0], p) or {}),
                }
                for p in report["problems"]
            ),
            key=lambda p: (p["code"], p["response_id"] or "-", json.dumps(p, sort_keys=True)),
        ),
        "unknown_units": report.get("unknown_units", []),
    }


def _text(english: str | None, data: dict[str, Any] | None) -> dict[str, Any] | None:
    """An owner sentence as its message id and parameters (schema 1.3): from ``data`` (a ``texts`` entry, or
    a problem with ``msgid``/``params``) when it has them, else the English text as a message id without
    parameters; None stays None. The English rendering itself is left out."""
    if data is not None and data.get("msgid") is not None:
        return {"msgid": data["msgid"], "params": data.get("params") or {}}
    if english is None:
        return None
    return {"msgid": english, "params": {}}


def dumps(data: dict[str, Any]) -> str:
    """Stable text of a meaning, for golden files."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
