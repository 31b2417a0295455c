"""`smmpanel client …`: talk to any API v2 panel from a shell, one action per invocation.

The main `smmpanel` CLI forwards its remaining arguments to `run_cli()`; `python -m smmpanel.client`
does the same. Results go to stdout as indented JSON (money as strings, never floats); errors go to
stderr. Exit status: 0 when everything succeeded, 1 when the panel or the network failed (for batches:
when any id failed — the JSON still lists every id), 2 for a usage mistake. The key can come from
`SMMPANEL_CLIENT_KEY` so that it stays out of shell history and `ps`; it is never printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Sequence
from decimal import Decimal

import orjson

from ._core import LIST_FIELDS, FieldValue
from ._errors import ApiError, ClientError, UnknownOutcome
from ._models import Balance, OrderStatus, Service
from ._sync import Client

URL_ENV = "SMMPANEL_CLIENT_URL"
KEY_ENV = "SMMPANEL_CLIENT_KEY"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an id: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not an id: {text!r}")
    return value


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected name=value, got {text!r}")
    return name.strip(), value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="smmpanel client", description="Call an API v2 panel.")
    parser.add_argument("--url", default=None, help=f"the panel's API URL (default: ${URL_ENV})")
    parser.add_argument("--key", default=None, help=f"the API key (default: ${KEY_ENV}, preferred)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument("--retries", type=int, default=2, help="retries of reads (default 2; writes: never)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("balance", help="the account balance")
    commands.add_parser("services", help="the service list")
    for name, what, help_text in (
        ("status", "ORDER", "order status (several ids: one batched call per 100)"),
        ("refill", "ORDER", "request a refill of completed orders"),
        ("refill-status", "REFILL", "status of refill requests"),
        ("cancel", "ORDER", "request cancellation of orders"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("ids", nargs="+", type=_positive, metavar=what)
    add = commands.add_parser("add", help="place an order (sent once, never retried)")
    add.add_argument("--service", type=_positive, required=True)
    add.add_argument("--link")
    add.add_argument("--quantity", type=int)
    add.add_argument("--runs", type=int)
    add.add_argument("--interval", type=int)
    add.add_argument(
        "--field",
        type=_pair,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another order field (comments=…, username=…); repeat a list field for several lines",
    )
    add.add_argument("--extra", type=_pair, action="append", default=[], metavar="NAME=VALUE",
                     help="a panel-specific field, sent as is")  # fmt: skip
    return parser


def _plain(value: object) -> object:
    """JSON-ready form: models as objects without `raw`, money as exact strings, errors as objects."""
    if isinstance(value, (Service, OrderStatus, Balance)):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "raw"}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, ApiError):
        return {"error": value.text}
    if isinstance(value, ClientError):
        return {"error": value.message, "outcome_unknown": isinstance(value, UnknownOutcome)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _add_fields(args: argparse.Namespace) -> dict[str, FieldValue]:
    fields: dict[str, FieldValue] = {}
    for name in ("link", "quantity", "runs", "interval"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    lines: dict[str, list[str]] = {}
    for name, value in args.field:
        if name in LIST_FIELDS:
            lines.setdefault(name, []).append(value)
        elif name in fields:
            raise ValueError(f"--field {name} given twice")
        else:
            fields[name] = value
    fields.update(lines)
    return fields


def _call(panel: Client, args: argparse.Namespace) -> object:
    command: str = args.command
    ids: list[int] = getattr(args, "ids", [])
    if command == "balance":
        return panel.balance()
    if command == "services":
        return panel.services()
    if command == "add":
        return {"order": panel.add(args.service, extra=dict(args.extra) or None, **_add_fields(args))}
    if command == "cancel":
        return panel.cancel(ids)
    if command == "status":
        return panel.status(ids[0]) if len(ids) == 1 else panel.statuses(ids)
    if command == "refill":
        return {"order": ids[0], "refill": panel.refill(ids[0])} if len(ids) == 1 else panel.refills(ids)
    return {"status": panel.refill_status(ids[0])} if len(ids) == 1 else panel.refill_statuses(ids)


def run_cli(argv: Sequence[str] | None = None) -> int:
    """Run one `smmpanel client` command; returns the exit status instead of exiting."""
    parser = _parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, or a usage error argparse has already printed
        return exc.code if isinstance(exc.code, int) else 2
    url = args.url or os.environ.get(URL_ENV, "")
    key = args.key or os.environ.get(KEY_ENV, "")
    if not url or not key:
        parser.print_usage(sys.stderr)
        print(f"error: give --url and --key, or set {URL_ENV} and {KEY_ENV}", file=sys.stderr)
        return 2
    try:
        with Client(url, key, timeout=args.timeout, retries=args.retries) as panel:
            result = _call(panel, args)
    except (ValueError, TypeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ClientError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if args.command == "add" and exc.sent and not isinstance(exc, ApiError):
            print("error: the order may have been placed: check before sending it again", file=sys.stderr)
        return 1
    sys.stdout.write(orjson.dumps(_plain(result), option=orjson.OPT_INDENT_2).decode() + "\n")
    failed = isinstance(result, dict) and any(isinstance(v, ClientError) for v in result.values())
    return 1 if failed else 0
