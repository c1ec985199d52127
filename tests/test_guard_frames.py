"""The guard judges frames on the bus: attack sequences, and a property test over a model of the ELM327.

The bus model here is written from the ELM327 datasheet ("CAN Message Formats", "Altering Flow Control
Messages", AT CAF, AT FC, AT SH, AT TP, AT D) and ISO 15765-2, independently of obdident.guard: it takes
the lines the guard admits and returns the frames the adapter would put on the bus. The read-only set is
also defined here, from the services' meanings, not from the guard's table.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident import guard
from obdident.errors import GuardRefusal

ROOT = Path(__file__).resolve().parent.parent


# --- the sequences the issue names ----------------------------------------------------------------------


def _guard(*lines: str, nissan: bool = False) -> guard.Guard:
    g = guard.Guard()
    if nissan:
        g.establish_nissan("test")
    for line in lines:
        g.check(line)
    return g


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (["ATD", "ATCAF0"], "0104"),  # raw frame 01 04: a single frame carrying OBD service 04
        (["ATD", "ATTP6", "ATCAF0"], "0104"),
        (["ATD", "ATTP6", "ATCAF0"], "022701"),  # SecurityAccess as a raw single frame
        (["ATD", "ATTP6", "ATCAF0"], "0902"),  # PCI 09: not a single frame
        (["ATD", "ATTP6", "ATCAF0"], "100A0902"),  # a first frame
        (["ATD", "ATTP6", "ATCAF0"], "300000"),  # a flow control frame sent as a request
        (["ATD", "ATCAF0"], "020902"),  # the family is unknown: off CAN these bytes are service 02
        (["ATD"], "ATFCSD022701"),
        (["ATD"], "ATFCSD0104"),
        (["ATD", "ATFCSH7E0"], "ATFCSM1"),  # no FC SD set since the reset
        (["ATD"], "ATFCSM2"),
        (["ATD", "ATFCSH7E0", "ATFCSD300000", "ATD"], "ATFCSM1"),  # a reset forgets FC SH / SD
        ([], "0100"),  # before any reset the adapter's state is unknown
        ([], "ATFCSM1"),
        (["ATD"], "ATSP6"),
        (["ATD"], "ATSPA6"),
        (["ATD"], "ATSP0"),
        (["ATD", "ATSH8110FC"], "1A81"),  # a K-line header might be CAN id 0FC: the family is unknown
        (["ATD", "ATTP6", "ATSH8110FC"], "1A81"),
        (["ATZ", "ATSH7DF"], "0100"),  # on a stored 29-bit protocol the id would be 18 00 07 DF
        (["ATZ", "ATTPA6", "ATSH7E0"], "0902"),  # the search may land on 29-bit CAN
        (["ATZ", "ATTP7", "ATSH7E0"], "0902"),  # an 11-bit id on 29-bit CAN
        (["ATZ", "ATTP6", "ATSH18DAD0F1"], "22F187"),  # a 29-bit id on 11-bit CAN keeps its low 11 bits: 0F1
        (["ATZ", "ATTP6", "ATFCSH745", "ATFCSD300000", "ATFCSM1", "ATTP7", "ATSH18DAD0F1"], "22F187"),
    ],
)
def test_frame_level_attacks_are_refused(setup: list[str], line: str) -> None:
    g = _guard(*setup)
    with pytest.raises(GuardRefusal):
        g.check(line)


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (["ATD", "ATTP6", "ATCAF0"], "020902"),  # a raw single frame carrying 09 02
        (["ATD", "ATTP6", "ATCAF0"], "0201 00"),
        (["ATD", "ATFCSH745", "ATFCSD300000"], "ATFCSM1"),
        (["ATD", "ATFCSD30000A"], "ATFCSM2"),
        (["ATD", "ATTP5", "ATSH8110FC"], "1A81"),
        (["ATD", "ATTPA6"], "0100"),
        (["ATZ", "ATTP6", "ATSH7E0"], "0902"),
        (["ATZ", "ATTP7", "ATSH18DAD0F1"], "22F187"),
    ],
)
def test_read_frames_are_admitted(setup: list[str], line: str) -> None:
    _guard(*setup).check(line)


def _settled(*steps: tuple[str, str]) -> guard.Guard:
    g = guard.Guard()
    for line, outcome in steps:
        g.check(line)
        g.settle(outcome)  # type: ignore[arg-type]
    return g


def test_a_command_the_adapter_refused_leaves_the_state_as_it_was() -> None:
    # ``?``: the ELM327 did not carry the command out, so flow control stays in mode 0
    g = _settled(("ATZ", "confirmed"), ("ATTP6", "confirmed"), ("ATFCSH7E0", "confirmed"),
                 ("ATFCSD300000", "confirmed"), ("ATFCSM1", "refused"), ("ATTP7", "confirmed"),
                 ("ATSH18DAD0F1", "confirmed"))  # fmt: skip
    assert g.check("22F187") == "22F187"


def test_an_unconfirmed_command_makes_both_states_possible() -> None:
    # A garbled answer to AT FC SH 18DAD0F1: the adapter may still send flow control on 745 (11-bit) while
    # on 29-bit CAN, so the request is refused until a confirmed command settles it.
    steps = [("ATZ", "confirmed"), ("ATTP6", "confirmed"), ("ATSH745", "confirmed"),
             ("ATFCSH745", "confirmed"), ("ATFCSD300000", "confirmed"), ("ATFCSM1", "confirmed"),
             ("ATTP7", "confirmed"), ("ATSH18DAD0F1", "confirmed"),
             ("ATFCSH18DAD0F1", "unknown")]  # fmt: skip
    g = _settled(*steps)
    with pytest.raises(GuardRefusal, match="flow control header 745"):
        g.check("22F187")
    g.check("ATFCSH18DAD0F1")
    g.settle("confirmed")
    assert g.check("22F187") == "22F187"
    # an unconfirmed AT TP: the adapter may be on either width
    g = _settled(
        ("ATZ", "confirmed"), ("ATTP6", "confirmed"), ("ATTP7", "unknown"), ("ATSH18DAD0F1", "confirmed")
    )
    with pytest.raises(GuardRefusal, match="11-bit CAN"):
        g.check("22F187")
    # an unconfirmed reset may not have happened: CAF0 may still be in force
    g = _settled(("ATZ", "confirmed"), ("ATTP6", "confirmed"), ("ATCAF0", "confirmed"), ("ATD", "unknown"))
    with pytest.raises(GuardRefusal):
        g.check("0902")
    # and an unconfirmed header change leaves the Nissan session only where both headers admit it
    g = _settled(
        ("ATZ", "confirmed"), ("ATTP6", "confirmed"), ("ATSH745", "confirmed"), ("ATSH7E0", "unknown")
    )
    g.establish_nissan("test")
    with pytest.raises(GuardRefusal, match="10 C0"):
        g.check("10C0")


def test_nissan_session_targets_are_the_units_shown_to_need_it() -> None:
    assert set(guard.NISSAN_SESSION_TARGETS) == {"745", "742"}
    for source in guard.NISSAN_SESSION_TARGETS.values():
        assert "section 2" in source
    for header in ("7E0", "7E1", "740", "743", "74D", "797", "747"):
        g = _guard("ATD", "ATTP6", f"ATSH{header}", nissan=True)
        with pytest.raises(GuardRefusal):
            g.check("10C0")


# --- an independent model of what the ELM327 puts on the bus -------------------------------------------

DIAG_11 = range(0x700, 0x800)


def _diag_29(can_id: int) -> bool:
    return (can_id >> 16 == 0x18DA and can_id & 0xFF == 0xF1) or can_id == 0x18DB33F1


def read_only_request(data: bytes, can_id: int | None) -> bool:
    """Whether a request's service bytes only read (SAE J1979, ISO 14229-1, ISO 14230-3 meanings)."""
    if not data:
        return False
    sid, rest = data[0], data[1:]
    if sid == 0x01:
        return 1 <= len(rest) <= 6
    if sid == 0x09:
        return len(rest) == 1
    if sid == 0x22:
        return len(rest) == 2 and rest[0] == 0xF1 and 0x80 <= rest[1] <= 0x9F
    if sid == 0x21:
        return len(rest) == 1 and rest[0] in (0x80, 0x81, 0x83, 0xF0, 0xF1, 0xFE, 0xFF)
    if sid == 0x1A:
        return len(rest) == 1 and 0x80 <= rest[0] <= 0x9F
    if sid == 0x3E:
        return rest in (b"\x00", b"\x80")
    if sid == 0x10:
        # default sessions; Nissan's C0 only where a capture shows a Nissan unit needing it (BCM, EPS)
        return rest in (b"\x01", b"\x81") or (rest == b"\xc0" and can_id in (0x745, 0x742))
    return False


@dataclass
class Elm:
    """The ELM327's frame-shaping state. ``protocol`` is what the chip is really on (6 = CAN 11-bit,
    7 = CAN 29-bit, 5 = K-line); a reset returns to the stored protocol."""

    stored_protocol: int
    protocol: int
    caf: bool = True
    cfc: bool = True
    fc_mode: int = 0
    fc_header: int | None = None
    fc_data: bytes | None = None
    header: str | None = None
    frames: list[tuple[str, int, bytes]] = field(default_factory=list)
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def at(self, text: str, outcome: str = "confirmed") -> None:
        """Carry out an AT command: ``refused`` (``?``) never, ``unknown`` (garbled answer) either way."""
        if outcome == "refused" or (outcome == "unknown" and self.rng.random() < 0.5):
            return
        if text in ("ATZ", "ATWS", "ATD"):
            self.protocol = self.stored_protocol
            self.caf, self.cfc, self.fc_mode, self.fc_header, self.fc_data, self.header = (
                True, True, 0, None, None, None,
            )  # fmt: skip
        elif text.startswith("ATTP"):
            number = int(text[-1], 16)
            # AT TP A h tries h, then searches: the vehicle may be on any family; keep the chip's own choice
            self.protocol = number if not text.startswith("ATTPA") else self.protocol
        elif text.startswith("STP") and text[3:].isdigit() and len(text) == 5:
            # OBDLink FRPM rev F, STP preset table: ISO 15765 presets 33-36 (HS-CAN), 53/54 (MS-CAN); odd
            # numbers send 11-bit ids, even ones 29-bit. Other presets (J1850 11/12, ISO 21-25) leave CAN.
            preset = int(text[3:])
            if preset in (31, 32, 33, 34, 35, 36, 51, 52, 53, 54):
                self.protocol = 6 if preset % 2 else 7
            else:
                self.protocol = 5
        elif text.startswith("ATSH"):
            self.header = text[4:]
        elif text in ("ATCAF0", "ATCAF1"):
            self.caf = text == "ATCAF1"
        elif text in ("ATCFC0", "ATCFC1"):
            self.cfc = text == "ATCFC1"
        elif text.startswith("ATFCSH"):
            self.fc_header = int(text[6:], 16)
        elif text.startswith("ATFCSD"):
            self.fc_data = bytes.fromhex(text[6:])
        elif text.startswith("ATFCSM"):
            self.fc_mode = int(text[6:])

    def can_id(self) -> int:
        eleven = self.protocol in (6, 8)  # 7, 9 and A (SAE J1939) are 29-bit (ELM327 datasheet, AT SP)
        if self.header is None:
            return 0x7DF if eleven else 0x18DB33F1
        value = int(self.header, 16)
        if eleven:
            return value & 0x7FF  # ELM327 datasheet, AT SH: 11-bit CAN uses the low 11 bits
        return value if len(self.header) == 8 else (0x18 << 24) | (value & 0xFFFFFF)  # AT CP 18 + 24 bits

    def request(self, text: str) -> None:
        hexdigits = text if len(text) % 2 == 0 else text[:-1]  # a trailing count digit is not sent
        data = bytes.fromhex(hexdigits)
        if self.protocol <= 5:
            self.frames.append(("kline", 0, data))
            return
        can_id = self.can_id()
        self.frames.append(("can", can_id, (bytes([len(data)]) + data) if self.caf else data))
        if self.cfc:  # an ECU may answer with a first frame: the adapter then sends flow control
            if self.fc_mode == 0:
                self.frames.append(("fc", can_id, b"\x30\x00\x00"))
            elif self.fc_mode == 1:
                self.frames.append(("fc", self.fc_header or 0, self.fc_data or b""))
            else:
                self.frames.append(("fc", can_id, self.fc_data or b""))


def frame_is_read_only(kind: str, can_id: int, data: bytes) -> bool:
    if kind == "kline":
        return read_only_request(data, None)
    if not (can_id in DIAG_11 or _diag_29(can_id)):
        return False
    if kind == "fc":
        return len(data) == 3 and data[0] == 0x30 and (data[2] <= 0x7F or 0xF1 <= data[2] <= 0xF9)
    pci = data[0] if data else 0xFF
    return pci >> 4 == 0 and pci == len(data) - 1 and read_only_request(data[1:], can_id)


_HEX = st.sampled_from("0123456789ABCDEF")
_ANY_HEX = st.lists(_HEX, min_size=1, max_size=16).map("".join)
_ADAPTER = st.sampled_from(
    [
        "ATZ", "ATWS", "ATD", "ATCAF0", "ATCAF1", "ATCFC0", "ATCFC1", "ATFCSM0", "ATFCSM1", "ATFCSM2",
        "ATFCSH7E0", "ATFCSH745", "ATFCSH0F1", "ATFCSH18DAD0F1", "ATFCSD300000", "ATFCSD022701",
        "ATFCSD0104", "ATFCSD30", "ATFCSD310000", "ATSH7DF", "ATSH745", "ATSH742", "ATSH7E0", "ATSH0F1",
        "ATSH8110FC", "ATSH686AF1", "ATSH18DAD0F1", "ATSH18DB33F1", "ATSH123456", "ATTP6", "ATTP7",
        "ATTP5", "ATTP3", "ATTPA6", "ATSP6", "ATSP0", "ATSPA6", "ATPP0CSV", "ATSD12", "ATBRD08",
        "STP53", "STP54", "STP33", "STP34", "STP35", "STP36", "STP11", "STP22", "STP51", "STPBR500000",
        "STPBR125000", "STI",
    ]
)  # fmt: skip
_REQUESTS = st.sampled_from(
    ["0100", "0104", "0902", "09021", "020902", "0201 00", "0104", "022701", "021003", "0210C0", "10C0",
     "2183", "2121", "22F190", "032EF190", "1A81", "3E00", "1081", "04", "300000", "100A0902"]
)  # fmt: skip
_LINES = st.one_of(
    _ADAPTER, _REQUESTS, _ANY_HEX, st.from_regex(r"AT(FC ?S[DHM]|SH|SP|TP|CAF)[0-9A-F ]{0,8}", fullmatch=True)
)


_OUTCOMES = st.sampled_from(["confirmed"] * 6 + ["refused", "unknown"])


@settings(max_examples=400)
@given(
    stored=st.sampled_from([3, 5, 6, 7, 8, 9]),
    stale=st.lists(_ADAPTER, max_size=6),
    lines=st.lists(st.tuples(_LINES, _OUTCOMES), max_size=30),
    nissan=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_admitted_lines_never_put_a_frame_outside_the_read_only_set(
    stored: int, stale: list[str], lines: list[tuple[str, str]], nissan: bool, seed: int
) -> None:
    # The adapter starts in any state another program may have left it in (stale settings, unchecked), may
    # refuse an AT command (``?``: not carried out) or answer it so that nobody knows whether it took effect.
    elm = Elm(stored_protocol=stored, protocol=stored, rng=random.Random(seed))
    for line in stale:
        elm.at(guard.canonical(line))
    g = guard.Guard()
    if nissan:
        g.establish_nissan("test")
    for line, outcome in lines:
        try:
            text = g.check(line)
        except GuardRefusal:
            continue
        if text.startswith(("AT", "ST")):
            elm.at(text, outcome)
            g.settle(outcome)  # type: ignore[arg-type]
        else:
            elm.request(text)
    for kind, can_id, data in elm.frames:
        assert frame_is_read_only(kind, can_id, data), (kind, hex(can_id), data.hex(), lines)


# --- the ordinary read path is still admitted ----------------------------------------------------------


def _recorded_requests(path: Path) -> list[str]:
    return [line.split(" ", 2)[2] for line in path.read_text().splitlines() if line.startswith("> ")]


@pytest.mark.parametrize(
    "path", sorted((ROOT / "hw-fixtures" / "sessions").glob("*.txt")), ids=lambda p: p.name
)
def test_recorded_sessions_pass_the_frame_level_guard(path: Path) -> None:
    g = guard.Guard(guard.GuardContext(nissan_basis="the recording's vehicle"))
    lines = _recorded_requests(path)
    assert lines
    for line in lines:
        g.check(line)


def test_header_width_on_29_bit_can() -> None:
    """After a reset onto a stored 29-bit protocol AT SH 7DF would make the id 18 00 07 DF: refused until
    the protocol is pinned; once pinned, the frames are diagnostic ones."""
    elm = Elm(stored_protocol=7, protocol=7)
    g = guard.Guard()
    g.check("ATZ")
    elm.at("ATZ")
    g.check("ATSH7DF")
    elm.at("ATSH7DF")
    with pytest.raises(GuardRefusal, match="29-bit"):
        g.check("0100")
    for line in ("ATTP7", "ATSH18DB33F1", "0100"):
        text = g.check(line)
        elm.at(text) if text.startswith("AT") else elm.request(text)
    assert elm.frames and all(frame_is_read_only(*frame) for frame in elm.frames)


def test_a_non_hex_line_under_caf0_is_refused_not_a_crash() -> None:
    g = _guard("ATZ", "ATTP6", "ATCAF0")
    with pytest.raises(GuardRefusal):
        g.check("ATSP")
