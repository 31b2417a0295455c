"""The ceiling: a bare Starlette endpoint doing the least an API v2 server must do (read the form body,
`parse_qsl` it, answer a small JSON), served with the same uvicorn settings as `smmpanel serve`.

    python bench/ceiling.py --port 8100
"""

from __future__ import annotations

import argparse
from urllib.parse import parse_qsl

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


async def api_v2(request: Request) -> Response:
    params = dict(parse_qsl((await request.body()).decode(), keep_blank_values=True))
    answer = (
        {"balance": "100.84000", "currency": "USD"} if params.get("key") else {"error": "Invalid API key"}
    )
    return Response(orjson.dumps(answer), media_type="application/json")


app = Starlette(routes=[Route("/api/v2", api_v2, methods=["GET", "POST"])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        server_header=False,
    )


if __name__ == "__main__":
    main()
