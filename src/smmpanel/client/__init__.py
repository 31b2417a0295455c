"""A typed client for any API v2 panel (the PerfectPanel-family protocol), sync and async.

    from smmpanel.client import Client

    with Client("https://panel.example/api/v2", key) as panel:
        order = panel.add(1, link="https://x/p", quantity=100)

The code lives in `_`-prefixed modules; this list is the whole public surface (pinned by a test).
ADD_FIELDS names the fields `add` takes (spec §4); those in LIST_FIELDS may be given as a list of lines.
See docs/client.md for the error hierarchy and what an unknown outcome means for `add`.
"""

from ._async import AsyncClient
from ._core import ADD_FIELDS, LIST_FIELDS
from ._errors import (
    ApiError,
    BadResponse,
    ClientError,
    ConnectionLost,
    ServerError,
    TimeoutAfterSend,
    TransportError,
    UnknownOutcome,
)
from ._models import Balance, OrderStatus, Service
from ._sync import Client

__all__ = [
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

for _name in __all__:  # show the public path in reprs and tracebacks, as httpx does
    if isinstance(globals()[_name], type):
        globals()[_name].__module__ = "smmpanel.client"
