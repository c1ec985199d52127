"""The ``guarded`` URL option: obdident's read-only guard over a port another program writes to.

obdident's own scans pass every line through the guard in :mod:`obdident.elm327.wire`. A program that opens
obdident's URLs through pyserial (python-OBD: ``obd.OBD("sim://...")``) writes its own lines, which no guard
judges: python-OBD sends ``AT SP 0``, which saves the protocol in the adapter's memory. With the opt-in
option ``guarded=1``, in pyserial's URL option form (``socket://HOST:PORT?guarded=1``, ``sim://NAME?guarded=1``,
``ble://ADDRESS?write=fff2&guarded=1``), the port itself judges each line before any byte of it goes out:

- A line is held until its CR arrives, then judged whole by a :class:`~obdident.guard.Guard` of the port's
  own, which keeps the adapter state that line changes.
- An admitted line is written; a refused one is not, nor anything written after it in the same call, and
  ``write`` raises :class:`~obdident.errors.LineRefusedError`, a :class:`serial.SerialException`.
- The port reads the answers as the program reads them: the answer up to the ``>`` prompt tells the guard
  whether an AT command was carried out (``OK``), refused (``?``) or neither (ELM327 datasheet, "AT
  Commands"). An answer the program never read (dropped by ``reset_input_buffer``) counts as neither.

``guarded=0`` is the default. The option is taken out of the URL before the scheme's own handler reads it
(:func:`split_guarded`). A serial device name (``/dev/ttyUSB0``, ``COM5``) is no URL and takes no options.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from serial.serialutil import SerialBase

from obdident.elm327.lines import shows_reset, split_lines, strip_echo
from obdident.elm327.wire import MAX_ANSWER_BYTES, answer_outcome
from obdident.errors import GuardRefusal, LineRefusedError, PortUrlError
from obdident.guard import Guard
from obdident.i18n import T

__all__ = ["OPTION", "GuardedPort", "LineJudge", "class_for_url", "split_guarded", "url_hook"]

#: The URL option's name.
OPTION = "guarded"
_VALUES = {"1": True, "0": False}


def split_guarded(url: str) -> tuple[str, bool]:
    """Take the ``guarded`` option out of a URL.

    The other options are kept byte for byte, in their order (``sim://`` reads a literal ``+`` in
    ``fault=stall@3+``).

    Args:
        url: a port URL, ``socket://HOST:PORT?guarded=1``.

    Returns:
        The URL without the option (without ``?`` when no option is left), and whether it asked for
        ``guarded=1``.

    Raises:
        PortUrlError: ``guarded`` given twice, or with a value other than ``1`` or ``0``.
    """
    base, mark, query = url.partition("?")
    if not mark:
        return url, False
    kept: list[str] = []
    values: list[str] = []
    for item in query.split("&"):
        key, _, value = item.partition("=")
        if key == OPTION:
            values.append(value)
        else:
            kept.append(item)
    if not values:
        return url, False
    if len(values) > 1 or values[0] not in _VALUES:
        raise PortUrlError(
            T("{url}: option '{option}' takes one value, 1 or 0 (guarded=1)", url=url, option=OPTION)
        )
    return base + ("?" + "&".join(kept) if kept else ""), _VALUES[values[0]]


class LineJudge:
    """Judges the lines one port writes and follows the answers it reads.

    Attributes:
        guard: the port's own read-only guard; its ``refused`` lists what it refused.
    """

    def __init__(self) -> None:
        self.guard = Guard()
        self._held = bytearray()  # written bytes after the last CR: a line not yet complete
        self._awaiting: str | None = None  # the last line written, until every prompt owed is read
        self._owed = 0  # prompts owed: lines written whose answer's prompt was not read yet
        self._pipelined = False  # a line was written while a prompt was owed: answers are out of step
        self._answer = bytearray()

    def admit(self, data: bytes) -> tuple[bytes, LineRefusedError | None]:
        """Judge the complete lines ``data`` ends, in order.

        A line written before the previous line's prompt was read (two lines in one write, an answer read
        only in part or thrown away) puts the answers out of step (ELM327 datasheet: one prompt per command;
        a character sent while the chip is busy interrupts it): the earlier line counts as ``unknown``, and
        no answer confirms anything until every prompt owed has been read (:meth:`Guard.lost_prompt`).

        Args:
            data: bytes a program writes.

        Returns:
            The bytes to write (the admitted lines, each with its CR) and the refusal of the first refused
            line, if any. Nothing after a refused line is kept; a line without its CR yet is held.
        """
        out = bytearray()
        *lines, rest = (bytes(self._held) + data).split(b"\r")
        self._held = bytearray(rest)
        for raw in lines:
            line = raw.decode("latin-1")
            if self._owed:
                self.guard.lost_prompt()  # its prompt was never read: it may or may not have acted
                self._pipelined, self._awaiting = True, None
            try:
                text = self.guard.check(line)
            except GuardRefusal as err:
                self._held.clear()
                return bytes(out), LineRefusedError(line, err.reason)
            out += raw + b"\r"
            self._awaiting, self._answer = text, bytearray()
            self._owed += 1
        return bytes(out), None

    def heard(self, data: bytes) -> None:
        """Follow what the program read: each prompt ends one owed answer; the last one settles the line it
        answers, or, out of step, leaves it ``unknown`` and puts the answers back in step."""
        start = 0
        while self._owed and start < len(data):
            end = data.find(b">", start)
            chunk = data[start:] if end < 0 else data[start:end]
            if len(self._answer) < MAX_ANSWER_BYTES:
                self._answer += chunk
            if end < 0:
                return
            start = end + 1
            self._owed -= 1
            lines = split_lines(bytes(self._answer))
            self._answer = bytearray()
            if self._pipelined and shows_reset(lines):
                self.guard.maybe_reset()  # a reset somewhere among the lines out of step
            if self._owed:
                continue
            text, self._awaiting = self._awaiting, None
            if self._pipelined:
                if text is not None:
                    self.guard.settle("unknown")
                self.guard.resynchronized()
                self._pipelined = False
            elif text is not None:
                self.guard.settle(answer_outcome(text, strip_echo(lines, text)))


class GuardedPort(SerialBase):  # type: ignore[misc]  # pyserial is untyped
    """The port classes opened with ``guarded=1`` put this first among their bases: every line written
    passes :attr:`judge` before the scheme's own ``write``; every read is followed by it.

    Attributes:
        judge: the port's :class:`LineJudge` (its ``guard.refused`` lists the lines refused).
    """

    judge: LineJudge

    def open(self) -> None:
        """Open the port with a fresh guard: it knows nothing of the adapter's state yet."""
        self.judge = LineJudge()
        super().open()

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write the lines the guard admits.

        Returns:
            ``len(data)``: every byte was taken (written, or held until its line's CR).

        Raises:
            LineRefusedError: a line was refused; the lines before it were written, nothing after it.
        """
        admitted, refusal = self.judge.admit(bytes(data))
        if admitted:
            super().write(admitted)
        if refusal is not None:
            raise refusal
        return len(data)

    def read(self, size: int = 1) -> bytes:
        """Read as the scheme's port does, and let the guard follow the answer."""
        data = bytes(super().read(size))
        self.judge.heard(data)
        return data


def class_for_url(
    url: str, plain: type[SerialBase], guarded: type[GuardedPort]
) -> tuple[str, type[SerialBase]]:
    """pyserial's ``serial_class_for_url`` hook for a scheme: the URL without the option, and the class.

    Raises:
        PortUrlError: a malformed ``guarded`` option.
    """
    rest, wanted = split_guarded(url)
    return rest, guarded if wanted else plain


def url_hook(
    plain: type[SerialBase], guarded: type[GuardedPort]
) -> Callable[[str], tuple[str, type[SerialBase]]]:
    """The ``serial_class_for_url`` function a handler module gives pyserial: the URL without the
    ``guarded`` option, and ``guarded`` when it asked for ``guarded=1``, else ``plain``
    (:func:`class_for_url`; raises :class:`~obdident.errors.PortUrlError` for a malformed option)."""
    return functools.partial(class_for_url, plain=plain, guarded=guarded)
