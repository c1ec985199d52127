"""The window's server: the application on 127.0.0.1 only, under uvicorn, with its token and its URL.

:class:`Window` binds its socket itself (``127.0.0.1``, port 0 for a free port unless one is chosen) before
uvicorn starts, so the URL with its token is known, and printed, before any request can arrive.

The browser is not given the token on its command line, where any user of the computer can read it (``ps``):
it is opened on a launcher file (:meth:`Window.launcher`), an HTML page readable by its owner only, in a
folder of its own, that sends the browser on to the URL with its token, as Jupyter does. The file is removed
when the window stops.

SIGINT and SIGTERM stop the window as its Stop button does: uvicorn ends its requests, the running scan stops
at its next step and its report is kept with the problem ``interrupted``. (uvicorn raises the signal again
once it has shut down; it is dropped here, so the process lives until the report is kept.)
"""

from __future__ import annotations

import html
import os
import secrets
import shutil
import socket
import tempfile
from pathlib import Path

import uvicorn

from obdident.i18n import _, use_language
from obdident.interrupt import deferred
from obdident.scanning import DEMO_PORT
from obdident.transports.ports import find_adapters
from obdident.ui.app import build_app
from obdident.ui.session import Session

__all__ = ["HOST", "Window", "default_session"]

#: The only address the window listens on: the loopback interface, never the network.
HOST = "127.0.0.1"
#: How long the server waits for open connections (the event stream) when it stops, seconds.
_GRACE_S = 3


def default_session(
    *, demo: bool, port: str | None, folder: Path, ble_timeout_s: float = 5.0, language: str | None = None
) -> Session:
    """The session ``obdident ui`` runs: the real seams and discovery (``obdident ports``'s).

    Args:
        demo: ``--demo`` (the demonstration car, :data:`obdident.scanning.DEMO_PORT`).
        port: ``--port``, or None to discover adapters.
        folder: where report files are kept.
        ble_timeout_s: how long the Bluetooth LE part of the discovery may take, seconds.
        language: ``obdident ui --lang`` (the window's language until the owner switches), or None to
            follow the browser's ``Accept-Language``.
    """
    return Session(
        fixed=DEMO_PORT if demo else port,
        demo=demo,
        folder=folder,
        discover=lambda: find_adapters(ble_timeout_s=ble_timeout_s),
        language=language,
    )


class Window:
    """The running window: a socket on 127.0.0.1, the token, the uvicorn server.

    Attributes:
        session: the window's state.
        token: the random secret every request carries (:func:`secrets.token_urlsafe`, 32 bytes).
        port: the TCP port bound.
        url: what the browser is opened on, token included.
    """

    def __init__(self, session: Session, *, http_port: int = 0) -> None:
        """Bind 127.0.0.1:``http_port`` (0: a free port) and prepare the server.

        Raises:
            OSError: the port could not be bound (taken, or not allowed).
        """
        self.session = session
        self.token = secrets.token_urlsafe(32)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._socket.bind((HOST, http_port))
            self._socket.listen(16)
        except OSError:
            self._socket.close()
            raise
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}/?token={self.token}"
        origins = (f"http://{HOST}:{self.port}", f"http://localhost:{self.port}")
        app = build_app(session, self.token, self.stop, origins)
        self._launcher: Path | None = None
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", timeout_graceful_shutdown=_GRACE_S, access_log=False
        )
        self.server = uvicorn.Server(config)

    @property
    def address(self) -> tuple[str, int]:
        """The socket's bound address (host, port)."""
        host, port = self._socket.getsockname()[:2]
        return str(host), int(port)

    def launcher(self) -> Path:
        """Write the launcher file: an HTML page that sends the browser on to :attr:`url`, readable by this
        user only (a folder of mode 0700 made by :func:`tempfile.mkdtemp`, the file created 0600 with
        ``O_EXCL``); removed when the window stops. Open it with ``webbrowser.open(path.as_uri())``.

        Returns:
            The file's path (it holds the token; the path does not).

        Raises:
            OSError: it could not be written.
        """
        if self._launcher is not None:
            return self._launcher
        folder = Path(tempfile.mkdtemp(prefix="obdident-ui-"))
        path = folder / "open.html"
        target = html.escape(self.url, quote=True)
        with use_language(self.session.language) as language:
            opening = html.escape(_("Open obdident"))
        page = (
            f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
            f'<meta http-equiv="refresh" content="0;url={target}"><title>obdident</title></head>'
            f'<body><p><a href="{target}">{opening}</a></p></body></html>\n'
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(page)
        self._launcher = path
        return path

    def run(self) -> None:
        """Serve until :meth:`stop` (the page's Stop button), Ctrl-C or SIGTERM; then stop the session's scan
        (which keeps its report, ``interrupted``, and closes its adapter), close the socket and remove the
        launcher file."""
        try:
            with (
                deferred()
            ):  # uvicorn raises the signal again after its shutdown: dropped, the report is kept
                self.server.run(sockets=[self._socket])
        finally:
            self.session.close()
            self._socket.close()
            if self._launcher is not None:
                shutil.rmtree(self._launcher.parent, ignore_errors=True)

    def stop(self) -> None:
        """Ask the server to stop (it ends its open requests first) and the running scan to end."""
        self.session.close(timeout_s=0)
        self.server.should_exit = True
