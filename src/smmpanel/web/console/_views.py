"""What every console page shares: the console's `Site` (its own Auth of kind "staff" behind the cookie
`smmpanel_staff`, the same CSRF and templates as the website), the navigation, and the `staff_page` guard.

Invariant: a console view runs only for a signed-in, active staff member whose role allows the view's
permission. Signed out (or holding only a customer's session) → 303 to /admin/login; signed in without the
permission → a 403 page, for GET and for a direct POST alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from smmpanel.config import Settings
from smmpanel.staff import accounts
from smmpanel.staff.accounts import StaffMember
from smmpanel.staff.roles import Permission, allows
from smmpanel.web.security import Auth
from smmpanel.web.site import Site

STAFF_COOKIE = "smmpanel_staff"
PREFIX = "/admin"

# The console's pages in navigation order, each with the permission that opens it (None: any staff member).
NAVIGATION: tuple[tuple[str, str, Permission | None], ...] = (
    ("/admin", "Dashboard", None),
    ("/admin/orders", "Orders", Permission.VIEW_ORDERS),
    ("/admin/held", "Held orders", Permission.VIEW_ORDERS),
    ("/admin/refills", "Refills", Permission.SUPPORT),
    ("/admin/subscriptions", "Subscriptions", Permission.SUPPORT),
    ("/admin/drip-feed", "Drip-feed", Permission.SUPPORT),
    ("/admin/customers", "Customers", Permission.VIEW_CUSTOMERS),
    ("/admin/services", "Services", Permission.MANAGE_CATALOG),
    ("/admin/providers", "Providers", Permission.MANAGE_CATALOG),
    ("/admin/payments", "Payments", Permission.MOVE_MONEY),
    ("/admin/tickets", "Tickets", Permission.SUPPORT),
    ("/admin/reports", "Reports", Permission.VIEW_MONEY),
    ("/admin/activity", "Activity", Permission.VIEW_ACTIVITY),
    ("/admin/staff", "Staff", Permission.MANAGE_STAFF),
)


class ConsoleSite(Site):
    """The website's Site with the staff's Auth: `customer` is never anyone here."""

    def __init__(self, settings: Settings, state: dict[str, Any]) -> None:
        super().__init__(settings, state)
        self.auth = Auth(accounts.SESSION_KIND, STAFF_COOKIE, secure=self.secure, path=PREFIX)

    async def customer(self, request: Request) -> None:
        return None

    async def member(self, request: Request) -> StaffMember | None:
        """The signed-in staff member (second factor given, account active), or None."""
        if hasattr(request.state, "member"):
            found: StaffMember | None = request.state.member
            return found
        session = await self.session(request)
        found = None
        if session is not None and session.stage == "complete":
            found = await accounts.member(self.db, session.subject_id)
            if found is not None and not found.active:
                found = None
        request.state.member = found
        return found

    async def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
                     status: int = 200) -> Response:
        member = await self.member(request)
        values: dict[str, Any] = {"member": member, "navigation": [], "can": lambda _p: False}
        if member is not None:
            values["navigation"] = [(href, label) for href, label, needed in NAVIGATION
                                    if needed is None or allows(member.role, needed)]
            values["can"] = lambda permission: allows(member.role, Permission(permission))
        return await super().render(request, name, values | (context or {}), status=status)

    async def refuse_csrf(self, request: Request) -> Response:
        return await self.render(request, "console/error.html", {
            "title": "Form expired",
            "message": "This form has expired or was not sent by this console. Go back, reload the page and try again."},
            status=403)

    async def forbidden(self, request: Request) -> Response:
        return await self.render(request, "console/error.html", {
            "title": "Not allowed", "message": "Your role does not allow this page or action."}, status=403)

    def sign_in_redirect(self, request: Request) -> RedirectResponse:
        target = request.url.path if request.method == "GET" else PREFIX
        return self.redirect(PREFIX + "/login?next=" + quote(target, safe="/"))


def console_of(request: Request) -> ConsoleSite:
    site: ConsoleSite = request.app.state.site
    return site


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@dataclass(frozen=True, slots=True)
class StaffContext:
    """What a guarded view gets: the console, who is acting, and from which address (for the activity log)."""

    console: ConsoleSite
    member: StaffMember
    address: str

    def allows(self, permission: Permission) -> bool:
        return allows(self.member.role, permission)

    async def render(self, request: Request, name: str, context: dict[str, Any] | None = None, *,
                     status: int = 200) -> Response:
        response: Response = await self.console.render(request, name, context, status=status)
        return response

    async def forbidden(self, request: Request) -> Response:
        return await self.console.forbidden(request)


StaffView = Callable[[Request, StaffContext], Awaitable[Response]]


def staff_page(permission: Permission | None) -> Callable[[StaffView], Callable[[Request], Awaitable[Response]]]:
    """Guard a console view: see the module's invariant."""

    def decorate(view: StaffView) -> Callable[[Request], Awaitable[Response]]:
        @wraps(view)
        async def guarded(request: Request) -> Response:
            console = console_of(request)
            member = await console.member(request)
            if member is None:
                return console.sign_in_redirect(request)
            if permission is not None and not allows(member.role, permission):
                return await console.forbidden(request)
            return await view(request, StaffContext(console, member, client_address(request)))

        return guarded

    return decorate


def int_field(value: str | None) -> int | None:
    """A positive 32-bit integer from a query or form field, or None."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10:
        return None
    number = int(value)
    return number if 0 < number < 2**31 else None
