"""What every page of the website shares: the settings, the database, the templates, the customer's
session and the CSRF token. Views receive the `Site` from `request.app.state.site`.

The console (issue 9) builds its own `Site`-like object the same way: its own `Auth` (kind "staff"), the same
`security.web_route`, the same `base.html` blocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from smmpanel.accounts import passwords, sessions
from smmpanel.accounts.passwords import Identity
from smmpanel.config import Settings
from smmpanel.db.connect import Database
from smmpanel.money import format_units
from smmpanel.web import security
from smmpanel.web.security import Auth

HERE = Path(__file__).parent
CUSTOMER_COOKIE = "smmpanel_session"


def _money(units: int) -> str:
    return format_units(int(units))


def _when(timestamp: int | None) -> str:
    import time

    if timestamp is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(int(timestamp)))


def templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(disabled_extensions=("php",), default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = _money
    env.filters["when"] = _when
    env.filters["php_string"] = lambda text: str(text).replace("\\", "\\\\").replace("'", "\\'")
    return env


class Site:
    def __init__(self, settings: Settings, state: dict[str, Any]) -> None:
        self.settings = settings
        self.state = state
        self.env = templates()
        self.secure = settings.public_url.lower().startswith("https://")
        self.auth = Auth("customer", CUSTOMER_COOKIE, secure=self.secure)
        self._secret: bytes | None = None

    @property
    def db(self) -> Database:
        db: Database = self.state["db"]
        return db

    async def secret(self) -> bytes:
        if self._secret is None:
            self._secret = await sessions.signing_secret(self.db)
        return self._secret

    def base_url(self, request: Request) -> str:
        """This panel's absolute URL: SMMPANEL_PUBLIC_URL, else what the request was sent to."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        return str(request.base_url).rstrip("/")

    # --- who is asking ----------------------------------------------------------------------------------
    async def session(self, request: Request) -> sessions.Session | None:
        return await self.auth.session(request, self.db, await self.secret())

    async def customer(self, request: Request) -> Identity | None:
        """The signed-in customer (second factor given, account active), or None."""
        if hasattr(request.state, "customer"):
            found: Identity | None = request.state.customer
            return found
        session = await self.session(request)
        found = None
        if session is not None and session.stage == "complete":
            found = await passwords.identity(self.db, session.subject_id)
            if found is not None and found.status != "active":
                found = None
        request.state.customer = found
        return found

    # --- CSRF -------------------------------------------------------------------------------------------
    async def check_csrf(self, request: Request) -> bool:
        await self.session(request)
        presented = security.form_value(request, security.CSRF_FIELD) or request.headers.get(security.CSRF_HEADER)
        return security.csrf_valid(await self.secret(), security.csrf_binding(request, self.auth), presented)

    async def refuse_csrf(self, request: Request) -> Response:
        return await self.render(
            request, "error.html", {"title": "Form expired",
                                    "message": "This form has expired or was not sent by this site. "
                                               "Go back, reload the page and try again."}, status=403
        )

    # --- answers ----------------------------------------------------------------------------------------
    async def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
                     status: int = 200) -> Response:
        customer = await self.customer(request)
        secret = await self.secret()
        response = HTMLResponse("", status_code=status)
        binding = security.csrf_binding(request, self.auth)
        if binding is None:
            binding = security.ensure_visitor_cookie(request, response, self.secure)
        values = {
            "request": request,
            "customer": customer,
            "csrf_token": security.csrf_token(secret, binding),
            "path": request.url.path,
            "signup_open": self.settings.signup != "closed",
            "currency": customer.currency if customer else self.settings.currency,
            **(context or {}),
        }
        body = self.env.get_template(name).render(values)
        response.body = body.encode()
        response.headers["content-length"] = str(len(response.body))
        response.headers["cache-control"] = "no-store"
        return response

    def redirect(self, target: str) -> RedirectResponse:
        return RedirectResponse(target, status_code=303)

    def sign_in_redirect(self, request: Request) -> RedirectResponse:
        return self.redirect("/login?next=" + quote(request.url.path, safe="/"))


def safe_next(target: str | None) -> str:
    """A redirect target on this site only (a path, never another host or scheme)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
