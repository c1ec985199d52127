r"""The QR code on the dealer's page: the VIN and the head unit's identifiers in one compact line.

Payload format, version 1 (``OBDIDENT1``)::

    OBDIDENT1;SIM=1;VIN=<vin>;HU=<part>;HUS=<suffix>;SN=<serial>;SW=<software>;HW=<hardware>;EHU=<part>;ESN=<serial>;ESW=<software>;EHW=<hardware>;EVIN=<vin>;EMY=<year>

* The payload starts with ``OBDIDENT1``; then ``;KEY=VALUE`` fields, always in the order above. A field
  whose value was not read is left out (never guessed): a car whose head unit was not identified gives
  just ``OBDIDENT1;VIN=...``, and a car with no usable VIN has no ``VIN`` field.
* ``SIM=1``: the scan was of a simulated car (``sim://``): every value is invented. It comes first, so that a
  person reading the payload's text sees it before any value; a real car's payload never has it.
* ``VIN``: ``vehicle.vin``, only as read over OBD-II.
* The head-unit fields come from the ECU entry the head unit answered as (``head_unit.status`` is
  ``identified``), first key present wins (:mod:`.headunit`):

  - ``HU`` (the whole part number): ``spare_part_number`` (UDS F187), ``kit_assembly_part_number``,
    ``product_number``;
  - ``HUS`` (only the part number's suffix, Nissan ``21 83``, e.g. ``BR02A`` of ``284B2-BR02A``):
    ``part_number_suffix``;
  - ``SN``: ``ecu_serial_number`` (UDS F18C);
  - ``SW``: ``ecu_software_number``, ``ecu_software_version``, ``supplier_software_number``,
    ``supplier_software_version``, ``software_id``;
  - ``HW``: ``ecu_hardware_number``, ``supplier_hardware_number``, ``supplier_hardware_version``,
    ``hardware_id``, ``hardware_number``.

* ``EHU``, ``ESN``, ``ESW``, ``EHW`` (since obdident 0.x, report 1.2): the part number, serial number,
  software and hardware versions **entered by the owner** (``--head-unit-part`` ...; ``head_unit.entered``),
  never read over OBD-II. They are separate keys, so a reader that knows only the read keys never takes an
  entered value for a read one; where both were given and differ, both are in the payload.
* ``EVIN``, ``EMY``: the VIN and the model year **entered by the owner** (``--vin``, ``--model-year``;
  ``vehicle.entered``), never read; where a VIN was read too and differs, both are in the payload.
* A value holding ``*`` (masked security bytes, or masked by ``--redact``) is left out: it is not the
  value the unit holds.
* Escaping inside values: ``\`` is written ``\\``, ``;`` is ``\;``, ``=`` is ``\=``; a character outside
  printable ASCII (0x20-0x7E) is written ``\xHH`` (below U+0100), ``\uHHHH`` or ``\UHHHHHHHH``, with
  lower-case hex digits. :func:`parse_payload` reads it back.

The demo car's payload is ``OBDIDENT1;VIN=SJNFBAT32U1000001`` (its head unit does not answer).
The QR code is drawn by segno (ISO/IEC 18004), error correction level M.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from obdident.i18n import T
from obdident.model import Report
from obdident.report.entered import entered_model_year, entered_values, entered_vin
from obdident.report.headunit import FIELDS, head_unit_values
from obdident.report.provenance import is_simulated

if TYPE_CHECKING:
    import segno

__all__ = [
    "MAGIC",
    "parse_payload",
    "payload",
    "svg_document",
    "svg_inline",
]

MAGIC = "OBDIDENT1"

_PRINTABLE_FIRST, _PRINTABLE_LAST = 0x20, 0x7E
_BYTE, _BMP = 0x100, 0x10000


def _escape(value: str) -> str:
    out: list[str] = []
    for char in value:
        code = ord(char)
        if char in "\\;=":
            out.append("\\" + char)
        elif _PRINTABLE_FIRST <= code <= _PRINTABLE_LAST:
            out.append(char)
        elif code < _BYTE:
            out.append(f"\\x{code:02x}")
        elif code < _BMP:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def payload(report: Report) -> str:
    """The QR payload of ``report`` (format above)."""
    parts = [MAGIC]
    if is_simulated(report):
        parts.append("SIM=1")
    vin = report.vehicle.vin
    if vin and "*" not in vin:
        parts.append(f"VIN={_escape(vin)}")
    values = head_unit_values(report)
    parts += [f"{name}={_escape(values[name])}" for name in FIELDS if name in values]
    entered = entered_values(report)
    parts += [
        f"E{name}={_escape(entered[name].value)}"
        for name in FIELDS
        if name in entered and "*" not in entered[name].value
    ]
    for key, value in (("EVIN", entered_vin(report)), ("EMY", entered_model_year(report))):
        if value is not None and "*" not in value.value:
            parts.append(f"{key}={_escape(value.value)}")
    return ";".join(parts)


def _split(text: str) -> list[str]:
    """Split on unescaped ``;``, keeping escapes for :func:`_unescape`."""
    parts, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    widths = {"x": 2, "u": 4, "U": 8}
    while i < len(text):
        char = text[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        if i + 1 >= len(text):
            raise ValueError(T("a lone backslash ends the value"))
        kind = text[i + 1]
        if kind in widths:
            digits = text[i + 2 : i + 2 + widths[kind]]
            if len(digits) != widths[kind]:
                raise ValueError(T("\\{kind} needs {n} hex digits", kind=kind, n=widths[kind]))
            out.append(chr(int(digits, 16)))
            i += 2 + widths[kind]
        else:
            out.append(kind)
            i += 2
    return "".join(out)


def parse_payload(text: str) -> dict[str, str]:
    """Read a payload back: ``{"VIN": ..., "HU": ...}``.

    Raises:
        ValueError: not an ``OBDIDENT1`` payload, or a malformed field; its argument is the reason as a
            :class:`~obdident.i18n.Text` (``err.args[0]``, translated where it is shown).
    """
    parts = _split(text)
    if parts[0] != MAGIC:
        raise ValueError(T("not an {magic} payload", magic=MAGIC))
    fields: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        if not sep or not key or "\\" in key:
            raise ValueError(T("malformed field {field}", field=repr(part)))
        fields[key] = _unescape(value)
    return fields


def _code(report: Report) -> segno.QRCode:
    import segno

    return segno.make_qr(payload(report), error="m", boost_error=False)


def svg_inline(report: Report) -> str:
    """The QR code as an ``<svg>`` element for an HTML page: a ``viewBox`` and no size (the page's CSS
    sizes it), no XML declaration; the payload is not in it as text, only as the drawn modules."""
    return str(
        _code(report).svg_inline(
            border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr", lineclass=None
        )
    )


def svg_document(report: Report, *, scale: int = 4) -> str:
    """The QR code as a standalone SVG file's text (``--qr OUT.svg``)."""
    buffer = io.BytesIO()
    _code(report).save(buffer, kind="svg", scale=scale, border=4, dark="#000", light="#fff")
    return buffer.getvalue().decode("utf-8")
