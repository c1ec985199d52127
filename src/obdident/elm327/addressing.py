"""Addressing an adapter: its settings as last confirmed, the protocol in use, header, filter, flow control.

Each setting is sent only when it changes (AT SH, AT CRA, AT FC SH ... ELM327 datasheet), so a scan that
addresses one unit after another costs one line per change. :class:`Addressing` is part of
:class:`~obdident.elm327.driver.ELM327` (composition): it sends its AT commands through the driver's ``at``,
so every line still passes the guard on the one wire (:mod:`obdident.elm327.wire`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from obdident.elm327.lines import PROTOCOLS, Protocol
from obdident.elm327.wire import confirmed
from obdident.errors import AdapterError, AdapterReplyError
from obdident.guard import canonical
from obdident.i18n import T

__all__ = ["FUNCTIONAL_HEADERS", "SIBLINGS", "Addressing", "AtSender", "auto_flow_control"]

#: Sends one AT command and returns its answer lines (``ELM327.at``): ``at(line, required=...)``.
AtSender = Callable[..., list[str]]

#: ISO 15765-4 protocols by (speed family, id width): the 11-bit and 29-bit sibling of each CAN protocol
#: at the same bit rate (ELM327 datasheet, protocol table: 6/7 at 500 kbaud, 8/9 at 250 kbaud).
SIBLINGS: dict[str, dict[int, str]] = {
    "6": {11: "6", 29: "7"},
    "7": {11: "6", 29: "7"},
    "8": {11: "8", 29: "9"},
    "9": {11: "8", 29: "9"},
}


#: The functional (OBD) request header of each OBD-II protocol, set explicitly with AT SH: after a reset the
#: adapter's own default carries the tester address stored in PP 06 (and on 29-bit CAN the AT CP priority),
#: so the guard admits a request off 11-bit CAN only under a header set since (ELM327 datasheet, AT SH and
#: "Programmable Parameters"; SAE J1979: 61 6A F1 J1850 PWM, 68 6A F1 J1850 VPW and ISO 9141-2; ISO 14230-4:
#: C1 33 F1, the adapter putting the length in the first byte's low 6 bits; ISO 15765-4: 7DF, 18 DB 33 F1).
FUNCTIONAL_HEADERS: dict[str, str] = {
    "1": "616AF1",
    "2": "686AF1",
    "3": "686AF1",
    "4": "C133F1",
    "5": "C133F1",
    "6": "7DF",
    "7": "18DB33F1",
    "8": "7DF",
    "9": "18DB33F1",
}


class Addressing:
    """The adapter's settings as last confirmed and the protocol in use.

    Args:
        at: sends one AT command through the guarded wire (``ELM327.at``).

    Attributes:
        protocol: the protocol in use, or None before one is known.
        vehicle_protocol: the vehicle's own protocol: the first one that worked.
    """

    def __init__(self, at: AtSender) -> None:
        self._at = at
        self.protocol: Protocol | None = None
        self.vehicle_protocol: Protocol | None = None
        self._settings: dict[str, str] = {}
        self._cra_works = True
        self._cfcm_works = True  # False once the adapter answered ``?`` to AT CF or AT CM
        self._fc_works = True
        self._fc_id: str | None = None  # the id AT FC SH last set (kept across AT TP, cleared by AT D)
        self._pinned = False  # the adapter confirmed AT TP for self.protocol since the last reset

    def forget(self) -> None:
        """The adapter was reset to its defaults (AT D, AT Z): nothing set since is known any more."""
        self._settings.clear()
        self._fc_id = None
        self._pinned = False

    @property
    def flow_control_supported(self) -> bool:
        """False once the adapter answered ``?`` to AT FC SH/SD/SM (a pre-v1.1 chip or a clone)."""
        return self._fc_works

    def setting(self, key: str, line: str, *, required: bool = True) -> bool:
        """Send ``line`` unless setting ``key`` already has that value; False when answered ``?``."""
        if self._settings.get(key) == line:
            return True
        self._settings.pop(key, None)  # unknown until the adapter confirms the new value
        lines = self._at(line, required=required)
        if not lines and not required:
            return False  # answered ``?``: not supported (recorded), the setting unchanged
        if not confirmed(line, lines):
            # Neither OK nor ``?``: the setting may or may not have changed. The guard judges later lines for
            # both (Guard.settle); the step fails here, and the next use sends the line again.
            raise AdapterReplyError(
                T("the adapter did not confirm {command}", command=canonical(line)),
                status=_first(lines) or "",
                request=canonical(line),
                response=lines,
            )
        self._settings[key] = line
        # AT CRA and AT CF / AT CM set the same filter (ELM327 datasheet, AT CRA): one overwrites the other.
        for stale in ("CF", "CM") if key == "CRA" else ("CRA",) if key in ("CF", "CM") else ():
            self._settings.pop(stale, None)
        return True

    def functional_header(self, number: str) -> None:
        """Set protocol ``number``'s functional header (:data:`FUNCTIONAL_HEADERS`) unless it is in force.

        On 11-bit CAN the default a reset restores is 7DF, whatever the adapter stores, so AT SH 7DF is sent
        only when another header was set since; elsewhere the default carries the tester address stored in
        PP 06, so the header is always set explicitly (ELM327 datasheet, AT SH, PP 06).
        """
        if PROTOCOLS[number].header_bits != 11 or "SH" in self._settings:
            self.setting("SH", f"ATSH{FUNCTIONAL_HEADERS[number]}")

    def set_receive_timeout(self, value_hex: str) -> None:
        """Set the receive timeout, AT ST hh, in 4.096 ms steps (ELM327 datasheet, AT ST).

        Args:
            value_hex: two hex digits: ``10`` is 65.5 ms, ``19`` 102 ms, ``FF`` 1.04 s.
        """
        self.setting("ST", f"ATST{value_hex}")

    def use_protocol(self, number: str) -> None:
        """Switch protocol without a search and without saving it (AT TP h).

        Used to reach 29-bit units on an 11-bit vehicle's bus (TP 7 and back to TP 6), and to talk to a
        vehicle whose generic OBD search failed (TP 6 with physical addressing: the Nissan Leaf).

        Args:
            number: ELM327 protocol number, ``1``-``C``.
        """
        if self.protocol is not None and self.protocol.number == number and self._pinned:
            return
        self.pin(number)
        self.protocol = PROTOCOLS[number]
        self.vehicle_protocol = self.vehicle_protocol or self.protocol
        for key in ("SH", "CRA", "CF", "CM", "FCSH"):
            self._settings.pop(key, None)

    def use_header_bits(self, bits: int) -> None:
        """Switch to the CAN protocol with ``bits``-bit ids at the protocol in use's bit rate (AT TP h).

        ISO 15765-4 CAN comes in pairs at each bit rate: 6 (11-bit) and 7 (29-bit) at 500 kbaud, 8 and 9 at
        250 kbaud (ELM327 datasheet, protocol table). A unit on 29-bit ids on an 11-bit vehicle's bus is
        reached on the sibling, and the vehicle's own protocol taken again after. Any other protocol (SAE
        J1939, the USER1/USER2 CAN protocols) has no sibling and is kept as it is, pinned. Sends nothing when
        the protocol is already in use and pinned.

        Args:
            bits: the id width wanted: 11 or 29.

        Raises:
            ValueError: ``bits`` is neither 11 nor 29.
            AdapterError: no protocol is known yet (before ``connect_vehicle``).
            AdapterReplyError: the adapter did not confirm AT TP.
        """
        if bits not in (11, 29):
            raise ValueError(f"CAN ids are 11 or 29 bits wide, not {bits!r}")
        if self.protocol is None:
            raise AdapterError(T("no vehicle protocol yet: connect_vehicle() first"))
        number = self.protocol.number
        self.use_protocol(SIBLINGS.get(number, {}).get(bits, number))

    def found(self, protocol: Protocol) -> None:
        """The protocol search found ``protocol``: pin it (AT TP h) and take it as the vehicle's own.

        The guard judges a header by the protocol's id width and family, which the wire shows only once
        pinned (:mod:`obdident.guard`). An adapter that does not confirm AT TP stays unpinned:
        :meth:`use_protocol` sends it again before the next header.
        """
        with contextlib.suppress(AdapterReplyError):
            self.pin(protocol.number)
        self.protocol = self.vehicle_protocol = protocol

    def flow_control_fits(self, protocol: Protocol) -> None:
        """Drop hand-set flow control naming a unit of the other id width (left by a 29-bit gateway probe).

        On this protocol that id would be cut or widened into a non-diagnostic one (ELM327 datasheet, AT SH),
        and the guard refuses the request. Automatic flow control (AT FC SM 0) names no id and suits the OBD
        responders (ISO 15765-4 §6.3.2); the next :meth:`address` sets it by hand again. Checked before each
        request, so a unit addressed right after AT TP costs no extra line.
        """
        if not protocol.can or self._fc_id is None or self._settings.get("FCSM") != "ATFCSM1":
            return
        if (len(self._fc_id) == 3) != (protocol.header_bits == 11):
            self.setting("FCSM", "ATFCSM0")

    def pin(self, number: str) -> None:
        """Send AT TP ``number``; remember whether the adapter confirmed it.

        Raises:
            AdapterReplyError: the adapter answered neither ``OK`` nor in time: the protocol is unknown.
        """
        self._pinned = False
        self._confirmed(f"ATTP{number}")
        self._pinned = True

    def _confirmed(self, line: str) -> None:
        """Send a protocol selection (AT TP, STP) and raise unless the adapter answers ``OK``.

        Raises:
            AdapterReplyError: ``?`` or anything but ``OK``: the protocol in use is unknown.
        """
        lines = self._at(line)
        if not confirmed(line, lines):
            raise AdapterReplyError(
                T("the adapter did not confirm {command}", command=line),
                status=_first(lines) or "",
                request=line,
                response=lines,
            )

    def use_preset(self, preset: str, number: str) -> None:
        """STN adapters only: select the protocol preset STP ``preset``, which acts as ELM327 protocol
        ``number`` (the same frame format and id width), saving nothing (OBDLink FRPM rev F, STP: "Set
        current protocol preset"; only ATSP saves a protocol).

        Presets 53/54 put the MS-CAN transceiver (OBD-II pins 3/11) in use, 33-36 the HS-CAN one (6/14). The
        header, filter and flow control header are sent again before the next request.

        Args:
            preset: the STN preset, ``33``-``36``, ``53`` or ``54``.
            number: the ELM327 protocol it acts as: ``6``/``7`` (500k), ``8``/``9`` (250k).

        Raises:
            AdapterReplyError: the adapter answered ``?`` (not an STN, or no MS-CAN) or did not confirm.
        """
        self._pinned = False
        self._confirmed(f"STP{preset}")
        self.protocol = PROTOCOLS[number]
        self._pinned = True
        for key in ("SH", "CRA", "CF", "CM", "FCSH"):
            self._settings.pop(key, None)

    def functional(self) -> None:
        """Back to functional addressing on the vehicle's protocol: the OBD functional header
        (:data:`FUNCTIONAL_HEADERS`: 7DF, 18DB33F1 on 29-bit CAN, 686AF1 / C133F1 / 616AF1 off CAN) and on CAN
        no receive filter but the OBD responders' (ISO 15765-4 §6.3.2)."""
        protocol = self.vehicle_protocol
        if protocol is None:
            return
        self.use_protocol(protocol.number)
        self.setting("SH", f"ATSH{FUNCTIONAL_HEADERS[protocol.number]}")
        if not protocol.can:
            return
        eleven = protocol.header_bits == 11
        if eleven and self._settings.get("CF") == "ATCF700" and self._settings.get("CM") == "ATCM700":
            pass  # the physical probe's filter passes 700-7FF, the OBD responders 7E8-7EF among them
        elif self._cra_works:
            self.setting("CRA", "ATCRA")
        else:
            self.setting("CF", "ATCF7E8" if eleven else "ATCF18DAF100")
            self.setting("CM", "ATCM7F8" if eleven else "ATCM1FFFFF00")

    def address(self, request_id: str, response_id: str | None, *, flow_control: bool = True) -> None:
        """Address one unit physically: header, receive filter and flow control.

        AT SH sets the request id. On CAN, AT CRA keeps only the unit's frames (clones that answer ``?``
        get AT CF + AT CM instead), and flow control is set by hand (AT FC SM 1, AT FC SD 30 00 00, AT FC SH
        request id), because the ELM327's automatic flow control only suits 7E8-7EF responders (ELM327
        datasheet, "Altering Flow Control Messages"; evidence: wican-fw issue #288).

        Args:
            request_id: the unit's request id (``745``, ``18DAD0F1``) or, on K-line, a 3-byte header
                (``8110FC``).
            response_id: the id it answers on (``7XX``: any 7xx id, for a sweep), or None for no filter.
            flow_control: set flow control for multi-frame answers (a sweep's probes need none).
        """
        self.setting("SH", f"ATSH{request_id}")
        if self.protocol is None or not self.protocol.can:
            return
        wide = response_id is not None and len(response_id) == 3 and response_id[0] == "7"
        if wide and self._cfcm_works:
            # One filter for every 11-bit unit of the physical probe: AT CF 700 + AT CM 700 pass ids 700-7FF
            # (ELM327 datasheet, AT CF / AT CM), set once instead of an AT CRA per unit. The caller keeps only
            # the unit's own frames (obdident.scanning.ask), so a wider filter changes no answer.
            self._cfcm_works = self.setting("CF", "ATCF700", required=False) and self.setting(
                "CM", "ATCM700", required=False
            )
        if wide and self._cfcm_works:
            pass
        elif response_id is not None:
            if self._cra_works:
                self._cra_works = self.setting("CRA", f"ATCRA{response_id}", required=False)
            if not self._cra_works:
                wildcard = "X" in response_id
                mask = "700" if wildcard else "7FF" if len(response_id) == 3 else "1FFFFFFF"
                self.setting("CF", f"ATCF{response_id.replace('X', '0')}")
                self.setting("CM", f"ATCM{mask}")
        else:
            self.setting("CRA", "ATCRA")
        if not flow_control:
            return
        if auto_flow_control(request_id, response_id) and self._settings.get("FCSM") in (None, "ATFCSM0"):
            return  # AT FC SM 0 (the AT D default) answers 7E8-7EF with 7E0-7E7 (ISO 15765-4 §6.3.2)
        # FC SH and FC SD first: AT FC SM 1 is an error until both are set (ELM327 datasheet,
        # "Altering Flow Control Messages"). Chips older than v1.1 (and clones claiming more) lack them:
        # then only single-frame answers and 7E8-7EF responders come through whole.
        if self._fc_works:
            self._fc_works = (
                self.setting("FCSH", f"ATFCSH{request_id}", required=False)
                and self.setting("FCSD", "ATFCSD300000", required=False)
                and self.setting("FCSM", "ATFCSM1", required=False)
            )
            self._fc_id = request_id if self._fc_works else None
            if not self._fc_works and self._settings.get("FCSM") == "ATFCSM1":
                # The adapter refused part of the set-up: its flow control may still name the previous unit.
                # Automatic flow control (mode 0) names no id, so nothing stale can go out (obdident.guard).
                self.setting("FCSM", "ATFCSM0", required=False)


def auto_flow_control(request_id: str, response_id: str | None) -> bool:
    """Whether the ELM327's automatic flow control (mode 0) reaches this unit: an ISO 15765-4 OBD pair,
    request 7E0-7E7 answered on request + 8 (ELM327 datasheet, "Altering Flow Control Messages")."""
    if response_id is None or len(request_id) != 3 or len(response_id) != 3:
        return False
    try:
        request, response = int(request_id, 16), int(response_id, 16)
    except ValueError:
        return False
    return 0x7E0 <= request <= 0x7E7 and response == request + 8


def first_line(lines: list[str]) -> str | None:
    """The first of an answer's lines, or None when there is none."""
    return lines[0] if lines else None


_first = first_line
