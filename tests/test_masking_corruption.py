"""Masking by meaning (issue 22, point 1): a security-bearing field is masked by where it sits in a read
answer, and an answer that cannot be read is masked whole, whatever its lines start with. The driver's rule
(``mask_answer``) and the recording audit agree, and hypothesis feeds the BCM's ``61 83`` answer through
random corruptions: no output keeps a digit of the field."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from obdident.elm327.lines import PROTOCOLS, frames_declared, split_lines, strip_echo
from obdident.elm327.masking import mask_answer
from obdident.recording.audit import audit
from obdident.recording.format import RecordedExchange, Recording, SessionMeta
from tests.corruption import JUNK, corrupt

CAN11 = PROTOCOLS["6"]
#: The reproducer of issue 22: a stray byte before the third frame (stand-in A5 5A at bytes L-M).
ISSUE_22 = ["765101A618342523032", "7652141454403170005", "\xff76522A55A0111000000", "76523000000000080FF"]
BCM_SPACED = [
    "765 10 1A 61 83 42 52 30 32",
    "765 21 41 45 44 03 17 00 05",
    "765 22 A5 5A 01 11 00 00 00",
    "765 23 00 00 00 00 00 80 FF",
]


def _leak(lines: tuple[str, ...] | list[str]) -> bool:
    return "A55A" in "".join("".join(lines).split())


def _recording(request: str, lines: tuple[str, ...] | list[str], outcome: str = "ok") -> list[str]:
    """What the recording audit finds in one exchange's answer (the guard's verdict on the request aside)."""
    meta = SessionMeta("obdident test", "2026-12-04T00:00:00Z", 1.0, "sim://x", "simulator")
    pinned = RecordedExchange("ATTP6", ("OK",), 0.0, 0.01, "ok")  # shows the adapter on CAN
    recording = Recording(meta, (pinned, RecordedExchange(request, tuple(lines), 0.0, 0.01, outcome)))
    return [problem for problem in audit(recording) if "unmasked" in problem]


def test_issue_22_reproducer_no_longer_leaks() -> None:
    answer = mask_answer(ISSUE_22, CAN11)
    assert "A55A" not in "".join(answer.lines)
    assert answer.messages is None and answer.error is not None
    assert "A55A" not in str(answer.error) and "A55A" not in "".join(answer.error.response)
    assert _recording("2183", ISSUE_22)  # the raw answer in a recording is flagged
    assert (_recording("2183", answer.lines)) == []  # the driver's masked one is clean


# Each corruption the issue names, as the adapter would print it (before split_lines).
FF, CF1, CF2, CF3 = (line.replace(" ", "") for line in BCM_SPACED)


def _printed(*lines: str) -> bytes:
    return ("\r".join(lines) + "\r\r>").encode("latin-1")


CORRUPTED = {
    "stray byte before the frame": _printed(FF, CF1, "\xff" + CF2, CF3),
    "echo glued to the first line": _printed("2183" + FF, CF1, CF2, CF3),
    "two frames on one line (lost CR)": _printed(FF, CF1 + CF2, CF3),
    "lost CR, spaces on": _printed(BCM_SPACED[0], BCM_SPACED[1] + " " + BCM_SPACED[2], BCM_SPACED[3]),
    "a hex digit inserted": _printed(FF, CF1, CF2[:5] + "1" + CF2[5:], CF3),
    "a byte inserted": _printed(FF, CF1, CF2[:5] + "11" + CF2[5:], CF3),
    "a byte deleted": _printed(FF, CF1, CF2[:-2], CF3),
    "the first frame lost": _printed(CF1, CF2, CF3),
    "glued to SEARCHING...": _printed("SEARCHING..." + FF, CF1, CF2, CF3),
    "a data error after the data": _printed(FF, CF1, CF2 + "<DATA ERROR", CF3),
    "junk in the middle": _printed(FF, CF1, CF2[:7] + "#" + CF2[7:], CF3),
    "a header widened": _printed(FF, CF1, "7" + CF2, CF3),
    "LF endings and a lost LF": _printed(FF, CF1).replace(b"\r", b"\n")[:-1]
    + CF2.encode()
    + b"\n"
    + CF3.encode()
    + b"\n>",
}


def test_every_named_corruption_is_masked_in_the_lines_the_error_and_the_audit() -> None:
    for name, raw in CORRUPTED.items():
        for protocol in (CAN11, PROTOCOLS["8"], PROTOCOLS["7"], None):
            answer = mask_answer(strip_echo(split_lines(raw), "2183"), protocol)
            assert not _leak(answer.lines), (name, protocol, answer.lines)
            assert answer.error is None or "A55A" not in str(answer.error).replace(" ", ""), name
            assert (_recording("2183", answer.lines)) == [], (name, protocol)
        assert _recording("2183", strip_echo(split_lines(raw), "2183")), name


def test_fail_closed_a_garbled_answer_from_any_unit_is_masked_whole_a_well_formed_one_kept() -> None:
    eps = [line.replace("765", "762") for line in BCM_SPACED]
    assert mask_answer(eps, CAN11).lines == tuple(eps)
    ecm = ["7E8 10 14 49 02 01 53 4A 4E", "7E8 21 46 42 41 54 33 32 55", "7E8 22 31 30 30 30 30 30 31"]
    assert mask_answer(ecm, CAN11).lines == tuple(ecm)
    # a corrupted id says nothing of who sent the line: a BCM frame may read 762 or 7E8 after a lost digit
    garbled = [eps[0], eps[1], "\xff" + eps[2], eps[3]]
    answer = mask_answer(garbled, CAN11)
    assert not _leak(answer.lines) and answer.lines[0] == "XXX XX XX XX XX XX XX XX XX"


#: A BCM answer cut after its second consecutive frame's id and PCI byte were garbled (765 22 -> 764 02):
#: the field (stand-in AB CD) reads as another unit's whole single frame (review finding after issue 22).
GARBLED_CF = ["765 10 14 61 83 01 02 03 04", "765 21 05 06 07 08 09 10 11", "764 02 AB CD 12 13 14 15 16"]


def test_a_frame_garbled_into_another_units_single_frame_is_masked_whole() -> None:
    for protocol in (CAN11, None):
        for request in ("2183", "21834", None):
            answer = mask_answer(GARBLED_CF, protocol, request)
            assert "ABCD" not in "".join("".join(answer.lines).split()), (protocol, request, answer.lines)
            assert answer.lines[2] == "764 XX XX XX XX XX XX XX XX"
            assert answer.messages is None  # a cut answer: nothing is decoded
            assert mask_answer(answer.lines, protocol, request).lines == answer.lines
    # of the field's message cut short only the first frame is kept: frames_declared can still count it
    kept = mask_answer(GARBLED_CF, CAN11, "2183").lines
    assert kept[:2] == (GARBLED_CF[0], "765 XX XX XX XX XX XX XX XX")
    assert frames_declared(kept, CAN11) == 3
    # the same lines to a request no masked field answers are not that unit's answer: kept
    assert mask_answer(GARBLED_CF, CAN11, "0902").lines == tuple(GARBLED_CF)
    # frames lost before the garbled one: no message is cut, only frames in no message (765 21, 765 23)
    lost = ["765 21 05 06 07 08 09 10 11", "764 02 AB CD 12 13 14 15 16", "765 23 00 00 00 00 00 80 FF"]
    answer = mask_answer(lost, CAN11, "2183")
    assert all(line.endswith("XX XX XX XX XX XX XX XX") for line in answer.lines), answer.lines
    # and the payload read from the garbled frame is masked too (0x00, flagged)
    assert [(m.payload, m.masked) for m in answer.messages or ()] == [(b"\0\0", (0, 1))]
    # the recording audit applies the same rule: the raw answer is flagged, the masked one clean
    assert _recording("2183", GARBLED_CF) and _recording("2183", lost)
    assert _recording("2183", mask_answer(GARBLED_CF, CAN11, "2183").lines) == []


def test_with_no_protocol_known_an_answer_that_may_hold_the_field_reads_as_11_bit_can_or_is_masked() -> None:
    # a digit inserted: the line no longer reads as an 11-bit frame, but reads as 29-bit and K-line frames
    inserted = ["76522AB5AB0111000000"]
    assert mask_answer(inserted, CAN11, "2183").lines == ("X" * 20,)
    for request in ("2183", None):
        answer = mask_answer(inserted, None, request)
        assert answer.lines == ("X" * 20,) and answer.error is not None, request
    assert mask_answer(inserted, None, "0100").lines == tuple(inserted)  # no masked field answers 01 00
    # a recording that names no protocol: the audit reads the answer every way, the same rule
    meta = SessionMeta("obdident test", "2026-12-04T00:00:00Z", 1.0, "sim://x", "simulator")
    recording = Recording(meta, (RecordedExchange("2183", tuple(inserted), 0.0, 0.01, "ok"),))
    assert [p for p in audit(recording) if "unmasked" in p]


def test_the_adapters_own_words_are_kept_but_only_as_whole_lines() -> None:
    for request, lines in (
        ("ATI", ["ELM327 v1.5"]),
        ("ATRV", ["12.6V"]),
        ("ATDPN", ["A6"]),
        ("STDI", ["OBDLink MX+ r1.2"]),
        ("0100", ["SEARCHING...", "NO DATA"]),
        ("0100", ["BUS INIT: ...OK", "NO DATA"]),
        ("ATSH745", ["OK"]),
    ):
        assert mask_answer(lines, CAN11, request).lines == tuple(lines), request
        assert mask_answer(lines, None, request).lines == tuple(lines), request
    glued = ["SEARCHING...765 22 A5 5A 01 11 00 00 00", "BUS INIT: ...765 22 A5 5A 01 11 00 00 00 ERROR"]
    answer = mask_answer(glued, CAN11)
    assert answer.lines == (
        "SEARCHING...XXX XX XX XX XX XX XX XX XX",
        "BUS INIT: ...XXX XX XX XX XX XX XX XX XX ERROR",
    )


def test_a_frame_in_an_adapter_commands_answer_is_masked_whole() -> None:
    answer = mask_answer(["\xff765 22 A5 5A 01 11 00 00 00", "OK"], CAN11, "ATSH746")
    assert answer.lines == ("\xffXXX XX XX XX XX XX XX XX XX", "OK")


def test_a_masked_units_frames_must_have_iso_tp_lengths() -> None:
    short_middle = [BCM_SPACED[0], "765 21 41 45 44 03 17 00", "765 22 05 A5 5A 01 11 00 00", BCM_SPACED[3]]
    answer = mask_answer(short_middle, CAN11)
    assert answer.error is not None and not _leak(answer.lines)
    unpadded_grown = [BCM_SPACED[0], BCM_SPACED[1], BCM_SPACED[2], "765 23 00 00 00 00 00 80 00 FF"]
    assert mask_answer(unpadded_grown, CAN11).error is not None


def test_a_cut_short_bcm_answer_keeps_only_its_first_frame() -> None:
    # a frame lost and the next one's PCI garbled (22 read as 21) would shift the field by a frame: every
    # consecutive frame of the cut message is masked whole; its first frame still says how many to ask for
    answer = mask_answer(BCM_SPACED[:3], CAN11)
    assert answer.lines == (BCM_SPACED[0], *["765 XX XX XX XX XX XX XX XX"] * 2)
    assert frames_declared(answer.lines, CAN11) == 4
    assert answer.error is not None and type(answer.error).__name__ == "IsoTpTruncatedError"
    shifted = [BCM_SPACED[0], BCM_SPACED[2].replace("765 22", "765 21")]
    assert not _leak(mask_answer(shifted, CAN11, "2183").lines)


def test_a_short_answer_from_the_fields_unit_is_masked_whole_but_its_refusal_kept() -> None:
    # the first frame lost, the field's frame read as a 1-byte single frame (its padding the field)
    short = ["765 01 A5 5A 01 11 00 00 00"]
    assert mask_answer(short, CAN11, "2183").lines == ("765 XX XX XX XX XX XX XX XX",)
    refusal = ["765 03 7F 21 80 00 00 00 00"]  # outside Nissan's session 10 C0: read, so the session opens
    answer = mask_answer(refusal, CAN11, "2183")
    assert answer.lines == tuple(refusal)
    assert answer.messages and answer.messages[0].payload == b"\x7f\x21\x80"


def test_an_unfinished_last_line_is_masked_whole_and_passes_the_audit() -> None:
    from obdident.elm327.masking import mask_unfinished

    lines = mask_unfinished(BCM_SPACED[:2], ["765 22 A5 5"], CAN11, "2183")
    assert lines == (BCM_SPACED[0], "765 XX XX XX XX XX XX XX XX", "XXX XX XX X")
    assert (_recording("2183", lines, "timeout")) == []
    assert _recording("2183", [*BCM_SPACED[:2], "765 22 A5 5"], "timeout")


# --- property: random corruptions of the masked field's answer ------------------------------------------
#: The field's bytes use only these digits; every other byte, padding and inserted digit uses none of them,
#: so any of them in an output is a digit of the field (a single nibble counts).
SECRET_DIGITS = "9BCDEF"
PUBLIC_DIGITS = "012345678A"
_byte = st.tuples(st.sampled_from(PUBLIC_DIGITS), st.sampled_from(PUBLIC_DIGITS)).map("".join)
_secret = st.tuples(*[st.sampled_from(SECRET_DIGITS)] * 4).map("".join)

_op = st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from([*PUBLIC_DIGITS, *JUNK])),
    st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 4)),
    st.tuples(st.just("join"), st.integers(0, 10**6), st.just("")),  # a lost CR: two frames on one line
    st.tuples(st.just("drop-line"), st.integers(0, 10**6), st.just("")),
    st.tuples(st.just("echo"), st.just(0), st.just("")),  # the echo glued to the first line
    st.tuples(st.just("lf"), st.just(0), st.sampled_from(["\n", "\r\n", "\n\r"])),  # other line endings
    # a frame's CAN id and PCI byte both garbled: it may read as another unit's frame of any kind
    st.tuples(
        st.just("garble-frame"),
        st.integers(0, 10**6),
        st.tuples(
            st.sampled_from(["765", "764", "763", "760", "768", "7A8"]),
            st.sampled_from("0123"),
            st.sampled_from(PUBLIC_DIGITS),
        ).map("".join),
    ),
)


def _bcm_answer(public: list[str], secret: str, padding: str, spaced: bool) -> list[str]:
    """The BCM's 61 83 answer (26 bytes, ISO-TP on 765), the field at payload bytes 13-14."""
    payload = ["61", "83", *public[:11], secret[:2], secret[2:], *public[11:22]]
    frames = [["10", "1A", *payload[:6]]]
    rest, sn = payload[6:], 1
    while rest:
        frames.append([f"2{sn:X}", *rest[:7]] + [padding] * (7 - len(rest[:7])))
        rest, sn = rest[7:], sn + 1
    sep = " " if spaced else ""
    return [f"765{sep}" + sep.join(frame) for frame in frames]


def _clean(text: str) -> bool:
    return not any(d in text.upper() for d in SECRET_DIGITS)


def _clean_words(text: str) -> bool:
    """No digit of the field outside words and escaped junk bytes (an error's sentence quoting a line)."""
    return _clean(re.sub(r"[A-Za-z]{2,}", "", re.sub(r"\\x[0-9a-f]{2}", "", text)))


@example(  # the third frame read as 764's single frame, the fourth lost: the field's message is cut
    ["00"] * 22, "9BCD", "00", True, [("garble-frame", 2, "76402"), ("drop-line", 3, "")], "6", "2183"
)
@example(["00"] * 22, "9BCD", "00", False, [("garble-frame", 2, "76307"), ("drop-line", 1, "")], "6", None)
@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_byte, min_size=22, max_size=22),
    _secret,
    _byte,
    st.booleans(),
    st.lists(_op, min_size=1, max_size=5),
    st.sampled_from(["6", "8"]),
    st.sampled_from(["2183", "21834", None]),
)
def test_property_no_corruption_of_the_bcm_answer_keeps_a_digit_of_the_field(
    public: list[str],
    secret: str,
    padding: str,
    spaced: bool,
    ops: list[tuple[str, int, str | int]],
    number: str,
    request: str | None,
) -> None:
    lines = _bcm_answer(public, secret, padding, spaced)
    raw = corrupt("\r".join(lines) + "\r\r", ops) + ">"
    printed = strip_echo(split_lines(raw.encode("latin-1")), "2183")
    # Known limit: when every frame of the BCM's answer is lost or garbled into another id, what is left
    # reads as another unit's well-formed answer to 21 83 (which obdident asks every unit); the masking
    # does not know which unit was asked (AT SH), so it cannot tell. Not drawn here.
    assume(any("765" in "".join(line.split()) for line in printed) or _clean("".join(printed)))
    answer = mask_answer(printed, PROTOCOLS[number], request)
    assert _clean("".join(answer.lines)), (printed, answer.lines)
    if answer.error is not None:
        assert _clean_words(str(answer.error)) and _clean("".join(answer.error.response))
    for message in answer.messages or ():
        assert _clean(message.payload.hex()) and _clean("".join(message.lines))
    # the recording audit calls the masked answer clean, and the raw one not clean when it held the field
    assert (_recording(request or "2183", answer.lines)) == []
    assert mask_answer(answer.lines, PROTOCOLS[number], request).lines == answer.lines
    if not _clean("".join(printed)):
        assert _recording("2183", printed), printed
