"""Service 09 (SAE J1979 vehicle information) as a scan step: supported InfoTypes, VIN, CALIDs, CVNs and
ECU names from every ECU, with bounded repeats for busy / response-pending answers."""

from __future__ import annotations

import functools

from obdident import assess
from obdident.discovery import UNDECODABLE, undecodable_message
from obdident.elm327.isotp import can_frames
from obdident.elm327.lines import EcuMessage
from obdident.errors import ProtocolError
from obdident.model import VinSource
from obdident.scanstate import MAX_COUNT_DIGIT, EcuState, ScanBase
from obdident.services import obd09
from obdident.services.diag import BUSY_REPEAT_REQUEST, RESPONSE_PENDING, parse_negative
from obdident.vehicles.vin import parse_vin_field

__all__ = ["VIN_SOURCE_09", "Service09Steps"]

VIN_SOURCE_09 = "SAE J1979 service 09 InfoType 02"
_MAX_REPEATS = 3  # bounded repeats of a functional request that an ECU answered busy / pending


class Service09Steps(ScanBase):
    """The service 09 step of a scan."""

    def _service_09(self) -> None:
        driver = self.driver
        assert driver.protocol is not None
        legacy = not driver.protocol.can
        self._check_deadline()
        self.progress("Reading which vehicle information each ECU offers (service 09)")
        answered = len(self.ecus)
        count = answered if (not legacy and answered <= MAX_COUNT_DIGIT) else None

        def supported() -> None:
            by_ecu = self._functional(obd09.build_request(obd09.SUPPORTED), count)
            for rid, messages in by_ecu.items():
                try:
                    self._ecu(rid).supported = obd09.parse_supported(messages[0].payload)
                except ProtocolError as err:
                    request = obd09.build_request(obd09.SUPPORTED).hex(" ").upper()
                    self._problem(UNDECODABLE, undecodable_message(request, messages[0].lines, err), rid)

        self._step(supported)
        if not any(s.supported for s in self.ecus.values()):
            self._problem(
                "service-09-not-supported",
                "No ECU offers vehicle information (SAE J1979 service 09). " + assess.VIN_ELSEWHERE,
            )
            return
        steps = (
            (obd09.VIN, obd09.VIN_COUNT, "Reading the VIN"),
            (obd09.CALID, obd09.CALID_COUNT, "Reading calibration IDs"),
            (obd09.CVN, obd09.CVN_COUNT, "Reading calibration verification numbers"),
            (obd09.ECU_NAME, None, "Reading ECU names"),
        )
        for info_type, count_type, label in steps:
            holders = [s for s in self.ecus.values() if info_type in s.supported]
            if not holders:
                continue
            self._check_deadline()
            self.progress(label)
            self._step(functools.partial(self._read_infotype, info_type, count_type, holders, legacy))

    def _read_infotype(
        self, info_type: int, count_type: int | None, holders: list[EcuState], legacy: bool
    ) -> None:
        expected = self._expected_frames(info_type, count_type, holders, legacy)
        by_ecu = self._functional(obd09.build_request(info_type), expected)
        for state in holders:
            messages = by_ecu.get(state.response_id, [])
            if not messages:
                self._problem(
                    "no-answer",
                    f"{state.response_id} declares InfoType {info_type:02X} but did not answer it.",
                    state.response_id,
                )
                continue
            try:
                data = obd09.parse_items([m.payload for m in messages], info_type, legacy=legacy)
            except ProtocolError as err:
                request = obd09.build_request(info_type).hex(" ").upper()
                lines = [line for m in messages for line in m.lines]
                self._problem(UNDECODABLE, undecodable_message(request, lines, err), state.response_id)
                continue
            self._apply(state, data)

    def _functional(self, payload: bytes, expected: int | None) -> dict[str, list[EcuMessage]]:
        """A functional request, repeated (bounded) for ECUs that answered busy or response-pending."""
        by_ecu = self._record(self.driver.request(payload, expected_frames=expected))
        for attempt in range(_MAX_REPEATS + 1):
            waiting = {
                rid: negative
                for rid, messages in by_ecu.items()
                if (negative := parse_negative(messages[-1].payload)) is not None
                and negative.nrc in (RESPONSE_PENDING, BUSY_REPEAT_REQUEST)
            }
            if not waiting:
                break
            if attempt == _MAX_REPEATS:
                for rid, negative in waiting.items():
                    code = "busy" if negative.nrc == BUSY_REPEAT_REQUEST else "response-pending-storm"
                    self._problem(
                        code, f"{rid} answered {payload.hex(' ').upper()} with {negative} every time.", rid
                    )
                    del by_ecu[rid]
                break
            again = self._record(self.driver.request(payload))
            for rid in waiting:
                if rid in again:
                    by_ecu[rid] = again[rid]
        return by_ecu

    def _expected_frames(
        self, info_type: int, count_type: int | None, holders: list[EcuState], legacy: bool
    ) -> int | None:
        """The response-count digit, only where the number of frames is certain."""
        if legacy:
            if count_type is None or len(holders) != 1 or count_type not in holders[0].supported:
                return None
            reply = self.driver.request(obd09.build_request(count_type), expected_frames=1)
            for rid, messages in self._record(reply).items():
                if rid == holders[0].response_id:
                    try:
                        return obd09.parse_message_count(messages[0].payload, count_type) or None
                    except ProtocolError:
                        return None
            return None
        # one item per ECU: exact for the VIN and the ECU name; for CALIDs and CVNs the common case (an ECU
        # with two CALIDs makes the adapter stop early, and the driver asks again without the digit)
        frames = can_frames(3 + obd09.ITEM_SIZES[info_type]) * len(holders)
        return frames if frames <= MAX_COUNT_DIGIT else None

    def _apply(self, state: EcuState, data: obd09.InfoTypeData) -> None:
        rid = state.response_id
        if data.info_type == obd09.VIN:
            parsed = parse_vin_field(data.items[0])
            state.vin = parsed.value
            self.vin_sources.append(VinSource(VIN_SOURCE_09, rid, parsed.value, parsed.problem))
        elif data.info_type == obd09.CALID:
            for index, item in enumerate(data.items, 1):
                text = obd09.decode_ascii(item)
                if text is None:
                    self._problem(
                        "unreadable-calid",
                        f"CALID {index} from {rid} is not printable text; its raw bytes are in the evidence.",
                        rid,
                    )
                else:
                    state.calibration_ids.append(text)
        elif data.info_type == obd09.CVN:
            state.cvns.extend(obd09.format_cvn(item) for item in data.items)
        elif data.info_type == obd09.ECU_NAME:
            state.ecu_name = obd09.decode_ecu_name(data.items[0])
