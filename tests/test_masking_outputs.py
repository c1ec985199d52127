"""Masking by meaning end to end (issue 22, point 1): the simulated Qashqai J10's BCM answers ``21 83``
through a link that corrupts the answer (insertions, deletions, joined lines, lost CRs, the echo glued to
the first line, LF endings, junk bytes, a frame's id and PCI byte garbled), and no output of
``obdident scan`` keeps the BCM's security field: the JSON report, the HTML page, the terminal text, the
``--verbose`` log and the ``--record`` recording; and ``check-recording`` calls the recording clean."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from obdident import cli
from obdident.journey import Seams
from obdident.transports import open_port
from tests.corruption import JUNK, corrupt

runner = CliRunner()
URL = "sim://nissan-qashqai-j10"
#: The profile's stand-in for the BCM's encrypted PIN (61 83 bytes L-M); no inserted digit is A or 5, so
#: the corruptions cannot make it up from other bytes.
FIELD = "A55A"
DIGITS = "012346789BCDEF"


class CorruptingLink:
    """A ``sim://`` port whose BCM answers to ``21 83`` (header 745) pass through ``corrupt(ops)``."""

    def __init__(self, inner: Any, ops: list[tuple[str, int, str | int]]) -> None:
        self._inner = inner
        self._ops = ops
        self._header = ""
        self._held = bytearray()
        self.corrupted = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    @property
    def in_waiting(self) -> int:
        return len(self._held) or int(self._inner.in_waiting)

    def read(self, size: int = 1) -> bytes:
        if self._held:
            data, self._held = bytes(self._held[:size]), self._held[size:]
            return data
        return bytes(self._inner.read(size))

    def reset_input_buffer(self) -> None:
        self._held.clear()
        self._inner.reset_input_buffer()

    def write(self, data: bytes) -> int:
        written = int(self._inner.write(data))
        line = data.decode("latin-1").strip().upper().replace(" ", "")
        if line.startswith("ATSH"):
            self._header = line[4:]
        elif self._header == "745" and line.startswith("2183"):
            answer = bytes(self._inner.read(self._inner.in_waiting)).decode("latin-1")
            body, prompt = (answer[:-1], ">") if answer.endswith(">") else (answer, "")
            self._held += (corrupt(body, self._ops) + prompt).encode("latin-1")
            self.corrupted += 1
        return written


def _scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ops: list[tuple[str, int, str | int]]
) -> dict[str, str]:
    links: list[CorruptingLink] = []

    def corrupting(url: str, **kw: Any) -> Any:
        links.append(CorruptingLink(open_port(url, **kw), ops))
        return links[-1]

    for old in tmp_path.iterdir():
        old.unlink()
    paths = {name: tmp_path / name for name in ("report.json", "page.html", "session.txt")}
    result = runner.invoke(
        cli.app,
        [
            "scan",
            "-p",
            URL,
            "--json",
            str(paths["report.json"]),
            "--html",
            str(paths["page.html"]),
            "--record",
            str(paths["session.txt"]),
            "--verbose",
        ],
        obj=Seams(opener=corrupting),  # the scan opens its port through the corrupting link
    )
    assert links and links[0].corrupted, "the BCM was asked 21 83 through the corrupting link"
    outputs = {name: path.read_text("utf-8") for name, path in paths.items() if path.exists()}
    assert set(outputs) == set(paths), (result.exit_code, result.stderr[-2000:])
    outputs["terminal"] = result.stdout
    outputs["verbose log"] = result.stderr
    checked = runner.invoke(cli.app, ["check-recording", str(paths["session.txt"])])
    outputs["check-recording"] = checked.stdout + checked.stderr
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    return outputs


def _holds_field(text: str) -> bool:
    return FIELD in re.sub(r"[^0-9A-Za-z]", "", text.upper())


@example(ops=[])  # the scan as the simulator answers it
@example(ops=[("garble-frame", 2, "76402"), ("drop-line", 3, "")])  # the field read as 764's single frame
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("insert"), st.integers(0, 10**6), st.sampled_from([*DIGITS, *JUNK])),
            st.tuples(st.just("delete"), st.integers(0, 10**6), st.integers(1, 4)),
            st.tuples(st.just("join"), st.integers(0, 10**6), st.just("")),
            st.tuples(st.just("drop-line"), st.integers(0, 10**6), st.just("")),
            st.tuples(st.just("echo"), st.just(0), st.just("")),
            st.tuples(st.just("lf"), st.just(0), st.sampled_from(["\n", "\r\n"])),
            st.tuples(
                st.just("garble-frame"),
                st.integers(0, 10**6),
                st.tuples(
                    st.sampled_from(["764", "763", "7E8"]), st.sampled_from("0123"), st.sampled_from(DIGITS)
                )
                .map("".join),
            ),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_property_no_output_of_a_scan_keeps_the_field_of_a_corrupted_bcm_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ops: list[tuple[str, int, str | int]]
) -> None:
    outputs = _scan(tmp_path, monkeypatch, ops)
    leaked = [name for name, text in outputs.items() if _holds_field(text)]
    assert not leaked, (ops, leaked)
