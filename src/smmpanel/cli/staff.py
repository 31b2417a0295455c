"""`smmpanel staff …` (the console's accounts) and `smmpanel activity` (what staff did)."""

from __future__ import annotations

import time

import typer

from smmpanel.accounts import twofactor
from smmpanel.cli._common import console, fail, run, show
from smmpanel.db.connect import Database
from smmpanel.staff import accounts, activity
from smmpanel.staff.accounts import StaffError, StaffMember

app = typer.Typer(help="Staff of the operator console: add, list, password, disable.", no_args_is_help=True)


def _when(timestamp: int | None) -> str:
    return "" if timestamp is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(timestamp))


@app.command("add")
def staff_add(
    name: str,
    role: str = typer.Option(..., "--role", help="owner, admin or support"),
) -> None:
    """Add a staff member; the generated password is printed alone on the last line."""

    async def work(db: Database) -> str:
        return await accounts.create(db, name, role)

    try:
        password = run(work)
    except StaffError as exc:
        fail(str(exc))
        return
    console.print(f"staff member {name} added as {role}; sign in at /admin/login with this password:",
                  highlight=False)
    print(password)


@app.command("list")
def staff_list(json: bool = typer.Option(False, "--json", help="Print JSON")) -> None:
    """Every staff member with role and status."""

    async def work(db: Database) -> list[StaffMember]:
        return await accounts.list_staff(db)

    rows = [{"id": m.id, "name": m.name, "role": m.role.value, "status": m.status,
             "two_factor": "on" if m.totp_secret else "off", "created": _when(m.created_at),
             "last_sign_in": _when(m.last_sign_in_at)} for m in run(work)]
    show(rows, ["id", "name", "role", "status", "two_factor", "created", "last_sign_in"], as_json=json)


@app.command("password")
def staff_password(name: str) -> None:
    """Give a staff member a new generated password (printed alone on the last line); signs them out."""

    async def work(db: Database) -> str:
        return await accounts.set_password(db, name)

    try:
        password = run(work)
    except StaffError as exc:
        fail(str(exc))
        return
    console.print(f"new password for {name}:", highlight=False)
    print(password)


@app.command("disable")
def staff_disable(name: str) -> None:
    """Disable a staff member: they can no longer sign in, and their sessions end now."""

    async def work(db: Database) -> None:
        await accounts.disable(db, name)

    try:
        run(work)
    except StaffError as exc:
        fail(str(exc))
        return
    console.print(f"staff member {name} disabled", highlight=False)


@app.command("two-factor")
def staff_two_factor(name: str, off: bool = typer.Option(False, "--off", help="Stop asking for a code")) -> None:
    """Require a TOTP code at the member's sign-in: prints the otpauth:// URI for their authenticator app."""
    secret = None if off else twofactor.new_secret()

    async def work(db: Database) -> None:
        await accounts.set_two_factor(db, name, secret)

    try:
        run(work)
    except StaffError as exc:
        fail(str(exc))
        return
    if secret is None:
        console.print(f"two-factor sign-in off for {name}", highlight=False)
    else:
        console.print(f"two-factor sign-in on for {name}; add this to the authenticator app:", highlight=False)
        print(twofactor.provisioning_uri(secret, name))


def activity_command(
    staff_name: str = typer.Option(None, "--staff", help="Only this staff member's actions"),
    action: str = typer.Option(None, "--action", help="Only this action (e.g. order.partial)"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    json: bool = typer.Option(False, "--json", help="Print JSON"),
) -> None:
    """What staff did, newest first: who, what, which object, before → after, when, from where."""

    async def work(db: Database) -> list[dict[str, object]]:
        staff_id = None if staff_name is None else (await accounts.find(db, staff_name)).id
        page = await activity.list_activity(db, staff_id=staff_id, action=action, limit=limit)
        return [{"id": r["id"], "when": _when(int(r["created_at"])), "staff": r["staff"], "action": r["action"],
                 "object": f"{r['object_type']} {r['object_id'] or ''}".strip(), "before": r["before"] or "",
                 "after": r["after"] or "", "address": r["address"] or ""} for r in page]

    try:
        rows = run(work)
    except StaffError as exc:
        fail(str(exc))
        return
    show(rows, ["id", "when", "staff", "action", "object", "before", "after", "address"], as_json=json)
