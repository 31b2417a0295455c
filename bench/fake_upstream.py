"""A fast, purpose-built upstream API v2 panel for bench/fulfilment.py (loopback only).

    python bench/fake_upstream.py --port 8765 --key KEY

Starlette on uvicorn (uvloop + httptools, no access log), the form body parsed with `urllib.parse.parse_qsl`,
answers in the exact API v2 shapes (strings for numbers, as real panels send them):

    add            {"order": 10000001}                      counts every add per link (GET /stats)
    status orders  {"5000001": {"charge": "0.50000", "start_count": "1", "status": "Completed",
                    "remains": "0", "currency": "USD"}, "5000999": {"error": "Incorrect order ID"}, …}
    status order   {"charge": …, "start_count": …, "status": …, "remains": …, "currency": "USD"}
    balance        {"balance": "100000.00000", "currency": "USD"}
    services       one Default service
    anything else  {"error": "Incorrect request"} · wrong key {"error": "Invalid API key"}

The status of a tracked order is a pure function of its upstream id (`answer`), and `initial` is what the
panel stored when it was sent — the benchmark builds its orders from `initial`, so most answers are
unchanged and a known share completes, ends Partial, is canceled, progresses, or is unknown upstream.
"""

from __future__ import annotations

import argparse
from collections import Counter
from urllib.parse import parse_qsl

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

QUANTITY = 1000  # every benchmark order asks for 1,000
CHARGE = "0.50000"  # what upstream charged us for it
TRACKED_BASE = 5_000_000  # upstream ids of the tracked orders: TRACKED_BASE + our order id
ADDED_BASE = 10_000_000  # upstream ids handed out by `add`
MAX_IDS = 100


def initial(uid: int) -> tuple[str, int, int]:
    """(status, start_count, remains) the panel holds for upstream order `uid` before the pass."""
    if uid % 2:
        return "In progress", uid % 5000, 400
    return "Processing", uid % 5000, QUANTITY


def answer(uid: int) -> tuple[str, int, int] | None:
    """What upstream reports now for `uid`; None: "Incorrect order ID" (0.1 %).

    5 % Completed · 3 % Partial (refund) · 1 % Canceled (full refund) · 5 % progressed (no money) · the rest
    unchanged."""
    if uid % 1000 == 999:
        return None
    status, start, remains = initial(uid)
    bucket = uid % 100
    if bucket < 5:
        return "Completed", start, 0
    if bucket < 8:
        return "Partial", start, 1 + uid % (QUANTITY - 1)
    if bucket == 8:
        return "Canceled", start, QUANTITY
    if bucket < 14:
        return "In progress", start, remains - 100
    return status, start, remains


def expected(uids: range) -> Counter[str]:
    """How the benchmark's orders should end after one pass (keys: final statuses, progressed, unknown…)."""
    counts: Counter[str] = Counter()
    for uid in uids:
        now = answer(uid)
        if now is None:
            counts["unknown"] += 1
        elif now[0] in ("Completed", "Partial", "Canceled"):
            counts[now[0]] += 1
        elif now != initial(uid):
            counts["progressed"] += 1
        else:
            counts["unchanged"] += 1
    return counts


class Panel:
    def __init__(self, key: str) -> None:
        self.key = key
        self.adds: Counter[str] = Counter()  # link → number of adds received
        self.added: dict[int, int] = {}  # upstream id → quantity
        self.next_id = ADDED_BASE
        self.status_calls = 0
        self.status_ids = 0

    def _item(self, uid: int) -> dict[str, str]:
        if uid >= ADDED_BASE:
            quantity = self.added.get(uid)
            if quantity is None:
                return {"error": "Incorrect order ID"}
            return {"charge": CHARGE, "start_count": "0", "status": "Pending", "remains": str(quantity),
                    "currency": "USD"}  # fmt: skip
        now = answer(uid) if uid >= TRACKED_BASE else None
        if now is None:
            return {"error": "Incorrect order ID"}
        status, start, remains = now
        return {"charge": CHARGE, "start_count": str(start), "status": status, "remains": str(remains),
                "currency": "USD"}  # fmt: skip

    def handle(self, params: dict[str, str]) -> object:
        if params.get("key") != self.key:
            return {"error": "Invalid API key"}
        action = params.get("action")
        if action == "status":
            if "orders" in params:
                try:
                    ids = [int(x) for x in params["orders"].split(",") if x.strip()]
                except ValueError:
                    return {"error": "Incorrect request"}
                if not ids or len(ids) > MAX_IDS:
                    return {"error": "Incorrect request"}
                self.status_calls += 1
                self.status_ids += len(ids)
                return {str(uid): self._item(uid) for uid in ids}
            if "order" in params:
                try:
                    return self._item(int(params["order"]))
                except ValueError:
                    return {"error": "Incorrect order ID"}
            return {"error": "Incorrect request"}
        if action == "add":
            link = params.get("link", "")
            try:
                quantity = int(params.get("quantity", ""))
            except ValueError:
                return {"error": "Incorrect request"}
            if not link:
                return {"error": "Incorrect link"}
            if params.get("service") != "1":
                return {"error": "Incorrect service ID"}
            self.adds[link] += 1
            self.next_id += 1
            self.added[self.next_id] = quantity
            return {"order": self.next_id}
        if action == "balance":
            return {"balance": "100000.00000", "currency": "USD"}
        if action == "services":
            return [{"service": 1, "name": "Bench Followers", "type": "Default", "category": "Bench",
                     "rate": "0.50", "min": "10", "max": "100000", "refill": False, "cancel": False,
                     "dripfeed": False}]  # fmt: skip
        return {"error": "Incorrect request"}

    def stats(self) -> dict[str, int]:
        return {
            "adds": sum(self.adds.values()),
            "links": len(self.adds),
            "duplicates": sum(n - 1 for n in self.adds.values() if n > 1),
            "status_calls": self.status_calls,
            "status_ids": self.status_ids,
        }


def make_app(key: str) -> Starlette:
    panel = Panel(key)

    async def api(request: Request) -> Response:
        body = await request.body()
        params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return Response(orjson.dumps(panel.handle(params)), media_type="application/json")

    async def stats(request: Request) -> Response:
        return Response(orjson.dumps(panel.stats()), media_type="application/json")

    return Starlette(routes=[Route("/api/v2", api, methods=["POST"]), Route("/stats", stats, methods=["GET"])])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()
    uvicorn.run(
        make_app(args.key), host="127.0.0.1", port=args.port, loop="uvloop", http="httptools",
        log_level="warning", access_log=False,
    )  # fmt: skip


if __name__ == "__main__":
    main()
