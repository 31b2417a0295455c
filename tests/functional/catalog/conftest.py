"""A second, independent panel to play the upstream provider, on its own database (same backend)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from smmpanel.config import Settings
from tests.conftest import BACKEND_URL, POSTGRES, Panel, _pg_admin, _pg_url


@pytest.fixture
def upstream(template: str, tmp_path: Path) -> Iterator[Panel]:
    if POSTGRES:
        name = f"smmpanel_up_{uuid.uuid4().hex[:12]}"
        with _pg_admin(BACKEND_URL) as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = _pg_url(name)
    else:
        path = tmp_path / "upstream.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
    running = Panel(url, Settings(database_url=url, run_worker=False))
    try:
        yield running
    finally:
        running.stop()
        if POSTGRES:
            with _pg_admin(BACKEND_URL) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
