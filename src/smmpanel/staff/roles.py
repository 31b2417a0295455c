"""Who on the staff may do what. The console checks every page and every action against `allows` on the
server; the navigation only hides what the check would refuse anyway.

Invariant: support never sees money (costs, profit, revenue, balances, prices) and never moves it; admin may
do everything but manage staff; owner may do everything.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    SUPPORT = "support"


class Permission(StrEnum):
    VIEW_ORDERS = "view_orders"
    MANAGE_ORDERS = "manage_orders"  # start count, remains, resend, resolve: no money
    VIEW_CUSTOMERS = "view_customers"
    MANAGE_CUSTOMERS = "manage_customers"  # suspend, keys, password, sessions
    MOVE_MONEY = "move_money"  # adjust balance, approve/reject payments, refunds, Partial
    VIEW_MONEY = "view_money"  # costs, profit, revenue, balances, prices
    MANAGE_CATALOG = "manage_catalog"  # services, providers, prices
    SUPPORT = "support"  # tickets, refills queue
    MANAGE_STAFF = "manage_staff"
    VIEW_ACTIVITY = "view_activity"


_SUPPORT = frozenset({Permission.VIEW_ORDERS, Permission.VIEW_CUSTOMERS, Permission.SUPPORT})
_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.SUPPORT: _SUPPORT,
    Role.ADMIN: frozenset(Permission) - {Permission.MANAGE_STAFF},
    Role.OWNER: frozenset(Permission),
}


def allows(role: Role | str, permission: Permission) -> bool:
    return permission in _GRANTS[Role(role)]
