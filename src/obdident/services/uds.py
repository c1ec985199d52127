"""ISO 14229-1 (UDS) ReadDataByIdentifier of the identification DIDs F180-F19F: pure build and parse.

Request ``22 <DID hi> <DID lo>``, positive response ``62 <DID hi> <DID lo> <data>`` (ISO 14229-1:2020
§11.2). DIDs and their meaning: ISO 14229-1:2020 Annex C.1. obdident reads one DID per request.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.errors import DecodeError
from obdident.services.common import Encoding

__all__ = ["DIDS", "READ_ORDER", "Did", "build_read", "parse_read"]

SID = 0x22
POSITIVE_SID = 0x62


@dataclass(frozen=True)
class Did:
    """One identification data identifier.

    Attributes:
        did: the identifier, 0xF180-0xF19F.
        key: its key in the report (snake_case of the ISO 14229-1 name, shortened as dealers say it).
        name: the ISO 14229-1 Annex C.1 name.
        encoding: how the value is shown (:func:`obdident.services.common.render`).
    """

    did: int
    key: str
    name: str
    encoding: Encoding = "auto"


#: ISO 14229-1:2020 Annex C.1, the identification option DIDs.
DIDS: dict[int, Did] = {
    d.did: d
    for d in (
        Did(0xF180, "boot_software_identification", "bootSoftwareIdentificationDataIdentifier"),
        Did(0xF181, "application_software_identification", "applicationSoftwareIdentificationDataIdentifier"),
        Did(0xF182, "application_data_identification", "applicationDataIdentificationDataIdentifier"),
        Did(0xF183, "boot_software_fingerprint", "bootSoftwareFingerprintDataIdentifier", "hex"),
        Did(
            0xF184, "application_software_fingerprint", "applicationSoftwareFingerprintDataIdentifier", "hex"
        ),
        Did(0xF185, "application_data_fingerprint", "applicationDataFingerprintDataIdentifier", "hex"),
        Did(0xF186, "active_diagnostic_session", "ActiveDiagnosticSessionDataIdentifier", "hex"),
        Did(0xF187, "spare_part_number", "vehicleManufacturerSparePartNumberDataIdentifier"),
        Did(0xF188, "ecu_software_number", "vehicleManufacturerECUSoftwareNumberDataIdentifier"),
        Did(0xF189, "ecu_software_version", "vehicleManufacturerECUSoftwareVersionNumberDataIdentifier"),
        Did(0xF18A, "system_supplier", "systemSupplierIdentifierDataIdentifier"),
        Did(0xF18B, "ecu_manufacturing_date", "ECUManufacturingDateDataIdentifier", "hex"),
        Did(0xF18C, "ecu_serial_number", "ECUSerialNumberDataIdentifier"),
        Did(0xF18D, "supported_functional_units", "supportedFunctionalUnitsDataIdentifier", "hex"),
        Did(0xF18E, "kit_assembly_part_number", "VehicleManufacturerKitAssemblyPartNumberDataIdentifier"),
        Did(0xF190, "vin", "VINDataIdentifier", "ascii"),
        Did(0xF191, "ecu_hardware_number", "vehicleManufacturerECUHardwareNumberDataIdentifier"),
        Did(0xF192, "supplier_hardware_number", "systemSupplierECUHardwareNumberDataIdentifier"),
        Did(0xF193, "supplier_hardware_version", "systemSupplierECUHardwareVersionNumberDataIdentifier"),
        Did(0xF194, "supplier_software_number", "systemSupplierECUSoftwareNumberDataIdentifier"),
        Did(0xF195, "supplier_software_version", "systemSupplierECUSoftwareVersionNumberDataIdentifier"),
        Did(0xF196, "type_approval_number", "exhaustRegulationOrTypeApprovalNumberDataIdentifier"),
        Did(0xF197, "system_name", "systemNameOrEngineTypeDataIdentifier"),
        Did(0xF198, "repair_shop_code", "repairShopCodeOrTesterSerialNumberDataIdentifier"),
        Did(0xF199, "programming_date", "programmingDateDataIdentifier", "hex"),
        Did(0xF19A, "calibration_shop_code", "calibrationRepairShopCodeOrCalibrationEquipmentSerialNumber"),
        Did(0xF19B, "calibration_date", "calibrationDateDataIdentifier", "hex"),
        Did(0xF19C, "calibration_equipment_software", "calibrationEquipmentSoftwareNumberDataIdentifier"),
        Did(0xF19D, "ecu_installation_date", "ECUInstallationDateDataIdentifier", "hex"),
        Did(0xF19E, "odx_file", "ODXFileDataIdentifier"),
        Did(0xF19F, "entity", "EntityDataIdentifier"),
    )
}

#: What a scan reads from each UDS unit, most useful to a dealer first. F190 (VIN) is cross-checked.
READ_ORDER: tuple[int, ...] = (
    0xF187, 0xF188, 0xF18A, 0xF18C, 0xF191, 0xF192, 0xF193, 0xF194, 0xF195, 0xF197, 0xF189, 0xF180, 0xF18B,
    0xF190,
)  # fmt: skip


def build_read(did: int) -> bytes:
    """Build ``22 <DID>`` (ISO 14229-1:2020 §11.2.2).

    Raises:
        ValueError: the DID is not an identification DID (F180-F19F); the guard would refuse it too.
    """
    if did not in DIDS:
        raise ValueError(f"0x{did:04X} is not an identification DID (F180-F19F)")
    return bytes((SID, did >> 8, did & 0xFF))


def parse_read(payload: bytes, did: int) -> bytes:
    """Return the data of a positive ``62 <DID> <data>`` answer (ISO 14229-1:2020 §11.2.3).

    Args:
        payload: the complete message.
        did: the DID asked for.

    Raises:
        DecodeError: not a positive answer for ``did``, or no data.
    """
    if len(payload) < 4 or payload[0] != POSITIVE_SID or int.from_bytes(payload[1:3], "big") != did:
        raise DecodeError(f"not an answer to 22 {did:04X}: {payload.hex(' ').upper() or '(empty)'}")
    return payload[3:]
