"""Services in the console: enable/disable, edit, the operator's order (followed by the API's `services`,
whose cached body is rebuilt), bulk price change by percent, import from a real upstream panel with a
markup and sync with its report; support is refused all of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from smmpanel.catalog import services
from smmpanel.config import Settings
from smmpanel.providers import registry
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


def ids_answered(panel: Panel, key: str) -> list[int]:
    return [s["service"] for s in panel.api(key=key, action="services")]


def test_order_toggle_edit_and_reprice_follow_in_the_api(panel: Panel, admin: Staff) -> None:
    key = panel.customer("10")
    a = panel.service(name="A", category="Instagram", rate="1")
    b = panel.service(name="B", category="TikTok", rate="2")
    c = panel.service(name="C", category="Instagram", rate="3")
    assert ids_answered(panel, key) == [a, b, c]  # cached now
    page = admin.get("/admin/services")
    assert page.status_code == 200 and "<h2>Instagram</h2>" in page.text and "<h2>TikTok</h2>" in page.text
    assert admin.post("/admin/services/order", {"what": "categories", "order": "TikTok\nInstagram"}
                      ).status_code == 303
    assert ids_answered(panel, key) == [b, a, c]
    assert admin.post("/admin/services/order", {"what": "services", "category": "Instagram",
                                                "order": f"{c}, {a}"}).status_code == 303
    assert ids_answered(panel, key) == [b, c, a]
    page = admin.get("/admin/services").text
    assert page.index("<h2>TikTok</h2>") < page.index("<h2>Instagram</h2>")
    refused = admin.post("/admin/services/order", {"what": "services", "category": "TikTok", "order": str(a)})
    assert refused.status_code == 400 and f"service {a} is not in category" in refused.text
    assert admin.post("/admin/services/order", {"what": "categories", "order": "Nope"}).status_code == 400
    # disable / enable
    assert admin.post(f"/admin/services/{b}/toggle", {"enabled": "false"}).status_code == 303
    assert ids_answered(panel, key) == [c, a]
    assert admin.post(f"/admin/services/{b}/toggle", {"enabled": "true"}).status_code == 303
    assert ids_answered(panel, key) == [b, c, a]
    # bulk price change: +10 % on A and C, half-up to 5 places
    assert admin.post("/admin/services/reprice", {"service": [str(a), str(c)], "percent": "10"}).status_code == 303
    rates = {s["service"]: s["rate"] for s in panel.api(key=key, action="services")}
    assert rates == {a: "1.10000", b: "2.00000", c: "3.30000"}
    assert admin.post("/admin/services/reprice", {"percent": "10"}).status_code == 400
    assert admin.post("/admin/services/reprice", {"service": str(a), "percent": "-100"}).status_code == 400
    # edit every field of `services add`
    form = admin.get(f"/admin/services/{a}")
    assert form.status_code == 200 and 'name="refill_days"' in form.text
    response = admin.post(f"/admin/services/{a}", {
        "name": "A+", "type": "Default", "category": "Instagram", "rate": "1.5", "min": "20", "max": "500",
        "refill_days": "30", "description": "fast", "cancel": "on", "enabled": "on", "link_guard": "on"})
    assert response.status_code == 303
    edited = [s for s in panel.api(key=key, action="services") if s["service"] == a][0]
    assert edited == {"service": a, "name": "A+", "type": "Default", "category": "Instagram", "rate": "1.50000",
                      "min": "20", "max": "500", "refill": True, "cancel": True, "dripfeed": False, "desc": "fast"}
    bad = admin.post(f"/admin/services/{a}", {"name": "A", "type": "Default", "rate": "1", "min": "9",
                                              "max": "5", "refill_days": "0"})
    assert bad.status_code == 400 and "max must be at least min" in bad.text
    assert admin.get("/admin/services/99999").status_code == 404
    assert panel.sql("SELECT action FROM staff_activity ORDER BY id") == [
        ("category.order",), ("service.order",), ("service.disable",), ("service.enable",), ("service.reprice",),
        ("service.edit",)]


def test_import_with_markup_and_sync_report(panel: Panel, upstream: Panel, admin: Staff) -> None:
    upstream.service(name="Up followers", rate="1.00")
    up_key = upstream.customer("50")
    panel.run(lambda db: registry.add(db, "up", "upstream", url=upstream.url, api_key=up_key))
    admin.get("/admin/services")
    response = admin.post("/admin/services/import", {"provider": "up", "ids": "1", "markup": "50"})
    assert response.status_code == 200
    assert "1 Up followers: added" in response.text
    assert panel.sql("SELECT name, rate, cost FROM services") == [("Up followers", 150_000, 100_000)]
    upstream.execute("UPDATE services SET rate = 120000")
    upstream.run(services.bump_version)
    report = admin.post("/admin/services/sync", {"provider": "up"})
    assert report.status_code == 200
    assert "up: 1 mapped, 1 offered" in report.text and "applied" in report.text
    assert panel.sql("SELECT rate, cost FROM services") == [(180_000, 120_000)]
    assert up_key not in report.text and up_key not in admin.get("/admin/services").text
    assert admin.post("/admin/services/import", {"provider": "nope", "ids": "1"}).status_code == 400


def test_support_is_refused_the_catalogue(panel: Panel, support: Staff) -> None:
    service = panel.service(rate="1")
    support.get("/admin/")
    assert support.get("/admin/services").status_code == 403
    assert support.get(f"/admin/services/{service}").status_code == 403
    for path, data in ((f"/admin/services/{service}/toggle", {"enabled": "false"}),
                       ("/admin/services/reprice", {"service": str(service), "percent": "50"}),
                       ("/admin/services/order", {"what": "categories", "order": "Instagram"}),
                       ("/admin/services/import", {"provider": "x"}), ("/admin/services/sync", {}),
                       (f"/admin/services/{service}", {"name": "x"})):
        assert support.post(path, data).status_code == 403, path
    assert panel.sql("SELECT rate, enabled FROM services") in ([(100_000, True)], [(100_000, 1)])
