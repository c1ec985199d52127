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
from obdident.i18n import T, Text
from obdident.transports.guarded import split_guarded
from obdident.transports.kinds import scheme_of, split_url

__all__ = ["ACCEPTED_FORMS", "OWN_SCHEMES", "PYSERIAL_SCHEMES", "check_port", "scheme_of"]

#: obdident's own pyserial URL schemes (handlers in this package).
OWN_SCHEMES = ("sim", "ble", "rfcomm", "replay")
#: pyserial's URL schemes obdident opens: a WiFi adapter's TCP socket, and RFC 2217 serial over TCP.
PYSERIAL_SCHEMES = ("socket", "rfc2217")
#: What ``--port`` accepts, one form per item, for error messages and ``--help``.
ACCEPTED_FORMS: tuple[Text, ...] = (
    T("a serial port name ({examples})", examples="/dev/ttyUSB0, /dev/rfcomm0, /dev/cu.OBDII-SPPDev, COM5"),
    T("{form} (WiFi adapter)", form="socket://HOST:PORT"),
    T("{form} (serial port over a network)", form="rfc2217://HOST:PORT"),
    T("{form} (Bluetooth LE)", form="ble://ADDRESS"),
    T("{form} (Bluetooth Classic, Linux)", form="rfcomm://MAC[:CHANNEL]"),
    T("{form} (simulated vehicle)", form="sim://PROFILE"),
    T("{form} (a --record recording)", form="replay://FILE"),
)
_RFC2217_OPTIONS = frozenset({"ign_set_control", "poll_modem", "timeout"})
_MAX_TCP_PORT = 65535


def _accepted() -> Text:
    """The hint that lists what ``--port`` accepts."""
    return T("give one of: {forms}", forms=ACCEPTED_FORMS)


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
        raise PortUrlError(T("the port name is empty"), hint=_accepted())
    try:
        _check(url)
    except PortUrlError:
        raise
    except ValueError as err:  # a parser's own complaint (urllib, ipaddress...): one line, never a traceback
        raise PortUrlError(
            T("{url}: not a port name or URL", url=url), detail=str(err), hint=_accepted()
        ) from err


def _check(url: str) -> None:
    scheme = scheme_of(url)
    if scheme is not None:
        url, guarded = split_guarded(url)  # guarded=1: see obdident.transports.guarded
        if guarded and scheme == "replay":
            raise PortUrlError(
                T("{url}: a replay:// session writes to no adapter and takes no guarded option", url=url)
            )
    if scheme is None:
        if "guarded=" in url.partition("?")[2]:
            raise PortUrlError(
                T(
                    "{url}: a serial device name takes no options; guarded=1 is an option of obdident's URLs "
                    "({schemes})",
                    url=url,
                    schemes="socket://, rfc2217://, ble://, rfcomm://, sim://",
                ),
                hint=T(
                    "obdident's own scans are always guarded; the option is for other programs (python-OBD)"
                ),
            )
        _check_native(url)
    elif scheme in PYSERIAL_SCHEMES:
        _check_tcp(url, scheme)
    elif scheme in OWN_SCHEMES:
        _check_own(url, scheme)
    else:
        raise PortUrlError(
            T("{url}: obdident does not open {scheme}:// ports", url=url, scheme=scheme),
            hint=_accepted(),
        )


def _check_native(name: str) -> None:
    try:
        mode = Path(name).stat().st_mode
    except (OSError, ValueError):  # absent (told when opening), or a name no file system holds
        return
    if stat.S_ISDIR(mode):
        raise PortUrlError(T("{name} is a directory, not a serial port", name=name), hint=_accepted())
    if stat.S_ISREG(mode):
        raise PortUrlError(
            T("{name} is a regular file, not a serial port", name=name),
            hint=T("a recording is replayed with {option}", option="--port replay://FILE"),
        )


def _check_tcp(url: str, scheme: str) -> None:
    form = T("{form}, e.g. {example}", form=f"{scheme}://HOST:PORT", example=f"{scheme}://192.168.0.10:35000")
    parts = split_url(url)
    try:
        port = parts.port
    except ValueError:
        text = parts.netloc.rsplit(":", 1)[-1]
        raise PortUrlError(
            T(
                "{url}: the TCP port '{port}' is not a number from 1 to 65535 ({form})",
                url=url,
                port=text,
                form=form,
            )
        ) from None
    if not parts.hostname:
        raise PortUrlError(T("{url}: no host name or address ({form})", url=url, form=form))
    if port is None or not 1 <= port <= _MAX_TCP_PORT:
        raise PortUrlError(T("{url}: no TCP port ({form})", url=url, form=form))
    if parts.path not in ("", "/"):
        raise PortUrlError(
            T("{url}: a {scheme}:// URL holds only HOST:PORT ({form})", url=url, scheme=scheme, form=form)
        )
    allowed = _RFC2217_OPTIONS if scheme == "rfc2217" else frozenset()
    for option in urllib.parse.parse_qs(parts.query, keep_blank_values=True):
        if option not in allowed:
            if allowed:
                raise PortUrlError(
                    T(
                        "{url}: option '{option}' is not accepted (known: {known})",
                        url=url,
                        option=option,
                        known=tuple(sorted(allowed)),
                    )
                )
            raise PortUrlError(T("{url}: option '{option}' is not accepted", url=url, option=option))


def _check_own(url: str, scheme: str) -> None:
    if scheme == "sim":
        _check_sim(url)
        return
    if scheme == "replay":
        parts = split_url(url)
        if not (parts.netloc + parts.path).strip("/"):
            raise PortUrlError(T("{url}: no recording named ({form})", url=url, form="replay://FILE"))
        return
    from obdident.transports.ble.url import parse_ble_url
    from obdident.transports.protocol_rfcomm import parse_rfcomm_url

    if scheme == "ble":
        parse_ble_url(url)
    else:
        parse_rfcomm_url(url)


def _check_sim(url: str) -> None:
    from obdident.sim.profile import find_profile
    from obdident.transports.sim_url import known_profiles, parse_sim_url

    parsed = parse_sim_url(url)
    if parsed.is_path:  # a profile file: whether it parses is told when it is opened (ProfileError, exit 2)
        path = Path(parsed.profile)
        if path.is_dir():
            raise PortUrlError(
                T(
                    "{url}: {path} is a directory, not a simulated vehicle profile (.toml)",
                    url=url,
                    path=str(path),
                )
            )
        if not path.is_file():
            raise PortUrlError(T("{url}: no simulated vehicle profile file {path}", url=url, path=str(path)))
        return
    try:
        find_profile(parsed.profile)
    except ProfileError as err:
        raise PortUrlError(
            T("no simulated vehicle profile named '{profile}'", profile=parsed.profile), hint=known_profiles()
        ) from err
