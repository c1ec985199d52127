"""``obdident ui``: the window for owners who never open a terminal (:mod:`obdident.ui`, imported lazily).

Without the ``ui`` extra's packages the command says how to install them (exit 2); everything else is in
:mod:`obdident.ui`. The first line of stdout is the URL with its token, with or without ``--no-browser``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from obdident.cli.console import check_port, stderr
from obdident.cli.lang import lang_argument
from obdident.cli.options import DemoOption, PortOption
from obdident.errors import ExitCode
from obdident.i18n import N_, T, _
from obdident.report.sanitize import safe

__all__ = ["UI_HELP", "ui"]

UI_HELP = N_(
    "Open a window in the browser that walks through the scan, from the adapter to the printed request."
    "\n\n"
    "It listens on 127.0.0.1 only; every request needs the token in the URL it prints first. Ctrl-C or the "
    "page's Stop button stops it. Needs the ui extra (starlette, uvicorn)."
)

HttpPortOption = Annotated[
    int,
    typer.Option(
        "--http-port",
        metavar="N",
        min=0,
        max=65535,
        help=N_("The local port the window's server listens on, on 127.0.0.1 only (default: a free port)."),
    ),
]
NoBrowserOption = Annotated[
    bool,
    typer.Option("--no-browser", help=N_("Print the window's URL (with its token); do not open a browser.")),
]


def ui(
    port: PortOption = None,
    demo: DemoOption = False,
    http_port: HttpPortOption = 0,
    no_browser: NoBrowserOption = False,
) -> None:
    """Open the window in the browser (:data:`UI_HELP`)."""
    err = stderr()
    if demo and port:
        err.print(f"[red]{safe(_('Give either --port or --demo, not both.'))}[/]")
        raise typer.Exit(ExitCode.USAGE)
    if port is not None:
        check_port(err, port)
    from obdident import ui as window

    absent = window.missing()
    if absent:
        needs = T(
            "obdident ui needs the packages of the ui extra ({missing} missing):", missing=tuple(absent)
        )
        err.print(f"[red]{safe(needs.render())}[/] {escape(window.INSTALL)}", soft_wrap=True)
        raise typer.Exit(ExitCode.USAGE)
    from obdident.ui.server import Window, default_session

    # the window's language until the owner or the browser chooses one: --lang when given (ui.gates)
    session = default_session(demo=demo, port=port, folder=Path(), language=lang_argument(sys.argv[1:]))
    try:
        running = Window(session, http_port=http_port)
    except OSError as exc:
        cannot = T(
            "Cannot listen on 127.0.0.1:{port}: {reason}; choose another --http-port, or leave it out "
            "for a free one.",
            port=http_port,
            reason=exc.strerror or str(exc),
        )
        err.print(f"[red]{safe(cannot.render())}[/]")
        raise typer.Exit(ExitCode.USAGE) from None
    typer.echo(running.url)  # the first line of stdout, browser or not
    if no_browser:
        err.print(safe(_("Open that address in a browser on this computer. Ctrl-C stops obdident.")))
    else:
        import webbrowser

        try:  # the token stays off the browser's command line, where `ps` shows it to every user
            opened = webbrowser.open(running.launcher().as_uri())
        except OSError:
            opened = False
        if opened:
            err.print(
                safe(_("The window is open in your browser. Ctrl-C (or its Stop button) stops obdident."))
            )
        else:
            err.print(safe(_("Open that address in a browser on this computer. Ctrl-C stops obdident.")))
    running.run()
    err.print(safe(_("obdident ui stopped; the adapter is closed.")))
