"""The command-line options and arguments of the ``obdident`` commands, as typed aliases.

Each alias is an ``Annotated`` type that typer reads: the parameter's type, its option names, its help.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from obdident.i18n import N_
from obdident.transports import MAX_BAUDRATE

__all__ = [
    "BaudrateOption",
    "BleTimeoutOption",
    "CsvOption",
    "DemoOption",
    "HeadUnitHardwareOption",
    "HeadUnitPartOption",
    "HeadUnitSerialOption",
    "HeadUnitSoftwareOption",
    "MakeOption",
    "ModelYearOption",
    "NoBleOption",
    "NoteOption",
    "PortOption",
    "QrOption",
    "RecordOption",
    "RecordingsArgument",
    "RedactOption",
    "ReportHtmlOption",
    "ReportJsonOption",
    "RequestOption",
    "ScanHtmlOption",
    "ScanJsonArgument",
    "ScanJsonOption",
    "SweepOption",
    "TimeoutOption",
    "VerboseOption",
    "VinOption",
]

# Options that `scan` and `report` share.
CsvOption = Annotated[
    str | None,
    typer.Option(metavar="FILE", help=N_("Append one row for this car to the CSV file FILE (dealer's log).")),
]
RedactOption = Annotated[
    bool,
    typer.Option(
        "--redact",
        help=N_(
            "Mask the VIN's serial part (positions 12-17) and unit serial numbers in every output, "
            "for sharing on a forum."
        ),
    ),
]
QrOption = Annotated[
    str | None,
    typer.Option(metavar="PATH", help=N_("Write the QR code (VIN and head-unit identifiers) as SVG.")),
]

# The head unit's identifiers the owner types in (read from its label or screen), on `scan` and `report`.
VinOption = Annotated[
    str | None,
    typer.Option(
        "--vin",
        metavar="VIN",
        help=N_(
            "The VIN from the plate at the bottom of the windscreen, the driver's door pillar or the "
            "registration document, when the car does not give it; kept as entered by the owner."
        ),
    ),
]
ModelYearOption = Annotated[
    str | None,
    typer.Option(
        "--model-year",
        metavar="YEAR",
        help=N_("The model year from the registration document (2014); kept as entered by the owner."),
    ),
]
HeadUnitPartOption = Annotated[
    str | None,
    typer.Option(
        "--head-unit-part",
        metavar="PART",
        help=N_(
            "The head unit's part number from its label (25915-5FA1A), when OBD-II cannot read it; "
            "kept as entered by the owner."
        ),
    ),
]
HeadUnitSerialOption = Annotated[
    str | None,
    typer.Option(
        "--head-unit-serial",
        metavar="SERIAL",
        help=N_(
            "The head unit's serial number from its label (BP123456789012); kept as entered by the owner."
        ),
    ),
]
HeadUnitSoftwareOption = Annotated[
    str | None,
    typer.Option(
        "--head-unit-software",
        metavar="VERSION",
        help=N_("The head unit's software version from its version menu; kept as entered by the owner."),
    ),
]
HeadUnitHardwareOption = Annotated[
    str | None,
    typer.Option(
        "--head-unit-hardware",
        metavar="VERSION",
        help=N_("The head unit's hardware version from its version menu; kept as entered by the owner."),
    ),
]

PortOption = Annotated[
    str | None,
    typer.Option(
        "--port",
        "-p",
        metavar="PORT",
        help=N_(
            "Adapter port or URL: /dev/ttyUSB0, /dev/rfcomm0, COM5, /dev/cu.OBDII-SPPDev, "
            "socket://192.168.0.10:35000 (WiFi), ble://MAC (Bluetooth LE), rfcomm://MAC (Linux), "
            "sim://PROFILE (simulated vehicle). Without it, obdident looks for the adapter."
        ),
    ),
]

DemoOption = Annotated[
    bool, typer.Option("--demo", help=N_("Scan the built-in simulated Nissan (no hardware needed)."))
]

ScanJsonOption = Annotated[
    str | None,
    typer.Option(
        "--json",
        metavar="PATH",
        help=N_(
            "Write the JSON report to PATH ('-' for stdout only). Without it, the report is kept in "
            "obdident-DATE-TIME.json in the current folder, for `obdident report`."
        ),
    ),
]

MakeOption = Annotated[
    str | None,
    typer.Option(
        metavar="MAKE",
        help=N_(
            "Vehicle make when the car does not show it (no VIN, no Nissan CALID): 'nissan' lets "
            "obdident open Nissan's diagnostic session (10 C0) on Nissan units that need it."
        ),
    ),
]

SweepOption = Annotated[
    bool, typer.Option("--sweep", help=N_("Also probe every physical id 700-7F7 and list unknown units."))
]

FullOption = Annotated[
    bool,
    typer.Option(
        "--full",
        help=N_(
            "Probe every unit of the table, also those the vehicle's family does not have by the public "
            "record (the report lists them as not probed otherwise), each asked its identification at once "
            "(slower; for a unit that ignores the quick presence check)."
        ),
    ),
]

RecordOption = Annotated[
    str | None,
    typer.Option(
        metavar="FILE",
        help=N_(
            "Write the adapter dialogue (masked) to FILE, for replay://FILE and to contribute it "
            "(see hw-fixtures/sessions/README.md)."
        ),
    ),
]

NoteOption = Annotated[
    str | None,
    typer.Option(
        metavar="TEXT", help=N_("With --record: the vehicle, as you would describe it (model, year).")
    ),
]

BaudrateOption = Annotated[
    int, typer.Option(metavar="BAUD", help=N_("Serial speed in baud."), min=1, max=MAX_BAUDRATE)
]

TimeoutOption = Annotated[
    float, typer.Option(metavar="SECONDS", help=N_("Overall time limit in seconds."), min=1.0)
]

VerboseOption = Annotated[bool, typer.Option("--verbose", "-v", help=N_("Show the adapter dialogue."))]

ScanHtmlOption = Annotated[
    str | None,
    typer.Option(metavar="PATH", help=N_("Also write the printable one-page report for the dealer (HTML).")),
]

ScanJsonArgument = Annotated[
    Path,
    typer.Argument(
        metavar="SCAN.json",
        help=N_(
            "A JSON report written by `obdident scan` (the file it names at the end, or its --json PATH)."
        ),
    ),
]

ReportHtmlOption = Annotated[
    str | None, typer.Option(metavar="PATH", help=N_("Write the printable one-page report for the dealer."))
]

RequestOption = Annotated[
    bool,
    typer.Option(
        "--request",
        help=N_(
            "Print the text of a request to the dealer for the head unit's unlock code, filled from "
            "the scan, with blanks for what the owner adds."
        ),
    ),
]

ReportJsonOption = Annotated[
    str | None,
    typer.Option(
        "--json",
        metavar="PATH",
        help=N_("Write the JSON report (redacted with --redact) to PATH ('-' for stdout)."),
    ),
]

BleTimeoutOption = Annotated[
    float,
    typer.Option(
        metavar="SECONDS",
        help=N_("How long the Bluetooth LE scan may take, seconds."),
        min=0.5,
        max=60,
    ),
]

NoBleOption = Annotated[bool, typer.Option("--no-ble", help=N_("Skip the Bluetooth LE scan."))]

RecordingsArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="RECORDING", help=N_("Recordings written by --record."), exists=True, dir_okay=False
    ),
]
