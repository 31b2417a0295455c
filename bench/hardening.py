"""What the hardening (issue 7) costs an API v2 call, end to end: the same panel served twice on the same
database — *guarded* (rate limits by address and key, never tripping; Prometheus metrics on; the connection
guard's head/body deadlines) and *bare* (no limits, no metrics, uvicorn's plain httptools protocol) — and
driven by wrk in ABBA rounds so that a busy machine weighs on both alike.

The figure that counts is the servers' own CPU per answered request (from /proc, over each wrk run): it does
not move when other processes take turns on the cores, unlike requests per second.

    .venv/bin/python bench/hardening.py                      # SQLite bench database (bench/run.py loads it)
    .venv/bin/python bench/hardening.py --rounds 6 --only status balance
    .venv/bin/python bench/hardening.py --database postgresql --keep
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402  (bench/run.py: database, wrk and process helpers)

NEVER_TRIPPING = {
    "SMMPANEL_RATE_LIMIT_KEY_RPS": "1000000000", "SMMPANEL_RATE_LIMIT_KEY_BURST": "1000000000",
    "SMMPANEL_RATE_LIMIT_ADDRESS_RPS": "1000000000", "SMMPANEL_RATE_LIMIT_ADDRESS_BURST": "1000000000",
}  # fmt: skip
FEATURES = frozenset({"guard", "limits", "metrics"})
DEFAULTS = frozenset({"guard", "limits"})  # what `smmpanel serve` runs with unless told otherwise
SCRIPTS = {"status": "status.lua", "balance": "balance.lua", "status100": "status100.lua"}


def serve(url: str, port: int, features: set[str]) -> None:
    """Run the panel in this process with these of FEATURES on, otherwise exactly as `smmpanel serve`."""
    import uvicorn

    from smmpanel.config import get_settings
    from smmpanel.server import app_for, uvicorn_options

    os.environ |= {"SMMPANEL_DATABASE_URL": url, "SMMPANEL_RUN_WORKER": "false", "SMMPANEL_LOG_LEVEL": "warning"}
    off = {"SMMPANEL_RATE_LIMIT_KEY_RPS": "0", "SMMPANEL_RATE_LIMIT_ADDRESS_RPS": "0"}
    os.environ |= NEVER_TRIPPING if "limits" in features else off
    os.environ["SMMPANEL_METRICS_ENABLED"] = "true" if "metrics" in features else "false"
    settings = get_settings()
    options = uvicorn_options(settings)
    if "guard" not in features:
        options["http"] = "httptools"
    uvicorn.run(app_for(settings), host="127.0.0.1", port=port, **options)


def start(url: str, port: int, features: frozenset[str]) -> subprocess.Popen[bytes]:
    cmd = [run.PYTHON, __file__, "--serve", ",".join(sorted(features)) or "-", "--url", url, "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=run.ROOT)
    run.wait_http(f"http://127.0.0.1:{port}/health", proc)
    return proc


# --- in process: the same servers without sockets, wrk or a second process competing for the cores ---------


class _Transport(asyncio.Transport):
    """What uvicorn's protocol needs of a socket transport; keeps the last write (the answer's body)."""

    def __init__(self) -> None:
        super().__init__()
        self.last = b""
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("198.18.0.1", 40000), "sockname": ("127.0.0.1", 8000)}.get(name, default)

    def write(self, data: Any) -> None:
        self.last = bytes(data)

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _requests(data: Path, name: str, count: int) -> list[bytes]:
    """The wrk scripts' requests, as raw HTTP/1.1 (one customer after another, their own orders)."""
    rows = [line.split() for line in data.read_text().splitlines() if line.strip()]
    out = []
    for i in range(count):
        key, ids = rows[i % len(rows)][0], rows[i % len(rows)][1].split(",")
        body = {"balance": f"key={key}&action=balance", "status": f"key={key}&action=status&order={ids[i % len(ids)]}",
                "status100": f"key={key}&action=status&orders={','.join(ids[:100])}"}[name].encode()
        out.append(b"POST /api/v2 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/x-www-form-urlencoded"
                   b"\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    return out


async def _connection(make: Any, requests: list[bytes], expect: bytes) -> None:
    """One keep-alive connection: each request fed to the protocol, its answer awaited and checked."""
    loop = asyncio.get_running_loop()
    protocol = make()
    transport = _Transport()
    protocol.connection_made(transport)
    for raw in requests:
        protocol.done = loop.create_future()
        protocol.data_received(raw)
        await protocol.done
        if not transport.last.startswith(expect):
            raise SystemExit(f"unexpected answer {transport.last[:200]!r}")
    protocol.connection_lost(None)


async def _batch(make: Any, wire: list[bytes], expect: bytes) -> float:
    """CPU µs per request (this process, all threads) for `wire` over 16 concurrent connections."""
    started = time.process_time()
    await asyncio.gather(*(_connection(make, wire[i::16], expect) for i in range(16)))
    return (time.process_time() - started) / len(wire) * 1e6


async def _in_process(url: str, data: Path, args: argparse.Namespace) -> None:
    from uvicorn.config import Config
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    from uvicorn.server import ServerState

    from smmpanel.config import Settings
    from smmpanel.db.connect import connect
    from smmpanel.server import app_for, uvicorn_options

    db = await connect(url)
    singles = [frozenset({f}) for f in sorted(FEATURES)] if args.each else []
    variants = list(dict.fromkeys([frozenset(), DEFAULTS, FEATURES, *singles]))
    makers = {}
    async with contextlib.AsyncExitStack() as stack:
        for features in variants:
            limits = {"rate_limit_key_rps": 1e9, "rate_limit_key_burst": 10**9, "rate_limit_address_rps": 1e9,
                      "rate_limit_address_burst": 10**9} if "limits" in features else {
                      "rate_limit_key_rps": 0, "rate_limit_address_rps": 0}  # fmt: skip
            settings = Settings(database_url=url, run_worker=False, metrics_enabled="metrics" in features, **limits)
            app = app_for(settings, db)
            await stack.enter_async_context(app.router.lifespan_context(app))
            options = uvicorn_options(settings)
            base = options.pop("http") if "guard" in features else HttpToolsProtocol
            config = Config(app, **{k: v for k, v in options.items() if k != "loop"}, lifespan="off")
            config.load()

            class Measured(base):  # type: ignore[misc, valid-type]
                done: asyncio.Future[None] | None = None

                def on_response_complete(self) -> None:
                    super().on_response_complete()
                    if self.done is not None:
                        self.done.set_result(None)

            state = ServerState()
            makers[features] = (lambda c=config, s=state, m=Measured: m(c, s, {}))
        print(f"\nhardening cost in process — {args.database}; µs = this process's CPU per request (all threads),"
              f" median of {args.rounds * 4} alternating batches of {args.batch}")
        print(f"{'scenario':<10} {'features on':<24} {'µs':>7} {'cost vs bare':>13}")
        for name in args.only:
            wire = _requests(data, name, args.batch)
            expect = b'{"charge":' if name == "status" else (b'{"balance":' if name == "balance" else b"{")

            for features in variants:
                await _batch(makers[features], wire, expect)  # warm-up
            seen: dict[frozenset[str], list[float]] = {v: [] for v in variants}
            for round_ in range(args.rounds * 4):
                for features in variants if round_ % 2 == 0 else reversed(variants):
                    seen[features].append(await _batch(makers[features], wire, expect))
            bare = statistics.median(seen[frozenset()])
            for features in variants:
                label = "+".join(sorted(features)) or "none (bare)"
                label += " (default)" if features == DEFAULTS else ""
                cost = statistics.median(seen[features])
                print(f"{name:<10} {label:<24} {cost:>7.1f} {(cost - bare) / bare * 100:>+12.1f}%", flush=True)
    await db.close()


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        parts = stat.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=4, help="ABBA rounds per scenario and variant")
    parser.add_argument("--duration", type=float, default=5, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="*", default=["status", "balance"], choices=sorted(SCRIPTS))
    parser.add_argument("--each", action="store_true", help="also each feature alone against bare")
    parser.add_argument("--in-process", action="store_true", help="no sockets: uvicorn's protocol fed in process")
    parser.add_argument("--batch", type=int, default=2000, help="--in-process: requests per batch")
    parser.add_argument("--keep", action="store_true", help="PostgreSQL: keep the bench database afterwards")
    parser.add_argument("--pg-database", default="smmpanel_bench")
    args = parser.parse_args()
    if args.serve:
        serve(args.url, args.port, set(args.serve.split(",")) & FEATURES)
        return
    args.skip_load = True  # reuse bench/run.py's database when it is at the schema head
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    url, keys = run.prepare_database(args)
    data, add_services, quantity = run.wrk_data(keys)
    if args.in_process:
        import uvloop  # what `smmpanel serve` runs on

        uvloop.install()
        asyncio.run(_in_process(url, data, args))
        return
    env = {"BENCH_KEYS": str(data), "BENCH_SERVICES": add_services, "BENCH_QUANTITY": quantity}
    variants = [DEFAULTS, FEATURES, *([frozenset({f}) for f in sorted(FEATURES)] if args.each else [])]
    servers: dict[frozenset[str], subprocess.Popen[bytes]] = {}
    ports = {v: run.free_port() for v in [frozenset(), *dict.fromkeys(variants)]}
    try:
        for features, port in ports.items():
            servers[features] = start(url, port, features)
        print(f"\nhardening cost — {args.database}, wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s,"
              f" {args.rounds} ABBA rounds against the bare server; µs = the server's own CPU per request")
        print(f"{'scenario':<10} {'features on':<22} {'req/s':>9} {'bare req/s':>11} {'µs':>7} {'bare µs':>8} {'cost':>7}")
        for name in args.only:
            script = SCRIPTS[name]
            for port in ports.values():  # warm-up: caches, the key cache, SQLite's page cache
                run.run_wrk(script, port, 2, args, env)
            for features in dict.fromkeys(variants):
                seen: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
                for round_ in range(args.rounds):
                    for on in (True, False) if round_ % 2 == 0 else (False, True):
                        proc, port = (servers[features], ports[features]) if on else (servers[frozenset()],
                                                                                      ports[frozenset()])
                        before = cpu_seconds(proc.pid)
                        found = run.run_wrk(script, port, args.duration, args, env)
                        used = cpu_seconds(proc.pid) - before
                        if found["bad"] or found["errors"]:
                            raise SystemExit(f"{name}: bad answers {found['bad']} {found['errors']}")
                        seen[on].append((found["rps"], used / max(1, found["requests"]) * 1e6))
                rps = {k: statistics.median(r for r, _ in v) for k, v in seen.items()}
                cpu = {k: statistics.median(c for _, c in v) for k, v in seen.items()}
                label = "+".join(sorted(features)) + (" (default)" if features == DEFAULTS else "")
                print(f"{name:<10} {label:<22} {rps[True]:>9,.0f} {rps[False]:>11,.0f} {cpu[True]:>7.1f}"
                      f" {cpu[False]:>8.1f} {(cpu[True] - cpu[False]) / cpu[False] * 100:>+6.1f}%", flush=True)
    finally:
        for proc in servers.values():
            run.stop(proc)
        if args.database == "postgresql" and not args.keep:
            run.pg_admin(f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
