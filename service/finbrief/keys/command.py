"""`finbrief keys add|list|revoke`: the API keys of FINBRIEF_AUTH=keys, in the key file."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..settings import Settings
from .store import KeyRecord, KeyStore, key_file

Command = Callable[[argparse.Namespace, Settings], int]


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    path = key_file(settings)
    try:
        key = KeyStore(path).add(args.name, rate_per_min=args.rate_per_min, daily_tokens=args.daily_tokens)
    except ValueError as exc:
        print(f"finbrief keys add: {exc}", file=sys.stderr)
        return 2
    print(key)  # the only time it is shown: only its sha256 is stored
    print(f"added key {args.name!r} to {path}; copy it now, it cannot be shown again", file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    rows = [(r, "file") for r in KeyStore(key_file(settings)).load()]
    rows += [(r, "env") for r in settings.api_keys]
    print(f"{'name':24s} {'status':8s} {'from':5s} {'per min':>8s} {'tokens/day':>12s}  created")
    for record, source in rows:
        print(_row(record, source, settings))
    return 0


def _row(record: KeyRecord, source: str, settings: Settings) -> str:
    rate = record.rate_per_min or settings.key_rate_per_min
    daily = record.daily_tokens or settings.key_daily_tokens
    created = record.created_at.strftime("%Y-%m-%d %H:%M") if record.created_at else "-"
    status = "active" if record.active else "revoked"
    return (
        f"{record.name:24s} {status:8s} {source:5s} {rate or '-':>8} "
        f"{f'{daily:,}' if daily else '-':>12}  {created}"
    )


def cmd_revoke(args: argparse.Namespace, settings: Settings) -> int:
    if KeyStore(key_file(settings)).revoke(args.name):
        print(f"revoked key {args.name!r}", file=sys.stderr)
        return 0
    print(f"finbrief keys revoke: no active key named {args.name!r} in the key file", file=sys.stderr)
    return 2


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def add_parser(sub: Any, wrap: Callable[[Command], Callable[[argparse.Namespace], int]]) -> None:
    keys = sub.add_parser(
        "keys", help="API keys for FINBRIEF_AUTH=keys: add, list, revoke (README 'Keys, quotas and metrics')"
    ).add_subparsers(dest="keys_command", required=True)
    add = keys.add_parser("add", help="make a key for NAME; prints it once")
    add.add_argument("name")
    add.add_argument(
        "--rate-per-min", type=_positive, help="requests a minute (default: FINBRIEF_KEY_RATE_PER_MIN)"
    )
    add.add_argument(
        "--daily-tokens", type=_positive, help="model tokens a UTC day (default: FINBRIEF_KEY_DAILY_TOKENS)"
    )
    add.set_defaults(func=wrap(cmd_add))
    keys.add_parser("list", help="every key: name, status, limits (never the key)").set_defaults(
        func=wrap(cmd_list)
    )
    revoke = keys.add_parser("revoke", help="revoke NAME's key (the service stops accepting it at once)")
    revoke.add_argument("name")
    revoke.set_defaults(func=wrap(cmd_revoke))
