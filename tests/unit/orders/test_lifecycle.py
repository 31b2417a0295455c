"""The status machine's drawings: complete, consistent with the database vocabularies, and the only place
where status words are spelled in SQL."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from smmpanel.db.tables import DISPATCH_STATES, ORDER_STATUSES, REFILL_STATUSES
from smmpanel.orders import lifecycle

SRC = Path(lifecycle.__file__).resolve().parents[1]


def test_every_status_is_drawn_and_final_statuses_never_move() -> None:
    assert set(lifecycle.ORDER_MOVES) == set(ORDER_STATUSES)
    assert set(lifecycle.REFILL_MOVES) == set(REFILL_STATUSES)
    assert set(lifecycle.DISPATCH_MOVES) == set(DISPATCH_STATES)
    assert all(not lifecycle.ORDER_MOVES[s] for s in ("Completed", "Partial", "Canceled"))
    assert all(not lifecycle.REFILL_MOVES[s] for s in ("Completed", "Rejected"))


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("Pending", "Processing", True),  # claimed for dispatch
        ("Processing", "Pending", True),  # retry / resend: nothing reached the provider
        ("In progress", "Partial", True),
        ("Completed", "Partial", False),
        ("Canceled", "Pending", False),
    ],
)
def test_order_moves(old: str, new: str, allowed: bool) -> None:
    assert lifecycle.can_move(old, new) is allowed


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        ("queued", "dispatching", True),
        ("dispatching", "sent", True),
        ("dispatching", "queued", True),
        ("dispatching", "failed", True),
        ("held", "sent", True),
        ("held", "queued", True),
        ("sent", "held", True),
        ("sent", "queued", False),  # never re-sent once the provider may have it
        ("failed", "queued", False),
        ("queued", "sent", False),
        (None, "queued", False),  # fulfilled by hand
    ],
)
def test_dispatch_moves(old: str | None, new: str, allowed: bool) -> None:
    assert lifecycle.can_dispatch(old, new) is allowed


def test_sql_is_generated_from_the_sets() -> None:
    assert lifecycle.ACTIVE_SQL == "status IN ('Pending', 'Processing', 'In progress')"
    assert lifecycle.IN_FLIGHT_SQL == "status IN ('Processing', 'In progress')"
    assert lifecycle.sql_in("forward", frozenset({"sent", "held"})) == "forward IN ('held', 'sent')"


_STATUS_LITERAL = re.compile(
    r"'(Pending|Processing|In progress|Completed|Partial|Canceled|Rejected|queued|dispatching|sent|held|failed"
    r"|scheduled|sending)'"
)


def _sql_strings(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module, docstrings (bare expression statements) left out."""
    tree = ast.parse(path.read_text())
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_status_word_is_spelled_in_sql_outside_the_machine() -> None:
    offenders = [
        f"{path.relative_to(SRC)}:{line}: {text.strip()}"
        for package in ("orders", "fulfilment", "catalog", "accounts")
        for path in (SRC / package).rglob("*.py")
        if path.name != "lifecycle.py"
        for line, text in _sql_strings(path)
        if _STATUS_LITERAL.search(text)
    ]
    assert offenders == []
