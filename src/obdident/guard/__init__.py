"""The read-only guard: every line passes it before it is written, judged by the frames it causes.

obdident identifies; it never changes a vehicle or an adapter. The ELM327 driver hands every line to
:meth:`Guard.check` before a byte is written. A line is admitted only when (1) one :data:`ALLOWLIST` row
admits its text and (2) every frame it can put on the bus, given the adapter state the guard keeps, is in
the read-only set. There is no blocklist: whatever no row admits (SecurityAccess, memory reads, writes,
routines, resets, clearing, any other SID, and every command that writes the adapter's non-volatile memory:
AT SP in all forms, AT PP, AT SD, AT @3, AT BRD/BRT, STN save commands) is refused with
:class:`~obdident.errors.GuardRefusal`.

Lines are judged in a canonical form: upper case, spaces, tabs and NUL bytes removed. A line holding a CR
or LF (two commands in one write) and an empty line (the ELM327 repeats the previous command on a bare CR:
ELM327 datasheet, "Repeating a command") are refused outright.

The frame model (state kept in :class:`GuardContext`):

* Reset seen. Volatile settings survive between programs until a reset, so before the first AT Z, AT WS or
  AT D the guard knows nothing of them (another program may have left CAF0 or a forged flow control frame)
  and refuses every line that puts a frame on the bus. A reset restores the volatile defaults (flow control
  mode 0, FC header and data unset, no AT SH header, AT CP 18: ELM327 datasheet, AT D, AT WS, AT Z, AT CP)
  and, from the adapter's memory, what the stored programmable parameters and AT SP decide (ELM327
  datasheet, "Programmable Parameters": type D/R parameters take effect at AT D / AT Z / AT WS / power-on):
  the protocol (AT SP: any of 1-C, or automatic), CAN automatic formatting (PP 24: CAF0 when set to FF),
  the tester address in the default header (PP 06), the last protocol an automatic search tries (PP 07,
  up to C) and the user CAN protocols' formats (PP 2C, 2E). The guard takes every one of them as unknown
  until a confirmed command sets it: CAF may be either until AT CAF1 (or 0) is confirmed; the protocol may
  be any until AT TP h; the default header is admitted only on 11-bit CAN (the fixed 7DF), so on 29-bit CAN
  and off CAN a request needs an AT SH since the reset. A banner or ``LV RESET`` in any answer (the adapter
  reset itself: a brown-out) is such a reset too (:meth:`Guard.settle` ``reset``), and the line it answers
  may have run before the reset or after it (the adapter reset as the line arrived): both states stay
  possible. AT I answers its version, which reads as a banner, so after AT I the guard counts on none of it
  either. The wakeup message a K-line initiation repeats (AT WM, which has no row) is restored to its
  default only by a reset, so AT SI / FI / SW / IIA wait for one seen through the guard.
* Protocol family: 11-bit CAN, 29-bit CAN, the 3-byte-header protocols (K-line, J1850) or :data:`USER`
  (SAE J1939, USER1/USER2 CAN): AT TP 1-5 non-CAN, 6/8 11-bit, 7/9 29-bit; AT TP A h (a search) and a
  reset any. AT TP A, B and C have no row: J1939 sends on 18 EA FF tt without the length byte, and the
  factory PP 2C (E0) and PP 2E (80) select the data format "none", which sends the line as the raw CAN
  frame (ATZ, ATTPB, 0104 would send 01 04: clear DTCs). No request goes out while the adapter may be on
  one of them (a stored protocol, or a search PP 07 extends), so the driver pins every protocol it tries
  (AT TP h) instead of the adapter's search. On STN adapters (OBDLink) STP p selects the current preset
  the same way without saving it: 33/35/53 11-bit, 34/36/54 29-bit (53/54 on the MS-CAN transceiver,
  OBD-II pins 3/11); STPBR sets only its bit rate (OBDLink Family Reference and Programming Manual rev F,
  STP, STPBR; the manual marks every command that writes NVM, and these are not).
* Header (AT SH) and priority (AT CP). On CAN the frame's id: an 11-bit id 700-7FF or a 29-bit
  ``18 DA tt F1`` / ``18 DB 33 F1`` (ISO 15765-4 §6.3: the diagnostic ids). Off CAN the header bytes,
  judged by their target: functional ``68 6A F1``, ``61 6A F1``, ``C1 33 F1`` or physical ``81 tt F1|FC``
  (SAE J1979 / ISO 14230-4); a CAN id there would become other header bytes (``AT SH 7E0`` off CAN is
  ``00 07 E0``), so it is refused while the adapter may be off CAN. AT SH admits nothing else. A 3-digit id
  on 29-bit CAN becomes AT CP + ``00 0x xx`` and an 8-digit id on 11-bit CAN keeps its low 11 bits (ELM327
  datasheet, AT SH): neither is a diagnostic id, so a request under a set header (or flow control on FC SH)
  is admitted only once every CAN family the adapter may be on has the header's width. A 6-digit header on
  CAN would become a CAN id, so under one a request is admitted only once the family is known to be
  non-CAN (AT TP 1-5). AT CP takes only 18, the diagnostic priority (``AT CP 00`` would move ``18 DB 33 F1``
  to ``00 DB 33 F1``); an 8-digit AT SH sets the priority too.
* Automatic formatting (AT CAF, CAN only; ELM327 datasheet, "CAN Message Formats"). CAF1: the adapter adds
  the ISO 15765-2 PCI byte, so the frame is a single frame ``0L`` + the request, and the request must be one
  an ALLOWLIST request row admits. CAF0: the adapter sends the bytes as they are, so the first byte is the
  PCI an ECU reads: the line must be a whole single frame, ``0L`` with L (1-7) the number of bytes after it,
  carrying an admitted request (``02 09 02`` is admitted; ``01 04`` is a single frame carrying OBD service
  04, clear DTCs, and refused). Off CAN the line is the message data (header and checksum added), so a
  CAF0 line is admitted only once the family is known to be CAN.
* Flow control (AT FC SH / SD / SM; ELM327 datasheet, "Altering Flow Control Messages"; ISO 15765-2 §9.6.5).
  The adapter answers an ECU's first frame with a flow control frame: mode 0 ``30 00 00`` on the automatic
  id, mode 1 the FC SD bytes on the FC SH id, mode 2 the FC SD bytes on the automatic id. FC SD is admitted
  only as a flow control frame ``30 BS STmin`` (ContinueToSend; STmin 00-7F or F1-F9), FC SH only as a
  diagnostic CAN id, and AT FC SM 1 (SM 2) only when FC SH and FC SD (FC SD) were set through the guard
  since the last reset; a request waits while mode 1 (2) may be on without FC SH or FC SD (FC SD) set, as
  after AT FC SM 1 answered by a banner. So no state transition makes an admitted setting send anything
  else.
* Answers. ``?`` means not carried out; an answer with neither ``OK`` nor ``?`` leaves both states
  possible. The ELM327 prints one prompt per command: an answer that never ended in a prompt (a timeout, an
  oversize answer: :meth:`Guard.lost_prompt`) may still come and be read as a later line's, so from then on
  ``OK`` and ``?`` count as unknown until the wire has read the prompts it owed
  (:meth:`Guard.resynchronized`; :mod:`obdident.elm327.wire` reads them before it writes again, and a
  banner among them counts as a reset that may have happened: :meth:`Guard.maybe_reset`).

The rows of the table are data: a later capability adds rows, never code paths. A row may carry a condition
on the guard's context (the header in force, whether the vehicle is established as a Nissan): Nissan's
diagnostic session ``10 C0`` is admitted only to an address in :data:`NISSAN_SESSION_TARGETS`, on a vehicle
established as Nissan (evidence: ``10 C0`` sent to a Ford engine ECU once put it in neutral-tow mode,
openpilot PR #28585).

Sources: ELM327 datasheet (ELM327DS): AT command summary, "CAN Message Formats", "Altering Flow Control
Messages", "Setting the Headers", AT CAF, AT CP (default 18), AT D, AT FC, AT I, AT PB, AT SH, AT SP (which
"sets the protocol and saves it": never admitted) and AT TP (tries a protocol without saving it);
"Programmable Parameters" and its summary table: PP 06 (OBD source / tester address, F1), PP 07 (last
protocol of an automatic search, 01-0C, default 09), PP 24 (CAF default), PP 2B (J1939 bit rate), PP 2C
and PP 2E (USER1/USER2 options: b7 transmit id length, b2-b0 data format none / ISO 15765-4 / J1939;
defaults E0 and 80); ISO 15765-2 (PCI types: single frame 0L, first frame 1L, consecutive frame 2N, flow
control 3S); ISO 15765-4 (diagnostic CAN ids); SAE J1979 and ISO 14230-4 (K-line and J1850 headers).

Beside the allowlist lives :data:`MASKS`: response fields known to carry security data. The driver masks
them before anything is decoded, logged, reported or recorded (:mod:`obdident.elm327.masking`).
"""

from __future__ import annotations

from obdident.errors import GuardRefusal
from obdident.guard.check import Guard, canonical, is_allowed
from obdident.guard.context import (
    ANY_FAMILY,
    CAN,
    CAN11,
    CAN29,
    OTHER,
    PROTOCOL_FAMILIES,
    STN_PRESET_FAMILIES,
    USER,
    GuardContext,
)
from obdident.guard.masks import (
    MASKS,
    MaskRule,
    garbled_offsets,
    mask_offsets,
    masked_response_ids,
    may_carry_field,
    shaped_like_field_answer,
)
from obdident.guard.rules import ALLOWLIST, NISSAN_SESSION_TARGETS, Rule

__all__ = [
    "ALLOWLIST",
    "ANY_FAMILY",
    "CAN",
    "CAN11",
    "CAN29",
    "MASKS",
    "NISSAN_SESSION_TARGETS",
    "OTHER",
    "PROTOCOL_FAMILIES",
    "STN_PRESET_FAMILIES",
    "USER",
    "Guard",
    "GuardContext",
    "GuardRefusal",
    "MaskRule",
    "Rule",
    "canonical",
    "garbled_offsets",
    "is_allowed",
    "mask_offsets",
    "masked_response_ids",
    "may_carry_field",
    "shaped_like_field_answer",
]
