"""Clone adapters' flaws the driver can spot while setting up (``hw-fixtures/quirks.md``)."""

from __future__ import annotations

from collections.abc import Sequence

from obdident.errors import AdapterAnswersLateError
from obdident.i18n import T

__all__ = ["raise_if_late"]


def raise_if_late(ati_lines: Sequence[str]) -> None:
    """Raise when AT I, sent after an AT D answered by a prompt alone, is answered ``OK`` (AT D's answer):
    the adapter gives every command the answer of the one before (python-OBD issue #173), so nothing it says
    can be matched with its question.

    Args:
        ati_lines: the lines that came back to AT I.

    Raises:
        AdapterAnswersLateError: the adapter answers one command late.
    """
    if any(line.strip().upper() == "OK" for line in ati_lines):
        raise AdapterAnswersLateError(
            T(
                "your adapter answers each command one command late (it answered AT I with OK, the answer to "
                "the AT D before), so no answer can be matched with its question and nothing was read"
            ),
            request="ATI",
            response=ati_lines,
            hint=T(
                "unplug the adapter, plug it back in and try again; if it stays so, use an adapter that "
                "answers each command before its prompt (a genuine ELM327 v1.4 or later, OBDLink, vLinker)"
            ),
        )
