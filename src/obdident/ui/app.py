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
standard, which has browsers send ``Origin`` on every POST). A body is read only up to
:data:`obdident.ui.gates.FORM_LIMIT`: a larger ``Content-Length`` gets 413 before a byte of it is read, and a
body streamed without one is cut off there (:func:`obdident.ui.gates.form`). Pages are rendered by jinja2
with autoescape on; the script only sets ``textContent``.

Every page speaks the request's language (:class:`obdident.ui.gates.LanguageGate`: the switcher's choice,
else ``obdident ui --lang``, else the browser's ``Accept-Language``) and has the language switcher; the
printable page and the request text are in the letter's language, chosen on the print step (``letter``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import date
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from obdident.errors import ObdidentError
from obdident.i18n import LANGUAGES, N_, T, _, current_language, normalise_language, render, use_language
from obdident.journey import LABEL_FIELDS, dealer_rows, missing_label_keys
from obdident.journey.guidance import ADAPTER_HELP, SCAN_TIME, SCAN_TIME_EVERY_UNIT, for_window
from obdident.model import EnteredField, OwnerField, Report
from obdident.report.adapter_check import rows, verdict
from obdident.report.headunit import head_unit_values
from obdident.report.html import render_html
from obdident.report.request import request_text
from obdident.report.words import split_problems
from obdident.ui.gates import LanguageGate, OriginGate, TokenGate, form
from obdident.ui.session import Busy, Event, ScanRun, Session
from obdident.ui.words import environment, words
from obdident.vehicles.headunit_forms import EnteredValueError, accepted_forms
from obdident.vehicles.vin import VIN_PLACES
from obdident.vehicles.vin_entry import box_refusal, check_owner_value

__all__ = ["build_app"]

#: How long one wait for a scan event lasts before a keep-alive comment is sent, seconds.
_KEEPALIVE_S = 10.0
#: The routes that answer POST only: the page their language switcher shows again instead (None: none).
_SHOWN_AGAIN: dict[str, str | None] = {"/adapter": "/", "/scan": "/ignition", "/stop": None}
#: The label fields the owner may type, with the form field names the page uses (the journey's table).
_LABEL_FIELDS: tuple[tuple[EnteredField, str], ...] = LABEL_FIELDS
#: The vehicle's fields the owner may type when the car gave no VIN (VIN plate, registration document).
_VEHICLE_FIELDS: tuple[tuple[OwnerField, str], ...] = (("vin", "VIN"), ("model_year", "MY"))


#: What to do about a typed port that cannot be used: the examples under the box (the command line's hint
#: names options and shell commands, which the window never shows).
_TYPED_HINT = N_("Type it as in the examples under the box.")
#: The Bluetooth LE search's note starts so (:func:`obdident.transports.ports.find_adapters`); its reason is
#: the system's own words (BlueZ's, an errno's), shown to engineers only.
_BLE_NOTE = "Bluetooth LE scan not run:"


def _said(exc: ObdidentError, hint: str | None = None) -> str:
    """An error in the owner's words and language: its sentence and what to do (``hint`` when the error's own
    hint is for the command line: names an option or a shell command)."""
    own = exc.hint
    if own is not None and hint is not None and for_window(str(own)) != str(own):
        own = hint
    said = getattr(exc, "text", None) or getattr(exc, "message", None) or str(exc)  # the Text if any
    text, shown = words(said), words(own)
    return " ".join(part for part in (text, shown) if part)


def _note(note: str) -> tuple[str | None, str | None]:
    """A note of the adapter search for the window: (the owner's sentence, engineer detail or None)."""
    if str(note).startswith(_BLE_NOTE):
        detail = str(note)[len(_BLE_NOTE) :].strip() or None
        return _("Bluetooth LE adapters could not be looked for: is Bluetooth switched on?"), detail
    return words(note), None


def _window_report(report: Report) -> Report:
    """``report`` as the window prints it: a problem, head-unit reason or guidance that names a command-line
    option (``--full``) in the window's words instead (its "ask every unit (slower)" switch), in the current
    language; the same report when none does."""
    problems = tuple(
        replace(p, message=words(p.summary) or "", text=None) if _commands(p.summary) else p
        for p in report.problems
    )
    if any(a is not b for a, b in zip(problems, report.problems, strict=True)):
        report = replace(report, problems=problems)
    head = report.head_unit
    if head is None or not (_commands(head.reason) or any(_commands(g) for g in head.guidance)):
        return report
    reason = words(head.reason) if _commands(head.reason) else head.reason
    guidance = tuple(w for g in head.guidance if (w := words(g) if _commands(g) else g))
    return replace(report, head_unit=replace(head, reason=reason or "", guidance=guidance))


def _commands(text: str) -> bool:
    """True when ``text`` names a command-line option or a shell command (the window words it its way)."""
    return for_window(str(text)) != str(text)


def build_app(
    session: Session, token: str, on_stop: Callable[[], None], origins: tuple[str, ...] = ()
) -> Starlette:
    """The window's application.

    Args:
        session: the window's state (its :attr:`~Session.language` is the language until the owner or the
            browser chooses one).
        token: the secret every request must carry.
        on_stop: called after the "Stop" page is sent (the server stops).
        origins: the window's own origins (``http://127.0.0.1:PORT``...), the only ones a request that
            changes something may come from (:class:`OriginGate`).

    Returns:
        The Starlette application, with the token gate, the origin and body-size gate, the language gate,
        and a check that the Host is 127.0.0.1/localhost.
    """
    env = environment()
    static = resources.files("obdident.ui") / "static"
    css, script = (static / "style.css").read_text("utf-8"), (static / "ui.js").read_text("utf-8")

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        path, shown = request.url.path, request.method in ("GET", "HEAD")
        here = path if shown else _SHOWN_AGAIN.get(path, path)
        kept = (
            [(k, v) for k, v in request.query_params.multi_items() if k not in ("token", "lang")]
            if shown
            else []
        )
        switch = f"{here}?{urlencode([('token', token), *kept])}" if here else None  # the switcher adds lang
        html = env.get_template(name).render(token=token, demo=session.demo, css=css, switch=switch,
                                             lang=current_language(), **context)  # fmt: skip
        return HTMLResponse(html, status)

    def message(request: Request, status: int, title: str, text: str, link: str | None = None
                ) -> HTMLResponse:  # fmt: skip
        return page(request, "message.html", status, title=title, text=text, link=link)

    def go(path: str) -> RedirectResponse:
        return RedirectResponse(f"{path}?token={token}", 303)

    def run_of(request: Request) -> ScanRun | None:
        return session.runs.get(int(request.path_params["number"]))

    def missing(request: Request) -> HTMLResponse:
        return message(request, 404, T("No such scan"), T("That scan is not in this window."))

    def adapter_page(request: Request, status: int = 200, typed: str = "", typed_error: str | None = None
                     ) -> HTMLResponse:  # fmt: skip
        if session.fixed is not None:
            return page(request, "adapter.html", status, fixed=session.fixed)
        found = session.found
        assert found is not None
        likely = [c for c in found.candidates if c.likely]
        notes = [n for n in (_note(note) for note in found.notes) if n[0]]
        others = [c for c in found.candidates if not c.likely]
        return page(request, "adapter.html", status, fixed=None, likely=likely, others=others,
                    help=ADAPTER_HELP if not likely else (), notes=notes, typed=typed,
                    typed_error=typed_error)  # fmt: skip

    async def adapter(request: Request) -> Response:
        if session.fixed is None:
            await run_in_threadpool(session.find)
        return adapter_page(request)

    async def choose(request: Request) -> Response:
        fields = await form(request)
        typed = fields.get("typed", "").strip()
        if typed:
            try:
                session.type_in(typed)
            except ObdidentError as exc:
                if session.found is None:
                    await run_in_threadpool(session.find)
                return adapter_page(request, 400, typed, _said(exc, _(_TYPED_HINT)))
            return go("/ignition")
        if not session.choose(fields.get("url", "")):
            return message(request, 400, T("Choose an adapter"), T("That adapter was not offered."))
        return go("/ignition")

    async def ignition(request: Request) -> Response:
        if session.adapter is None:
            return go("/")
        return page(request, "ignition.html", url=session.adapter, scan_time=SCAN_TIME,
                    scan_time_every_unit=SCAN_TIME_EVERY_UNIT)  # fmt: skip

    async def check(request: Request) -> Response:
        if request.method == "GET":  # the last check again (the language switcher): never a new one unasked
            if session.checked is None:
                return go("/ignition")
            found, failure = session.checked
        else:
            try:
                found, failure = await run_in_threadpool(session.check_adapter), None
            except Busy as exc:
                return message(request, 409, T("Not now"), _said(exc), "/ignition")
            except ObdidentError as exc:
                found, failure = None, exc
            session.checked = (found, failure)
        if found is None:
            assert failure is not None
            return page(request, "check.html", failure=_said(failure))
        return page(request, "check.html", failure=None, rows=rows(found), verdict=verdict(found))

    async def start(request: Request) -> Response:
        fields = await form(request)
        try:
            run = session.start(full=fields.get("full") == "on")
        except Busy as exc:
            running = session.running
            return message(request, 409, T("One scan at a time"), _said(exc),
                           f"/scan/{running.number}" if running else "/")  # fmt: skip
        return go(f"/scan/{run.number}")

    async def progress(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        if run.done:  # ended already (a scan that failed at once): its result, with the reason, at once
            return go(f"/result/{run.number}")
        return page(request, "scan.html", run=run, events=list(run.events))

    async def cancel(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        session.cancel(run)  # the scan stops at its next read, keeps what it read; the window stays
        return go(f"/scan/{run.number}")

    async def events(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        language = current_language()

        async def stream() -> AsyncIterator[str]:
            seen = 0
            while not session.stopping and not await request.is_disconnected():
                new = await run_in_threadpool(session.wait, run, seen, _KEEPALIVE_S)
                if not new:
                    yield ": still scanning\n\n"
                for event in new:
                    yield _sse(event, language)
                seen += len(new)
                if any(e.kind == "done" for e in new):
                    return

        headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    async def result(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        if not run.done:
            return go(f"/scan/{run.number}")
        rows = dealer_rows(run.report) if run.report else []
        problems, details = split_problems(run.report) if run.report else ((), ())
        return page(request, "result.html", run=run, rows=rows, problems=problems, details=details)

    async def label(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        if not run.done:
            return go(f"/scan/{run.number}")
        values: dict[str, str] = {}
        errors: dict[str, str] = {}
        asked = missing_label_keys(run.report) if run.report else []
        if request.method == "POST" and run.report is not None:  # the demonstration too: its label step
            fields = await form(request)
            values = {key: fields.get(key, "").strip() for _, key in (*_VEHICLE_FIELDS, *_LABEL_FIELDS)}
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
        forms: dict[str, str] = {key: accepted_forms(field) for field, key in _LABEL_FIELDS}
        forms |= {"VIN": T("17 characters, from {places}.", places=T(VIN_PLACES)),
                  "MY": T("four digits ({example}).", example=2014)}  # fmt: skip
        suffix = head_unit_values(run.report).get("HUS") if run.report else None
        first = next((key for key in ("VIN", "MY", "HU", "SN") if key in errors), None)  # focus goes there
        return page(request, "label.html", 400 if errors else 200, run=run, asked=asked, values=values,
                    errors=errors, forms=forms, suffix=suffix, first_error=first)  # fmt: skip

    def letter_language(request: Request) -> str:
        """The letter's language: the print step's choice (``letter``), else the window's."""
        return normalise_language(request.query_params.get("letter")) or current_language()

    async def printing(request: Request) -> Response:
        run = run_of(request)
        if run is None:
            return missing(request)
        if not run.done:
            return go(f"/scan/{run.number}")
        letter = letter_language(request)
        with use_language(letter):
            text = request_text(_window_report(run.report), language=letter) if run.report else None
        return page(request, "print.html", run=run, request_text=text, letter=letter, languages=LANGUAGES)

    async def printable(request: Request) -> Response:
        run = run_of(request)
        if run is None or run.report is None:
            return missing(request)
        letter = letter_language(request)
        with use_language(letter):  # the page names the window's switches, never a command-line option
            return HTMLResponse(render_html(_window_report(run.report), language=letter, options=False))

    async def request_file(request: Request) -> Response:
        run = run_of(request)
        if run is None or run.report is None:
            return missing(request)
        name = f"obdident-request-{run.number}.txt"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        letter = letter_language(request)
        with use_language(letter):
            text = request_text(_window_report(run.report), language=letter)
        return PlainTextResponse(text, headers=headers)

    async def script_file(request: Request) -> Response:
        return Response(script, media_type="text/javascript")

    async def stop(request: Request) -> Response:
        if request.method == "GET":  # Stop asks first
            return page(request, "stop.html", running=session.running is not None)
        response = message(request, 200, T("obdident has stopped"),
                           T("The adapter is closed. You can close this tab."))  # fmt: skip
        response.background = BackgroundTask(on_stop)
        return response

    routes = [
        Route("/", adapter),
        Route("/adapter", choose, methods=["POST"]),
        Route("/ignition", ignition),
        Route("/check", check, methods=["GET", "POST"]),
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
        Middleware(LanguageGate, start=session.language),
    ]
    return Starlette(routes=routes, middleware=middleware)


def _sse(event: Event, language: str) -> str:
    """One server-sent event (WHATWG HTML, "Server-sent events"): its kind as the event name, JSON data: the
    line in ``language`` and the identifiers in it (shown monospace)."""
    data = {"text": render(event.text, language), "ids": [str(i) for i in event.ids]}
    return f"event: {event.kind}\ndata: {json.dumps(data)}\n\n"
