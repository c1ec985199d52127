"""``obdident ui``: a local web page that walks the owner from the adapter to the printed request.

:mod:`.session` holds the window's state (the adapter, the scans, one at a time, each keeping its report file
as ``obdident scan`` does); :mod:`.app` is the Starlette application (one step a page, server-sent events for
the scan's progress, a token on every request); :mod:`.server` binds it to 127.0.0.1 and runs it under
uvicorn. The scan's life and the facts in the owner's words are :mod:`obdident.journey`'s, shared with the
command line.

Its packages are an optional extra, ``ui`` (:data:`PACKAGES`, :func:`missing`). obdident is not on a package
index, so :data:`INSTALL` never names it for an index to resolve: it names the packages, or the repository.
"""

from __future__ import annotations

from importlib.util import find_spec

__all__ = ["INSTALL", "PACKAGES", "missing"]

#: The import names of the packages the window needs (the ``ui`` extra in pyproject.toml).
PACKAGES = ("starlette", "uvicorn")
#: How to install them.
INSTALL = (
    "install them into obdident's environment (pip install starlette uvicorn), or reinstall obdident from "
    "its folder with its ui extra (pipx install --force '.[ui]')"
)


def missing() -> list[str]:
    """The packages of :data:`PACKAGES` that cannot be imported."""
    return [name for name in PACKAGES if find_spec(name) is None]
