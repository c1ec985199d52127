"""Read a JSON report written by ``obdident scan --json`` back into a :class:`~obdident.model.Report`.

The file is checked against ``report-v1.schema.json`` (packaged with :mod:`obdident.model`) with
``jsonschema``, a runtime dependency: a report that does not follow the schema (``"vin": 12345``) is
refused here, with the place it breaks the schema, before a renderer sees it. JSON's extensions that
Python's parser accepts (``NaN``, ``Infinity``) are refused, and so are numbers too large to be finite
(``1e400``), strings holding a lone surrogate (``"\\udfff"``: not Unicode text, so no page, letter or CSV
could hold it) and JSON nested too deeply to read.

A report written with ``--redact`` is accepted too: its VIN fields read
``SJNFBAT32U1******`` (positions 12-17 masked), a form the schema admits.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from obdident.errors import ObdidentError
from obdident.i18n import T, Text, text_from_json
from obdident.model import (
    AdapterSummary,
    Advice,
    Ecu,
    EnteredValue,
    Evidence,
    HeadUnit,
    Identification,
    Problem,
    Report,
    UnknownUnit,
    Vehicle,
    VinSource,
    load_schema,
)

__all__ = ["load_report", "report_from_dict"]

#: Identification keys that are not in ``Identification.fields``.
_STANDARD_IDENT = ("calibration_ids", "cvns", "ecu_name", "vin", "supported_infotypes")


def load_report(path: str | Path) -> Report:
    """Read, check and rebuild a JSON report.

    Args:
        path: a file written by ``obdident scan --json PATH`` (or ``obdident report --json``).

    Returns:
        The report.

    Raises:
        ObdidentError: the file cannot be read, is not JSON, does not follow the report schema, or has a
            schema version other than 1.x; the message says which and where.
    """
    where = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError as err:
        raise ObdidentError(
            T("{path}: no such file", path=where),
            hint=T("Give the file written by `obdident scan --json PATH`."),
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise ObdidentError(T("{path}: cannot read the report: {reason}", path=where, reason=reason)) from err
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except json.JSONDecodeError as err:
        raise ObdidentError(
            T(
                "{path}: not a JSON report (line {line}, column {column}: {reason})",
                path=where,
                line=err.lineno,
                column=err.colno,
                reason=err.msg,
            ),
            hint=T("Give the file written by `obdident scan --json PATH`."),
        ) from err
    except ValueError as err:  # NaN, Infinity, 1e400, an integer too long to read
        raise ObdidentError(T("{path}: not a JSON report: {reason}", path=where, reason=str(err))) from err
    except RecursionError as err:
        raise ObdidentError(_too_deep(where)) from err
    if not isinstance(data, dict):
        raise ObdidentError(T("{path}: not a report: the JSON is not an object", path=where))
    broken = _not_unicode(data)
    if broken is not None:
        raise ObdidentError(
            T(
                "{path}: not a report: the string at {place} holds a lone surrogate (a \\uD800-\\uDFFF "
                "escape without its pair), which is not Unicode text (RFC 8259, section 8.2)",
                path=where,
                place=broken,
            ),
            hint=T("Give the file written by `obdident scan --json PATH`, unchanged."),
        )
    _check_version(data, where)
    try:
        _validate(data, where)
        return report_from_dict(data)
    except RecursionError as err:  # within the schema's limits, yet too deep for the validator
        raise ObdidentError(_too_deep(where)) from err
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise ObdidentError(
            T(
                "{path}: not a report of schema version 1: {reason}",
                path=where,
                reason=f"{type(err).__name__}: {err}",
            )
        ) from err


def _too_deep(where: str) -> Text:
    return T("{path}: not a report: the JSON is nested too deeply to read", path=where)


def _refuse_constant(name: str) -> Any:
    """``json.loads`` hook for ``NaN``, ``Infinity`` and ``-Infinity``, which JSON (RFC 8259 §6) lacks."""
    raise ValueError(f"{name} is not a JSON number (RFC 8259, section 6)")


def _finite(text: str) -> float:
    """``json.loads`` hook for numbers with a fraction or exponent: ``1e400`` reads as infinity in Python,
    which a report cannot write back as JSON; refused like ``Infinity``."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is out of range for a number (RFC 8259, section 6)")
    return value


def _not_unicode(data: Any) -> str | None:
    """The place (``vehicle/vin``) of the first string or key holding a lone surrogate, or None.

    JSON's ``\\uDFFF`` escape reads as a lone surrogate, which no UTF-8 file, page or terminal can hold.
    The depth is bounded: deeper JSON was refused by the parser already.
    """
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, at = stack.pop()
        if isinstance(value, str):
            if not value.isascii() and _surrogate(value):
                return at or "(top level)"
        elif isinstance(value, dict):
            for key, item in value.items():
                place = f"{at}/{key}" if at else str(key)
                if not key.isascii() and _surrogate(key):
                    return place
                stack.append((item, place))
        elif isinstance(value, list):
            stack.extend((item, f"{at}/{index}") for index, item in enumerate(value))
    return None


def _surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_version(data: Mapping[str, Any], where: str) -> None:
    version = data.get("schema_version")
    if not isinstance(version, str) or version.split(".", 1)[0] != "1":
        raise ObdidentError(
            T(
                "{path}: schema_version {version} is not supported: obdident reads version 1.x reports",
                path=where,
                version=repr(version),
            ),
            hint=T("Read it with the obdident version that wrote it."),
        )


def _validate(data: Mapping[str, Any], where: str) -> None:
    try:  # a runtime dependency; imported by name since it ships no type information
        jsonschema: Any = importlib.import_module("jsonschema")
    except ImportError as err:
        raise ObdidentError(
            T("{path}: cannot check the report: the jsonschema package is missing", path=where),
            hint=T("Reinstall obdident from its folder (pip install .), which installs jsonschema."),
        ) from err
    validator = jsonschema.Draft202012Validator(load_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        at = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
        raise ObdidentError(
            T(
                "{path}: does not follow the report schema at {place}: {reason}",
                path=where,
                place=at,
                reason=message,
            ),
            hint=T("Give the file written by `obdident scan --json PATH`, unchanged."),
        )


def _evidence(data: Mapping[str, Any]) -> Evidence:
    return Evidence(str(data["request"]), tuple(data["response"]), tuple(data.get("fields", ())))


def _identification(data: Mapping[str, Any]) -> Identification:
    fields = {key: value for key, value in data.items() if key not in _STANDARD_IDENT}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise TypeError(f"identification {key!r} is not a string")
    return Identification(
        calibration_ids=tuple(data["calibration_ids"]),
        cvns=tuple(data["cvns"]),
        ecu_name=data["ecu_name"],
        vin=data["vin"],
        supported_infotypes=tuple(data["supported_infotypes"]),
        fields=fields,
    )


def report_from_dict(data: Mapping[str, Any]) -> Report:
    """Rebuild a report from its JSON form (:meth:`Report.to_dict`); the inverse of ``to_dict``.

    Raises:
        KeyError, TypeError, ValueError: a required key is missing or has the wrong shape.
    """
    v = data["vehicle"]
    vehicle = Vehicle(
        vin=v["vin"],
        vin_check_digit=v["vin_check_digit"],
        vin_sources=tuple(
            VinSource(s["source"], s["response_id"], s["value"], s.get("problem")) for s in v["vin_sources"]
        ),
        wmi=v["wmi"],
        manufacturer=v["manufacturer"],
        country=_text(v, "country"),
        model_year=v["model_year"],
        model_year_note=_text(v, "model_year_note"),
        family=v["family"],
        family_basis=_text(v, "family_basis"),
        make_basis=_text(v, "make_basis"),
        entered=tuple(
            EnteredValue(x["field"], x["value"], x["form"], x["provenance"]) for x in v.get("entered", ())
        ),
    )
    a = data["adapter"]
    adapter = AdapterSummary(
        port=a["port"],
        transport=_text(a, "transport"),
        version=a["version"],
        description=a["description"],
        protocol=a["protocol"],
        protocol_number=a["protocol_number"],
        voltage_v=a["voltage_v"],
        unsupported_commands=tuple(a["unsupported_commands"]),
    )
    ecus = tuple(
        Ecu(
            request_id=e["request_id"],
            response_id=e["response_id"],
            name=e["name"],
            identification=_identification(e["identification"]),
            evidence=tuple(_evidence(x) for x in e["evidence"]),
            description=e.get("description"),
            dialect=e.get("dialect"),
            session=e.get("session"),
            address_source=e.get("address_source"),
            bus=e.get("bus"),
        )
        for e in data["ecus"]
    )
    h = data["head_unit"]
    head_unit = (
        None
        if h is None
        else HeadUnit(
            status=h["status"],
            response_id=h["response_id"],
            reason=_text(h, "reason") or "",
            guidance=_texts(h, "guidance"),
            probed=tuple(h["probed"]),
            entered=tuple(
                EnteredValue(x["field"], x["value"], x["form"], x["provenance"]) for x in h.get("entered", ())
            ),
            confidence=h.get("confidence"),
            advice=tuple(Advice(**{**a, "text": Text(a["text"])}) for a in h.get("advice", ())),
        )
    )
    statuses = ("identified", "not-reachable", "not-found", "adapter-limited", "not-asked")
    if head_unit is not None and head_unit.status not in statuses:
        raise ValueError(f"head_unit.status {head_unit.status!r} is not known")
    return Report(
        complete=bool(data["complete"]),
        vehicle=vehicle,
        adapter=adapter,
        ecus=ecus,
        problems=tuple(_problem(p) for p in data["problems"]),
        head_unit=head_unit,
        unknown_units=tuple(
            UnknownUnit(u["request_id"], u["response_id"], u["answer"], _evidence(u["evidence"]))
            for u in data["unknown_units"]
        ),
        tool=dict(data["tool"]),
        started_at=data["started_at"],
        duration_s=float(data["duration_s"]),
        schema_version=data["schema_version"],
    )


def _problem(data: Mapping[str, Any]) -> Problem:
    """A problem with its owner sentence as data (schema 1.3 ``msgid``/``params``); an older report's
    problem keeps its English message, shown as it is."""
    text = None
    if isinstance(data.get("msgid"), str):
        text = text_from_json({"msgid": data["msgid"], "params": data.get("params") or {}})
    return Problem(
        data["code"], data["message"], data.get("response_id"), text if isinstance(text, Text) else None
    )


def _text(data: Mapping[str, Any], name: str) -> Any:
    """Field ``name`` of ``data`` as an owner sentence: from ``texts`` (schema 1.3) when it has parameters,
    else its English text as the message id (a sentence the catalogues hold is translated; one they do not,
    such as an older report's wording, is shown in English); None stays None."""
    stored = (data.get("texts") or {}).get(name)
    if isinstance(stored, dict):
        value = text_from_json(stored)
        if isinstance(value, Text):
            return value
    raw = data.get(name)
    return Text(raw) if isinstance(raw, str) and raw else raw


def _texts(data: Mapping[str, Any], name: str) -> tuple[Any, ...]:
    """List field ``name`` of ``data`` as owner sentences (see :func:`_text`)."""
    stored = (data.get("texts") or {}).get(name) or []
    out = []
    for i, raw in enumerate(data.get(name) or ()):
        entry = stored[i] if i < len(stored) else None
        value = text_from_json(entry) if isinstance(entry, dict) else None
        out.append(value if isinstance(value, Text) else (Text(raw) if isinstance(raw, str) and raw else raw))
    return tuple(out)
