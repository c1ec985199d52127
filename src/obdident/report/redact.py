"""Redaction for sharing a report on a forum: ``--redact``.

:func:`redact` is a pure function: it returns a new :class:`~obdident.model.Report` and every
output (terminal, JSON, HTML, CSV, QR code, the code request) is made from that copy. It masks:

* the VIN's serial part, positions 12-17, as ``******`` (``SJNFBAT32U1******``), wherever the VIN
  appears: ``vehicle.vin``, every ``vin_sources`` value, the VIN the owner entered (``vehicle.entered``),
  an ECU's ``identification.vin``, and any text
  field that quotes it (problem messages, other identification values); a 17-character VIN-shaped word in
  a problem message is masked the same way (a VIN an ECU gave that was refused);
* unit serial numbers: ``ecu_serial_number`` and every identification key that contains ``serial``, one
  ``*`` per character;
* a serial number the owner entered (``head_unit.entered``, field ``serial_number``), the same way;
* the raw evidence lines of the answers that carry them (service 09 InfoType 02, UDS ``22 F190``, KWP2000
  ``21 81`` and every answer a serial number was decoded from): each hex line reads ``X`` for every
  character, so its shape stays but the bytes (the VIN in hex) are gone.

Evidence lines of other answers are kept as read (they hold no VIN and no serial number).
"""

from __future__ import annotations

import re
from dataclasses import replace

from obdident.model import Ecu, Evidence, Identification, Report

__all__ = ["MASK", "is_redacted", "redact", "redact_vin"]

MASK = "******"
_SERIAL_START = 11  # VIN positions 12-17 (ISO 3779 VIS serial), 0-based start
_MIN_SECRET = 4
_VIN_WORD = re.compile(r"(?<![A-Za-z0-9])([A-HJ-NPR-Z0-9]{11})[A-HJ-NPR-Z0-9]{6}(?![A-Za-z0-9])")
#: Requests (without spaces, any response-count digit after them) whose answers carry the VIN.
_VIN_REQUESTS = ("0902", "22F190", "2181")


def redact_vin(vin: str | None) -> str | None:
    """Mask positions 12-17 of a VIN (``SJNFBAT32U1******``); None and short strings stay as they are."""
    if vin is None or len(vin) < _SERIAL_START + len(MASK):
        return vin
    return vin[:_SERIAL_START] + MASK + vin[_SERIAL_START + len(MASK) :]


def _is_serial_key(key: str) -> bool:
    return "serial" in key.lower()


class _Redactor:
    def __init__(self, report: Report) -> None:
        vins = {report.vehicle.vin, *(s.value for s in report.vehicle.vin_sources)}
        vins |= {e.value for e in report.vehicle.entered if e.field == "vin"}
        vins |= {e.identification.vin for e in report.ecus}
        self.secrets: dict[str, str] = {}
        for vin in sorted(v for v in vins if v):
            masked = redact_vin(vin)
            if masked is not None and masked != vin:
                self.secrets[vin] = masked
        for ecu in report.ecus:
            for key, value in ecu.identification.fields.items():
                # short values (a serial "01") would mask unrelated text: the field itself is masked anyway
                if _is_serial_key(key) and len(value) >= _MIN_SECRET and set(value) != {"*"}:
                    self.secrets[value] = "*" * len(value)
        for entered in report.head_unit.entered if report.head_unit else ():
            if _is_serial_key(entered.field) and set(entered.value) != {"*"}:
                self.secrets[entered.value] = "*" * len(entered.value)

    def text(self, value: str) -> str:
        # longest first, so a serial that contains another is masked whole
        for secret in sorted(self.secrets, key=len, reverse=True):
            value = value.replace(secret, self.secrets[secret])
        return value

    def optional(self, value: str | None) -> str | None:
        return None if value is None else self.text(value)

    def message(self, value: str) -> str:
        return _VIN_WORD.sub(lambda m: m.group(1) + MASK, self.text(value))

    def identification(self, ident: Identification) -> Identification:
        fields = {
            key: ("*" * len(value) if _is_serial_key(key) else self.text(value))
            for key, value in ident.fields.items()
        }
        return replace(
            ident,
            calibration_ids=tuple(self.text(c) for c in ident.calibration_ids),
            ecu_name=self.optional(ident.ecu_name),
            vin=redact_vin(ident.vin),
            fields=fields,
        )

    def evidence(self, evidence: Evidence) -> Evidence:
        request = evidence.request.replace(" ", "").upper()
        carries = request.startswith(_VIN_REQUESTS) or any(_is_serial_key(f) for f in evidence.fields)
        if not carries:
            return evidence
        return replace(evidence, response=tuple("X" * len(line) for line in evidence.response))

    def ecu(self, ecu: Ecu) -> Ecu:
        return replace(
            ecu,
            identification=self.identification(ecu.identification),
            evidence=tuple(self.evidence(e) for e in ecu.evidence),
        )


def redact(report: Report) -> Report:
    """Return a copy of ``report`` with the VIN's serial part and unit serial numbers masked (see above).

    Redacting twice gives the same report as redacting once.
    """
    r = _Redactor(report)
    vehicle = replace(
        report.vehicle,
        vin=redact_vin(report.vehicle.vin),
        vin_sources=tuple(
            replace(s, value=redact_vin(s.value), problem=None if s.problem is None else r.message(s.problem))
            for s in report.vehicle.vin_sources
        ),
        entered=tuple(
            replace(e, value=redact_vin(e.value) or e.value) if e.field == "vin" else e
            for e in report.vehicle.entered
        ),
    )
    return replace(
        report,
        vehicle=vehicle,
        ecus=tuple(r.ecu(e) for e in report.ecus),
        problems=tuple(replace(p, message=r.message(p.message)) for p in report.problems),
        head_unit=None
        if report.head_unit is None
        else replace(
            report.head_unit,
            reason=r.message(report.head_unit.reason),
            entered=tuple(
                replace(e, value="*" * len(e.value)) if _is_serial_key(e.field) else e
                for e in report.head_unit.entered
            ),
        ),
    )


def is_redacted(report: Report) -> bool:
    """True when ``report`` shows the marks of :func:`redact` (a masked VIN or a masked serial number)."""
    if report.vehicle.vin is not None and report.vehicle.vin.endswith(MASK):
        return True
    if any(e.field == "vin" and e.value.endswith(MASK) for e in report.vehicle.entered):
        return True
    entered = report.head_unit.entered if report.head_unit else ()
    return any(
        _is_serial_key(key) and value and set(value) == {"*"}
        for ecu in report.ecus
        for key, value in ecu.identification.fields.items()
    ) or any(_is_serial_key(e.field) and set(e.value) == {"*"} for e in entered)
