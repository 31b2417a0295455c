"""The public surface of smmpanel.client is deliberate: this list changes only on purpose."""

from __future__ import annotations

import pytest

import smmpanel.client


def test_all_is_pinned() -> None:
    assert smmpanel.client.__all__ == [
        "ADD_FIELDS",
        "LIST_FIELDS",
        "ApiError",
        "AsyncClient",
        "BadResponse",
        "Balance",
        "Client",
        "ClientError",
        "ConnectionLost",
        "OrderStatus",
        "ServerError",
        "Service",
        "TimeoutAfterSend",
        "TransportError",
        "UnknownOutcome",
    ]


def test_exported_members_live_at_the_public_path() -> None:
    public = {name for name in dir(smmpanel.client) if not name.startswith("_")}
    assert public == set(smmpanel.client.__all__)
    classes = [name for name in smmpanel.client.__all__ if isinstance(getattr(smmpanel.client, name), type)]
    assert len(classes) == len(smmpanel.client.__all__) - 2  # all but the two field-name sets
    for name in classes:
        assert getattr(smmpanel.client, name).__module__ == "smmpanel.client", name


def test_add_field_names() -> None:
    c = smmpanel.client
    assert c.LIST_FIELDS == {"comments", "usernames", "hashtags", "groups", "keywords"}
    assert c.LIST_FIELDS < c.ADD_FIELDS
    assert {"link", "quantity", "runs", "interval", "username", "expiry"} < c.ADD_FIELDS
    with pytest.raises(TypeError, match="unknown field"):
        c.Client("http://127.0.0.1:9/api/v2", "k").add(1, not_a_field="x")  # type: ignore[arg-type]


def test_error_hierarchy() -> None:
    c = smmpanel.client
    assert issubclass(c.ApiError, c.ClientError)
    assert issubclass(c.TransportError, c.ClientError) and not issubclass(c.TransportError, c.UnknownOutcome)
    for name in ("TimeoutAfterSend", "ConnectionLost", "ServerError", "BadResponse"):
        assert issubclass(getattr(c, name), c.UnknownOutcome)
    assert (c.TransportError.sent, c.UnknownOutcome.sent, c.ApiError.sent) == (False, True, True)
