"""``obdident-window``: the window for owners who start obdident from a desktop icon, with no console.

It runs ``obdident ui`` with the reports kept in the user's documents folder, ``obdident`` below it
(platformdirs' ``user_documents_dir``: ``~/Documents/obdident`` on the three systems), since a program
started from a desktop icon has no meaningful current folder. A program without a console has no standard
streams on Windows (``pythonw``, PyInstaller's windowed build); they are pointed at the null device so that a
line printed to them cannot end the program.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

__all__ = ["main", "reports_folder"]


def reports_folder() -> Path:
    """Where the window keeps its reports: ``<documents>/obdident`` (created when missing).

    Raises:
        OSError: the folder cannot be created.
    """
    import platformdirs

    folder = Path(platformdirs.user_documents_dir()) / "obdident"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def main() -> None:
    """gui-scripts entry point: open the window (``obdident ui``), reports in :func:`reports_folder`."""
    for name in ("stdin", "stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "r" if name == "stdin" else "w", encoding="utf-8"))  # noqa: SIM115
    with contextlib.suppress(OSError):  # else the current folder: the window says where each report went
        os.chdir(reports_folder())
    from obdident.cli import app

    app(["ui", *sys.argv[1:]], prog_name="obdident-window")
