"""The scan's shared state: what each ECU gave so far, the options, and the helpers every step uses.

Split from :mod:`obdident.scanner` along the steps: :mod:`obdident.scan09` reads service 09 on this state,
the scanner adds the physical-address steps and builds the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from obdident.discovery import UnitResult
from obdident.elm327.driver import ELM327, AdapterInfo, Clock, Response
from obdident.elm327.lines import EcuMessage
from obdident.errors import AdapterResetError, ObdidentError, ProtocolError
from obdident.model import Ecu, Evidence, Identification, Problem, UnknownUnit, VinSource
from obdident.vehicles import addresses
from obdident.vehicles.nissan import Unit

__all__ = ["MAX_COUNT_DIGIT", "EcuState", "Progress", "ScanBase", "ScanDeadline", "ScanOptions"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
MAX_COUNT_DIGIT = 15  # the response-count digit is one hex digit (ELM327 datasheet)


@dataclass
class EcuState:
    response_id: str
    evidence: list[Evidence] = field(default_factory=list)
    supported: frozenset[int] = frozenset()
    calibration_ids: list[str] = field(default_factory=list)
    cvns: list[str] = field(default_factory=list)
    ecu_name: str | None = None
    vin: str | None = None
    physical: UnitResult | None = None

    def build(self) -> Ecu:
        unit = self.physical.unit if self.physical else None
        name = self.ecu_name.split("-", 1)[0] if self.ecu_name else None
        name = name or (unit.name if unit else addresses.name_for(self.response_id))
        fields = dict(self.physical.fields) if self.physical else {}
        evidence = list(self.evidence)
        if self.physical:
            by_request: dict[str, list[str]] = {}
            for key, request in self.physical.field_requests.items():
                by_request.setdefault(request, []).append(key)
            evidence += [
                Evidence(e.request, e.response, tuple(by_request.get(without_count(e.request), ())))
                for e in self.physical.evidence
            ]
        return Ecu(
            request_id=unit.request_id if unit else addresses.request_id_for(self.response_id),
            response_id=self.response_id,
            name=name,
            identification=Identification(
                calibration_ids=tuple(self.calibration_ids),
                cvns=tuple(self.cvns),
                ecu_name=self.ecu_name,
                vin=self.vin,
                supported_infotypes=tuple(f"{n:02X}" for n in sorted(self.supported)),
                fields=fields,
            ),
            evidence=tuple(evidence),
            description=unit.description if unit else None,
            dialect=(self.physical.dialect if self.physical else None) or ("obd" if self.supported else None),
            session=self.physical.session if self.physical else None,
            address_source=unit.source if unit else None,
        )


class ScanDeadline(ObdidentError):
    """The overall scan deadline passed between two steps."""


@dataclass(frozen=True)
class ScanOptions:
    """What to scan beyond the defaults.

    Attributes:
        make: ``nissan`` to establish the make when the vehicle does not show it (no VIN, no Nissan CALID);
            it admits Nissan's session 10 C0 to Nissan physical addresses.
        physical: probe the physical-address units of the Nissan table (and the OBD ECUs that answered).
        sweep: also probe every 11-bit physical id 700-7F7 and list unknown responders.
    """

    make: str | None = None
    physical: bool = True
    sweep: bool = False


class ScanBase:
    """State and helpers shared by the scan's steps."""

    def __init__(
        self,
        driver: ELM327,
        port: str,
        progress: Progress,
        deadline: float,
        clock: Clock,
        options: ScanOptions,
    ) -> None:
        self.driver = driver
        self.port = port
        self.progress = progress
        self.deadline = deadline
        self.clock = clock
        self.options = options
        self.ecus: dict[str, EcuState] = {}
        self.problems: list[Problem] = []
        self.vin_sources: list[VinSource] = []
        self.info: AdapterInfo | None = None
        self.probed: list[Unit] = []
        self.transport: str | None = None
        self.recovered = False
        self.first_responders = 0
        self.on_step: Callable[[], None] = lambda: None
        self.unknown: list[UnknownUnit] = []
        self.limit_s: float | None = None  # the overall limit in seconds, for the scan-timeout problem

    # --- helpers ------------------------------------------------------------------------------------
    def _ecu(self, response_id: str) -> EcuState:
        return self.ecus.setdefault(response_id, EcuState(response_id))

    def _problem(self, code: str, message: str, response_id: str | None = None) -> None:
        self.problems.append(Problem(code, message, response_id))

    def _step(self, step: Callable[[], None]) -> None:
        """Run one step; when the adapter resets itself, set it up again once and repeat the step."""
        try:
            step()
        except ProtocolError as err:
            hint = (
                " The adapter does not support flow control (AT FC), so multi-frame answers from units "
                "outside 7E8-7EF stop after their first frame."
                if not self.driver.flow_control_supported
                else ""
            )
            self._problem(
                "garbled-answer",
                f"An answer could not be read: {err}. That step was skipped and the scan went on.{hint}",
            )
        except AdapterResetError as err:
            if self.recovered:
                raise
            self.recovered = True
            self._problem(
                "adapter-reset",
                f"The adapter reset itself during the scan (answering {err.request}); obdident set it up "
                "again and repeated that step. Check its power and that it sits firmly in the socket.",
            )
            self.driver.recover()
            step()
        self.on_step()

    def _check_deadline(self) -> None:
        if self.clock() > self.deadline:
            raise ScanDeadline("the scan's overall time limit ran out")

    def _record(self, response: Response) -> dict[str, list[EcuMessage]]:
        """File each ECU's lines as evidence and return its messages."""
        by_ecu: dict[str, list[EcuMessage]] = {}
        for message in response.messages:
            by_ecu.setdefault(message.response_id, []).append(message)
        for rid, messages in by_ecu.items():
            lines: list[str] = []
            for message in messages:
                lines.extend(x for x in message.lines if x not in lines)
            self._ecu(rid).evidence.append(Evidence(response.exchange.request, tuple(lines)))
        return by_ecu


def without_count(request: str) -> str:
    """The request without its response-count digit (an odd number of hex digits ends with one)."""
    return request[:-1] if len(request) % 2 else request
