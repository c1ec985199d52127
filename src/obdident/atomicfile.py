"""The one atomic file write: a temporary file beside the target, then a rename.

Every file obdident replaces (``--json``, ``--html``, ``--qr``, a saved recording) goes through
:func:`write_atomic`, so the file on disk is always either the old one or the new one, never half written.
Ground floor: it imports nothing from obdident.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically.

    A temporary file ``.NAME.XXXX.tmp`` is written in the target's own directory (so the rename stays on one
    file system), then renamed over the target with :func:`os.replace`, atomic on POSIX and Windows.

    Args:
        path: the file to write; its directory must exist.
        text: the whole content.

    Raises:
        OSError: the file could not be written; the temporary file is removed and the old file kept.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
