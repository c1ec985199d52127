"""What the output tests share: the CLI runner, the demo and hostile profiles' known values."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from obdident import cli
from obdident.model import Report, load_schema
from obdident.report.text import render

runner = CliRunner()
DEMO_VIN = "SJNFBAT32U1000001"
DEMO_PAYLOAD = "OBDIDENT1;SIM=1;VIN=SJNFBAT32U1000001"
# The hostile head unit's identifiers, escaped as the payload format says (';' '=' '\' get a backslash).
HOSTILE_PAYLOAD = (
    "OBDIDENT1;SIM=1;HU=\\=HYPERLINK(\"http://x\");SN=+cmd|' /C calc'!A0;SW=-2+3+cmd|' /C calc'!A0;"
    "HW=@SUM(1+1)\\;HW\\=2\\\\3"
)
# Printable hostile strings the hostile profile's ECUs give, as data.
HOSTILE_TEXT = {
    "<script>alert(1)",
    '"><img src onerror=1',
    '=HYPERLINK("http://x")',
    "-2+3+cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1);HW=2\\3",
    '"><img src=x onerror=alert(1)>',
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def invoke(*args: str) -> Any:
    return runner.invoke(cli.app, list(args))


def _validate(data: dict[str, Any]) -> None:
    import jsonschema

    jsonschema.Draft202012Validator(load_schema()).validate(data)


def _terminal(report: Report, color_system: Any = None) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system=color_system, width=120, highlight=False)
    render(report, console)
    return out.getvalue()
