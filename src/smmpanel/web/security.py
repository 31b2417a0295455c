"""The web front ends' security machinery, shared by the customer website and the operator console.

- **Sessions** (`Auth`): the cookie holds `token.signature` (HMAC-SHA256 with the panel's secret), HttpOnly,
  SameSite=Lax, Secure when the public URL is https; the token is looked up in `web_sessions`
  (accounts/sessions.py), so a session is revocable server-side. One `Auth` per kind of user: the website
  uses kind "customer" and cookie `smmpanel_session`; the console makes `Auth("staff", "smmpanel_staff", …)`.
- **CSRF**: every unsafe request must carry a token, as the form field `csrf_token` or the header
  `X-CSRF-Token`. The token is an HMAC of the session token (or, for a visitor not signed in, of a random
  `smmpanel_visitor` cookie), so it changes at sign-in and cannot be computed without the cookie and the
  secret. `web_route` checks it on every unsafe method unless the route says `csrf=False` by name
  (safe by default, opt out by name — warehouse's habit).
- **Headers**: `SecurityHeaders` adds CSP (no inline script, no framing), X-Frame-Options, Referrer-Policy,
  X-Content-Type-Options to every web answer; the API v2 endpoint never passes through it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from smmpanel.accounts import sessions
from smmpanel.accounts.sessions import Session
from smmpanel.db.connect import Database

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
VISITOR_COOKIE = "smmpanel_visitor"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def _policy(policy: dict[str, str]) -> bytes:
    return "; ".join(f"{k} {v}" for k, v in policy.items()).encode("latin-1")


class SecurityHeaders:
    """ASGI middleware: the same protective headers on every answer of the app it wraps."""

    def __init__(self, app: ASGIApp, policy: dict[str, str] | None = None) -> None:
        self.app = app
        self.headers = [
            (b"content-security-policy", _policy(policy or CSP)),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
            (b"x-content-type-options", b"nosniff"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *self.headers]
            await send(message)

        await self.app(scope, receive, with_headers)


def sign(secret: bytes, value: str) -> str:
    mac = hmac.new(secret, value.encode(), hashlib.sha256).digest()
    return f"{value}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def unsign(secret: bytes, signed: str | None) -> str | None:
    if not signed or "." not in signed:
        return None
    value, _, _ = signed.rpartition(".")
    return value if hmac.compare_digest(sign(secret, value), signed) else None


class Auth:
    """Sessions of one kind of user behind one cookie. `secret` comes from accounts.sessions.signing_secret."""

    def __init__(self, kind: str, cookie: str, *, secure: bool, path: str = "/") -> None:
        self.kind = kind
        self.cookie = cookie
        self.secure = secure
        self.path = path

    async def session(self, request: Request, db: Database, secret: bytes) -> Session | None:
        """The request's live session (any stage), remembered on request.state for the rest of the request."""
        if hasattr(request.state, "session"):
            found: Session | None = request.state.session
            return found
        token = unsign(secret, request.cookies.get(self.cookie))
        found = None if token is None else await sessions.find(db, self.kind, token)
        request.state.session = found
        request.state.session_token = token if found is not None else None
        return found

    async def sign_in(
        self, request: Request, response: Response, db: Database, secret: bytes, subject_id: int, *, stage: str
    ) -> None:
        """A fresh session (never reuse a token from before sign-in: no session fixation)."""
        old = await self.session(request, db, secret)
        if old is not None:
            await sessions.revoke(db, old.id)
        address = request.client.host if request.client else ""
        token = await sessions.open_session(
            db, self.kind, subject_id, stage=stage, address=address, user_agent=request.headers.get("user-agent", "")
        )
        response.set_cookie(
            self.cookie, sign(secret, token), max_age=sessions.LIFETIME, path=self.path,
            httponly=True, samesite="lax", secure=self.secure,
        )

    async def sign_out(self, request: Request, response: Response, db: Database, secret: bytes) -> None:
        found = await self.session(request, db, secret)
        if found is not None:
            await sessions.revoke(db, found.id)
        response.delete_cookie(self.cookie, path=self.path, httponly=True, samesite="lax", secure=self.secure)


def csrf_binding(request: Request, auth: Auth) -> str | None:
    """What the request's CSRF token is bound to: its session token, else its visitor cookie."""
    token: str | None = getattr(request.state, "session_token", None)
    return token if token is not None else request.cookies.get(VISITOR_COOKIE)


def csrf_token(secret: bytes, binding: str) -> str:
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: bytes, binding: str | None, presented: str | None) -> bool:
    if not binding or not presented:
        return False
    return hmac.compare_digest(csrf_token(secret, binding), presented)


def ensure_visitor_cookie(request: Request, response: Response, secure: bool) -> str:
    """A visitor not signed in needs a cookie to bind the sign-in form's CSRF token to."""
    value = request.cookies.get(VISITOR_COOKIE)
    if value is None:
        value = getattr(request.state, "visitor", None) or secrets.token_urlsafe(24)
        request.state.visitor = value
        response.set_cookie(VISITOR_COOKIE, value, path="/", httponly=True, samesite="lax", secure=secure)
    return value


Endpoint = Callable[[Request], Awaitable[Response]]


def web_route(
    path: str,
    endpoint: Endpoint,
    *,
    methods: Iterable[str] = ("GET",),
    csrf: bool = True,
    check: Callable[[Request], Awaitable[bool]] | None = None,
    refuse: Callable[[Request], Awaitable[Response]] | None = None,
    max_body: int = 1024 * 1024,
) -> Route:
    """A route that accepts only the named methods and, unless `csrf=False`, refuses an unsafe request whose
    CSRF token does not match (`check` verifies it; `refuse` renders the 403). A body must declare its length,
    at most `max_body` bytes. The parsed form is left on `request.state.form` for the view."""
    methods = list(methods)

    async def guarded(request: Request) -> Response:
        if request.method not in SAFE_METHODS:
            declared = request.headers.get("content-length", "")
            if not declared.isdigit() or int(declared) > max_body:
                raise HTTPException(413 if declared.isdigit() else 411)
            request.state.form = await request.form(max_files=0, max_fields=1000)
            if csrf and check is not None and not await check(request):
                assert refuse is not None
                return await refuse(request)
        return await endpoint(request)

    if csrf and any(m not in SAFE_METHODS for m in methods) and (check is None or refuse is None):
        raise ValueError(f"{path}: an unsafe route needs a CSRF check, or csrf=False said by name")
    return Route(path, guarded, methods=methods, name=getattr(endpoint, "__name__", None))


def form_value(request: Request, name: str) -> str:
    form: Any = getattr(request.state, "form", None)
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""
