"""Provider API keys at rest: sealed with SMMPANEL_SECRET_KEY, opened only to call the provider, rotated to a
new key in one step, and refused to anyone who starts the engine without the key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from smmpanel import vault
from tests.common.cli import ENV, cli, last_line
from tests.conftest import Panel
from tests.functional.fulfilment.conftest import Upstream, add_provider, order_row

SECRET = "upstream-secret-key-123456"


def _stored(panel: Panel, provider: int) -> str:
    return str(panel.sql("SELECT api_key FROM providers WHERE id = $1", provider)[0][0])


def test_keys_are_sealed_in_the_database_and_opened_for_the_call(panel: Panel, upstream: Upstream) -> None:
    provider = int(last_line(cli(panel.db_url, "providers", "add", "up", "--url", upstream.url, "--key", SECRET)))
    stored = _stored(panel, provider)
    assert stored.startswith(vault.PREFIX) and SECRET not in stored
    service = panel.service(provider_id=provider, provider_service="7")
    key = panel.customer("10")
    order = panel.api(key=key, action="add", service=service, link="https://ig.example/s", quantity=100)["order"]
    cli(panel.db_url, "worker", "--once")
    assert order_row(panel, order)["dispatch"] == "sent"
    listed = cli(panel.db_url, "providers", "list", "--json").stdout
    assert SECRET not in listed and SECRET[:4] + "…" in listed


def test_rotation_reseals_every_key_or_none(panel: Panel, upstream: Upstream) -> None:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key=SECRET)
    old = os.environ["SMMPANEL_SECRET_KEY"]
    new_env = ENV | {"SMMPANEL_SECRET_KEY": "the-next-key"}
    wrong = cli(panel.db_url, "secrets", "rotate", "--old-key", "not-the-key", env=new_env, code=1)
    assert "cannot be opened" in wrong.stderr
    assert vault.Cipher(old).decrypt(_stored(panel, provider)) == SECRET
    done = cli(panel.db_url, "secrets", "rotate", "--old-key", old, env=new_env)
    assert "re-sealed 1 provider key(s)" in done.stdout
    assert vault.Cipher("the-next-key").decrypt(_stored(panel, provider)) == SECRET


def test_a_key_stored_in_clear_is_sealed_at_start(panel: Panel, upstream: Upstream) -> None:
    provider = add_provider(panel, "upstream", url=upstream.url, api_key=SECRET)
    panel.execute("UPDATE providers SET api_key = $1 WHERE id = $2", SECRET, provider)  # from before encryption
    cli(panel.db_url, "worker", "--once")
    assert vault.Cipher(os.environ["SMMPANEL_SECRET_KEY"]).decrypt(_stored(panel, provider)) == SECRET


def test_the_engine_refuses_to_start_without_the_key(panel: Panel) -> None:
    env = {k: v for k, v in ENV.items() if k != "SMMPANEL_SECRET_KEY"}
    for command in (["worker", "--once"], ["serve", "--port", "1"]):
        refused = cli(panel.db_url, *command, env=env, code=1)
        assert "SMMPANEL_SECRET_KEY is not set" in refused.stderr


def test_an_http_or_private_url_is_accepted_with_warnings(panel: Panel) -> None:
    added = cli(panel.db_url, "providers", "add", "lan", "--url", "http://10.1.2.3/api/v2", "--key", SECRET)
    assert "warning: the URL is plain http" in added.stderr
    assert "warning: the URL points at this machine or a private network (10.1.2.3)" in added.stderr
    quiet = cli(panel.db_url, "providers", "add", "net", "--url", "https://panel.example/api/v2", "--key", SECRET)
    assert "warning" not in quiet.stderr


def test_the_secret_file_of_the_demo_is_private(tmp_path: Path) -> None:
    from smmpanel.server import use_demo_secret

    saved = os.environ["SMMPANEL_SECRET_KEY"]
    try:
        key = use_demo_secret(f"sqlite:///{tmp_path / 'demo.db'}")
        path = tmp_path / "demo.db.secret"
        assert path.read_text() == key and stat.S_IMODE(path.stat().st_mode) == 0o600
        assert use_demo_secret(f"sqlite:///{tmp_path / 'demo.db'}") == key  # the same key at every start
    finally:
        os.environ["SMMPANEL_SECRET_KEY"] = saved
        from smmpanel.config import get_settings

        get_settings.cache_clear()
