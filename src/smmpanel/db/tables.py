"""The schema, as SQLAlchemy Core metadata: the single source for migrations and for the metadata test.

Money columns are BIGINT *units* (1e-5 of the currency, see money.py): exact on SQLite and PostgreSQL.
Timestamps are integer Unix seconds, so no query depends on a dialect's date functions.
Invariants live in the database as CHECK constraints, not only in Python:
  customers.balance >= 0 · ledger amount signs per kind · 0 <= orders.refunded <= orders.charge ·
  one refund row per order (unique partial index) · statuses spelled exactly as API v2 emits them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ORDER_STATUSES = ("Pending", "In progress", "Processing", "Completed", "Partial", "Canceled")
REFILL_STATUSES = ("Pending", "In progress", "Completed", "Rejected")
LEDGER_KINDS = ("deposit", "charge", "refund", "adjustment")
CUSTOMER_STATUSES = ("active", "suspended")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


customers = Table(
    "customers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("balance", BigInteger, nullable=False, server_default="0"),
    Column("currency", String(8), nullable=False, server_default="USD"),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint("balance >= 0", name="balance_not_negative"),
    CheckConstraint(_in("status", CUSTOMER_STATUSES), name="status_known"),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

ledger = Table(
    "ledger",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=True),
    Column("note", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_in("kind", LEDGER_KINDS), name="kind_known"),
    CheckConstraint(
        "(kind = 'deposit' AND amount > 0) OR (kind = 'charge' AND amount < 0)"
        " OR (kind = 'refund' AND amount > 0) OR (kind = 'adjustment' AND amount <> 0)",
        name="amount_sign",
    ),
    CheckConstraint("kind NOT IN ('charge', 'refund') OR order_id IS NOT NULL", name="order_money_has_order"),
    Index("ix_ledger_order_id", "order_id"),
    Index("ix_ledger_customer_id_id", "customer_id", "id"),  # a customer's entries, newest first, by page
    # Idempotency is a unique constraint, not an `if`: an order is refunded at most once.
    Index(
        "uq_ledger_refund_order",
        "order_id",
        unique=True,
        sqlite_where=text("kind = 'refund'"),
        postgresql_where=text("kind = 'refund'"),
    ),
)

PROVIDER_KINDS = ("upstream", "manual", "simulated")
DISPATCH_STATES = ("queued", "dispatching", "sent", "held", "failed", "scheduled")

providers = Table(
    "providers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text, nullable=True),
    Column("api_key", Text, nullable=True),  # a secret: never logged, never printed in full
    Column("step_seconds", Integer, nullable=False, server_default="10"),  # simulated: seconds per step
    Column("low_balance", BigInteger, nullable=True),  # warn the operator below this (units)
    Column("balance", BigInteger, nullable=True),  # last balance seen upstream (units)
    Column("currency", String(8), nullable=True),
    Column("balance_checked_at", BigInteger, nullable=True),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_in("kind", PROVIDER_KINDS), name="kind_known"),
    CheckConstraint("kind <> 'upstream' OR (url IS NOT NULL AND api_key IS NOT NULL)", name="upstream_has_url_key"),
)

services = Table(
    "services",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("type", String(32), nullable=False),
    Column("category", Text, nullable=False, server_default=""),
    Column("rate", BigInteger, nullable=False),
    Column("min", Integer, nullable=False),
    Column("max", Integer, nullable=False),
    Column("refill_days", Integer, nullable=False, server_default="0"),
    Column("cancel", Boolean, nullable=False, server_default=text("false")),
    Column("dripfeed", Boolean, nullable=False, server_default=text("false")),
    Column("description", Text, nullable=False, server_default=""),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("link_guard", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # fulfilment: who delivers it (NULL: the operator, by hand) and how its price follows the upstream cost
    Column("provider_id", Integer, ForeignKey("providers.id"), nullable=True, index=True),
    Column("provider_service", String(64), nullable=True),
    Column("provider_dripfeed", Boolean, nullable=False, server_default=text("false")),
    Column("failover_provider_id", Integer, ForeignKey("providers.id"), nullable=True),
    Column("failover_service", String(64), nullable=True),
    Column("cost", BigInteger, nullable=True),  # upstream rate per 1000 (units), as last synced
    Column("markup", String(16), nullable=True),  # percent over cost, decimal text ("25")
    Column("min_margin", BigInteger, nullable=True),  # units per 1000 over cost, at least
    Column("price_locked", Boolean, nullable=False, server_default=text("false")),  # hand-set: sync keeps it
    # the operator's order within the category (0001→ services answer in category order, position, id)
    Column("position", Integer, nullable=False, server_default="0"),
    CheckConstraint("rate >= 0", name="rate_not_negative"),
    CheckConstraint("min >= 1 AND max >= min", name="min_max"),
    CheckConstraint("refill_days >= 0", name="refill_days_not_negative"),
)

# the operator's order of the categories (a category without a row sorts as position 0)
service_categories = Table(
    "service_categories",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", Integer, nullable=False),
)

custom_rates = Table(
    "custom_rates",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("service_id", Integer, ForeignKey("services.id"), primary_key=True),
    Column("rate", BigInteger, nullable=False),
    CheckConstraint("rate >= 0", name="rate_not_negative"),
)

orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("service_id", Integer, ForeignKey("services.id"), nullable=False),
    Column("parent_id", Integer, ForeignKey("orders.id"), nullable=True, index=True),
    Column("link", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("runs", Integer, nullable=True),
    Column("interval", Integer, nullable=True),
    Column("runs_done", Integer, nullable=False, server_default="0"),
    Column("fields", Text, nullable=False, server_default="{}"),
    Column("charge", BigInteger, nullable=False),
    Column("refunded", BigInteger, nullable=False, server_default="0"),
    Column("status", String(16), nullable=False, server_default="Pending"),
    Column("start_count", BigInteger, nullable=False, server_default="0"),
    Column("remains", BigInteger, nullable=False),
    Column("cancel_requested", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("completed_at", BigInteger, nullable=True),
    # fulfilment (see smmpanel.fulfilment): NULL dispatch means fulfilled by hand
    Column("provider_id", Integer, ForeignKey("providers.id"), nullable=True),
    Column("upstream_id", BigInteger, nullable=True),
    Column("dispatch", String(16), nullable=True),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_at", BigInteger, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", BigInteger, nullable=True),
    Column("next_check_at", BigInteger, nullable=True),
    Column("quiet_checks", Integer, nullable=False, server_default="0"),
    Column("cancel_forwarded", Boolean, nullable=False, server_default=text("false")),
    Column("last_error", Text, nullable=True),
    Column("cost", BigInteger, nullable=False, server_default="0"),  # what the provider charged us (units)
    CheckConstraint(_in("status", ORDER_STATUSES), name="status_known"),
    CheckConstraint("dispatch IS NULL OR " + _in("dispatch", DISPATCH_STATES), name="dispatch_known"),
    CheckConstraint("charge >= 0 AND refunded >= 0 AND refunded <= charge", name="refund_within_charge"),
    CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    Index("ix_orders_customer_id_id", "customer_id", "id"),
    Index("ix_orders_customer_id_service_id_link", "customer_id", "service_id", "link"),
    Index("ix_orders_status_id", "status", "id"),
    # the website's status tabs, newest first, for one customer
    Index("ix_orders_customer_id_status_id", "customer_id", "status", "id"),
    # the operator's queue of held orders, by page: holds only the held rows, so `add` never writes to it
    Index(
        "ix_orders_held_id",
        "id",
        sqlite_where=text("dispatch = 'held'"),
        postgresql_where=text("dispatch = 'held'"),
    ),
    Index("ix_orders_dispatch_next_attempt_at", "dispatch", "next_attempt_at"),
    Index("ix_orders_provider_id_next_check_at", "provider_id", "next_check_at"),
    # an upstream order id belongs to one of our orders only: a second record of the same id is refused
    Index("uq_orders_provider_id_upstream_id", "provider_id", "upstream_id", unique=True),
    # the console's filters and searches (0006), each ending in id for keyset pages; every index here is
    # written by each `add`, so none is kept that another serves (0010: service_id, created_at, upstream_id)
    Index("ix_orders_service_id_id", "service_id", "id"),
    Index("ix_orders_provider_id_id", "provider_id", "id"),
    Index("ix_orders_link", "link"),
    # the console's Drip-feed queue (0009): only the parents, which few orders are
    Index(
        "ix_orders_dripfeed_id",
        "id",
        sqlite_where=text("runs IS NOT NULL"),
        postgresql_where=text("runs IS NOT NULL"),
    ),
)

refills = Table(
    "refills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False, index=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("status", String(16), nullable=False, server_default="Pending"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    Column("upstream_id", BigInteger, nullable=True),
    Column("forward", String(16), nullable=True),  # queued → sent | held | failed; NULL: by hand
    Column("next_check_at", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    CheckConstraint(_in("status", REFILL_STATUSES), name="status_known"),
    Index("ix_refills_status_id", "status", "id"),  # refills in one status, by page
    Index("ix_refills_customer_id_id", "customer_id", "id"),  # the website's /refills, newest first
)

# The built-in simulated provider's own orders and refills (providers/simulated.py): its state is
# elapsed time since created_at, so it survives restarts.
simulated_orders = Table(
    "simulated_orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", Integer, ForeignKey("providers.id"), nullable=False, index=True),
    Column("service", Integer, nullable=False),
    Column("link", Text, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("canceled_at", BigInteger, nullable=True),
)

simulated_refills = Table(
    "simulated_refills",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("provider_id", Integer, ForeignKey("providers.id"), nullable=False),
    Column("order_id", Integer, ForeignKey("simulated_orders.id"), nullable=False, index=True),
    Column("created_at", BigInteger, nullable=False),
)

panel_state = Table(
    "panel_state",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# --- the website (0004): sign-in credentials, sessions, payments, tickets -----------------------------------
SESSION_KINDS = ("customer", "staff")
SESSION_STAGES = ("password", "complete")  # "password": the second factor is still owed
THROTTLE_SCOPES = ("account", "address")
PAYMENT_STATUSES = ("Pending", "Approved", "Rejected")
TICKET_STATUSES = ("Open", "Answered", "Closed")
TICKET_AUTHORS = ("customer", "staff")

# A customer's web sign-in: kept beside `customers` (not in it) so the API's caller cache never sees it change.
customer_credentials = Table(
    "customer_credentials",
    metadata,
    Column("customer_id", Integer, ForeignKey("customers.id"), primary_key=True),
    Column("email", String(254), nullable=True, unique=True),  # stored lower-cased
    Column("password_hash", Text, nullable=True),  # argon2id; NULL: no web sign-in yet
    Column("totp_secret", String(64), nullable=True),  # NULL: two-factor sign-in off
    Column("updated_at", BigInteger, nullable=False),
)

recovery_codes = Table(
    "recovery_codes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False, index=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("used_at", BigInteger, nullable=True),
)

# Server-side sessions for the website and the console: the cookie holds a signed random token, the table
# its SHA-256, so a session is revoked by deleting (or marking) its row.
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("subject_id", Integer, nullable=False),  # customers.id or (console) staff.id, by kind
    Column("stage", String(16), nullable=False, server_default="complete"),
    Column("address", String(64), nullable=False, server_default=""),
    Column("user_agent", String(256), nullable=False, server_default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("seen_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
    CheckConstraint(_in("kind", SESSION_KINDS), name="kind_known"),
    CheckConstraint(_in("stage", SESSION_STAGES), name="stage_known"),
    Index("ix_web_sessions_kind_subject_id", "kind", "subject_id"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scope", String(16), nullable=False),
    Column("subject", String(256), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_in("scope", THROTTLE_SCOPES), name="scope_known"),
    Index("ix_sign_in_failures_scope_subject_created_at", "scope", "subject", "created_at"),
)

site_secrets = Table(
    "site_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)

payment_methods = Table(
    "payment_methods",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("instructions", Text, nullable=False, server_default=""),
    Column("min_amount", BigInteger, nullable=False, server_default="0"),
    Column("enabled", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint("min_amount >= 0", name="min_not_negative"),
)

payment_requests = Table(
    "payment_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("method_id", Integer, ForeignKey("payment_methods.id"), nullable=False),
    Column("amount", BigInteger, nullable=False),
    Column("reference", String(256), nullable=False, server_default=""),
    Column("status", String(16), nullable=False, server_default="Pending"),
    Column("reason", Text, nullable=True),
    Column("decided_by", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger, nullable=True),
    CheckConstraint("amount > 0", name="amount_positive"),
    CheckConstraint(_in("status", PAYMENT_STATUSES), name="status_known"),
    Index("ix_payment_requests_customer_id_id", "customer_id", "id"),
    Index("ix_payment_requests_status_id", "status", "id"),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("customer_id", Integer, ForeignKey("customers.id"), nullable=False),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=True),
    Column("subject", String(200), nullable=False),
    Column("status", String(16), nullable=False, server_default="Open"),
    Column("created_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    CheckConstraint(_in("status", TICKET_STATUSES), name="status_known"),
    Index("ix_tickets_customer_id_id", "customer_id", "id"),
    Index("ix_tickets_status_id", "status", "id"),
)

ticket_messages = Table(
    "ticket_messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("ticket_id", Integer, ForeignKey("tickets.id"), nullable=False, index=True),
    Column("author", String(16), nullable=False),
    Column("author_name", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    CheckConstraint(_in("author", TICKET_AUTHORS), name="author_known"),
)

# --- the operator console (0006): staff, their activity, order timelines, daily money rollups, order cost ------
STAFF_ROLES = ("owner", "admin", "support")
STAFF_STATUSES = ("active", "disabled")

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("totp_secret", String(64), nullable=True),
    Column("status", String(16), nullable=False, server_default="active"),
    Column("created_at", BigInteger, nullable=False),
    Column("last_sign_in_at", BigInteger, nullable=True),
    CheckConstraint(_in("role", STAFF_ROLES), name="role_known"),
    CheckConstraint(_in("status", STAFF_STATUSES), name="status_known"),
)

# Append-only: written in the transaction of the change it describes; never updated, never deleted.
staff_activity = Table(
    "staff_activity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(64), nullable=True),
    Column("before", Text, nullable=True),  # JSON
    Column("after", Text, nullable=True),  # JSON
    Column("address", String(64), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_staff_activity_staff_id_id", "staff_id", "id"),
    Index("ix_staff_activity_action_id", "action", "id"),
    Index("ix_staff_activity_object_type_object_id_id", "object_type", "object_id", "id"),
)

# An order's timeline: every status move, upstream answer, refund and cost, written by orders/lifecycle.py.
order_events = Table(
    "order_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status_from", String(16), nullable=True),
    Column("status_to", String(16), nullable=True),
    Column("amount", BigInteger, nullable=True),  # units: the refund or the cost recorded
    Column("detail", Text, nullable=False, server_default=""),
    Column("staff_id", Integer, ForeignKey("staff.id"), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_order_events_order_id_id", "order_id", "id"),
)

# Revenue and cost per UTC day (created_at // 86400) and customer/service/provider (0: none), maintained in the
# transaction of the ledger row (charge, refund) or the cost record that moves it: the dashboard and the
# reports read these, never the orders.
order_rollups = Table(
    "order_rollups",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("customer_id", Integer, primary_key=True),
    Column("service_id", Integer, primary_key=True),
    Column("provider_id", Integer, primary_key=True),
    Column("orders", BigInteger, nullable=False, server_default="0"),
    Column("charged", BigInteger, nullable=False, server_default="0"),
    Column("refunded", BigInteger, nullable=False, server_default="0"),
    Column("cost", BigInteger, nullable=False, server_default="0"),
)

# The same money per UTC day only, in SHARDS rows a day (customer_id % SHARDS, so concurrent orders of different
# customers rarely wait on one row), plus the orders that finished that day by final status: the dashboard
# reads at most 30 × SHARDS rows of it.
order_days = Table(
    "order_days",
    metadata,
    Column("day", Integer, primary_key=True),
    Column("shard", Integer, primary_key=True),
    Column("orders", BigInteger, nullable=False, server_default="0"),
    Column("charged", BigInteger, nullable=False, server_default="0"),
    Column("refunded", BigInteger, nullable=False, server_default="0"),
    Column("cost", BigInteger, nullable=False, server_default="0"),
    Column("completed", BigInteger, nullable=False, server_default="0"),
    Column("partial", BigInteger, nullable=False, server_default="0"),
    Column("canceled", BigInteger, nullable=False, server_default="0"),
)
