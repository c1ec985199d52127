"""The window's gates: what every request passes before any route runs, and the bounded form reader.

:class:`TokenGate`: a request without the window's token (the ``token`` query parameter) gets 403.
:class:`OriginGate`: a request that changes something from another origin gets 403, a body too large 413.
:class:`LanguageGate`: the language each request is answered in (:func:`request_language`), and the
language switcher's choice kept in a cookie.
:func:`form`: the page's form fields, read only up to :data:`FORM_LIMIT` bytes.
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from obdident.i18n import N_, _, language_from_accept, normalise_language, use_language

__all__ = [
    "FORM_LIMIT",
    "LANG_COOKIE",
    "LANG_PARAM",
    "LanguageGate",
    "OriginGate",
    "TokenGate",
    "form",
    "request_language",
]

#: The largest form body read, bytes (the pages' forms hold two short fields).
FORM_LIMIT = 4096
#: What a refused request is told (in the request's language, :func:`request_language`).
_NO_TOKEN = N_("Forbidden: open obdident ui from the address it printed.")
_OTHER_ORIGIN = N_("Forbidden: this request did not come from obdident's window.")
_TOO_LARGE = N_("Request too large.")


def _refusal(scope: Scope, msgid: str) -> str:
    with use_language(request_language(scope)):
        return _(msgid)


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
                refusal = PlainTextResponse(_refusal(scope, _NO_TOKEN), 403)
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class OriginGate:
    """ASGI middleware: a request that may change something (any method but GET and HEAD) from another
    origin gets 403, and so does a body longer than :data:`FORM_LIMIT` (413), before any route runs.

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
                refusal = PlainTextResponse(_refusal(scope, _OTHER_ORIGIN), 403)
            elif _declared_length(headers) > FORM_LIMIT:
                refusal = PlainTextResponse(_refusal(scope, _TOO_LARGE), 413, headers={"Connection": "close"})
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
    return int(text) if text.isdigit() and len(text) <= 18 else FORM_LIMIT + 1


async def form(request: Request) -> dict[str, str]:
    """The page's form fields (``application/x-www-form-urlencoded``, WHATWG HTML "Form submission"), the
    first value of each; bounded: the pages' forms are small, and reading stops as soon as the body passes
    :data:`FORM_LIMIT` (nothing is taken from it then), so a huge body is never held in memory."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            return {}
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


#: The cookie that keeps the language the owner chose with the switcher (a year; this browser only).
LANG_COOKIE = "obdident_lang"
#: The query parameter the switcher's links carry.
LANG_PARAM = "lang"


class LanguageGate:
    """ASGI middleware: every request is answered inside :func:`obdident.i18n.use_language` of
    :func:`request_language`, which is also kept in ``scope["state"]["language"]`` for the pages.

    A GET with ``lang=xx`` (the switcher's links) keeps ``xx`` in the :data:`LANG_COOKIE` cookie and sends the
    browser back to the same page without it (303): the page is shown again in the new language, and a scan
    in progress runs on (its page reconnects to the events).
    """

    def __init__(self, app: ASGIApp, start: str | None = None) -> None:
        """Wrap ``app``; ``start`` is ``obdident ui --lang`` (the language until the owner chooses one)."""
        self.app, self._start = app, normalise_language(start)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Choose the request's language; answer a switch with the cookie and a redirect."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        switched = next((normalise_language(v) for k, v in query if k == LANG_PARAM), None)
        if switched is not None and scope.get("method", "GET") in ("GET", "HEAD"):
            # SameSite=Lax: the launcher (a file: page) opens the window by a navigation from another site
            kept = urlencode([(k, v) for k, v in query if k != LANG_PARAM])
            response = RedirectResponse(f"{scope.get('path', '/')}?{kept}", 303)
            response.set_cookie(LANG_COOKIE, switched, max_age=_YEAR_S, path="/", httponly=True,
                                samesite="lax")  # fmt: skip
            await response(scope, receive, send)
            return
        language = request_language(scope, self._start)
        scope.setdefault("state", {})["language"] = language
        with use_language(language):
            await self.app(scope, receive, send)


_YEAR_S = 365 * 24 * 3600


def request_language(scope: Scope, start: str | None = None) -> str:
    """The language of one request: the switcher's cookie, else ``start`` (``--lang``), else the browser's
    ``Accept-Language`` (:func:`obdident.i18n.language_from_accept`), else English."""
    headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    cookies = SimpleCookie()
    try:
        cookies.load(headers.get(b"cookie", ""))
    except CookieError:
        cookies = SimpleCookie()
    morsel = cookies.get(LANG_COOKIE)
    chosen = normalise_language(morsel.value) if morsel is not None else None
    return chosen or normalise_language(start) or language_from_accept(headers.get(b"accept-language"))
