"""Staff (owner only: list, add, disable, reset password) and Activity (the log, filterable) pages.
Every change here writes its activity row in the same transaction."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from smmpanel.staff import accounts, activity
from smmpanel.staff.accounts import StaffError
from smmpanel.staff.roles import Permission, Role
from smmpanel.web.console._views import StaffContext, int_field, staff_page
from smmpanel.web.security import form_value


@staff_page(Permission.MANAGE_STAFF)
async def staff_list(request: Request, ctx: StaffContext) -> Response:
    db = ctx.console.db
    notice: str | None = None
    error: str | None = None
    password: str | None = None
    if request.method == "POST":
        action = form_value(request, "action") or "add"
        name = form_value(request, "name").strip()
        try:
            before = None if action == "add" else await accounts.find(db, name)
            async with db.transaction() as tx:
                if action == "add":
                    role = form_value(request, "role")
                    password = await accounts.create(tx, name, role)
                    after = {"name": name, "role": role, "status": "active"}
                elif action == "disable":
                    await accounts.disable(tx, name)
                    after = {"status": "disabled"}
                elif action == "password":
                    password = await accounts.set_password(tx, name)
                    after = {"password": "reset"}
                else:
                    raise StaffError("unknown action")
                found = await accounts.find(tx, name)
                await activity.record(
                    tx, staff_id=ctx.member.id, action=f"staff.{action}", object_type="staff", object_id=found.id,
                    before=None if before is None else {"role": before.role.value, "status": before.status},
                    after=after, address=ctx.address)
            notice = {"add": f"{name} added.", "disable": f"{name} disabled.",
                      "password": f"New password for {name}."}[action]
        except StaffError as exc:
            error = str(exc)
    return await ctx.render(request, "console/staff.html", {
        "title": "Staff", "staff": await accounts.list_staff(db), "roles": [r.value for r in Role],
        "notice": notice, "error": error, "password": password}, status=400 if error else 200)


@staff_page(Permission.VIEW_ACTIVITY)
async def activity_list(request: Request, ctx: StaffContext) -> Response:
    db = ctx.console.db
    query = request.query_params
    members = await accounts.list_staff(db)
    staff_id = int_field(query.get("staff"))
    action = query.get("action", "").strip() or None
    object_type = query.get("object_type", "").strip() or None
    object_id = query.get("object_id", "").strip() or None
    page = await activity.list_activity(db, staff_id=staff_id, action=action, object_type=object_type,
                                        object_id=object_id, before_id=int_field(query.get("before")), limit=50)
    filters = {"staff": staff_id or "", "action": action or "", "object_type": object_type or "",
               "object_id": object_id or ""}
    return await ctx.render(request, "console/activity.html", {
        "title": "Activity", "rows": page.rows, "next_before": page.next, "members": members, "filters": filters})
