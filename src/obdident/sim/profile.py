"""Simulated vehicle profiles: load, validate and find the TOML files in ``hw-fixtures/profiles``.

A profile describes a vehicle as the OBD-II connector sees it: the protocol it speaks (ELM327
protocol numbers, ELM327 datasheet "AT SP"), and for each ECU its request and response
addresses, the exact answer payloads it gives to exact requests, and its diagnostic behaviour
(sessions, negative responses, repeated-request sequences). ``hw-fixtures/README.md`` documents the
format and the provenance rules.

Every problem is reported as :class:`~obdident.errors.ProfileError` naming the file and the key.
"""

from __future__ import annotations

import importlib.resources
import re
import tomllib
from pathlib import Path

from obdident.errors import ProfileError
from obdident.i18n import T
from obdident.sim.profile_loader import Loader
from obdident.sim.schema import (
    ADAPTER_QUIRKS,
    DEFAULT_SESSIONS,
    PROTOCOLS,
    PROVENANCES,
    EcuProfile,
    ProtocolInfo,
    Reply,
    VehicleProfile,
)

#: What a profile name may be: lowercase letters, digits, ``.``, ``_``, ``-``.
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")

__all__ = [
    "ADAPTER_QUIRKS",
    "DEFAULT_SESSIONS",
    "PROTOCOLS",
    "PROVENANCES",
    "EcuProfile",
    "ProtocolInfo",
    "Reply",
    "VehicleProfile",
    "find_profile",
    "list_profiles",
    "load_profile",
]


def load_profile(path: str | Path) -> VehicleProfile:
    """Load and strictly validate a vehicle profile.

    Args:
        path: the ``.toml`` file.

    Returns:
        The profile.

    Raises:
        ProfileError: the file is missing, is not TOML, or a key is missing, unknown or invalid;
            the message names the file and the key.
    """
    file = Path(path)
    try:
        with file.open("rb") as stream:
            document = tomllib.load(stream)
    except FileNotFoundError as err:
        raise ProfileError(T("{file}: no such profile file", file=str(file))) from err
    except OSError as err:
        raise ProfileError(
            T("{file}: cannot read the profile", file=str(file)), detail=err.strerror or str(err)
        ) from err
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(T("{file}: not valid TOML", file=str(file)), detail=str(err)) from err
    return Loader(file).vehicle(document)


def find_profile(name: str) -> Path:
    """Find a profile by name.

    Looks in order in the package data ``obdident/sim/profiles/NAME.toml`` (the wheel force-includes
    ``hw-fixtures/profiles`` there), then in ``hw-fixtures/profiles/NAME.toml`` of the source checkout
    (the nearest directory above this module holding ``pyproject.toml``).

    Args:
        name: the profile name, such as ``"nissan-xtrail-t32"`` (lowercase, digits, ``.``, ``_``, ``-``).

    Returns:
        The path of the profile file.

    Raises:
        ProfileError: the name is malformed or no such profile exists.
    """
    if not _NAME_RE.fullmatch(name):
        raise ProfileError(
            T(
                "'{name}' is not a profile name (lowercase letters, digits, {signs})",
                name=name,
                signs="'.', '_', '-'",
            )
        )
    for directory in _profile_dirs():
        candidate = directory / f"{name}.toml"
        if candidate.is_file():
            return candidate
    known = tuple(list_profiles())
    if not known:
        raise ProfileError(
            T("no simulated vehicle profile named '{name}' (there are no built-in profiles)", name=name)
        )
    raise ProfileError(
        T("no simulated vehicle profile named '{name}' (known: {known})", name=name, known=known)
    )


def list_profiles() -> list[str]:
    """The names of every profile :func:`find_profile` can find, sorted."""
    names: set[str] = set()
    for directory in _profile_dirs():
        names.update(file.stem for file in directory.glob("*.toml") if _NAME_RE.fullmatch(file.stem))
    return sorted(names)


def _profile_dirs() -> list[Path]:
    """The existing profile directories: package data first, then the source checkout's."""
    found: list[Path] = []
    try:
        packaged = importlib.resources.files("obdident.sim").joinpath("profiles")
    except ModuleNotFoundError:  # pragma: no cover - obdident.sim is this package
        packaged = None
    if isinstance(packaged, Path) and packaged.is_dir():
        found.append(packaged)
    here = Path(__file__).resolve().parent
    for directory in (here, *here.parents):
        if (directory / "pyproject.toml").is_file():
            fixtures = directory / "hw-fixtures" / "profiles"
            if fixtures.is_dir():
                found.append(fixtures)
            break
    return found
