"""Every problem code obdident can raise, listed once, each with its meaning.

A :class:`~obdident.model.Problem`'s ``code`` is the stable key dealer systems and tests match on; its
owner sentence is data (:class:`obdident.i18n.Text`, kept in the JSON as ``msgid`` and ``params``). This
table is the one list of codes: ``tests/test_problem_codes.py`` checks that every code the package can raise
is here and documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass

from obdident.i18n import Text

__all__ = ["PROBLEMS", "PROBLEM_DETAILS", "Problem"]

#: code -> its meaning, in English, for engineers and dealer systems (the owner's words are the Text). The
#: README's "Problem codes" table lists the same.
PROBLEMS: dict[str, str] = {
    # the vehicle's identity
    "vin-not-stored": "An ECU answered a VIN request (service 09 InfoType 02, 22 F190 or 21 81) without a "
    "usable VIN (a fill pattern, a placeholder, not printable); one per ECU, each source in the detail.",
    "vin-mismatch": "Sources disagree on the VIN: ECUs among themselves (no VIN is given), or a VIN read "
    "over OBD-II and the one the owner entered (both are kept).",
    "vin-not-available": "Some ECU answered, but none gave a usable VIN over OBD-II.",
    "service-09-not-supported": "No ECU declares SAE J1979 service 09 (vehicle information), where the VIN "
    "and CALIDs are kept.",
    "unreadable-calid": "A CALID (service 09 InfoType 04) is not printable ASCII; its raw bytes are in the "
    "evidence.",
    "no-answer": "An ECU declared a service 09 InfoType but did not answer it.",
    # units on their physical addresses
    "negative-response": "A unit refused an identification request with a negative response other than "
    "'not supported' (the request and NRC in the detail).",
    "needs-session": "A head-unit candidate answers identification only in a diagnostic session; none is "
    "opened on a head-unit candidate.",
    "needs-nissan-session": "A unit answers identification only in Nissan's session 10 C0, which was not "
    "opened (the vehicle is not shown to be a Nissan, or no capture shows the unit needing it).",
    "session-refused": "A unit refused Nissan's session 10 C0.",
    "session-not-restored": "A unit did not confirm its return to the default session (10 81); it returns by "
    "itself (ISO 14230-3 S3 timeout).",
    "identification-mismatch": "A unit gave different part-number suffixes in 21 80 and 21 83.",
    "stopped-answering": "A unit that answered before stopped answering (ignition switched off?).",
    "busy": "A unit kept answering 'busy, repeat request' (NRC 21) past the retry limit.",
    "response-pending-storm": "A unit kept answering 'response pending' (NRC 78) past the retry limit.",
    "undecodable-answer": "An answer arrived whole but could not be decoded; that value is missing, the step "
    "ran to its end.",
    "garbled-answer": "An answer could not be read at all (ISO-TP or line format); that step was skipped.",
    "units-not-probed": "Units left out on purpose: absent from the established family by its record, or OBD "
    "addresses silent to 0100 (--full probes them); each unit's reason in the detail.",
    "head-unit-other-pins": "The family's head unit sits on a second CAN (MS-CAN, other OBD-II pins) this "
    "adapter cannot reach (not an STN chip, or no MS-CAN transceiver).",
    "second-can-silent": "Nothing answered on the family's second CAN at its bit rate.",
    "head-unit-mismatch": "A head-unit identifier read over OBD-II differs from the one the owner entered "
    "(both are kept).",
    # the vehicle and the scan as a whole
    "no-vehicle-response": "No ECU answered the generic OBD-II request nor any known unit on its physical "
    "address (ignition off, adapter not seated).",
    "no-generic-obd": "No ECU answered the generic OBD-II request; the units were read on their physical "
    "addresses (normal for an electric Nissan Leaf).",
    "vehicle-went-quiet": "The vehicle stopped answering during the scan: units probed after that may be "
    "missing though they exist.",
    "interrupted": "The scan was cancelled (Ctrl-C, SIGTERM, the window's Cancel); what was read is kept.",
    "scan-timeout": "The scan's overall time limit (--timeout) ran out; what was read is kept.",
    "scan-failed": "The scan stopped on an internal fault (a defect); what was read is kept.",
    # the adapter's own limits (obdident.scanning.adapter_flaws)
    "adapter-lacks-command": "The adapter answered ? to a command the scan needs (AT FC SH/SD/SM for long "
    "answers from units other than the engine ECU, or one with no stand-in).",
    "adapter-truncates-requests": "The adapter sends only the first 2 bytes of longer requests (units answer "
    "7F xx 13).",
    "adapter-drops-frames": "The adapter passed on only the first frame of a multi-frame answer, or printed "
    "BUFFER FULL / STOPPED.",
    "adapter-stopped-answering": "The adapter gave no prompt before a command's deadline; the scan stopped "
    "there.",
    "adapter-answers-late": "The adapter gives each command the answer of the one before; nothing could be "
    "matched.",
    "adapter-reset": "The adapter reset itself mid-scan (banner or LV RESET); it was set up again and the "
    "step repeated.",
    # errors that stop a scan (obdident.errors and their subclasses: err.code)
    "adapter-error": "The adapter answered something unexpected, or nothing (obdident.errors.AdapterError).",
    "link-lost": "The link to the adapter dropped while in use (obdident.errors.TransportError).",
    "port-open": "The adapter's port could not be opened (obdident.errors.PortOpenError).",
    "port-url": "The port name or URL is malformed or names no port (obdident.errors.PortUrlError).",
    "refused": "The read-only guard refused a line; nothing was written (obdident.errors.GuardRefusal).",
    "replay-diverged": "A replay:// session: obdident sent a line other than the recording's next one.",
    "profile": "A simulator profile could not be read (obdident.errors.ProfileError).",
    "recording": "A recording could not be read or written (obdident.errors.RecordingError).",
    "invalid-vin": "A VIN does not have the ISO 3779 structure (obdident.errors.InvalidVinError).",
    "entered-value-refused": "A value the owner typed in is of no accepted form "
    "(obdident.vehicles.headunit_forms.EnteredValueError).",
    "bad-family-record": "A family record does not follow its schema "
    "(obdident.vehicles.families.record.RecordError).",
}


@dataclass(frozen=True)
class Problem:
    """Something the user should know: a missing value, a disagreement, a step that failed.

    Attributes:
        code: a stable kebab-case code (``vin-not-stored``), listed with its meaning in
            :data:`obdident.problems.PROBLEMS`.
        message: one or two sentences for a person, including what to do where there is something to do;
            it may go on after :data:`PROBLEM_DETAILS` with detail for engineers (sources, unit by unit),
            which the owner's screens leave out (:attr:`summary`) and the JSON keeps.
        response_id: the ECU concerned, or None.
        text: the owner's sentence as data (message id and parameters, :mod:`obdident.i18n`), which the
            JSON keeps as ``msgid`` and ``params`` (schema 1.3); None in older reports (the screens then show
            :attr:`summary` of the English message).
    """

    code: str
    message: str
    response_id: str | None = None
    text: Text | None = None

    @property
    def summary(self) -> str:
        """The message without its details: what the terminal, the dealer page and the window show; the
        owner sentence as data (:attr:`text`, a :class:`~obdident.i18n.Text`) where there is one."""
        if self.text is not None:
            return self.text
        return self.message.split(PROBLEM_DETAILS, 1)[0]

    @classmethod
    def of(cls, code: str, text: Text, detail: str | None = None, response_id: str | None = None) -> Problem:
        """A problem whose owner sentence is ``text`` and whose JSON ``message`` is its English rendering,
        followed by :data:`PROBLEM_DETAILS` and ``detail`` (English, for engineers) when there is one."""
        message = str(text) + (PROBLEM_DETAILS + detail if detail else "")
        return cls(code, message, response_id, text)


#: Where a problem's message turns to detail for engineers (:attr:`Problem.summary` stops before it).
PROBLEM_DETAILS = " Details: "
