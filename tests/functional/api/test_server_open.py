"""The server in the open (issue 7, rows 5, 9, 11, 12): slow and half-open clients are cut off, a client that
leaves mid-body is not an internal error, HEAD never changes anything, SQLite files are private, and
`serve --workers` is refused on SQLite. Real sockets against a real uvicorn with the production options.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from smmpanel.config import Settings
from smmpanel.db.connect import connect
from smmpanel.db.migrate import upgrade
from smmpanel.server import uvicorn_options
from tests.common.databases import POSTGRES
from tests.conftest import Panel

TIMEOUT = 1.0


@pytest.fixture
def guarded(db_url: str) -> Iterator[Panel]:
    """A panel served with `serve`'s own uvicorn options: 1 s head/body/keep-alive deadlines, 20 connections."""
    settings = Settings(
        database_url=db_url, run_worker=False, header_timeout=TIMEOUT, body_timeout=TIMEOUT,
        keepalive_timeout=TIMEOUT, max_connections=200, rate_limit_address_rps=0,
    )
    running = Panel(db_url, settings, uvicorn_options(settings) | {"log_level": "warning"})
    try:
        yield running
        assert running.audit() == []
    finally:
        running.stop()


def _open(panel: Panel, first: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", panel.port))
    if first:
        sock.sendall(first)
    return sock


def _closed_within(socks: list[socket.socket], seconds: float) -> list[socket.socket]:
    """The sockets the server has NOT closed (EOF or reset) after `seconds`."""
    deadline = time.monotonic() + seconds
    pending = list(socks)
    while pending and time.monotonic() < deadline:
        ready, _, _ = select.select(pending, [], [], max(0.0, deadline - time.monotonic()))
        for sock in ready:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                data = b""
            if not data:
                pending.remove(sock)
    return pending


def test_half_open_connections_are_closed_within_the_timeouts(guarded: Panel) -> None:
    """Row 5: 150 connections — silent, half a head, a head and half a body — all closed in time."""
    key = guarded.customer("10")
    socks = []
    for i in range(150):
        kind = i % 3
        if kind == 0:
            socks.append(_open(guarded, b""))
        elif kind == 1:
            socks.append(_open(guarded, b"POST /api/v2 HTTP/1.1\r\nHost: x\r\nContent-Le"))
        else:
            head = b"POST /api/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            socks.append(_open(guarded, head + b"Content-Length: 100\r\n\r\nkey=" + key.encode()[:5]))
    try:
        started = time.monotonic()
        still_open = _closed_within(socks, TIMEOUT + 2.5)
        assert still_open == []
        assert time.monotonic() - started < TIMEOUT + 2.5
        # the server still answers
        assert guarded.api(key=key, action="balance") == {"balance": "10.00000", "currency": "USD"}
    finally:
        for sock in socks:
            sock.close()


def _dribbled_until_closed(sock: socket.socket, data: bytes) -> float:
    """Send `data` a byte at a time, watching for the server to close; the seconds it took (asserts it closed)."""
    started = time.monotonic()
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            break
        if _closed_within([sock], 0.2) == []:
            break
    else:
        raise AssertionError("the server never closed the connection")
    return time.monotonic() - started


def _answered_balance(panel: Panel) -> socket.socket:
    """A kept-alive connection that has had one `balance` request answered (asserted)."""
    key = panel.customer("10")
    body = f"key={key}&action=balance".encode()
    sock = _open(panel, b"POST /api/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                 b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    answer = b""
    while not answer.endswith(b"}"):
        answer += sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert answer.endswith(b'{"balance":"10.00000","currency":"USD"}')
    return sock


_SLOW_HEAD = b"ET /api/v2?action=balance HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 40


def test_a_head_sent_a_byte_at_a_time_is_cut_off(guarded: Panel) -> None:
    """Slowloris: every byte resets uvicorn's keep-alive timer, not the head deadline."""
    sock = _open(guarded, b"G")
    try:
        assert _dribbled_until_closed(sock, _SLOW_HEAD) < TIMEOUT + 1.5
    finally:
        sock.close()


def test_an_idle_keep_alive_connection_is_closed(guarded: Panel) -> None:
    sock = _answered_balance(guarded)
    try:
        assert _closed_within([sock], TIMEOUT + 2) == []
    finally:
        sock.close()


def test_a_second_head_dribbled_on_a_kept_alive_connection_is_cut_off(guarded: Panel) -> None:
    """The head deadline also runs for the next request of a keep-alive connection, from its first byte."""
    sock = _answered_balance(guarded)
    try:
        assert _dribbled_until_closed(sock, b"G" + _SLOW_HEAD) < TIMEOUT + 1.5
    finally:
        sock.close()


def test_a_huge_request_head_is_refused(guarded: Panel) -> None:
    sock = _open(guarded, b"GET /api/v2 HTTP/1.1\r\nHost: x\r\n")
    sock.settimeout(5)
    try:
        for _ in range(20):
            sock.sendall(b"X-Filler: " + b"a" * 8000 + b"\r\n")
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 431 ")
    except (ConnectionResetError, BrokenPipeError):
        pass  # closed while we were still sending: refused all the same
    finally:
        sock.close()


def test_connections_over_the_limit_are_answered_503(db_url: str) -> None:
    settings = Settings(database_url=db_url, run_worker=False, max_connections=5, rate_limit_address_rps=0)
    panel = Panel(db_url, settings, uvicorn_options(settings) | {"log_level": "error"})
    idle = [_open(panel, b"") for _ in range(5)]
    try:
        time.sleep(0.2)
        assert panel.http.get(f"{panel.base}/healthz").status_code == 503
        for sock in idle:
            sock.close()
        time.sleep(0.2)
        panel.http.close()
        import httpx

        panel.http = httpx.Client(timeout=30)
        assert panel.http.get(f"{panel.base}/healthz").status_code == 200
    finally:
        for sock in idle:
            sock.close()
        panel.stop()


def test_a_client_leaving_mid_body_is_not_an_internal_error(panel: Panel, caplog: pytest.LogCaptureFixture) -> None:
    """Row 9: no ERROR, no traceback in the log for a client that disconnects mid-body."""
    key = panel.customer("10")
    caplog.set_level(logging.DEBUG, logger="smmpanel")
    for content_type, start in (
        (b"application/x-www-form-urlencoded", b"key=abc&action="),
        (b"multipart/form-data; boundary=xyz", b'--xyz\r\nContent-Disposition: form-data; name="key"\r\n\r\nab'),
    ):
        sock = _open(panel, b"POST /api/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: " + content_type
                     + b"\r\nContent-Length: 1000\r\n\r\n" + start)
        time.sleep(0.1)
        sock.close()
    time.sleep(0.3)
    assert panel.api(key=key, action="balance") == {"balance": "10.00000", "currency": "USD"}
    errors = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert errors == []
    assert not any(r.exc_info for r in caplog.records)


def test_head_never_places_an_order(panel: Panel) -> None:
    """Row 12: HEAD answers read-only actions like GET without a body, and runs nothing else."""
    key = panel.customer("10")
    service = panel.service()
    add = {"key": key, "action": "add", "service": service, "link": "https://x.test/a", "quantity": 100}
    response = panel.http.head(panel.url, params=add)
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(b'{"error":"Incorrect request"}'))
    assert panel.sql("SELECT COUNT(*) FROM orders") == [(0,)]
    assert panel.balance(key) == "10.00000"
    # action-less `order=` means refill (spec §2.1): refused on HEAD too
    assert panel.http.head(panel.url, params={"key": key, "order": 1}).headers["content-length"] == "29"
    # read-only actions: the GET answer's headers, no body
    get = panel.http.get(panel.url, params={"key": key, "action": "balance"})
    head = panel.http.head(panel.url, params={"key": key, "action": "balance"})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    # GET and POST unchanged
    assert panel.http.get(panel.url, params=add).json() == {"order": 1}
    assert panel.balance(key) == "9.91000"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_sqlite_files_are_private(tmp_path: Path) -> None:
    """Row 11: a new database file and its -wal/-shm are 0600 whatever the umask."""
    import asyncio

    old = os.umask(0o022)
    try:
        migrated = tmp_path / "migrated.db"
        upgrade(f"sqlite:///{migrated}")
        assert _mode(migrated) == 0o600

        async def open_and_write() -> None:
            db = await connect(f"sqlite:///{tmp_path / 'fresh.db'}")
            await db.execute("CREATE TABLE t (x INTEGER)")
            await db.execute("INSERT INTO t VALUES (1)")
            for suffix in ("", "-wal", "-shm"):
                assert _mode(tmp_path / f"fresh.db{suffix}") == 0o600
            await db.close()

        asyncio.run(open_and_write())
    finally:
        os.umask(old)


def test_serve_workers_is_refused_on_sqlite(tmp_path: Path) -> None:
    env = os.environ.copy()
    env.pop("SMMPANEL_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "smmpanel", "--database-url", f"sqlite:///{tmp_path / 'p.db'}",
         "serve", "--workers", "2", "--port", "1"],
        capture_output=True, text=True, env=env | {"COLUMNS": "250", "NO_COLOR": "1"}, timeout=60,
    )
    assert done.returncode == 1
    assert "--workers needs PostgreSQL" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "p.db").exists()


@pytest.mark.skipif(not POSTGRES, reason="serve --workers runs on PostgreSQL only")
def test_serve_workers_on_postgresql(db_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ.copy() | {"SMMPANEL_RUN_WORKER": "false", "SMMPANEL_LOG_LEVEL": "warning"}
    env.pop("SMMPANEL_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "smmpanel", "--database-url", db_url, "serve", "--workers", "2", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    import httpx

    try:
        ready = False
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not ready:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                ready = response.status_code == 200 and response.json() == {"status": "ready"}
            except httpx.TransportError:
                time.sleep(0.2)
        assert ready
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) >= 2
    finally:
        server.terminate()
        server.wait(timeout=30)
