"""Browser tests: Playwright for Python driving Debian's Chromium (`apt-get install chromium`; Playwright's own
browser download does not work here). Skipped, with the reason, when /usr/bin/chromium is absent — except
under `.ci/run`, which installs it and sets SMMPANEL_REQUIRE_BROWSER=1 so a missing browser fails.

Screenshots of every page, desktop (1280 wide) and phone (390 wide), go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from smmpanel.config import Settings
from tests.conftest import Panel

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")  # not longer: Playwright's loop must be gone before other tests start panels
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("SMMPANEL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium); CI runs these tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


def _in_thread(work: Any) -> Any:
    """Playwright's sync API keeps an event loop running on the main thread; the panel's own loop is started
    and stopped from a helper thread instead."""
    box: list[Any] = []
    thread = threading.Thread(target=lambda: box.append(work()))
    thread.start()
    thread.join()
    return box[0] if box else None


@pytest.fixture
def panel(db_url: str, settings: Settings) -> Iterator[Panel]:
    running: Panel = _in_thread(lambda: Panel(db_url, settings))
    try:
        yield running
        assert running.audit() == [], "the books must balance after every test"
    finally:
        _in_thread(running.stop)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    one = context.new_page()
    one.set_default_timeout(15_000)
    yield one
    context.close()


def shoot(page: Any, name: str) -> None:
    """Screenshots of the current page at desktop and phone widths."""
    ARTIFACTS.mkdir(exist_ok=True)
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    for width, label in ((1280, "desktop"), (390, "phone")):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.screenshot(path=str(ARTIFACTS / f"{slug}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
