"""Reading a ``sim://`` URL (no file access): the profile name or file, and the options of
:mod:`obdident.transports.protocol_sim` (``ignition``, ``echo``, ``version``, ``cra``, ``quirk``, ``fault``,
``chip``, ``switch``). Every complaint is a :class:`~obdident.errors.PortUrlError` whose sentence is a
:class:`~obdident.i18n.Text`.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from obdident.errors import PortUrlError
from obdident.i18n import T, Text
from obdident.sim.faults import Fault, FaultSpecError, parse_fault
from obdident.sim.quirks import QUIRKS
from obdident.sim.stn import CHIPS
from obdident.transports.kinds import split_url

__all__ = ["SCHEME", "SimUrl", "known_profiles", "parse_sim_url"]

SCHEME = "sim"
_OPTIONS = ("ignition", "echo", "version", "cra", "quirk", "fault", "chip", "switch")
_REPEATABLE = frozenset({"quirk", "fault"})


def known_profiles() -> Text:
    """The hint that lists the built-in ``sim://`` profiles."""
    from obdident.sim.profile import list_profiles

    names = tuple(list_profiles())
    return T("known profiles: {names}", names=names) if names else T("there are no built-in profiles")


@dataclass(frozen=True)
class SimUrl:
    """A parsed ``sim://`` URL.

    Attributes:
        profile: the profile name (``nissan-xtrail-t32``) or, if :attr:`is_path`, the file path.
        is_path: True for ``sim:///abs/path.toml``.
        ignition: the ``ignition`` option (True = on), or None to keep the profile's.
        echo: the ``echo`` option (power-up echo).
        version: the ``version`` option, or None.
        cra: the ``cra`` option (False = AT CRA answers ``?``), or None to keep the profile's.
        quirks: the ``quirk`` options, in order.
        faults: the ``fault`` options, in order.
        chip: the ``chip`` option (``elm327`` or an STN chip of :data:`obdident.sim.stn.CHIPS`), or None to
            keep the profile's ``adapter_chip``.
        switch: the ``switch`` option as a bus: ``hs-can`` (default) or ``ms-can`` (``switch=ms``).
    """

    profile: str
    is_path: bool
    ignition: bool | None = None
    echo: bool = True
    version: str | None = None
    cra: bool | None = None
    quirks: tuple[str, ...] = ()
    faults: tuple[Fault, ...] = ()
    chip: str | None = None
    switch: str = "hs-can"


def parse_sim_url(url: str) -> SimUrl:
    """Parse a ``sim://`` URL (no file access).

    Args:
        url: ``sim://NAME[?options]`` or ``sim:///ABSOLUTE/PATH.toml[?options]``.

    Returns:
        The parsed URL.

    Raises:
        PortUrlError: (a ValueError) not a ``sim://`` URL, no profile, an unknown option or a bad option value
            (pyserial's convention for bad URLs).
    """
    parts = split_url(url)
    if parts.scheme.lower() != SCHEME:
        raise PortUrlError(T("expected a URL of the form {form}, got '{url}'", form="sim://PROFILE", url=url))
    if parts.netloc and parts.path not in ("", "/"):
        raise PortUrlError(
            T(
                "'{url}': give a profile name ({name}) or an absolute path ({path})",
                url=url,
                name="sim://NAME",
                path="sim:///PATH.toml",
            )
        )
    if parts.netloc:
        profile, is_path = urllib.parse.unquote(parts.netloc), False
    elif parts.path not in ("", "/"):
        profile, is_path = urllib.parse.unquote(parts.path), True
    else:
        raise PortUrlError(
            T("'{url}' names no profile; try {example}", url=url, example="sim://nissan-xtrail-t32")
        )
    options: dict[str, str] = {}
    quirks: list[str] = []
    faults: list[Fault] = []
    for key, value in _query_pairs(url, parts.query):
        if key not in _OPTIONS:
            raise PortUrlError(
                T("'{url}': unknown option '{key}' (known: {known})", url=url, key=key, known=tuple(_OPTIONS))
            )
        if key == "quirk":
            if value not in QUIRKS:
                raise PortUrlError(
                    T(
                        "'{url}': unknown quirk '{quirk}' (known: {known})",
                        url=url,
                        quirk=value,
                        known=tuple(QUIRKS),
                    )
                )
            quirks.append(value)
        elif key == "fault":
            try:
                faults.append(parse_fault(value))
            except FaultSpecError as err:
                raise PortUrlError(
                    T("'{url}': option 'fault': {problem}", url=url, problem=err.text)
                ) from err
        elif key in options:
            raise PortUrlError(T("'{url}': option '{key}' given twice", url=url, key=key))
        else:
            options[key] = value
    ignition: bool | None = None
    if "ignition" in options:
        if options["ignition"] not in ("on", "off"):
            raise PortUrlError(
                T(
                    "'{url}': option 'ignition' must be on or off, got '{value}'",
                    url=url,
                    value=options["ignition"],
                )
            )
        ignition = options["ignition"] == "on"
    echo = options.get("echo", "1")
    if echo not in ("0", "1"):
        raise PortUrlError(
            T("'{url}': option '{key}' must be 0 or 1, got '{value}'", url=url, key="echo", value=echo)
        )
    version = options.get("version")
    if version is not None and not version.strip():
        raise PortUrlError(T("'{url}': option '{key}' must not be empty", url=url, key="version"))
    cra = options.get("cra")
    if cra not in (None, "0", "1"):
        raise PortUrlError(
            T("'{url}': option '{key}' must be 0 or 1, got '{value}'", url=url, key="cra", value=cra)
        )
    chip = options.get("chip")
    if chip is not None and chip not in CHIPS:
        raise PortUrlError(
            T(
                "'{url}': option '{key}' must be one of {known}, got '{value}'",
                url=url,
                key="chip",
                known=tuple(CHIPS),
                value=chip,
            )
        )
    switch = options.get("switch", "hs")
    if switch not in ("hs", "ms"):
        raise PortUrlError(
            T(
                "'{url}': option '{key}' must be one of {known}, got '{value}'",
                url=url,
                key="switch",
                known=("hs", "ms"),
                value=switch,
            )
        )
    return SimUrl(
        chip=chip,
        switch=f"{switch}-can",
        profile=profile,
        is_path=is_path,
        ignition=ignition,
        echo=echo == "1",
        version=version,
        cra=None if cra is None else cra == "1",
        quirks=tuple(quirks),
        faults=tuple(faults),
    )


def _query_pairs(url: str, query: str) -> list[tuple[str, str]]:
    """The ``key=value`` pairs of a query string, in order, repeats kept.

    A ``+`` stands for a space, as in any query string, except in ``fault`` values, where it means
    "from line N on" (``fault=stall@3+``).

    Raises:
        PortUrlError: a field without ``=`` or without a key.
    """
    pairs: list[tuple[str, str]] = []
    if not query:
        return pairs
    for field in query.split("&"):
        key, equals, value = field.partition("=")
        if not equals or not key:
            raise PortUrlError(
                T("'{url}': malformed options: bad query field '{field}'", url=url, field=field)
            )
        key = urllib.parse.unquote_plus(key)
        plain = urllib.parse.unquote(value) if key == "fault" else urllib.parse.unquote_plus(value)
        pairs.append((key, plain))
    return pairs
