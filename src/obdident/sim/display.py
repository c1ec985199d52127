"""How the simulated ELM327 shows the vehicle's answers: frame formatting, receive filters, flow control.

Pure functions of the chip's :class:`~obdident.sim.at.Settings` (ELM327 datasheet, "Multiline Responses",
AT H / AT S / AT CAF, AT CRA / CF / CM, "Altering Flow Control Messages"); used by
:class:`obdident.sim.elm.SimulatedELM327`.
"""

from __future__ import annotations

from obdident.sim.at import Settings
from obdident.sim.can import (
    AUTO_FLOW_CONTROL,
    CONTINUE_TO_SEND,
    Frame,
    auto_flow_control_id,
    hex_text,
    isotp_frames,
)
from obdident.sim.schema import EcuProfile, ProtocolInfo

__all__ = ["deliverable", "ecu_frames", "passes"]

#: First two header bytes of legacy responses (SAE J1979): J1850 PWM 41 6B, VPW and ISO 9141-2 48 6B.
_LEGACY_RESPONSE_PREFIX = {"1": b"\x41\x6b", "2": b"\x48\x6b", "3": b"\x48\x6b"}


def deliverable(ecu: EcuProfile, frames: int, settings: Settings, *, strict: bool) -> int:
    """How many of an ECU's ``frames`` (one ISO 15765-2 message) reach the adapter.

    A sender of a first frame waits for a flow control frame on its request id (ISO 15765-2).
    With ``strict_flow_control`` the ELM327's flow control is modelled: AT CFC0 sends none; mode
    0 answers on the automatic id (:func:`auto_flow_control_id`); mode 1 on AT FC SH with AT FC
    SD; mode 2 on the automatic id with AT FC SD. If it misses the ECU, or is not
    ContinueToSend, only the first frame arrives; a block size n lets n consecutive frames
    through (the ELM327 answers first frames only).
    """
    if frames <= 1 or not strict or ecu.id_bits is None:
        return frames
    if not settings.flow_control:
        return 1
    automatic = auto_flow_control_id(ecu.response_id, ecu.id_bits)
    target = settings.fc_header if settings.fc_mode == 1 else automatic
    data = settings.fc_data if settings.fc_mode else AUTO_FLOW_CONTROL
    if target != ecu.request_id or not data or data[0] != CONTINUE_TO_SEND:
        return 1
    block_size = data[1] if len(data) > 1 else 0
    return frames if block_size == 0 else min(frames, 1 + block_size)


def ecu_frames(ecu: EcuProfile, message: bytes, settings: Settings, info: ProtocolInfo) -> list[Frame]:
    """Format one ECU message as the ELM327 shows it (ELM327 datasheet, "Multiline Responses")."""
    separator = " " if settings.spaces else ""
    if info.id_bits is None:
        if not settings.headers:
            return [Frame(None, None, (hex_text(message, separator),))]
        prefix = _LEGACY_RESPONSE_PREFIX.get(info.number)
        if prefix is None:
            # ISO 14230-4: format byte 0x80 + length, then the target: the tester address that
            # AT SH gave as the request's source (F1 by default, FC in "AT SH 81 10 FC").
            tester = 0xF1 if settings.header is None else settings.header & 0xFF
            prefix = bytes([0x80 | len(message), tester])
        body = prefix + bytes([ecu.response_id]) + message
        # Checksum: sum mod 256 (ISO 9141-2, ISO 14230-4); J1850 really uses a CRC-8,
        # which the simulator replaces by the same sum.
        return [Frame(None, None, (hex_text(body + bytes([sum(body) & 0xFF]), separator),))]
    raws = isotp_frames(message, ecu.pad)
    if info.id_bits == 11:
        id_text = f"{ecu.response_id:03X}"
    else:
        id_text = hex_text(ecu.response_id.to_bytes(4, "big"), separator)
    frames: list[Frame] = []
    for index, raw in enumerate(raws):
        lines: tuple[str, ...]
        if settings.headers:
            lines = (id_text + separator + hex_text(raw, separator),)
        elif not settings.auto_format:
            lines = (hex_text(raw, separator),)
        elif len(raws) == 1:
            lines = (hex_text(message, separator),)
        elif index == 0:
            lines = (f"{len(message):03X}", f"0:{separator}{hex_text(raw[2:], separator)}")
        else:
            lines = (f"{raw[0] & 0x0F:X}:{separator}{hex_text(raw[1:], separator)}",)
        frames.append(Frame(ecu.response_id, info.id_bits, lines, index))
    return frames


def passes(frame: Frame, settings: Settings) -> bool:
    """AT CRA / CF / CM: only frames whose id matches are shown."""
    rx_filter = settings.rx_filter
    if rx_filter is None or frame.can_id is None:
        return True
    mask = rx_filter.mask
    return rx_filter.bits == frame.id_bits and frame.can_id & mask == rx_filter.value & mask
