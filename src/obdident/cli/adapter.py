"""Choosing the adapter when ``--port`` is not given: the one found, or a choice among several."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import typer

from obdident.errors import ExitCode
from obdident.i18n import T, _, render
from obdident.report.sanitize import safe

if TYPE_CHECKING:
    from rich.console import Console

    from obdident.transports.ports import Found

__all__ = ["answers", "choose_adapter", "find"]


def answers(url: str) -> bool:
    """Whether an ELM327 answers on ``url``: the port opens and the adapter takes the scan's set-up (AT D,
    AT E0 ...; read-only, through the guard)."""
    from obdident.elm327.driver import ELM327
    from obdident.errors import ObdidentError
    from obdident.transports import open_port

    try:
        link = open_port(url)
    except ObdidentError:
        return False
    try:
        ELM327(link).initialize()
    except ObdidentError:
        return False
    finally:
        link.close()
    return True


def find(err: Console, ble_timeout_s: float | None) -> Found:
    """Look for adapters (USB serial, Bluetooth, Bluetooth LE) with a spinner on stderr.

    Args:
        err: the stderr console.
        ble_timeout_s: how long the Bluetooth LE scan may take, seconds; None skips it.
    """
    from obdident.transports.ports import find_adapters

    with err.status(_("Looking for adapters (USB, Bluetooth, Bluetooth LE)"), spinner="dots"):
        return find_adapters(ble_timeout_s=ble_timeout_s)


def choose_adapter(err: Console) -> str:
    """The one likely adapter found; a numbered choice on a terminal when there are several.

    Returns:
        The chosen adapter's port name or URL.

    Raises:
        typer.Exit: 3 when none is found; 2 when several are found and stdin is not a terminal, or the
            number typed names none.
    """
    found = find(err, 5.0)
    likely = [c for c in found.candidates if c.likely]
    if len(likely) == 1:
        chosen = likely[0]
        url = chosen.url
        if chosen.fallback:  # Windows: the outgoing Bluetooth COM port first, then the incoming ones
            from obdident.transports.ports import try_in_turn

            url = try_in_turn(chosen, answers) or chosen.url
        using = T("Using {port} ({name}: {why}).", port=url, name=chosen.description, why=chosen.reason)
        err.print(safe(using.render()))
        return url
    if not likely:
        from obdident.transports.ports import NONE_FOUND_ADVICE

        none = _(
            "No adapter found. `obdident ports` lists what obdident can see; --demo tries a simulated car."
        )
        err.print(f"[red]{safe(none)}[/]")
        for advice in NONE_FOUND_ADVICE:
            err.print(f"  {render(advice)}", markup=False)
        for note in found.notes:
            err.print(f"  {safe(render(note))}")
        raise typer.Exit(ExitCode.NO_CONTACT)
    for number, candidate in enumerate(likely, 1):
        line = T(
            "{port}  {name} ({why})", port=candidate.url, name=candidate.description, why=candidate.reason
        )
        err.print(f"  {number}. {safe(line.render())}")
    if not sys.stdin.isatty():
        err.print(f"[red]{safe(_('Several adapters found; choose one with --port.'))}[/]")
        raise typer.Exit(ExitCode.USAGE)
    choice: int = typer.prompt(_("Which adapter"), type=int, default=1, err=True)
    if not 1 <= choice <= len(likely):
        err.print(f"[red]{safe(_('No such adapter.'))}[/]")
        raise typer.Exit(ExitCode.USAGE)
    return likely[choice - 1].url
