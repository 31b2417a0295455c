"""The README's first command: `smmpanel serve --demo` on a fresh SQLite file prints a key and a password that
work at once, over the API and on the website."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.common.cli import ENV


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_demo_runs_with_a_working_key(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in ENV.items() if k != "SMMPANEL_SECRET_KEY"} | {"SMMPANEL_RUN_WORKER": "false"}
    db = tmp_path / "smmpanel.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "smmpanel", "--database-url", f"sqlite:///{db}", "serve", "--demo", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while not any(line.startswith("Demo API key:") for line in lines):
            assert time.monotonic() < deadline and server.poll() is None, "".join(lines)
            lines.append(server.stdout.readline())
        text = "".join(lines)
        key = re.search(r"Demo API key:\s+([0-9a-f]{32})", text)
        assert key is not None, text
        assert re.search(r"Demo password:\s+\S+", text), text
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                answer = httpx.post(f"{base}/api/v2", data={"key": key[1], "action": "balance"})
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert answer.text == '{"balance":"100.00000","currency":"USD"}'
        assert httpx.get(f"{base}/services").status_code == 200
        assert oct(os.stat(db).st_mode & 0o777) == oct(0o600)
        assert (tmp_path / "smmpanel.db.secret").exists()
    finally:
        server.terminate()
        server.wait(timeout=20)
