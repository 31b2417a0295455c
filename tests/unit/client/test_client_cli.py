"""`smmpanel client …` (run_cli) against the scripted panel: JSON on stdout, errors on stderr."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from smmpanel.client._cli import run_cli


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any, str]:
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, (orjson.loads(out) if out else None), err


def test_balance(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.reply({"balance": "100.84292", "currency": "USD"})
    code, out, err = _run(capsys, "--url", panel.url, "--key", key, "balance")
    assert (code, out, err) == (0, {"balance": "100.84292", "currency": "USD"}, "")
    assert panel.requests[0].form == {"key": key, "action": "balance"}


def test_environment_defaults(
    panel: Any, key: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMMPANEL_CLIENT_URL", panel.url)
    monkeypatch.setenv("SMMPANEL_CLIENT_KEY", key)
    panel.reply([{"service": 1, "name": "A", "type": "Default", "category": "C", "rate": "0.90", "min": "5",
                  "max": "10"}])  # fmt: skip
    code, out, _ = _run(capsys, "services")
    assert code == 0
    assert out == [{"service": 1, "name": "A", "type": "Default", "category": "C", "rate": "0.90", "min": 5,
                    "max": 10, "refill": False, "cancel": False, "dripfeed": False, "desc": ""}]  # fmt: skip


def test_missing_url_or_key(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SMMPANEL_CLIENT_URL", raising=False)
    monkeypatch.delenv("SMMPANEL_CLIENT_KEY", raising=False)
    code, out, err = _run(capsys, "balance")
    assert (code, out) == (2, None)
    assert "SMMPANEL_CLIENT_URL" in err


def test_add_with_fields(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.reply({"order": 23502})
    code, out, _ = _run(
        capsys, "--url", panel.url, "--key", key, "add", "--service", "2", "--link", "https://x/p",
        "--field", "comments=good pic", "--field", "comments=great photo", "--extra", "note=1",
    )  # fmt: skip
    assert (code, out) == (0, {"order": 23502})
    assert panel.requests[0].pairs[2:] == [
        ("service", "2"), ("link", "https://x/p"), ("comments", "good pic\ngreat photo"), ("note", "1"),
    ]  # fmt: skip


def test_add_unknown_outcome(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.reply(b"<html>502</html>", status=502)
    code, out, err = _run(capsys, "--url", panel.url, "--key", key, "add", "--service", "1", "--link", "L",
                          "--quantity", "100")  # fmt: skip
    assert (code, out) == (1, None)
    assert "outcome unknown" in err and "may have been placed" in err
    assert panel.count == 1


def test_api_error(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.reply({"error": "Incorrect order ID"})
    code, out, err = _run(capsys, "--url", panel.url, "--key", key, "status", "99")
    assert (code, out, err) == (1, None, "error: Incorrect order ID\n")


def test_status_one_and_many(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.script(
        {
            "body": {
                "charge": "0.9",
                "start_count": "0",
                "status": "Pending",
                "remains": "100",
                "currency": "USD",
            }
        },
        {"body": {"1": {"status": "Completed"}, "2": {"error": "Incorrect order ID"}}},
    )
    code, out, _ = _run(capsys, "--url", panel.url, "--key", key, "status", "1")
    assert code == 0
    assert out == {"status": "Pending", "charge": "0.9", "start_count": 0, "remains": 100, "currency": "USD",
                   "runs": None, "orders": None, "posts": None, "expiry": None}  # fmt: skip
    code, out, _ = _run(capsys, "--url", panel.url, "--key", key, "status", "1", "2")
    assert code == 1  # one id failed; every id is still reported
    assert out["1"]["status"] == "Completed"
    assert out["2"] == {"error": "Incorrect order ID"}


def test_refill_refill_status_cancel(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    panel.script(
        {"body": {"refill": "5"}},
        {"body": {"status": "Completed"}},
        {"body": [{"order": 3, "cancel": 1}]},
    )
    base = ("--url", panel.url, "--key", key)
    assert _run(capsys, *base, "refill", "3")[:2] == (0, {"order": 3, "refill": 5})
    assert _run(capsys, *base, "refill-status", "5")[:2] == (0, {"status": "Completed"})
    assert _run(capsys, *base, "cancel", "3")[:2] == (0, {"3": True})


def test_usage_errors(panel: Any, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--url", panel.url, "--key", key, "status", "abc"]) == 2
    assert run_cli(["--url", panel.url, "--key", key, "add", "--service", "1", "--field", "quantiy=5"]) == 2
    assert run_cli(["--url", panel.url, "--key", key]) == 2
    assert run_cli(["--help"]) == 0
    assert panel.count == 0
    assert key not in capsys.readouterr().err


def test_connection_refused(closed_url: str, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--url", closed_url, "--key", key, "--retries", "0", "balance")
    assert (code, out) == (1, None)
    assert "nothing was sent" in err and key not in err
