"""Writing a recording while the scan runs: each exchange is appended as it happens, never rewritten.

The file is opened (and truncated) at the first exchange, with the format line and the header fields known
at the start (:data:`~obdident.recording.format.OPENING`); each exchange the driver reports is appended and
flushed at once, so a scan that dies leaves every exchange it made on disk; :meth:`Recorder.close` appends
the fields known only at the end (:data:`~obdident.recording.format.CLOSING`). Writing costs one pass over
the dialogue, whatever the number of steps. The text is exactly :func:`~obdident.recording.format.dumps`
of the same session. The file is made new and renamed over the name (:func:`obdident.atomicfile.open_new`),
so a symbolic link planted at the name is replaced, never written through; a file that stops taking lines
stops the recording, not the scan.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from obdident.atomicfile import open_new
from obdident.recording.format import (
    CLOSING,
    FORMAT,
    OPENING,
    ExchangeLike,
    SessionMeta,
    exchange_lines,
    field_lines,
)
from obdident.transports.links import provenance

if TYPE_CHECKING:
    from obdident.model import Report

__all__ = ["Recorder", "closing_meta", "provenance"]


def closing_meta(opening: SessionMeta, url: str, report: Report | None) -> SessionMeta:
    """The header with the fields known at the end taken from the scan's (last) report.

    Without a report (nothing read), the start and duration stay empty (``""``, 0) and the port is ``url``:
    nothing is invented.
    """
    if report is None:
        return SessionMeta(opening.tool, "", 0.0, url, "", "", opening.provenance, opening.vehicle)
    return SessionMeta(
        tool=opening.tool,
        started_at=report.started_at,
        duration_s=report.duration_s,
        port=report.adapter.port,
        transport=report.adapter.transport or "",
        adapter=report.adapter.version or "",
        provenance=opening.provenance,
        vehicle=opening.vehicle,
    )


class Recorder:
    """Appends one scan's dialogue to a recording file.

    Attributes:
        path: the recording file.
        meta: the opening fields (``tool``, ``provenance``, ``vehicle``; the others are filled on close).
        count: exchanges written so far.
        error: why the file could not be written (one line naming it), or None.
    """

    def __init__(self, path: str | Path, *, tool: str, url: str, vehicle: str = "") -> None:
        """Prepare a recording of a scan through ``url``; the file is not touched before the first write.

        Args:
            path: the file to write (replaced: truncated when the first line is written).
            tool: the tool and version (``obdident 0.1.0``).
            url: the port or URL scanned, for the provenance and as the port when nothing was read.
            vehicle: the vehicle as the person recording describes it (``--note``).
        """
        self.path = Path(path)
        self.url = url
        self.meta = SessionMeta(tool, "", 0.0, url, "", provenance=provenance(url), vehicle=vehicle)
        self.count = 0
        self.error: str | None = None
        self._base_s: float | None = None
        self._file: TextIO | None = None
        self._closed = False

    def _write(self, lines: list[str]) -> None:
        if self.error is not None:
            return
        try:
            if self._file is None:  # a new file renamed over the name: never written through a planted link
                self._file = open_new(self.path)
                lines = [f"# {FORMAT}", *field_lines(self.meta, OPENING), *lines]
            self._file.write("".join(f"{line}\n" for line in lines))
            self._file.flush()
        except OSError as exc:
            self._give_up(exc)

    def _give_up(self, exc: OSError) -> None:
        """The file stopped taking lines (a full disk, a device gone): stop recording and remove the partial
        file, which would replay as a different scan; :attr:`error` says why."""
        self.error = f"cannot write {self.path}: {exc.strerror or exc}"
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
            self._file = None
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            self.error += " (the partial recording could not be removed)"

    def append(self, exchange: ExchangeLike) -> None:
        """Append one (masked) exchange and flush it to the file; the driver's ``on_exchange`` hook.

        A file that cannot be written stops the recording, never the scan: :attr:`error` says why, and the
        partial file is removed.
        """
        if self._closed:
            return
        self._base_s = exchange.started_s if self._base_s is None else self._base_s
        self._write(exchange_lines(exchange, self._base_s))
        self.count += 1

    def close(self, report: Report | None) -> None:
        """Append the closing fields from the scan's last report (see :func:`closing_meta`) and close the
        file; later calls do nothing. A file that cannot be written is removed (:attr:`error` says why).
        """
        if self._closed:
            return
        self._closed = True
        self._write(field_lines(closing_meta(self.meta, self.url, report), CLOSING))
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self._file = None
                self._give_up(exc)
