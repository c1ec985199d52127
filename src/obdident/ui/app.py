"""The window's web application (Starlette): one step a page, the scan's progress as server-sent events.

Steps, in order: ``/`` find the adapter; ``/ignition``; ``/scan/N`` the scan's live progress (events from
``/events/N``); ``/result/N`` the result in the owner's words; ``/label/N`` the head unit's label details;
``/print/N`` the printable page (``/page/N``, :func:`obdident.report.html.render_html`) and the request text
(``/request/N.txt``, :func:`obdident.report.request.request_text`). ``POST /cancel/N`` cancels a running
scan (the window stays); ``GET /stop`` asks, ``POST /stop`` stops the window.

The adapter step offers the adapters found, the usual WiFi address as a choice (never tried unasked) and a
box for a typed port or address. No page shows a shell command or a command-line option: every note, hint
and problem passes :func:`obdident.journey.guidance.for_window` (the ``words`` filter).

Every request must carry the window's token as the ``token`` query parameter (every link and form on the
pages does); anything else gets 403 before any route runs (:class:`TokenGate`). A request that changes
something (any method but GET and HEAD) must also come from the window's own pages: one whose ``Origin``
(or, without one, ``Referer``) names another origin gets 403 (:class:`OriginGate`; RFC 6454, and the Fetch
standard, which has browsers send ``Origin`` on every POST). A body is read only up to :data:`_FORM_LIMIT`:
a larger ``Content-Length`` gets 413 before a byte of it is read, and a body streamed without one is cut off
there (:func:`_form`). Pages are rendered by jinja2 with autoescape on; the script only sets
``textContent``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from obdident.errors import ObdidentError
from obdident.journey import LABEL_FIELDS, dealer_rows, missing_label_keys
from obdident.journey.guidance import ADAPTER_HELP, SCAN_TIME, SCAN_TIME_EVERY_UNIT, for_window
from obdident.model import EnteredField, OwnerField
from obdident.report.adapter_check import rows, verdict
from obdident.report.headunit import head_unit_values
from obdident.report.html import render_html
from obdident.report.request import request_text
from obdident.report.words import split_problems
from obdident.ui.session import Busy, Event, ScanRun, Session
from obdident.vehicles.headunit_forms import EnteredValueError, accepted_forms
from obdident.vehicles.vin import VIN_PLACES
from obdident.vehicles.vin_entry import box_refusal, check_owner_value

__all__ = ["OriginGate", "TokenGate", "build_app"]

#: How long one wait for a scan event lasts before a keep-alive comment is sent, seconds.
_KEEPALIVE_S = 10.0
#: The largest form body read, bytes (the pages' forms hold two short fields).
_FORM_LIMIT = 4096
#: The label fields the owner may type, with the form field names the page uses (the journey's table).
_LABEL_FIELDS: tuple[tuple[EnteredField, str], ...] = LABEL_FIELDS
#: The vehicle's fields the owner may type when the car gave no VIN (VIN plate, registration document).
_VEHICLE_FIELDS: tuple[tuple[OwnerField, str], ...] = (("vin", "VIN"), ("model_year", "MY"))


class TokenGate:
    """ASGI middleware: a request without the window's token (the ``token`` query parameter) gets 403."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        """Wrap ``app``; ``token`` is the secret every request must carry."""
        self.app, self._token = app, token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse (403) any HTTP request whose ``token`` is missing or wrong; pass the rest on."""
        if scope["type"] == "http":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            given = (query.get("token") or [""])[0].encode()
            if not secrets.compare_digest(given, self._token):
                refusal = PlainTextResponse("Forbidden: open obdident ui from the address it printed.", 403)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OriginGate:
    """ASGI middleware: a request that may change something (any method but GET and HEAD) from another
    origin gets 403, and so does a body longer than :data:`_FORM_LIMIT` (413), before any route runs.

    A browser sends ``Origin`` with every POST (the Fetch standard); a page of another site that learnt the
    token (from a shared screen, a history sync) could otherwise stop the window or start a scan. Without
    ``Origin``, a ``Referer`` must name the window's origin; a request with neither (a program on this
    computer, holding the token) is let through. ``Origin: null`` (a sandboxed frame, a ``file:`` page) is
    another origin.
    """

    def __init__(self, app: ASGIApp, origins: tuple[str, ...]) -> None:
        """Wrap ``app``; ``origins`` are the window's own (``http://127.0.0.1:PORT``, ``http://localhost:PORT``)."""
        self.app, self._origins = app, frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a changing request from another origin (403) or with a body too large (413)."""
        if scope["type"] == "http":
            headers = {name.lower(): value for name, value in scope.get("headers", [])}
            refusal: Response | None = None
            if scope.get("method", "GET") not in ("GET", "HEAD") and not self._own(headers):
                refusal = PlainTextResponse(
                    "Forbidden: this request did not come from obdident's window.", 403
                )
            elif _declared_length(headers) > _FORM_LIMIT:
                refusal = PlainTextResponse("Request too large.", 413, headers={"Connection": "close"})
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _own(self, headers: dict[bytes, bytes]) -> bool:
        origin = headers.get(b"origin")
        if origin is not None:
            return origin.decode("latin-1") in self._origins
        referer = headers.get(b"referer")
        if referer is None:
            return True
        parts = urlsplit(referer.decode("latin-1"))
        return f"{parts.scheme}://{parts.netloc}" in self._origins


def _declared_length(headers: dict[bytes, bytes]) -> int:
    """The ``Content-Length`` a request declares (0 without one; a malformed one counts as too large)."""
    value = headers.get(b"content-length")
    if value is None:
        return 0
    text = value.decode("latin-1").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else _FORM_LIMIT + 1


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("obdident.ui", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["words"] = for_window  # no shell command or command-line option reaches a page
    return env


def build_app(
    session: Session, token: str, on_stop: Callable[[], None], origins: tuple[str, ...] = ()
) -> Starlette:
    """The window's application.

    Args:
        session: the window's state.
        token: the secret every request must carry.
        on_stop: called after the "Stop" page is sent (the server stops).
        origins: the window's own origins (``http://127.0.0.1:PORT``...), the only ones a request that
            changes something may come from (:class:`OriginGate`).

    Returns:
        The Starlette application, with the token gate, the origin and body-size gate, and a check that the
        Host is 127.0.0.1/localhost.
    """
    env = _environment()
    static = resources.files("obdident.ui") / "static"
    css, script = (static / "style.css").read_text("utf-8"), (static / "ui.js").read_text("utf-8")

    def page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        html = env.get_template(name).render(token=token, demo=session.demo, css=css, **context)
        return HTMLResponse(html, status)

    def go(path: str) -> RedirectResponse:
        return RedirectResponse(f"{path}?token={token}", 303)

    def run_of(request: Request) -> ScanRun | None:
        return session.runs.get(int(request.path_params["number"]))

    def missing() -> HTMLResponse:
        return page("message.html", 404, title="No such scan", text="That scan is not in this window.")

    def adapter_page(status: int = 200, typed: str = "", typed_error: str | None = None) -> HTMLResponse:
        if session.fixed is not None:
            return page("adapter.html", status, fixed=session.fixed)
        found = session.found
        assert found is not None
        likely = [c for c in found.candidates if c.likely]
        notes = [n for n in (for_window(note) for note in found.notes) if n]
        return page(
            "adapter.html",
            status,
            fixed=None,
            likely=likely,
            others=[c for c in found.candidates if not c.likely],
            help=ADAPTER_HELP if not likely else (),
            notes=notes,
            typed=typed,
            typed_error=typed_error,
        )

    async def adapter(request: Request) -> Response:
        if session.fixed is None:
            await run_in_threadpool(session.find)
        return adapter_page()

    async def choose(request: Request) -> Response:
        form = await _form(request)
        typed = form.get("typed", "").strip()
        if typed:
            try:
                session.type_in(typed)
            except ObdidentError as exc:
                if session.found is None:
                    await run_in_threadpool(session.find)
                return adapter_page(400, typed, for_window(f"{exc} {exc.hint or ''}".strip()))
            return go("/ignition")
        if not session.choose(form.get("url", "")):
            return page("message.html", 400, title="Choose an adapter", text="That adapter was not offered.")
        return go("/ignition")

    async def ignition(request: Request) -> Response:
        if session.adapter is None:
            return go("/")
        return page("ignition.html", url=session.adapter, scan_time=SCAN_TIME,
                    scan_time_every_unit=SCAN_TIME_EVERY_UNIT)  # fmt: skip

    async def check(request: Request) -> Response:
        try:
            found = await run_in_threadpool(session.check_adapter)
        except Busy as exc:
            return page("message.html", 409, title="Not now", text=str(exc), link="/ignition")
        except ObdidentError as exc:
            return page("check.html", failure=for_window(f"{exc} {exc.hint or ''}".strip()))
        return page("check.html", failure=None, rows=rows(found), verdict=verdict(found))

    async def start(request: Request) -> Response:
        form = await _form(request)
        try:
            run = session.start(full=form.get("full") == "on")
        except Busy as exc:
            running = session.running
            return page("message.html", 409, title="One scan at a time", text=str(exc),
                        link=f"/scan/{running.number}" if running else "/")  # fmt: skip
        return go(f"/scan/{run.number}")

    async def progress(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()
        if run.done:  # ended already (a scan that failed at once): its result, with the reason, at once
            return go(f"/result/{run.number}")
        return page("scan.html", run=run)

    async def cancel(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()
        session.cancel(run)  # the scan stops at its next read, keeps what it read; the window stays
        return go(f"/scan/{run.number}")

    async def events(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()

        async def stream() -> AsyncIterator[str]:
            seen = 0
            while not session.stopping and not await request.is_disconnected():
                new = await run_in_threadpool(session.wait, run, seen, _KEEPALIVE_S)
                if not new:
                    yield ": still scanning\n\n"
                for event in new:
                    yield _sse(event)
                seen += len(new)
                if any(e.kind == "done" for e in new):
                    return

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    async def result(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()
        if not run.done:
            return go(f"/scan/{run.number}")
        rows = dealer_rows(run.report) if run.report else []
        problems, details = split_problems(run.report) if run.report else ((), ())
        return page("result.html", run=run, rows=rows, problems=problems, details=details)

    async def label(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()
        if not run.done:
            return go(f"/scan/{run.number}")
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        asked = missing_label_keys(run.report) if run.report else []
        if request.method == "POST" and run.report is not None:  # the demonstration too: its label step
            form = await _form(request)
            values = {key: form.get(key, "").strip() for _, key in (*_VEHICLE_FIELDS, *_LABEL_FIELDS)}
            checked = []
            for field, key in (*_VEHICLE_FIELDS, *_LABEL_FIELDS):
                if not values[key] or key not in asked:
                    continue
                try:
                    checked.append(check_owner_value(field, values[key], this_year=date.today().year))
                except EnteredValueError as exc:
                    errors[key] = box_refusal(field, values[key], exc)
            if not errors:
                await run_in_threadpool(session.enter, run, tuple(checked))
                return go(f"/print/{run.number}")
        forms = {key: accepted_forms(field) for field, key in _LABEL_FIELDS}
        forms |= {"VIN": f"17 characters, from {VIN_PLACES}.", "MY": "four digits (2014)."}
        suffix = head_unit_values(run.report).get("HUS") if run.report else None
        first = next((key for key in ("VIN", "MY", "HU", "SN") if key in errors), None)  # focus goes there
        return page("label.html", 400 if errors else 200, run=run, asked=asked, values=values, errors=errors,
                    forms=forms, suffix=suffix, first_error=first)  # fmt: skip

    async def printing(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing()
        if not run.done:
            return go(f"/scan/{run.number}")
        text = request_text(run.report) if run.report else None
        return page("print.html", run=run, request_text=text)

    async def printable(request: Request) -> Response:
        run = run_of(request)
        if run is None or run.report is None:
            return missing()
        return HTMLResponse(render_html(run.report))

    async def request_file(request: Request) -> Response:
        run = run_of(request)
        if run is None or run.report is None:
            return missing()
        name = f"obdident-request-{run.number}.txt"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return PlainTextResponse(request_text(run.report), headers=headers)

    async def script_file(request: Request) -> Response:
        return Response(script, media_type="text/javascript")

    async def stop(request: Request) -> Response:
        if request.method == "GET":  # Stop asks first
            return page("stop.html", running=session.running is not None)
        response = page("message.html", title="obdident has stopped",
                        text="The adapter is closed. You can close this tab.", link=None)  # fmt: skip
        response.background = BackgroundTask(on_stop)
        return response

    routes = [
        Route("/", adapter),
        Route("/adapter", choose, methods=["POST"]),
        Route("/ignition", ignition),
        Route("/check", check, methods=["POST"]),
        Route("/scan", start, methods=["POST"]),
        Route("/scan/{number:int}", progress),
        Route("/events/{number:int}", events),
        Route("/result/{number:int}", result),
        Route("/label/{number:int}", label, methods=["GET", "POST"]),
        Route("/print/{number:int}", printing),
        Route("/page/{number:int}", printable),
        Route("/request/{number:int}.txt", request_file),
        Route("/ui.js", script_file),
        Route("/stop", stop, methods=["GET", "POST"]),
        Route("/cancel/{number:int}", cancel, methods=["POST"]),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost"]),
        Middleware(TokenGate, token=token),
        Middleware(OriginGate, origins=origins),
    ]
    return Starlette(routes=routes, middleware=middleware)


async def _form(request: Request) -> dict[str, str]:
    """The page's form fields (``application/x-www-form-urlencoded``, WHATWG HTML "Form submission"), the
    first value of each; bounded: the pages' forms are small, and reading stops as soon as the body passes
    :data:`_FORM_LIMIT` (nothing is taken from it then), so a huge body is never held in memory."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > _FORM_LIMIT:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _sse(event: Event) -> str:
    """One server-sent event (WHATWG HTML, "Server-sent events"): its kind as the event name, JSON data."""
    return f"event: {event.kind}\ndata: {json.dumps({'text': event.text})}\n\n"
