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

from serial.serialutil import SerialBase

from obdident.elm327.lines import split_lines, strip_echo
from obdident.elm327.wire import MAX_ANSWER_BYTES, answer_outcome
from obdident.errors import GuardRefusal, LineRefusedError, PortUrlError
from obdident.guard import Guard

__all__ = ["OPTION", "GuardedPort", "LineJudge", "class_for_url", "split_guarded"]

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
        raise PortUrlError(f"{url}: option {OPTION!r} takes one value, 1 or 0 (guarded=1)")
    return base + ("?" + "&".join(kept) if kept else ""), _VALUES[values[0]]


class LineJudge:
    """Judges the lines one port writes and follows the answers it reads.

    Attributes:
        guard: the port's own read-only guard; its ``refused`` lists what it refused.
    """

    def __init__(self) -> None:
        self.guard = Guard()
        self._held = bytearray()  # written bytes after the last CR: a line not yet complete
        self._awaiting: str | None = None  # the last line written, until its answer's prompt is read
        self._answer = bytearray()

    def admit(self, data: bytes) -> tuple[bytes, LineRefusedError | None]:
        """Judge the complete lines ``data`` ends, in order.

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
            if self._awaiting is not None:
                self.guard.settle("unknown")  # its prompt was never read: it may or may not have acted
                self._awaiting = None
            try:
                text = self.guard.check(line)
            except GuardRefusal as err:
                self._held.clear()
                return bytes(out), LineRefusedError(line, err.reason)
            out += raw + b"\r"
            self._awaiting, self._answer = text, bytearray()
        return bytes(out), None

    def heard(self, data: bytes) -> None:
        """Follow what the program read: the answer up to the prompt settles the line it answers."""
        if self._awaiting is None or not data:
            return
        end = data.find(b">")
        if len(self._answer) < MAX_ANSWER_BYTES:
            self._answer += data if end < 0 else data[:end]
        if end >= 0:
            text, self._awaiting = self._awaiting, None
            lines = strip_echo(split_lines(bytes(self._answer)), text)
            self.guard.settle(answer_outcome(text, lines))


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
