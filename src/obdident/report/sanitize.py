"""Untrusted strings (from the adapter, an ECU, a file) made fit for a terminal or a spreadsheet.

Control characters (C0, DEL, C1, so every escape sequence loses its ESC or CSI byte), Unicode line and
paragraph separators, and bidirectional and zero-width format characters are the unsafe ones
(:data:`UNSAFE_CHARACTERS`): the terminal (:mod:`.text`, the CLI's messages) shows them as ``\\xNN`` /
``\\uNNNN``; the CSV row (:mod:`.csvout`) removes them.
"""

from __future__ import annotations

import re

from rich.markup import escape

__all__ = ["UNSAFE_CHARACTERS", "plain", "safe"]

# C0 and C1 controls and DEL (ESC 1B and CSI 9B start escape sequences), zero-width and bidirectional
# marks, line and paragraph separators, bidirectional embeddings/overrides/isolates, word joiner, BOM.
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _shown(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def plain(value: object) -> str:
    """Return ``value`` as plain text fit for a terminal: control and format characters shown as ``\\xNN``
    or ``\\uNNNN``."""
    return UNSAFE_CHARACTERS.sub(lambda m: _shown(m.group()), str(value))


def safe(value: object) -> str:
    """Return ``value`` as text fit for a terminal: control characters shown as ``\\xNN``, markup escaped."""
    return escape(plain(value))
