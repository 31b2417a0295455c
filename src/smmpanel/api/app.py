"""The ASGI application: `/api/v2` and `/api/v2/` (GET and POST, never a redirect), plus `/health`.

Always HTTP 200 with compact JSON for API answers; 413 for a body over `max_body_bytes`; 500 with
{"error":"Internal error"} and a logged request id for an unexpected fault — never a traceback on the wire.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from smmpanel.api import errors
from smmpanel.api.params import (
    BadRequest,
    Params,
    from_pairs,
    looks_like_json,
    parse_form,
    parse_json,
    parse_query,
)
from smmpanel.api.v2 import BAD_REQUEST, ApiV2
from smmpanel.catalog.listing import Body
from smmpanel.config import Settings
from smmpanel.db.connect import Database, connect

log = logging.getLogger("smmpanel.api")
JSON = "application/json"
_TOO_LARGE = orjson.dumps({"error": "Request too large"})
_INTERNAL = orjson.dumps({"error": errors.INTERNAL_ERROR})


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise _TooLarge
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


async def _params(request: Request, limit: int) -> Params:
    params = parse_query(request.scope["query_string"].decode("latin-1"))
    if request.method != "POST":
        return params
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        declared = request.headers.get("content-length")
        if declared is None or not declared.isdigit() or int(declared) > limit:
            raise _TooLarge
        form = await request.form(max_files=0, max_fields=10_000)
        body: Params = from_pairs([(k, v) for k, v in form.multi_items() if isinstance(v, str)])
        await form.close()
    else:
        raw = await _read_body(request, limit)
        if not raw:
            return params
        body = parse_json(raw) if "json" in content_type or looks_like_json(raw) else parse_form(raw)
    params.update(body)
    return params


def _render(answer: Any, request: Request) -> Response:
    if isinstance(answer, Body):
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers = {"content-encoding": "gzip", "vary": "Accept-Encoding"}
            return Response(answer.gzipped, media_type=JSON, headers=headers)
        return Response(answer.plain, media_type=JSON, headers={"vary": "Accept-Encoding"})
    return Response(orjson.dumps(answer), media_type=JSON)


def create_app(settings: Settings, db: Database | None = None) -> Starlette:
    """The app; it opens its own database unless one is given (tests, embedded worker)."""
    state: dict[str, Any] = {}

    async def api_v2(request: Request) -> Response:
        api: ApiV2 = state["api"]
        try:
            try:
                params = await _params(request, settings.max_body_bytes)
            except BadRequest:
                return Response(orjson.dumps(BAD_REQUEST), media_type=JSON)
            answer = await api.handle(params, request.headers.get("x-api-key"))
            return _render(answer, request)
        except _TooLarge:
            return Response(_TOO_LARGE, status_code=413, media_type=JSON)
        except Exception:
            request_id = uuid.uuid4().hex[:12]
            log.exception("internal error, request id %s", request_id)
            return Response(_INTERNAL, status_code=500, media_type=JSON, headers={"x-request-id": request_id})

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type=JSON)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = db is None
        database = await connect(settings.database_url) if own else db
        assert database is not None
        state["db"] = database
        state["api"] = ApiV2(database, settings)
        app.state.db = database
        try:
            yield
        finally:
            if own:
                await database.close()

    routes = [
        Route("/api/v2", api_v2, methods=["GET", "POST"]),
        Route("/api/v2/", api_v2, methods=["GET", "POST"]),
        Route("/health", health, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
