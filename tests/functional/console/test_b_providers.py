"""Providers in the console: add an upstream panel (the key is write-only: never in any page), Test asks its
balance and stores it, the low-balance warning, recent-call figures, edit keeps the key unless a new one is
typed; support is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smmpanel.config import Settings
from smmpanel.providers import calls, registry
from tests.common.databases import clone
from tests.conftest import Panel
from tests.functional.console.conftest import Staff


@pytest.fixture
def upstream(template: str, tmp_path: Path) -> Iterator[Panel]:
    with clone(template, tmp_path, "up") as url:
        running = Panel(url, Settings(database_url=url, run_worker=False))
        try:
            yield running
        finally:
            running.stop()


def _key(panel: Panel) -> str | None:
    """The provider's key as the engine opens it (stored sealed with SMMPANEL_SECRET_KEY)."""
    return registry.key_of({"api_key": panel.sql("SELECT api_key FROM providers")[0][0]})


def test_add_test_edit_and_the_key_never_shows(panel: Panel, upstream: Panel, admin: Staff) -> None:
    calls.forget()
    key = upstream.customer("12.5")
    admin.get("/admin/providers")
    response = admin.post("/admin/providers", {"name": "up", "kind": "upstream", "url": upstream.url,
                                               "api_key": key, "low_balance": "20"})
    assert response.status_code == 303
    assert panel.sql("SELECT name, url, low_balance FROM providers") == [("up", upstream.url, 2_000_000)]
    assert _key(panel) == key and key not in str(panel.sql("SELECT api_key FROM providers"))  # sealed at rest
    page = admin.get("/admin/providers")
    assert key not in page.text and key[:4] + "…" not in page.text
    assert "unknown" in page.text and "never" in page.text
    provider_id = panel.sql("SELECT id FROM providers")[0][0]
    tested = admin.post(f"/admin/providers/{provider_id}/test")
    assert tested.status_code == 200
    assert "up answered: balance 12.50000 USD." in tested.text
    assert key not in tested.text
    row = tested.text.split(f'id="provider-{provider_id}"', 1)[1].split("</tr>", 1)[0]
    assert "12.50000 USD" in row and '<span class="status s-rejected">low</span>' in row
    assert '<td data-label="Calls" class="num">1</td>' in row and "0.0 %" in row
    assert calls.summary(str(provider_id)).calls == 1 and calls.summary(str(provider_id)).errors == 0
    # edit without a key keeps it; a typed key replaces it; the activity never holds a key
    response = admin.post("/admin/providers", {"id": str(provider_id), "name": "up", "url": upstream.url,
                                               "api_key": "", "low_balance": "10", "enabled": "on"})
    assert response.status_code == 303
    assert panel.sql("SELECT low_balance, enabled FROM providers") in ([(1_000_000, True)], [(1_000_000, 1)])
    assert _key(panel) == key
    assert admin.post("/admin/providers", {"id": str(provider_id), "name": "up", "url": "ftp://x",
                                           "enabled": "on"}).status_code == 400
    other = upstream.customer("1")
    assert admin.post("/admin/providers", {"id": str(provider_id), "name": "up", "url": upstream.url,
                                           "api_key": other, "enabled": "on"}).status_code == 303
    assert _key(panel) == other
    row = admin.get("/admin/providers").text.split(f'id="provider-{provider_id}"', 1)[1].split("</tr>", 1)[0]
    assert "12.50000 USD" in row and "s-rejected" not in row  # 12.5 is not below the new threshold of 10
    logged = str(panel.sql("SELECT before, after FROM staff_activity"))
    assert key not in logged and other not in logged
    assert [r[0] for r in panel.sql("SELECT action FROM staff_activity ORDER BY id")] == [
        "provider.add", "provider.edit", "provider.edit"]
    # a provider that does not answer: an error with the key scrubbed, counted
    panel.execute("UPDATE providers SET url = $1", upstream.base + "/nowhere")
    calls.forget()
    broken = admin.post(f"/admin/providers/{provider_id}/test")
    assert broken.status_code == 502 and "up did not answer well" in broken.text and other not in broken.text
    assert calls.summary(str(provider_id)).errors == 1


def test_support_is_refused_providers(panel: Panel, support: Staff) -> None:
    support.get("/admin/")
    assert support.get("/admin/providers").status_code == 403
    assert support.post("/admin/providers", {"name": "x", "kind": "manual"}).status_code == 403
    assert support.post("/admin/providers/1/test").status_code == 403
    assert panel.sql("SELECT COUNT(*) FROM providers") == [(0,)]
