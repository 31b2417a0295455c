"""A hostile upstream API v2 panel for tests and benchmarks: real HTTP on 127.0.0.1, scripted misbehaviour.

The engine must trust nothing an upstream sends (issue 7). This panel is healthy by default — `add`
creates an order, `status` moves it In progress then Completed, `balance`, `cancel`, `refill` and
`services` answer in the standard shapes — and each action can be scripted to misbehave instead:

    from tests.common.hostile_upstream import HostileUpstream, slow, dribble, garbage, huge, numbers, \
        reset, long_currency, refuse, server_error, OK

    with HostileUpstream() as upstream:               # a thread; .url is http://127.0.0.1:<port>/api/v2
        upstream.script("status", huge())             # every status answer: numbers of "1e400000"
        upstream.script("add", slow(3), OK)           # in turn: the 1st add answers after 3 s, the 2nd
                                                      # normally, the 3rd after 3 s… (a rotation)
        upstream.script(None, garbage("html"))        # every action without its own script
        upstream.adds["https://x/p"]                  # `add` requests received per link (at-most-once)

Behaviours (each a `Behaviour`, also written as text for the command line: "slow:3", "garbage:html"):

    OK / "ok"                 the healthy answer
    slow(s) / "slow:S"        the healthy answer after S seconds
    dribble(s) / "dribble:S"  the healthy answer, its body sent one byte every S seconds
    garbage(k) / "garbage:K"  html (a 200 HTML page), json (invalid JSON), shape (a JSON array of one
                              string where an object is due), empty (an empty 200 body)
    huge(v) / "huge:V"        the healthy answer with every number (order, remains, start_count, charge,
                              balance, refill id) replaced by V (default "1e400000")
    numbers(**fields)         the healthy answer with named fields replaced: a value, or a function of
                              the order (`remains=lambda order: order.quantity * 10`: over-delivery);
                              text forms: "ids" (ids of 10^30), "negative" (remains −5),
                              "overquantity" (remains 10 × quantity)
    reset() / "reset"         headers and half the body, then a TCP reset
    long_currency(n) / "long_currency:N"   the healthy answer with a currency of N letters (default 50)
    refuse(text) / "refuse:T" {"error": text} (a text with a line break forges a log line)
    server_error(code) / "server_error:C"  HTTP C (default 500) with {"error": "Internal error"}

Every sleep waits on the stop event, so `stop()` ends slow and dribbling answers at once. Run it as a
process (bench/soak.py does): `python -m tests.common.hostile_upstream --port 0 --script
"status=huge,reset,ok" --script "*=slow:2,ok"` prints its URL on the first line; `GET /stats` reports the
requests per action and behaviour and the `add`s per link (`GET /stats?links=1`: every link added).
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import struct
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl

import orjson

HUGE = "1e400000"
NUMBER_FIELDS = ("order", "remains", "start_count", "charge", "balance", "refill")


@dataclass
class Order:
    id: int
    service: str
    link: str
    quantity: int
    checks: int = 0
    canceled: bool = False


@dataclass(frozen=True)
class Behaviour:
    kind: str
    arg: Any = None
    fields: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.kind if self.arg is None else f"{self.kind}:{self.arg}"


OK = Behaviour("ok")


def slow(seconds: float) -> Behaviour:
    return Behaviour("slow", float(seconds))


def dribble(seconds_per_byte: float = 1.0) -> Behaviour:
    return Behaviour("dribble", float(seconds_per_byte))


def garbage(kind: str = "html") -> Behaviour:
    if kind not in GARBAGE:
        raise ValueError(f"garbage is one of {', '.join(GARBAGE)}")
    return Behaviour("garbage", kind)


def numbers(**fields: Any) -> Behaviour:
    return Behaviour("numbers", ",".join(sorted(fields)), fields)


def huge(value: Any = HUGE) -> Behaviour:
    return Behaviour("huge", value, dict.fromkeys(NUMBER_FIELDS, value))


def reset() -> Behaviour:
    return Behaviour("reset")


def long_currency(length: int = 50) -> Behaviour:
    return Behaviour("long_currency", int(length))


def refuse(text: str = "Incorrect link\nINFO smmpanel forged line") -> Behaviour:
    return Behaviour("refuse", text)


def server_error(status: int = 500) -> Behaviour:
    return Behaviour("server_error", int(status))


GARBAGE = {
    "html": (b"<html><body><h1>Cloudflare</h1>Checking your browser\n</body></html>", "text/html"),
    "json": (b'{"order": 12, "status": "Compl', "application/json"),
    "shape": (b'["Completed"]', "application/json"),
    "empty": (b"", "application/json"),
}
_NAMED_NUMBERS: dict[str, Callable[[], Behaviour]] = {
    "ids": lambda: numbers(order=10**30, refill=10**30),
    "negative": lambda: numbers(remains=-5, start_count=-5),
    "overquantity": lambda: numbers(remains=lambda order: order.quantity * 10),
}


def parse(text: str) -> Behaviour:
    """A behaviour from its text form ("slow:3", "garbage:html", "numbers:negative"…)."""
    kind, _, arg = text.strip().partition(":")
    makers: dict[str, Callable[[str], Behaviour]] = {
        "ok": lambda a: OK, "slow": lambda a: slow(float(a or 2)), "dribble": lambda a: dribble(float(a or 1)),
        "garbage": lambda a: garbage(a or "html"), "huge": lambda a: huge(a or HUGE), "reset": lambda a: reset(),
        "long_currency": lambda a: long_currency(int(a or 50)), "refuse": lambda a: refuse(a or "Incorrect link"),
        "server_error": lambda a: server_error(int(a or 500)), "numbers": lambda a: _NAMED_NUMBERS[a](),
    }  # fmt: skip
    if kind not in makers:
        raise ValueError(f"unknown behaviour {text!r}: one of {', '.join(makers)}")
    return makers[kind](arg)


class HostileUpstream:
    """The panel, serving in a thread until `stop()`; see the module docstring for scripting."""

    def __init__(self, key: str | None = None, port: int = 0) -> None:
        self.key = key  # None: any key is accepted
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.orders: dict[int, Order] = {}
        self.next_id = 5000
        self.adds: Counter[str] = Counter()  # link → `add` requests received, whatever the answer
        self.requests: Counter[str] = Counter()  # "action behaviour" → requests
        self._plans: dict[str | None, Iterator[Behaviour]] = {}
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                upstream._serve(self)

            def do_GET(self) -> None:
                if self.path.startswith("/stats"):
                    stats = upstream.stats() | ({"all_links": sorted(upstream.adds)} if "links=1" in self.path else {})
                    upstream._write(self, 200, orjson.dumps(stats), "application/json")
                else:
                    upstream._serve(self)

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # clients hang up on slow and broken answers: that is the point

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    # ---- scripting ----------------------------------------------------------------------------------

    def script(self, action: str | None, *behaviours: Behaviour | str) -> None:
        """Answer `action` (None: every action without its own script) with these behaviours in turn."""
        steps = [b if isinstance(b, Behaviour) else parse(b) for b in behaviours] or [OK]
        with self.lock:
            self._plans[action] = itertools.cycle(steps)

    def heal(self) -> None:
        with self.lock:
            self._plans.clear()

    def _behaviour(self, action: str) -> Behaviour:
        with self.lock:
            plan = self._plans.get(action, self._plans.get(None))
            return OK if plan is None else next(plan)

    @property
    def total_adds(self) -> int:
        return sum(self.adds.values())

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "adds": sum(self.adds.values()), "links": len(self.adds),
                "duplicates": sum(n - 1 for n in self.adds.values() if n > 1),
                "duplicate_links": sorted(link for link, n in self.adds.items() if n > 1)[:20],
                "requests": dict(self.requests),
            }  # fmt: skip

    # ---- the healthy panel --------------------------------------------------------------------------

    def _order_answer(self, order: Order) -> dict[str, Any]:
        order.checks += 1
        if order.canceled:
            status, remains = "Canceled", order.quantity
        elif order.checks == 1:
            status, remains = "In progress", order.quantity // 2
        else:
            status, remains = "Completed", 0
        return {"charge": "0.10000", "start_count": "100", "status": status, "remains": str(remains),
                "currency": "USD"}  # fmt: skip

    def _healthy(self, action: str, params: dict[str, str]) -> tuple[Any, Order | None]:
        """The standard answer, and the order it is about (for per-order number overrides)."""
        if self.key is not None and params.get("key") != self.key:
            return {"error": "Invalid API key"}, None
        if action == "add":
            with self.lock:
                self.next_id += 1
                order = Order(self.next_id, params.get("service", ""), params.get("link", ""),
                              int(params["quantity"]) if params.get("quantity", "").isdigit() else 1)  # fmt: skip
                self.orders[order.id] = order
            return {"order": order.id}, order
        ids = [int(i) for i in (params.get("orders") or params.get("order") or "").split(",") if i.isdigit()]
        if action == "status":
            found = {i: self.orders.get(i) for i in ids[:100]}
            if "order" in params and "orders" not in params:
                one = found.get(ids[0]) if ids else None
                return (self._order_answer(one), one) if one else ({"error": "Incorrect order ID"}, None)
            return {str(i): self._order_answer(o) if o else {"error": "Incorrect order ID"}
                    for i, o in found.items()}, None  # fmt: skip
        if action == "cancel":
            for i in ids:
                if i in self.orders:
                    self.orders[i].canceled = True
            return [{"order": i, "cancel": 1 if i in self.orders else {"error": "Incorrect order ID"}}
                    for i in ids], None  # fmt: skip
        if action == "refill":
            return [{"order": i, "refill": i + 1} for i in ids] if "orders" in params else {"refill": 1}, None
        if action == "balance":
            return {"balance": "1000.00000", "currency": "USD"}, None
        if action == "services":
            return [{"service": 1, "name": "Hostile followers", "type": "Default", "category": "Test",
                     "rate": "0.50", "min": "10", "max": "100000", "refill": False, "cancel": True,
                     "dripfeed": False}], None  # fmt: skip
        return {"error": "Incorrect request"}, None

    # ---- serving ------------------------------------------------------------------------------------

    def _serve(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(min(length, 1 << 20))
        params = dict(parse_qsl(request.path.partition("?")[2]) + parse_qsl(body.decode("utf-8", "replace")))
        action = params.get("action", "")
        behaviour = self._behaviour(action)
        with self.lock:
            self.requests[f"{action} {behaviour}"] += 1
            if action == "add":
                self.adds[params.get("link", "")] += 1
        answer, order = self._healthy(action, params)
        kind = behaviour.kind
        if kind == "garbage":
            payload, content_type = GARBAGE[behaviour.arg]
            return self._write(request, 200, payload, content_type)
        if kind == "refuse":
            return self._write(request, 200, orjson.dumps({"error": behaviour.arg}))
        if kind == "server_error":
            return self._write(request, behaviour.arg, orjson.dumps({"error": "Internal error"}))
        if kind in ("numbers", "huge"):
            answer = _override(answer, behaviour.fields, order, self.orders)
        elif kind == "long_currency":
            answer = _override(answer, {"currency": "X" * behaviour.arg}, order, self.orders)
        try:
            payload = orjson.dumps(answer)
        except orjson.JSONEncodeError:  # an integer beyond 64 bits: the standard library writes it
            payload = json.dumps(answer, separators=(",", ":")).encode()
        if kind == "slow" and self.stopping.wait(behaviour.arg):
            request.close_connection = True
            return
        if kind == "reset":
            return self._reset(request, payload)
        if kind == "dribble":
            return self._dribble(request, payload, behaviour.arg)
        self._write(request, 200, payload)

    def _headers(self, request: BaseHTTPRequestHandler, status: int, length: int, content_type: str) -> None:
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        request.send_header("Content-Length", str(length))
        request.end_headers()

    def _write(
        self, request: BaseHTTPRequestHandler, status: int, payload: bytes, content_type: str = "application/json"
    ) -> None:
        try:
            self._headers(request, status, len(payload), content_type)
            request.wfile.write(payload)
        except OSError:
            request.close_connection = True

    def _dribble(self, request: BaseHTTPRequestHandler, payload: bytes, interval: float) -> None:
        try:
            self._headers(request, 200, len(payload), "application/json")
            request.wfile.flush()
            for index in range(len(payload)):
                request.wfile.write(payload[index : index + 1])
                request.wfile.flush()
                if self.stopping.wait(interval):
                    break
        except OSError:
            pass
        request.close_connection = True

    def _reset(self, request: BaseHTTPRequestHandler, payload: bytes) -> None:
        try:
            self._headers(request, 200, len(payload) + 100, "application/json")
            request.wfile.write(payload[: len(payload) // 2])
            request.wfile.flush()
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN
            request.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        request.close_connection = True

    # ---- lifecycle ----------------------------------------------------------------------------------

    def stop(self) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def _override(answer: Any, fields: dict[str, Any], order: Order | None, orders: dict[int, Order]) -> Any:
    """The answer with `fields` replaced wherever they occur (top level, per-order entries, list items)."""

    def apply(item: Any, subject: Order | None) -> Any:
        if not isinstance(item, dict):
            return item
        out = dict(item)
        for name, given in fields.items():
            if name in out and not callable(given):
                out[name] = given
            elif name in out and subject is not None:
                out[name] = given(subject)  # a function of the order: needs to know which
        return out

    if isinstance(answer, list):
        return [apply(item, orders.get(item.get("order", 0))) for item in answer]
    if isinstance(answer, dict) and answer and all(k.isdigit() for k in answer):
        return {k: apply(v, orders.get(int(k))) for k, v in answer.items()}
    return apply(answer, order)


def main() -> None:
    parser = argparse.ArgumentParser(description="A hostile API v2 panel on 127.0.0.1 (tests and benches).")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default=None, help="the only key accepted (default: any)")
    parser.add_argument(
        "--script", action="append", default=[],
        help='ACTION=BEHAVIOUR,BEHAVIOUR… in turn ("*" for every other action), e.g. "status=huge,reset,ok"',
    )  # fmt: skip
    args = parser.parse_args()
    upstream = HostileUpstream(args.key, args.port)
    for spec in args.script:
        action, _, steps = spec.partition("=")
        upstream.script(None if action in ("*", "") else action, *steps.split(","))
    print(upstream.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        upstream.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
