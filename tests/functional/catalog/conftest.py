"""A second, independent panel to play the upstream provider, on its own database (same backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smmpanel.config import Settings
from tests.common.databases import clone
from tests.conftest import Panel


@pytest.fixture
def upstream(template: str, tmp_path: Path) -> Iterator[Panel]:
    with clone(template, tmp_path, "up") as url:
        running = Panel(url, Settings(database_url=url, run_worker=False))
        try:
            yield running
        finally:
            running.stop()
