"""The guard judges frames on the bus: attack sequences, and a property test over a model of the ELM327.

The bus model (tests/bus_model.py) is written from the ELM327 datasheet and ISO 15765-2/-4, independently of
obdident.guard: it takes the lines the guard admits and returns the frames the adapter would put on the bus,
from any stored protocol and programmable parameters. The read-only set is also defined there, from the
services' meanings, not from the guard's table.
"""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from obdident import guard
from obdident.errors import GuardRefusal
from tests.bus_model import PROTOCOLS, Elm, Stored

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
        # a reset restores what the adapter stores: CAF (PP 24), the protocol (AT SP), the tester (PP 06)
        (["ATD"], "0104"),  # with PP 24 = FF (CAF off) this is the raw frame 01 04: clear DTCs
        (["ATZ", "ATTP6"], "0104"),  # pinned, but CAF still as PP 24 stores it
        (["ATZ", "ATTP6", "ATCAF1", "ATD", "ATTP6"], "0104"),  # every reset forgets AT CAF1
        (["ATZ", "ATCAF1"], "0104"),  # the stored protocol may be USER1 (PP 2C E0: the raw frame 01 04)
        (["ATZ", "ATCAF1", "ATTPB"], "0104"),  # AT TP B itself is refused
        (["ATZ", "ATCAF1"], "ATTPB"),
        (["ATZ", "ATCAF1"], "ATTPC"),
        (["ATZ", "ATCAF1"], "ATTPA"),  # SAE J1939: 18EAFFF9, no length byte
        (["ATZ", "ATCAF1"], "ATTPAB"),
        (["ATZ", "ATCAF1", "ATTPA6"], "0100"),  # the search goes up to PP 07, which may be C
        (["ATZ", "ATCAF1", "ATTP7", "ATSH18DB33F1"], "ATCP00"),  # 0902 would go out on 00DB33F1
        (["ATZ", "ATCAF1", "ATTP7"], "0902"),  # the default 18 DB 33 tt carries PP 06's tester
        (["ATZ", "ATCAF1", "ATTP3"], "0100"),  # so does 68 6A tt off CAN
        (["ATZ", "ATCAF1", "ATTP5", "ATSH7E0"], "1A81"),  # a CAN id on K-line: header 00 07 E0
        (["ATZ", "ATCAF1", "ATTP5", "ATSH18DAD0F1"], "1A81"),  # four header bytes on K-line
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
    g = guard.Guard()
    for earlier in setup:
        with contextlib.suppress(GuardRefusal):  # a refused setup line (AT TP B) was never sent
            g.check(earlier)
    with pytest.raises(GuardRefusal):
        g.check(line)


@pytest.mark.parametrize(
    ("setup", "line"),
    [
        (["ATD", "ATTP6", "ATCAF0"], "020902"),  # a raw single frame carrying 09 02
        (["ATD", "ATTP6", "ATCAF0"], "0201 00"),
        (["ATD", "ATFCSH745", "ATFCSD300000"], "ATFCSM1"),
        (["ATD", "ATFCSD30000A"], "ATFCSM2"),
        (["ATD", "ATCAF1", "ATTP5", "ATSH8110FC"], "1A81"),
        (["ATD", "ATCAF1", "ATTP3", "ATSH686AF1"], "0100"),
        (["ATD", "ATCAF1", "ATTP6"], "0100"),
        (["ATD", "ATCAF1", "ATTP6"], "0104"),  # with CAF1 service 01 PID 04 (engine load): a read
        (["ATZ", "ATCAF1", "ATTP6", "ATSH7E0"], "0902"),
        (["ATZ", "ATCAF1", "ATTP7", "ATSH18DAD0F1"], "22F187"),
        (["ATZ", "ATCAF1", "ATTP7", "ATSH18DAD0F1", "ATCP18"], "22F187"),
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
    g = _settled(("ATZ", "confirmed"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"),
                 ("ATFCSH7E0", "confirmed"), ("ATFCSD300000", "confirmed"), ("ATFCSM1", "refused"),
                 ("ATTP7", "confirmed"), ("ATSH18DAD0F1", "confirmed"))  # fmt: skip
    assert g.check("22F187") == "22F187"


def test_an_unconfirmed_command_makes_both_states_possible() -> None:
    # A garbled answer to AT FC SH 18DAD0F1: the adapter may still send flow control on 745 (11-bit) while
    # on 29-bit CAN, so the request is refused until a confirmed command settles it.
    steps = [("ATZ", "confirmed"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"), ("ATSH745", "confirmed"),
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
        ("ATZ", "confirmed"),
        ("ATCAF1", "confirmed"),
        ("ATTP6", "confirmed"),
        ("ATTP7", "unknown"),
        ("ATSH18DAD0F1", "confirmed"),
    )
    with pytest.raises(GuardRefusal, match="11-bit CAN"):
        g.check("22F187")
    # an unconfirmed reset may not have happened: CAF0 may still be in force
    g = _settled(
        ("ATZ", "confirmed"),
        ("ATCAF1", "confirmed"),
        ("ATTP6", "confirmed"),
        ("ATCAF0", "confirmed"),
        ("ATD", "unknown"),
    )
    with pytest.raises(GuardRefusal):
        g.check("0902")
    # and an unconfirmed header change leaves the Nissan session only where both headers admit it
    g = _settled(
        ("ATZ", "confirmed"),
        ("ATCAF1", "confirmed"),
        ("ATTP6", "confirmed"),
        ("ATSH745", "confirmed"),
        ("ATSH7E0", "unknown"),
    )
    g.establish_nissan("test")
    with pytest.raises(GuardRefusal, match="10 C0"):
        g.check("10C0")


def test_a_banner_brings_back_what_the_adapter_stores() -> None:
    # The adapter reset itself (a brown-out: its banner in the answer): CAF, protocol and header are again
    # what it stores, whatever the line was; AT CAF1 and AT TP 6 must be confirmed again.
    steps = [("ATZ", "reset"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"), ("0100", "confirmed")]
    g = _settled(*steps)
    assert g.check("0104") == "0104"
    g.settle("reset")
    with pytest.raises(GuardRefusal):
        g.check("0104")
    g = _settled(*steps, ("ATSH7E0", "reset"))
    with pytest.raises(GuardRefusal):
        g.check("0902")


def _on_the_bus(steps: list[tuple[str, str]], stored: Stored) -> tuple[guard.Guard, Elm]:
    """Drive the guard and the bus model together: each admitted line carried out (``confirmed``), or with
    the adapter resetting itself just before it runs (``brownout-first``: the banner, then the line on the
    restored state) or just after (``brownout``)."""
    g, elm = guard.Guard(), Elm(stored=stored, rng=random.Random(0))
    for line, outcome in steps:
        with contextlib.suppress(GuardRefusal):
            text = g.check(line)
            if outcome == "brownout-first":
                elm.reset()
            if text.startswith(("AT", "ST")):
                elm.at(text)
            else:
                elm.request(text)
            if outcome == "brownout":
                elm.reset()
            g.settle("confirmed" if outcome == "confirmed" else "reset")
    return g, elm


def test_a_brownout_may_come_before_the_line_runs_or_after() -> None:
    # AT FC SM 1 answered by the banner: the adapter reset as the line arrived and then ran it, so flow
    # control mode 1 may be on with the FC SH and SD the reset blanked (a flow control frame on id 000)
    stored = Stored("6", True, 0xF1, 9, {"B": 0xE0, "C": 0x80})
    set_up = [("ATZ", "confirmed"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"),
              ("ATFCSH7E0", "confirmed"), ("ATFCSD300000", "confirmed")]  # fmt: skip
    again = [("ATCAF1", "confirmed"), ("ATTP6", "confirmed"), ("0902", "confirmed")]
    for outcome in ("brownout-first", "brownout"):
        g, elm = _on_the_bus([*set_up, ("ATFCSM1", outcome), *again], stored)
        assert all(frame.read_only() for frame in elm.frames), (outcome, elm.frames)
        assert {1, 0} <= g.context.values("fc_mode")  # both orders stay possible
    assert not elm.frames  # the request waits for flow control to be set again
    # AT SH 745 then the banner: the header may be 745 (line after the reset) or the default
    g, _ = _on_the_bus([*set_up, ("ATSH745", "brownout-first")], stored)
    assert g.context.values("header") == {None, "745"}
    # setting flow control again admits the request
    g, elm = _on_the_bus(
        [*set_up, ("ATFCSM1", "brownout-first"), *again[:2], *set_up[3:], ("ATFCSM1", "confirmed"), again[2]],
        stored,
    )
    assert elm.frames and all(frame.read_only() for frame in elm.frames)


def test_at_i_reads_as_a_banner_so_the_guard_counts_on_nothing_after_it() -> None:
    # AT I answers "ELM327 v1.5", just as a reset does: after it CAF and the protocol are unknown again
    g = _settled(("ATZ", "reset"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"), ("ATI", "unknown"))
    with pytest.raises(GuardRefusal):
        g.check("0902")
    g = _settled(("ATZ", "reset"), ("ATI", "unknown"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"))
    assert g.check("0902") == "0902"


def test_answers_out_of_step_count_for_nothing_until_the_wire_resynchronizes() -> None:
    # AT D's answer came late: the OK read after AT CAF1 may be AT D's, and AT CAF1 may have been refused
    g = _settled(("ATZ", "reset"), ("ATCAF1", "confirmed"), ("ATTP6", "confirmed"))
    g.check("ATD")
    g.lost_prompt()
    assert not g.in_step
    for line in ("ATCAF1", "ATTP6"):
        g.check(line)
        g.settle("confirmed")
    with pytest.raises(GuardRefusal):
        g.check("0104")
    g.resynchronized()  # the wire read every prompt it owed: answers are the lines' own again
    for line in ("ATCAF1", "ATTP6"):
        g.check(line)
        g.settle("confirmed")
    assert g.check("0104") == "0104"


def test_nissan_session_targets_are_the_units_shown_to_need_it() -> None:
    assert set(guard.NISSAN_SESSION_TARGETS) == {"745", "742"}
    for source in guard.NISSAN_SESSION_TARGETS.values():
        assert "section 2" in source
    for header in ("7E0", "7E1", "740", "743", "74D", "797", "747"):
        g = _guard("ATD", "ATCAF1", "ATTP6", f"ATSH{header}", nissan=True)
        with pytest.raises(GuardRefusal):
            g.check("10C0")


# --- the property test over an independent model of the ELM327 (tests/bus_model.py) ----------------------

_HEX = st.sampled_from("0123456789ABCDEF")
_ANY_HEX = st.lists(_HEX, min_size=1, max_size=16).map("".join)
_ADAPTER = st.sampled_from(
    [
        "ATZ", "ATWS", "ATD", "ATI", "ATCAF0", "ATCAF1", "ATCFC0", "ATCFC1", "ATFCSM0", "ATFCSM1", "ATFCSM2",
        "ATFCSH7E0", "ATFCSH745", "ATFCSH0F1", "ATFCSH18DAD0F1", "ATFCSD300000", "ATFCSD022701",
        "ATFCSD0104", "ATFCSD30", "ATFCSD310000", "ATSH7DF", "ATSH745", "ATSH742", "ATSH7E0", "ATSH0F1",
        "ATSH8110FC", "ATSH8110F1", "ATSH686AF1", "ATSHC133F1", "ATSH616AF1", "ATSH18DAD0F1", "ATSH18DB33F1",
        "ATSH123456", "ATCP18", "ATCP00", "ATCP1F", "ATTP1", "ATTP3", "ATTP5", "ATTP6", "ATTP7", "ATTP8",
        "ATTP9", "ATTPA", "ATTPB", "ATTPC", "ATTPA6", "ATTPAB", "ATSP6", "ATSP0", "ATSPA6", "ATSPB",
        "ATSPC", "ATSPA", "ATPP0CSV", "ATSD12", "ATBRD08", "STP53", "STP54", "STP33", "STP34", "STP35",
        "STP36", "STP11", "STP22", "STP51", "STPBR500000", "STPBR125000", "STI",
    ]
)  # fmt: skip
_REQUESTS = st.sampled_from(
    ["0100", "0104", "0902", "09021", "020902", "0201 00", "0104", "022701", "021003", "0210C0", "10C0",
     "2183", "2121", "22F190", "032EF190", "1A81", "3E00", "1081", "04", "300000", "100A0902"]
)  # fmt: skip
#: Requests the guard may admit (under the right state): most sequences should put frames on the bus.
_READS = st.sampled_from(
    ["0100", "0902", "09021", "2183", "22F190", "1A81", "3E00", "1081", "10C0", "020902"]
)
_LINES = st.one_of(
    _ADAPTER,
    _ADAPTER,
    _REQUESTS,
    _READS,
    _READS,
    _ANY_HEX,
    st.from_regex(r"AT(FC ?S[DHM]|SH|SP|TP|CAF|CP)[0-9A-F ]{0,8}", fullmatch=True),
)
#: How the adapter takes a line: carried out and ``OK``; ``?`` (not carried out); a garbled answer (carried
#: out or not); the answer late (the wire reads it before it writes again); no answer at all (the wire
#: closes the port); or a brown-out reset while it is handled (its banner is the answer, in time or late),
#: after the line ran or, for an adapter command, just before it (the line then runs on the restored state).
_OUTCOMES = st.sampled_from(
    ["confirmed"] * 16 + ["refused", "unknown", "late", "lost", "brownout", "brownout-late", "brownout-first"]
)
_SETUP_OUTCOMES = st.sampled_from(
    ["confirmed"] * 20 + ["refused", "unknown", "late", "lost", "brownout", "brownout-first"]
)
_STORED = st.builds(
    Stored,
    protocol=st.sampled_from(["0", "A6", "A7", "AB", *PROTOCOLS]),
    caf=st.booleans(),
    tester=st.sampled_from([0xF1, 0xF1, 0x10, 0x00, 0xFC]),
    last_search=st.integers(9, 12),
    user_options=st.fixed_dictionaries(
        {"B": st.sampled_from([0xE0, 0x80, 0x60, 0xE1, 0x81, 0xE2]), "C": st.sampled_from([0x80, 0xE0, 0x01])}
    ),
)

#: Set-ups a driver would send first, so that many sequences reach requests; the lines after are random.
_SETUPS = st.sampled_from(
    [
        ["ATZ", "ATCAF1", "ATTP6"],
        ["ATD", "ATCAF1", "ATTP8", "ATSH7DF"],
        ["ATD", "ATCAF1", "ATTP7", "ATSH18DB33F1"],
        ["ATZ", "ATCAF1", "ATTP9", "ATSH18DAD0F1", "ATFCSH18DAD0F1", "ATFCSD300000", "ATFCSM1"],
        ["ATZ", "ATCAF1", "ATTP5", "ATSHC133F1"],
        ["ATD", "ATCAF1", "ATTP3", "ATSH686AF1"],
        ["ATD", "ATCAF1", "ATTP1", "ATSH616AF1"],
        ["ATZ", "ATCAF0", "ATTP6"],
        ["ATZ", "ATCAF1", "STP53", "ATSH747", "ATFCSH747", "ATFCSD300000", "ATFCSM1"],
        [],
    ]
)

#: What :func:`test_admitted_lines_never_put_a_frame_outside_the_read_only_set` tried, for README's figures.
TRIED = {"sequences": 0, "lines": 0, "admitted": 0, "frames": 0, "with_frames": 0}


def _seen(answer: str, text: str) -> str:
    """What the wire tells the guard of an answer it read (obdident.elm327.wire): a banner (``ELM327 ...``,
    which AT I prints as its version too) a reset, ``OK`` confirmed, ``?`` refused, the rest unknown."""
    if answer == "banner":
        return "unknown" if text == "ATI" else "reset"
    return {"OK": "confirmed", "?": "refused"}.get(answer, "unknown")


@settings(max_examples=500)
@given(
    stored=_STORED,
    stale=st.lists(_ADAPTER, max_size=6),
    setup=_SETUPS.flatmap(lambda lines: st.tuples(*(st.tuples(st.just(x), _SETUP_OUTCOMES) for x in lines))),
    lines=st.lists(st.tuples(_LINES, _OUTCOMES), min_size=5, max_size=30),
    nissan=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_admitted_lines_never_put_a_frame_outside_the_read_only_set(
    stored: Stored,
    stale: list[str],
    setup: tuple[tuple[str, str], ...],
    lines: list[tuple[str, str]],
    nissan: bool,
    seed: int,
) -> None:
    """Any stored protocol (1-9, A-C, automatic with PP 07 up to C) and stored PPs (24 CAF, 06 tester, 2C/2E
    user options), any state another program left (stale lines, unchecked), any answers: refused, garbled,
    late, lost, or a brown-out's banner. As obdident.elm327.wire does, a late answer is read (up to the
    prompt it owes) before the next line is written, a banner in it counting as a possible reset; an answer
    that never ends closes the port."""
    rng = random.Random(seed)
    elm = Elm(stored=stored, rng=rng)
    for line in stale:
        elm.at(guard.canonical(line))
    g = guard.Guard()
    if nissan:
        g.establish_nissan("test")
    pending: list[str] = []  # answers printed and not read yet, oldest first
    TRIED["sequences"] += 1
    lines = [*setup, *lines]
    for line, outcome in lines:
        TRIED["lines"] += 1
        if pending:
            # the wire reads the late prompt before it judges and writes the next line (obdident.elm327.wire,
            # _await_prompt)
            if "banner" in pending:
                g.maybe_reset()
            pending.clear()
            g.resynchronized()
        try:
            text = g.check(line)
        except GuardRefusal:
            continue
        TRIED["admitted"] += 1
        is_at = text.startswith(("AT", "ST"))
        takes_effect = outcome in ("confirmed", "late", "lost") or outcome.startswith("brownout") or (
            outcome == "unknown" and rng.random() < 0.5
        )
        if outcome == "brownout-first" and is_at:
            elm.reset()  # the adapter resets itself as the line arrives, then carries it out
        if is_at:
            answer = "banner" if text in ("ATZ", "ATWS", "ATI") else "OK"
            if outcome == "refused" or not takes_effect:
                answer = "?" if outcome == "refused" else "garbled"
            elif outcome == "unknown":
                answer = "garbled"
            if takes_effect and outcome != "refused":
                elm.at(text)
        else:
            elm.request(text)
            answer = "data"
        if outcome.startswith("brownout"):  # the adapter resets itself while it handles the line
            if outcome != "brownout-first" or not is_at:
                elm.reset()
            answer = "banner"
        if outcome == "lost":
            g.lost_prompt()
            break  # no prompt ever comes: the wire closes the port, nothing more is written
        pending.append(answer)
        if outcome in ("late", "brownout-late"):
            g.lost_prompt()
        else:
            g.settle(_seen(pending.pop(0), text))  # type: ignore[arg-type]
    TRIED["frames"] += len(elm.frames)
    TRIED["with_frames"] += bool(elm.frames)
    for frame in elm.frames:
        assert frame.read_only(), (frame, stored, lines)


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
    elm = Elm(
        Stored("7", caf=True, tester=0xF1, last_search=9, user_options={"B": 0xE0, "C": 0x80}),
        random.Random(0),
    )
    g = guard.Guard()
    for line in ("ATZ", "ATCAF1", "ATSH7DF"):
        elm.at(g.check(line))
    with pytest.raises(GuardRefusal, match=r"AT TP h"):
        g.check("0100")
    for line in ("ATTP7", "ATSH18DB33F1", "0100"):
        text = g.check(line)
        elm.at(text) if text.startswith("AT") else elm.request(text)
    assert elm.frames and all(frame.read_only() for frame in elm.frames)


def test_a_non_hex_line_under_caf0_is_refused_not_a_crash() -> None:
    g = _guard("ATZ", "ATTP6", "ATCAF0")
    with pytest.raises(GuardRefusal):
        g.check("ATSP")
