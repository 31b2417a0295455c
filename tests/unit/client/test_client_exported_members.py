"""The public surface of smmpanel.client is deliberate: this list changes only on purpose."""

from __future__ import annotations

import smmpanel.client


def test_all_is_pinned() -> None:
    assert smmpanel.client.__all__ == [
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
    for name in smmpanel.client.__all__:
        assert getattr(smmpanel.client, name).__module__ == "smmpanel.client", name


def test_error_hierarchy() -> None:
    c = smmpanel.client
    assert issubclass(c.ApiError, c.ClientError)
    assert issubclass(c.TransportError, c.ClientError) and not issubclass(c.TransportError, c.UnknownOutcome)
    for name in ("TimeoutAfterSend", "ConnectionLost", "ServerError", "BadResponse"):
        assert issubclass(getattr(c, name), c.UnknownOutcome)
    assert (c.TransportError.sent, c.UnknownOutcome.sent, c.ApiError.sent) == (False, True, True)
