"""The report built from a scan's state: pure, callable at any step (nothing here changes the state)."""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version

from obdident.elm327.driver import ELM327
from obdident.model import AdapterSummary, Ecu, Identification, Problem, Report
from obdident.scanning import assess
from obdident.scanning.adapter_flaws import FLAWS
from obdident.scanning.state import EcuState, ScanState
from obdident.vehicles import addresses

__all__ = ["INCOMPLETE_CODES", "build_report"]

#: Problems that mean a planned step did not run to its end for some ECU (it stopped answering, its answer
#: was garbled so the step was skipped, it never got past busy / pending): the report is not complete. An
#: answer that arrived whole but could not be decoded (``undecodable-answer``) is not among them: its step
#: ran to its end, and the problem says which value is missing.
INCOMPLETE_CODES = frozenset(
    {
        "no-answer",
        "stopped-answering",
        "garbled-answer",
        "response-pending-storm",
        "busy",
        "vehicle-went-quiet",
        *FLAWS,
    }
)

_VERSION = version("obdident")


def build_report(
    state: ScanState, driver: ELM327, *, complete: bool, started_at: str, duration_s: float
) -> Report:
    """The report of what was read so far.

    Args:
        state: the scan's findings.
        driver: the driver, for the protocol found and the commands the adapter refused.
        complete: every step ran to its end (a problem in :data:`INCOMPLETE_CODES` makes it False too).
        started_at: ISO 8601 UTC time the scan started.
        duration_s: seconds the scan took so far.
    """
    problems = list(state.problems)
    vehicle = assess.vehicle(state.vin_sources, bool(state.ecus), problems)
    physical = [s.physical for s in state.ecus.values() if s.physical]
    facts = state.facts  # derived once by the runner, from every basis (assess.derive)
    family = facts.family
    vehicle = replace(
        vehicle,
        family=family[0].name if family else None,
        family_basis=family[1] if family else None,
        make_basis=state.nissan_basis or facts.make_basis,
    )
    head_unit = None
    if state.ecus and state.options.physical:
        head_unit = assess.head_unit(
            state.probed,
            physical,
            family[0] if family else None,
            nissan_table=any(u.head_unit for u in state.probed),
            second_can=state.second_can,
            is_nissan=vehicle.make_basis is not None,
            can=driver.vehicle_protocol is None or driver.vehicle_protocol.can,
            quick=not state.options.full,
            cut_short=not complete or any(p.code in INCOMPLETE_CODES for p in problems),
            adapter_limit=_adapter_limit(problems),
            adapter_stopped=any(p.code == "adapter-stopped-answering" for p in problems),
        )
    lost = any(p.code in INCOMPLETE_CODES for p in problems)
    return Report(
        complete=complete and not lost,
        vehicle=vehicle,
        adapter=_adapter(state, driver),
        ecus=tuple(_ecu(ecu) for ecu in state.ecus.values()),
        problems=tuple(problems),
        head_unit=head_unit,
        unknown_units=tuple(state.unknown),
        tool={"name": "obdident", "version": _VERSION},
        started_at=started_at,
        duration_s=duration_s,
    )


def _adapter_limit(problems: list[Problem]) -> str | None:
    """The owner's sentence of the problem in which the adapter's own limits cut the scan short, if any: a
    flaw (:data:`~obdident.scanning.adapter_flaws.FLAWS`)."""
    return next((p.summary for p in problems if p.code in FLAWS), None)


def _adapter(state: ScanState, driver: ELM327) -> AdapterSummary:
    protocol = driver.vehicle_protocol
    info = state.info
    return AdapterSummary(
        port=state.port,
        transport=state.transport,
        version=info.version if info else None,
        description=info.description if info else None,
        protocol=protocol.name if protocol else None,
        protocol_number=protocol.number if protocol else None,
        voltage_v=info.voltage_v if info else None,
        unsupported_commands=driver.unsupported,
    )


def _ecu(ecu: EcuState) -> Ecu:
    physical = ecu.physical
    unit = physical.unit if physical else None
    name = ecu.ecu_name.split("-", 1)[0] if ecu.ecu_name else None
    name = name or (unit.name if unit else addresses.name_for(ecu.response_id))
    return Ecu(
        request_id=unit.request_id if unit else addresses.request_id_for(ecu.response_id),
        response_id=ecu.response_id,
        name=name,
        identification=Identification(
            calibration_ids=tuple(ecu.calibration_ids),
            cvns=tuple(ecu.cvns),
            ecu_name=ecu.ecu_name,
            vin=ecu.vin,
            supported_infotypes=tuple(f"{n:02X}" for n in sorted(ecu.supported)),
            fields=dict(physical.fields) if physical else {},
        ),
        evidence=tuple(ecu.evidence) + tuple(physical.evidence() if physical else ()),
        description=unit.description if unit else None,
        dialect=(physical.dialect if physical else None) or ("obd" if ecu.supported else None),
        session=physical.session if physical else None,
        address_source=unit.source if unit else None,
        bus=physical.bus if physical else None,
    )
