"""The simulated ECUs' diagnostic behaviour: which messages an ECU sends back for a request.

Each ECU answers from its profile tables (:class:`~obdident.sim.profile.EcuProfile`) and keeps the
state a real ECU keeps between requests:

- its diagnostic session (ISO 14229-1 DiagnosticSessionControl ``10 xx`` / ISO 14230-3
  StartDiagnosticSession): ``01`` and ``81`` are the default session, other ids must be listed in the
  profile's ``sessions``; a session table is available only while its session is active;
- how many times it has received each request, for repeated-request sequences (a response-pending
  ``7F xx 78`` the adapter times out on, then the answer when the request is repeated).

Negative responses (``7F <SID> <NRC>``) that the simulator generates itself (unsupported request,
locked request, unknown session) are never sent for SAE J1979 services 01-0A, and NRCs 11, 12, 31, 7E
and 7F are suppressed for functionally addressed requests (ISO 14229-1, 7.5 "functional addressing":
the server shall not send those NRCs). Entries written in the tables are always sent as written.

Nothing here knows about the ELM327: :mod:`obdident.sim.elm` asks :meth:`SimulatedVehicle.reply` and
formats the messages. Sessions never time out (there is no clock); an ATZ does not reset the vehicle.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from obdident.sim.schema import DEFAULT_SESSIONS, SESSION_CONTROL, EcuProfile, Reply, VehicleProfile

__all__ = ["SimulatedVehicle"]

#: ISO 14229-1 negative response service id.
NEGATIVE_RESPONSE = 0x7F
#: ISO 14229-1 / ISO 14230-3 NRCs the simulator generates.
NRC_SUB_FUNCTION_NOT_SUPPORTED = 0x12
NRC_INCORRECT_LENGTH = 0x13
#: NRCs an ECU does not send for a functionally addressed request (ISO 14229-1).
SUPPRESSED_WHEN_FUNCTIONAL = frozenset({0x11, 0x12, 0x31, 0x7E, 0x7F})
#: SAE J1979 OBD-II services: unsupported PIDs get no answer, never an NRC from the simulator.
OBD_SERVICES = range(0x01, 0x0B)


@dataclass
class _EcuState:
    """What one ECU remembers between requests."""

    session: int | None = None  # None = default session
    entered: Counter[int] = field(default_factory=Counter)  # session id -> times put in it
    asked: Counter[bytes] = field(default_factory=Counter)  # request -> times received


class SimulatedVehicle:
    """The ECUs of a profile, with their sessions and request counters.

    Attributes:
        profile: the vehicle.
    """

    def __init__(self, profile: VehicleProfile) -> None:
        self.profile = profile
        self._states = {ecu.request_id: _EcuState() for ecu in profile.ecus}

    def reply(self, ecu: EcuProfile, request: bytes, *, functional: bool) -> tuple[bytes, ...]:
        """The messages ``ecu`` sends back for ``request``, in order; empty if it stays silent.

        Args:
            ecu: one of the profile's ECUs.
            request: the request bytes (service id first).
            functional: True if the request was functionally addressed (7DF, 18DB33F1, ...).

        Returns:
            The messages, each a whole message (service id first).
        """
        state = self._states[ecu.request_id]
        state.asked[request] += 1
        times = state.asked[request]
        if ecu.sessions is not None and request[0] == SESSION_CONTROL:
            return self._session_control(ecu, state, request, functional)
        active = ecu.session_replies.get(state.session) if state.session is not None else None
        for table in (active, ecu.replies):
            if table is not None and request in table:
                return _round(table[request], times)
        service = request[0]
        if service in OBD_SERVICES:
            return ()
        if ecu.locked_nrc is not None and any(request in table for table in ecu.session_replies.values()):
            return _negative(service, ecu.locked_nrc, functional)
        nrc = ecu.unsupported_nrc_for(service)
        return () if nrc is None else _negative(service, nrc, functional)

    def preview(self, ecu: EcuProfile, request: bytes, *, functional: bool) -> tuple[bytes, ...]:
        """What :meth:`reply` would send now, without changing the ECU's state (session, counts)."""
        state = self._states[ecu.request_id]
        saved = replace(state, entered=Counter(state.entered), asked=Counter(state.asked))
        try:
            return self.reply(ecu, request, functional=functional)
        finally:
            self._states[ecu.request_id] = saved

    def session_of(self, request_id: int) -> str:
        """``"default"``, or the active session id in hex (``"C0"``) of the ECU with ``request_id``.

        Raises:
            KeyError: no ECU has that request id.
        """
        session = self._states[request_id].session
        return "default" if session is None else f"{session:02X}"

    def session_counts(self, request_id: int) -> dict[str, int]:
        """How many times the ECU with ``request_id`` was put in each session: ``{"C0": 2, "81": 1}``.

        Raises:
            KeyError: no ECU has that request id.
        """
        return {f"{session:02X}": count for session, count in self._states[request_id].entered.items()}

    def request_count(self, request_id: int, request: bytes) -> int:
        """How many times the ECU with ``request_id`` received ``request``."""
        return self._states[request_id].asked[request]

    def _session_control(
        self, ecu: EcuProfile, state: _EcuState, request: bytes, functional: bool
    ) -> tuple[bytes, ...]:
        """``10 xx``: enter session xx (``50 xx`` [+ timing]) or refuse it (``7F 10 12``).

        An ECU whose answer carries ISO 14229-1 timing (``session_timing``) is a UDS server: bit 7 of the
        sub-function (suppressPosRspMsgIndicationBit) leaves out the positive answer (ISO 14229-1 §8.2.2),
        so ``10 81`` enters the default session and says nothing. A KWP2000 ECU's ``81`` is its default
        session's own number (ISO 14230-3)."""
        if len(request) != 2:
            return _negative(SESSION_CONTROL, NRC_INCORRECT_LENGTH, functional)
        if ecu.session_timing and request[1] & 0x80:
            answer = self._session_control(ecu, state, bytes([request[0], request[1] & 0x7F]), functional)
            return () if answer and answer[0][:1] == bytes([SESSION_CONTROL | 0x40]) else answer
        session = request[1]
        accepted = ecu.sessions or frozenset()
        if session not in DEFAULT_SESSIONS and session not in accepted:
            return _negative(SESSION_CONTROL, NRC_SUB_FUNCTION_NOT_SUPPORTED, functional)
        state.session = None if session in DEFAULT_SESSIONS else session
        state.entered[session] += 1
        return (bytes([SESSION_CONTROL | 0x40, session]) + ecu.session_timing,)


def _round(reply: Reply, times: int) -> tuple[bytes, ...]:
    """The messages of the ``times``-th request (1 = first); the last round repeats."""
    return reply[min(times, len(reply)) - 1]


def _negative(service: int, nrc: int, functional: bool) -> tuple[bytes, ...]:
    if functional and nrc in SUPPRESSED_WHEN_FUNCTIONAL:
        return ()
    return (bytes([NEGATIVE_RESPONSE, service, nrc]),)
