"""Issue 7, rows 1, 2 and 10 on the dispatch side: an upstream's hostile `add` answer (a number like
"1e400000", an id beyond BIGINT, an error text with line breaks) is refused by the client in
microseconds, so the engine holds the order with a readable one-line reason — no freeze, no
OverflowError, no order stuck in `dispatching`, no forged log line — and never sends it again."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.common.hostile_upstream import HostileUpstream, huge, numbers, refuse
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import add_provider, cycle, order_row

CASES: dict[str, Any] = {
    "1e400000": (huge(), "add: order id: not an integer in range (at least 10^21): '1e400000'"),
    "beyond BIGINT": (numbers(order="9223372036854775808"), "add: order id: not an integer in the 64-bit range"),
    "negative id": (numbers(order=-5), "add: order id: not a valid id: -5"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_order_id_is_held_fast_with_a_readable_reason(
    panel: Panel, hostile: HostileUpstream, case: str
) -> None:
    behaviour, reason = CASES[case]
    hostile.script("add", behaviour)
    provider = add_provider(panel, "upstream", url=hostile.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="1")
    key = panel.customer("10")
    order = int(panel.api(key=key, action="add", service=service, link="https://ig.example/p/9", quantity=1000)["order"])
    started = time.perf_counter()
    counts = cycle(panel)
    assert time.perf_counter() - started < 5  # each "1e400000" used to freeze the loop for 6–43 s
    assert counts["held"] == 1
    cycle(panel)
    row = order_row(panel, order)
    assert (row["status"], row["dispatch"], row["refunded"]) == ("Processing", "held", 0)
    assert reason in row["last_error"]
    assert hostile.adds == {"https://ig.example/p/9": 1}
    assert panel.balance(key) == "9.10000"


def test_upstream_error_text_cannot_forge_a_log_line(panel: Panel, hostile: HostileUpstream) -> None:
    hostile.script("add", refuse("Service paused\n2026-12-01 INFO action=dispatch order=1 sent\x1b[2K"))
    provider = add_provider(panel, "upstream", url=hostile.url, api_key="upstream-secret-key-123456")
    service = panel.service(provider_id=provider, provider_service="1")
    key = panel.customer("10")
    order = int(panel.api(key=key, action="add", service=service, link="https://ig.example/p/8", quantity=1000)["order"])
    cycle(panel)
    row = order_row(panel, order)
    assert row["dispatch"] == "held" and row["last_error"].isprintable()
    assert "Service paused 2026-12-01 INFO action=dispatch order=1 sent [2K" in row["last_error"]
