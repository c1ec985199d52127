"""The CLI's terminal: the stderr console, ``--verbose`` logging, and the one-line error that exits 2."""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, NoReturn

import typer

from obdident.errors import ExitCode
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["fail", "stderr", "verbose_logging"]


def stderr() -> Console:
    """A rich console on stderr that keeps each message on one line, whatever the terminal's width."""
    from rich.console import Console

    # soft_wrap: a message stays one line whatever the terminal's width (a log, a pipe, a test)
    return Console(stderr=True, highlight=False, soft_wrap=True)


def verbose_logging() -> None:
    """Show obdident's own debug log (the adapter dialogue, masked) on stderr.

    Only the ``obdident`` logger hierarchy is raised to DEBUG and given a handler; the root logger is left
    alone, so third-party loggers stay at WARNING (bleak logs raw notifications, unmasked, at DEBUG).
    """
    logger = logging.getLogger("obdident")
    for old in [h for h in logger.handlers if getattr(h, "_obdident_cli", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler._obdident_cli = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False


def fail(err: Console, exc: Exception) -> NoReturn:
    """Print what went wrong with what the user named (an option, an input or output file) and what to do,
    then exit 2 (:attr:`ExitCode.USAGE`): nothing was read.

    Raises:
        typer.Exit: always, with exit code 2.
    """
    err.print(f"[red]{safe(exc)}[/]")
    hint = getattr(exc, "hint", None)
    if hint:
        err.print(f"[bold]What to do:[/] {safe(hint)}")
    raise typer.Exit(ExitCode.USAGE)
