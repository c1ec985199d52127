"""Which port names and URLs obdident opens, checked before anything is opened.

obdident opens its own URL schemes (``sim://``, ``ble://``, ``rfcomm://``, ``replay://``), pyserial's
``socket://`` (WiFi adapters) and ``rfc2217://`` (serial over a network), and native serial port names
(``/dev/ttyUSB0``, ``/dev/rfcomm0``, ``/dev/serial/by-id/...``, ``COM5``, ``/dev/cu.OBDII-SPPDev``). Every
other pyserial scheme is refused: ``spy://`` writes a hex copy of the dialogue, unmasked, to a file or
stderr; ``loop://`` talks to itself; ``hwgrep://`` opens whichever port a pattern matches first; ``alt://``
loads an arbitrary port class; ``cp2110://`` opens a raw HID device. A name without ``://`` is a native port
name: pyserial opens it as a serial device, so no bytes go anywhere but to that device.

Every URL scheme obdident opens but ``replay://`` takes its ``guarded=1`` option
(:mod:`obdident.transports.guarded`), which puts obdident's guard in the port itself for other programs that
write to it (python-OBD).

pyserial's own ``?logging=`` option is refused: it calls ``logging.basicConfig()`` and so sets up the
root logger, which would print third-party debug output (bleak logs raw notifications at DEBUG).

:func:`check_port` parses a name or URL without opening anything (no file, device or network access,
except looking up a ``sim://`` profile by name or file, and whether a native name is a directory or a file);
it is called by :func:`obdident.transports.open_port`, so the library (:func:`obdident.scan`) refuses what the
CLI refuses. A caller that needs a raw port of another kind passes an opened port object to
:func:`obdident.scanning.scan_port` instead.
"""

from __future__ import annotations

import stat
import urllib.parse
from pathlib import Path

from obdident.errors import PortUrlError, ProfileError
from obdident.transports.guarded import split_guarded
from obdident.transports.kinds import scheme_of, split_url

__all__ = ["ACCEPTED_FORMS", "OWN_SCHEMES", "PYSERIAL_SCHEMES", "check_port", "scheme_of"]

#: obdident's own pyserial URL schemes (handlers in this package).
OWN_SCHEMES = ("sim", "ble", "rfcomm", "replay")
#: pyserial's URL schemes obdident opens: a WiFi adapter's TCP socket, and RFC 2217 serial over TCP.
PYSERIAL_SCHEMES = ("socket", "rfc2217")
#: What ``--port`` accepts, one form per item, for error messages and ``--help``.
ACCEPTED_FORMS = (
    "a serial port name (/dev/ttyUSB0, /dev/rfcomm0, /dev/cu.OBDII-SPPDev, COM5)",
    "socket://HOST:PORT (WiFi adapter)",
    "rfc2217://HOST:PORT",
    "ble://ADDRESS (Bluetooth LE)",
    "rfcomm://MAC[:CHANNEL] (Bluetooth Classic, Linux)",
    "sim://PROFILE (simulated vehicle)",
    "replay://FILE (a --record recording)",
)
_RFC2217_OPTIONS = frozenset({"ign_set_control", "poll_modem", "timeout"})
_MAX_TCP_PORT = 65535


def _accepted() -> str:
    return "; ".join(ACCEPTED_FORMS)


def check_port(url: str) -> None:
    """Check a port name or URL before opening it.

    Args:
        url: what ``--port`` (or :func:`obdident.scan`) was given.

    Raises:
        PortUrlError: empty; a refused or unknown URL scheme (the message lists the accepted forms); a
            malformed ``socket://``/``rfc2217://`` host and port; a malformed ``ble://``, ``rfcomm://`` or
            ``sim://`` URL (unknown option, quirk or fault name); an unknown ``sim://`` profile name;
            ``replay://`` without a file name; a native name that is a directory or a regular file; a
            ``sim:///PATH`` that is not a file.
    """
    if not url.strip():
        raise PortUrlError("the port name is empty", hint=f"give one of: {_accepted()}")
    try:
        _check(url)
    except PortUrlError:
        raise
    except ValueError as err:  # a parser's own complaint (urllib, ipaddress...): one line, never a traceback
        raise PortUrlError(f"{url}: {err}", hint=f"give one of: {_accepted()}") from err


def _check(url: str) -> None:
    scheme = scheme_of(url)
    if scheme is not None:
        url, guarded = split_guarded(url)  # guarded=1: see obdident.transports.guarded
        if guarded and scheme == "replay":
            raise PortUrlError(f"{url}: a replay:// session writes to no adapter and takes no guarded option")
    if scheme is None:
        if "guarded=" in url.partition("?")[2]:
            raise PortUrlError(
                f"{url}: a serial device name takes no options; guarded=1 is an option of obdident's URLs "
                "(socket://, rfc2217://, ble://, rfcomm://, sim://)",
                hint="obdident's own scans are always guarded; the option is for other programs (python-OBD)",
            )
        _check_native(url)
    elif scheme in PYSERIAL_SCHEMES:
        _check_tcp(url, scheme)
    elif scheme in OWN_SCHEMES:
        _check_own(url, scheme)
    else:
        raise PortUrlError(
            f"{url}: obdident does not open {scheme}:// ports",
            hint=f"give one of: {_accepted()}",
        )


def _check_native(name: str) -> None:
    try:
        mode = Path(name).stat().st_mode
    except (OSError, ValueError):  # absent (told when opening), or a name no file system holds
        return
    if stat.S_ISDIR(mode):
        raise PortUrlError(f"{name} is a directory, not a serial port", hint=f"give one of: {_accepted()}")
    if stat.S_ISREG(mode):
        raise PortUrlError(
            f"{name} is a regular file, not a serial port",
            hint="a recording is replayed with --port replay://FILE",
        )


def _check_tcp(url: str, scheme: str) -> None:
    form = f"{scheme}://HOST:PORT, e.g. {scheme}://192.168.0.10:35000"
    parts = split_url(url)
    try:
        port = parts.port
    except ValueError:
        text = parts.netloc.rsplit(":", 1)[-1]
        raise PortUrlError(f"{url}: the TCP port {text!r} is not a number from 1 to 65535 ({form})") from None
    if not parts.hostname:
        raise PortUrlError(f"{url}: no host name or address ({form})")
    if port is None or not 1 <= port <= _MAX_TCP_PORT:
        raise PortUrlError(f"{url}: no TCP port ({form})")
    if parts.path not in ("", "/"):
        raise PortUrlError(f"{url}: a {scheme}:// URL holds only HOST:PORT ({form})")
    allowed = _RFC2217_OPTIONS if scheme == "rfc2217" else frozenset()
    for option in urllib.parse.parse_qs(parts.query, keep_blank_values=True):
        if option not in allowed:
            known = f" (known: {', '.join(sorted(allowed))})" if allowed else ""
            raise PortUrlError(f"{url}: option {option!r} is not accepted{known}")


def _check_own(url: str, scheme: str) -> None:
    if scheme == "sim":
        _check_sim(url)
        return
    if scheme == "replay":
        parts = split_url(url)
        if not (parts.netloc + parts.path).strip("/"):
            raise PortUrlError(f"{url}: no recording named (replay://FILE)")
        return
    from obdident.transports.ble.url import parse_ble_url
    from obdident.transports.protocol_rfcomm import parse_rfcomm_url

    if scheme == "ble":
        parse_ble_url(url)
    else:
        parse_rfcomm_url(url)


def _check_sim(url: str) -> None:
    from obdident.sim.profile import find_profile, list_profiles
    from obdident.transports.protocol_sim import parse_sim_url

    parsed = parse_sim_url(url)
    if parsed.is_path:  # a profile file: whether it parses is told when it is opened (ProfileError, exit 2)
        path = Path(parsed.profile)
        if path.is_dir():
            raise PortUrlError(f"{url}: {path} is a directory, not a simulated vehicle profile (.toml)")
        if not path.is_file():
            raise PortUrlError(f"{url}: no simulated vehicle profile file {path}")
        return
    try:
        find_profile(parsed.profile)
    except ProfileError as err:
        known = ", ".join(list_profiles()) or "none"
        raise PortUrlError(
            f"no simulated vehicle profile named {parsed.profile!r}", hint=f"known profiles: {known}"
        ) from err
