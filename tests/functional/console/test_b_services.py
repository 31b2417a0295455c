"""Services in the console: enable/disable, edit (with the provider mapping and failover, the same as
`services update` with the same flags), Add service (the same as `services add`), the operator's order
(followed by the API's `services`, whose cached body is rebuilt), bulk price change by percent, import from a
real upstream panel with a markup and sync with its report; support is refused all of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from smmpanel.catalog import services
from smmpanel.config import Settings
from smmpanel.providers import registry
from tests.common.cli import as_json, cli, refused
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
                       (f"/admin/services/{service}", {"name": "x"}),
                       (f"/admin/services/{service}", edit_form(provider="")),
                       ("/admin/services/new", edit_form(name="New"))):
        assert support.post(path, data).status_code == 403, path
    assert support.get("/admin/services/new").status_code == 403
    assert panel.sql("SELECT rate, enabled FROM services") in ([(100_000, True)], [(100_000, 1)])
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]


# --- the provider mapping in the edit form, and Add service: the same domain calls as the CLI's ---------------

MAPPING = ("SELECT type, category, rate, min, max, refill_days, cancel, dripfeed, description, enabled, link_guard,"
           " provider_id, provider_service, provider_dripfeed, failover_provider_id, failover_service, cost, markup,"
           " min_margin, price_locked FROM services WHERE id = $1")


def edit_form(**changed: str) -> dict[str, str]:
    """The edit form as the page shows a `panel.service()` by hand, with `changed` typed over it."""
    shown = {"name": "Followers", "type": "Default", "category": "Instagram", "rate": "0.9", "min": "10",
             "max": "10000", "refill_days": "0", "description": "", "enabled": "on", "link_guard": "on",
             "provider": "", "provider_service": "", "failover_provider": "", "failover_service": ""}
    return {k: v for k, v in (shown | changed).items() if v != "off"}


def listed(panel: Panel, service_id: int) -> dict[str, Any]:
    """`smmpanel services list --json`'s row for the service, without its id and name."""
    rows = as_json(cli(panel.db_url, "services", "list", "--json"))
    return {k: v for k, v in next(r for r in rows if r["id"] == service_id).items() if k not in ("id", "name")}


def activity(panel: Panel, action: str) -> list[tuple[str, Any, Any]]:
    return [(oid, orjson.loads(before) if before else None, orjson.loads(after))
            for oid, before, after in panel.sql("SELECT object_id, before, after FROM staff_activity"
                                                " WHERE action = $1 ORDER BY id", action)]


def test_provider_mapping_failover_unlock_and_detach_are_what_services_update_does(
        panel: Panel, admin: Staff) -> None:
    sim = panel.run(lambda db: registry.add(db, "sim", "simulated"))
    backup = panel.run(lambda db: registry.add(db, "backup", "simulated"))
    ours, theirs = panel.service(), panel.service()  # the console edits ours, the CLI edits theirs
    page = admin.get(f"/admin/services/{ours}")
    assert page.status_code == 200 and "Fulfilment" in page.text and 'name="failover_service"' in page.text
    assert '<option value="" selected>By hand (no provider)</option>' in page.text
    assert '<option value="sim">sim (simulated)</option>' in page.text and "unlock_price" not in page.text

    def both(form: dict[str, str], *flags: str) -> None:
        assert admin.post(f"/admin/services/{ours}", form).status_code == 303
        cli(panel.db_url, "services", "update", str(theirs), *flags)
        assert panel.sql(MAPPING, ours) == panel.sql(MAPPING, theirs)
        assert listed(panel, ours) == listed(panel, theirs)

    mapped = {"provider": "sim", "provider_service": "42", "provider_dripfeed": "on", "failover_provider": "backup",
              "failover_service": "7"}
    both(edit_form(**mapped), "--provider", "sim", "--provider-service", "42", "--provider-dripfeed",
         "--failover-provider", "backup", "--failover-service", "7")
    assert panel.sql("SELECT provider_id, provider_service, provider_dripfeed, failover_provider_id,"
                     " failover_service, price_locked FROM services WHERE id = $1", ours) in (
        [(sim, "42", True, backup, "7", False)], [(sim, "42", 1, backup, "7", 0)])
    page = admin.get(f"/admin/services/{ours}").text
    assert '<option value="sim" selected>' in page and '<option value="backup" selected>' in page
    assert 'value="42"' in page and 'value="7"' in page
    # saving the form untouched changes nothing (an unchanged rate does not lock the price)
    assert admin.post(f"/admin/services/{ours}", edit_form(**mapped)).status_code == 303
    assert not panel.sql("SELECT price_locked FROM services WHERE id = $1", ours)[0][0]
    # a rate set by hand locks the price, as `--rate` does; the form then offers to unlock it
    both(edit_form(**mapped, rate="1.2"), "--rate", "1.2")
    assert panel.sql("SELECT price_locked FROM services WHERE id = $1", ours)[0][0]
    panel.execute("UPDATE services SET cost = 80000, markup = '25', min_margin = 10000")
    page = admin.get(f"/admin/services/{ours}").text
    assert 'name="unlock_price"' in page and "markup 25%, at least 0.10000 over cost" in page
    assert "0.80000" in page and "locked: set by hand" in page
    both(edit_form(**mapped, rate="1.2", unlock_price="on"), "--unlock-price")
    assert not panel.sql("SELECT price_locked FROM services WHERE id = $1", ours)[0][0]
    # failover "None" drops the failover pair only; "By hand" detaches (--no-provider)
    mapped |= {"rate": "1.2", "failover_provider": "", "failover_service": ""}
    assert admin.post(f"/admin/services/{ours}", edit_form(**mapped)).status_code == 303
    assert panel.sql("SELECT provider_id, failover_provider_id, failover_service FROM services WHERE id = $1",
                     ours) == [(sim, None, None)]
    both(edit_form(**(mapped | {"provider": ""})), "--no-provider")
    assert panel.sql("SELECT provider_id, provider_service, failover_provider_id, cost, markup, min_margin"
                     " FROM services WHERE id = $1", ours) == [(None, None, None, None, None, None)]
    # every save is one activity row, before → after of what changed
    rows = activity(panel, "service.edit")
    assert [oid for oid, _, _ in rows] == [str(ours)] * 5
    assert rows[0][1:] == ({"provider_id": None, "provider_service": None, "provider_dripfeed": False,
                            "failover_provider_id": None, "failover_service": None},
                           {"provider_id": sim, "provider_service": "42", "provider_dripfeed": True,
                            "failover_provider_id": backup, "failover_service": "7"})
    assert rows[1][1:] == ({"rate": 90_000, "price_locked": False}, {"rate": 120_000, "price_locked": True})
    assert rows[2][2] == {"price_locked": False}
    assert rows[3][2] == {"failover_provider_id": None, "failover_service": None}
    assert rows[4][2]["provider_id"] is None and rows[4][2]["markup"] is None


def test_bad_fulfilment_is_refused_with_400_and_changes_nothing(panel: Panel, admin: Staff) -> None:
    panel.run(lambda db: registry.add(db, "up", "upstream", url="http://127.0.0.1:9/api/v2", api_key="k"))
    panel.run(lambda db: registry.add(db, "sim", "simulated"))
    service = panel.service()
    panel.run(lambda db: services.update(db, service, provider_id=2, provider_service="5"))
    before = panel.sql(MAPPING, service)
    assert '<option value="sim" selected>' in admin.get(f"/admin/services/{service}").text
    mapped = {"provider": "sim", "provider_service": "5"}
    for form, message in (
        (edit_form(provider="nope"), "no provider named &#39;nope&#39;"),
        (edit_form(provider="up"), "(the upstream service id) is required for an upstream provider"),
        (edit_form(**mapped, failover_service="9"), "a failover service id needs a failover provider"),
        (edit_form(provider="", failover_provider="sim"), "a failover provider needs a provider"),
        (edit_form(**(mapped | {"provider_service": "x" * 65})), "provider service must be 1 to 64 characters"),
        (edit_form(**mapped, failover_provider="nope"), "no provider named &#39;nope&#39;"),
        (edit_form(**mapped, min="50", max="20"), "max must be at least min"),
        (edit_form(**mapped, failover_provider="sim", failover_service="5"), "it would fail over to itself"),
    ):
        answer = admin.post(f"/admin/services/{service}", form)
        assert answer.status_code == 400 and message in answer.text, (form, answer.text)
        assert 'role="alert"' in answer.text and "Fulfilment" in answer.text
    assert 'value="9"' in admin.post(f"/admin/services/{service}", edit_form(**mapped, failover_service="9")).text
    assert panel.sql(MAPPING, service) == before
    assert panel.sql("SELECT COUNT(*) FROM staff_activity") == [(0,)]
    # the CLI is refused by the same rule
    refused(panel.db_url, "services", "update", str(service), "--failover-service", "9",
            message="a failover service id needs a failover provider")
    refused(panel.db_url, "services", "update", str(service), "--failover-provider", "sim", "--failover-service", "5",
            message="the failover is the service's own provider service: it would fail over to itself")


def test_add_service_is_services_add_and_the_api_lists_it(panel: Panel, admin: Staff) -> None:
    key = panel.customer("10")
    sim = panel.run(lambda db: registry.add(db, "sim", "simulated"))
    assert panel.api(key=key, action="services") == []
    page = admin.get("/admin/services")
    assert 'href="/admin/services/new"' in page.text
    form = admin.get("/admin/services/new")
    assert form.status_code == 200 and 'action="/admin/services/new"' in form.text and 'name="provider"' in form.text
    added = {"name": "Reels views", "type": "Default", "category": "Instagram", "rate": "0.25", "min": "100",
             "max": "50000", "refill_days": "30", "description": "fast start", "cancel": "on", "link_guard": "on",
             "provider": "sim", "provider_service": "", "provider_dripfeed": "on"}
    for bad, message in (({"max": "5"}, "max must be at least min"), ({"provider": "nope"}, "no provider named"),
                         ({"rate": "x"}, "rate"), ({"name": " "}, "a service needs a name"),
                         ({"provider": "", "provider_service": "3"}, "a provider service id needs a provider")):
        answer = admin.post("/admin/services/new", added | bad)
        assert answer.status_code == 400 and message in answer.text, (bad, answer.text)
        assert 'value="fast start"' not in answer.text and "fast start" in answer.text  # what was typed, kept
    assert panel.sql("SELECT COUNT(*) FROM services") == [(0,)]
    response = admin.post("/admin/services/new", added)
    assert response.status_code == 303
    [(service,)] = panel.sql("SELECT id FROM services")
    assert response.headers["location"] == f"/admin/services/{service}?done=added"
    assert "Service added." in admin.get(response.headers["location"]).text
    assert panel.api(key=key, action="services") == [
        {"service": service, "name": "Reels views", "type": "Default", "category": "Instagram", "rate": "0.25000",
         "min": "100", "max": "50000", "refill": True, "cancel": True, "dripfeed": False, "desc": "fast start"}]
    same = cli(panel.db_url, "services", "add", "--name", "Reels views", "--type", "Default", "--category",
               "Instagram", "--rate", "0.25", "--min", "100", "--max", "50000", "--refill-days", "30", "--cancel",
               "--desc", "fast start", "--provider", "sim", "--provider-dripfeed")
    twin = int(same.stdout.strip().splitlines()[-1])
    mine, cli_made = panel.sql(MAPPING, service)[0], panel.sql(MAPPING, twin)[0]
    assert mine[:12] + mine[13:] == cli_made[:12] + cli_made[13:]  # all but the provider service id: its own id
    assert (mine[11], mine[12], cli_made[12]) == (sim, str(service), str(twin))
    [(oid, before, after)] = activity(panel, "service.create")
    assert (oid, before) == (str(service), None)
    assert after == {"id": service, "name": "Reels views", "type": "Default", "category": "Instagram",
                     "rate": 25_000, "min": 100, "max": 50000, "refill_days": 30, "description": "fast start",
                     "cancel": True, "dripfeed": False, "link_guard": True, "provider_id": sim,
                     "provider_dripfeed": True}
