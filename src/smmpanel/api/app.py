"""The ASGI application: `/api/v2` and `/api/v2/` (GET and POST, never a redirect), plus `/health`,
`/healthz`, `/readyz` and `/metrics` (api/health.py).

Always HTTP 200 with compact JSON for API answers (a rate-limited call too: spec §0); 413 for a body over
`max_body_bytes`; 500 with {"error":"Internal error"} and a logged request id for an unexpected fault —
never a traceback on the wire. A client that goes away mid-request is not a fault: nothing is answered and
nothing is logged above DEBUG.

HEAD on `/api/v2` answers like GET without a body, but only for the read-only actions (services, status,
refill_status, balance); any other HEAD call is answered as `Incorrect request` without running anything,
so a HEAD never places, refills or cancels an order (issue 7, row 12).
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from smmpanel import metrics
from smmpanel.api import errors
from smmpanel.api.health import healthz, metrics_endpoint, migration_head, readyz
from smmpanel.api.params import (
    BadRequest,
    Params,
    from_pairs,
    looks_like_json,
    parse_form,
    parse_json,
    parse_query,
    scalar,
)
from smmpanel.api.ratelimit import RateLimiter, make_limiter
from smmpanel.api.v2 import BAD_REQUEST, ApiV2
from smmpanel.catalog.listing import Body
from smmpanel.config import Settings
from smmpanel.db.connect import Database, connect

log = logging.getLogger("smmpanel.api")
JSON = "application/json"
_TOO_LARGE = orjson.dumps({"error": "Request too large"})
_INTERNAL = orjson.dumps({"error": errors.INTERNAL_ERROR})
_TOO_MANY = orjson.dumps({"error": errors.TOO_MANY_REQUESTS})
_ACTIONS = frozenset({"services", "add", "status", "refill", "refill_status", "cancel", "balance"})
_READ_ONLY = frozenset({"services", "status", "refill_status", "balance"})  # what HEAD may run


class _TooLarge(Exception):
    pass


# `/api/v2` is served straight from the ASGI scope: no Request, no Response object, no middleware stack and
# no route matching per call (bench/, SQLite: single `status` 15,500 → 23,700 req/s, 64 → 42 µs of CPU
# per request; `services` 9,400 → 22,400). The wire output is what Starlette's
# `Response(body, media_type=JSON, headers=…)` sends: the given headers, then content-length, content-type.
_API_PATHS = frozenset({"/api/v2", "/api/v2/"})
_API_METHODS = frozenset({"GET", "HEAD", "POST"})  # Starlette adds HEAD to a GET route
_READ = frozenset({b"content-type", b"content-length", b"accept-encoding", b"x-api-key"})
_CONTENT_TYPE = (b"content-type", JSON.encode("latin-1"))
_GZIPPED = [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
_PLAIN = [(b"vary", b"Accept-Encoding")]
_NO_HEADERS: list[tuple[bytes, bytes]] = []
_BAD_REQUEST = orjson.dumps(BAD_REQUEST)
Headers = dict[bytes, str]
# Something that runs as long as the app does, on its database (server.py: the in-process engine).
Alongside = Callable[[Database], AbstractAsyncContextManager[object]]


def _headers(scope: Scope) -> Headers:
    """The first value of each header the API reads, as Starlette's `request.headers.get` returns it."""
    found: Headers = {}
    for name, value in scope["headers"]:
        if name in _READ and name not in found:
            found[name] = value.decode("latin-1")
    return found


async def _read_body(receive: Receive, declared: str | None, limit: int) -> bytes:
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > limit:
                    raise _TooLarge
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


async def _params(scope: Scope, receive: Receive, headers: Headers, limit: int) -> Params:
    params = parse_query(scope["query_string"].decode("latin-1"))
    if scope["method"] != "POST":
        return params
    content_type = headers.get(b"content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        declared = headers.get(b"content-length")
        if declared is None or not declared.isdigit() or int(declared) > limit:
            raise _TooLarge
        try:
            form = await Request(scope, receive).form(max_files=0, max_fields=10_000)
        except (HTTPException, MultiPartException) as exc:  # malformed multipart, or a file part
            raise BadRequest("malformed multipart") from exc
        body: Params = from_pairs([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
        await form.close()
    else:
        raw = await _read_body(receive, headers.get(b"content-length"), limit)
        if not raw:
            return params
        body = parse_json(raw) if "json" in content_type or looks_like_json(raw) else parse_form(raw)
    params.update(body)
    return params


def _render(answer: Any, headers: Headers) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    if isinstance(answer, Body):
        if "gzip" in headers.get(b"accept-encoding", ""):
            return answer.gzipped, _GZIPPED
        return answer.plain, _PLAIN
    return orjson.dumps(answer), _NO_HEADERS


async def _respond(send: Send, status: int, body: bytes, extra: list[tuple[bytes, bytes]]) -> None:
    raw = [*extra, (b"content-length", str(len(body)).encode("latin-1")), _CONTENT_TYPE]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class _ApiV2Endpoint:
    """`/api/v2` as a plain ASGI app: Starlette routes to it when the fast path below does not apply."""

    def __init__(self, settings: Settings, state: dict[str, Any]) -> None:
        self.limit = settings.max_body_bytes
        self.state = state
        self.metrics = settings.metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        api: ApiV2 = self.state["api"]
        limiter: RateLimiter = self.state["limiter"]
        started = time.perf_counter() if self.metrics else 0.0
        headers = _headers(scope)
        status, extra, action, outcome = 200, _NO_HEADERS, "other", "ok"
        try:
            if limiter.enabled and not (limiter.address_now(scope) if limiter.local else await limiter.address(scope)):
                body, outcome = _TOO_MANY, "limited"
            else:
                try:
                    params = await _params(scope, receive, headers, self.limit)
                except BadRequest:
                    body, outcome = _BAD_REQUEST, "bad_request"
                else:
                    head = scope["method"] == "HEAD"
                    action = _action(params) if self.metrics or head else "other"
                    header_key = headers.get(b"x-api-key")
                    allowed = True
                    if limiter.enabled:
                        key = scalar(params, "key") or (header_key or "").strip()
                        allowed = limiter.key_now(key) if limiter.local else await limiter.key(key)
                    if not allowed:
                        body, outcome = _TOO_MANY, "limited"
                    elif head and action not in _READ_ONLY:
                        body, outcome = _BAD_REQUEST, "bad_request"
                    else:
                        answer = await api.handle(params, header_key)
                        body, extra = _render(answer, headers)
                        if type(answer) is dict and "error" in answer:
                            outcome = "error"
        except _TooLarge:
            status, body, outcome = 413, _TOO_LARGE, "too_large"
        except ClientDisconnect:  # the client went away mid-body: nobody to answer, nothing to report
            log.debug("client disconnected before the request was read")
            return
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("internal error, request id %s", request_id)
            status, body, extra = 500, _INTERNAL, [(b"x-request-id", request_id.encode("latin-1"))]
            outcome = "internal"
        await _respond(send, status, body, extra)
        if self.metrics:
            metrics.API.record(action, outcome, time.perf_counter() - started)


def _action(params: Params) -> str:
    """The action as sent, when it is one the API knows; "other" otherwise (metrics labels stay bounded)."""
    action = scalar(params, "action").lower()
    return action if action in _ACTIONS else "other"


class _Panel(Starlette):
    """Starlette, except that API v2 calls skip the middleware stack and the router (see _ApiV2Endpoint);
    anything else (other paths and methods, a root_path) takes Starlette's usual way."""

    api_v2: _ApiV2Endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] in _API_PATHS
            and scope["method"] in _API_METHODS
            and not scope.get("root_path")
        ):
            await self.api_v2(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(settings: Settings, db: Database | None = None, *, alongside: Sequence[Alongside] = ()) -> Starlette:
    """The app; it opens its own database unless one is given (tests). Each of `alongside` is entered, with
    the app's database, once the app starts, and left before it closes that database."""
    state: dict[str, Any] = {}
    api_v2 = _ApiV2Endpoint(settings, state)

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = db is None
        database = await connect(settings.database_url) if own else db
        assert database is not None
        state["db"] = database
        state["api"] = ApiV2(database, settings)
        state["limiter"] = limiter = make_limiter(settings)
        app.state.db = database
        try:
            async with AsyncExitStack() as running:
                for start in alongside:
                    await running.enter_async_context(start(database))
                yield
        finally:
            await limiter.aclose()
            if own:
                await database.close()

    routes = [
        Route("/api/v2", api_v2, methods=["GET", "POST"]),
        Route("/api/v2/", api_v2, methods=["GET", "POST"]),
        Route("/health", health, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_endpoint(settings), methods=["GET"]),
    ]
    app = _Panel(routes=routes, lifespan=lifespan)
    app.state.migration_head = migration_head()
    app.api_v2 = api_v2
    app.router.redirect_slashes = False  # never a redirect (spec §9 trap 5), not even for `/api/v2//`
    # --- the website (smmpanel.web): what no route above matches, with its own middleware and error pages ---
    from smmpanel.web.app import create_web

    app.router.default = create_web(settings, state)  # a PUT to /api/v2 still gets the router's 405
    # --- end of the website -------------------------------------------------------------------------------
    return app
