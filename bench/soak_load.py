"""The soak's load generator: an open-loop mix of API v2 calls at a fixed rate, latency per action.

    python bench/soak_load.py --url http://127.0.0.1:PORT/api/v2 --keys KEYS.json --seconds 60 --rate 200

Run by bench/soak.py in its own process (so its CPU and GIL do not slow the panel's event loop). Open
loop: request i is due at start + i / rate whatever the earlier ones did, and its latency counts from
when it was *due*, so a panel that freezes for 6 s shows 6 s latencies instead of simply being asked
less (coordinated omission). At most `--connections` requests are in flight; the loop ends at the
deadline and waits at most `--timeout` for the last answers. Every answer is checked: anything but the
expected API v2 shape counts as `bad` (with a sample), "Too many requests" as `limited`.

The mix (weights): status 50, balance 20, add 15, services 10, status of 100 orders 5. `add` uses a
never-seen link (`soak-<nonce>-<n>`) on one of the services in the keys file, so the upstreams' count of
`add`s per link shows any order dispatched twice. Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import defaultdict
from typing import Any

import httpx

MIX = (("status", 50), ("balance", 20), ("add", 15), ("services", 10), ("status100", 5))
LIMITED = b'{"error":"Too many requests'


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


class Load:
    def __init__(self, args: argparse.Namespace) -> None:
        data = json.loads(open(args.keys).read())
        self.keys: list[str] = data["keys"]
        self.services: list[int] = data["services"]
        self.url = args.url
        self.nonce = data.get("nonce", "0") + args.phase
        self.orders: dict[str, list[int]] = {key: [] for key in self.keys}
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.samples: dict[str, str] = {}
        self.links: list[str] = []
        self.random = random.Random(args.seed)
        self.actions = [name for name, weight in MIX for _ in range(weight)]
        self.n = 0

    def request(self) -> tuple[str, dict[str, str]]:
        self.n += 1
        action = self.random.choice(self.actions)
        key = self.keys[self.n % len(self.keys)]
        known = self.orders[key]
        if action == "status" and known:
            return action, {"key": key, "action": "status", "order": str(self.random.choice(known))}
        if action == "status100" and known:
            ids = ",".join(str(i) for i in known[-100:])
            return action, {"key": key, "action": "status", "orders": ids}
        if action in ("status", "status100", "add"):
            link = f"https://www.instagram.com/p/soak-{self.nonce}-{self.n}"
            return "add", {"key": key, "action": "add", "service": str(self.random.choice(self.services)),
                           "link": link, "quantity": "100"}  # fmt: skip
        return action, {"key": key, "action": action}

    def check(self, action: str, form: dict[str, str], status: int, body: bytes) -> str:
        if status != 200:
            return "bad"
        if body.startswith(LIMITED):
            return "limited"
        if action == "add":
            if body.startswith(b'{"order":'):
                self.orders[form["key"]].append(int(json.loads(body)["order"]))
                self.links.append(form["link"])
                return "ok"
            return "refused" if body.startswith(b'{"error":') else "bad"
        expected = {"status": b'{"charge":', "balance": b'{"balance":', "services": b"[", "status100": b"{"}
        return "ok" if body.startswith(expected[action]) else "bad"

    async def one(self, http: httpx.AsyncClient, due: float, gate: asyncio.Semaphore) -> None:
        action, form = self.request()
        async with gate:
            try:
                response = await http.post(self.url, data=form)
                outcome = self.check(action, form, response.status_code, response.content)
                if outcome == "bad" and action not in self.samples:
                    self.samples[action] = f"{response.status_code} {response.content[:160]!r}"
            except httpx.HTTPError as exc:
                outcome = f"error {type(exc).__name__}"
        self.latency[action].append(time.perf_counter() - due)
        self.counts[action][outcome] += 1

    async def run(self, seconds: float, rate: float, connections: int, timeout: float) -> dict[str, Any]:
        gate = asyncio.Semaphore(connections)
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        headers = {"Accept-Encoding": "gzip"}
        async with httpx.AsyncClient(timeout=timeout, limits=limits, headers=headers) as http:
            started = time.perf_counter()
            deadline = started + seconds
            tasks: set[asyncio.Task[None]] = set()
            i = 0
            while True:
                due = started + i / rate
                if due >= deadline:
                    break
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                task = asyncio.create_task(self.one(http, due, gate))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            unfinished = 0
            if tasks:
                _, pending = await asyncio.wait(tasks, timeout=timeout)
                unfinished = len(pending)
                for task in pending:
                    task.cancel()
            wall = time.perf_counter() - started
        every = [v for values in self.latency.values() for v in values]
        return {
            "seconds": wall, "sent": i, "answered": len(every), "unfinished": unfinished, "rate": rate,
            "all": {"p50_ms": percentile(every, 50) * 1000, "p99_ms": percentile(every, 99) * 1000,
                    "max_ms": max(every, default=float("nan")) * 1000},
            "actions": {
                action: {"count": len(values), "p50_ms": percentile(values, 50) * 1000,
                         "p99_ms": percentile(values, 99) * 1000, "max_ms": max(values) * 1000,
                         "outcomes": dict(self.counts[action])}
                for action, values in sorted(self.latency.items())
            },
            "samples": self.samples, "links": self.links,
        }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--keys", required=True, help="JSON: {keys: [...], services: [...], nonce}")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=200, help="requests per second (open loop)")
    parser.add_argument("--connections", type=int, default=64, help="requests in flight at most")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request at most")
    parser.add_argument("--phase", default="", help="added to the link nonce")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1:"):
        raise SystemExit("the soak load only talks to 127.0.0.1")
    result = asyncio.run(Load(args).run(args.seconds, args.rate, args.connections, args.timeout))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
