"""`ccgpt keys create|list|revoke|usage`: API keys for the gateway, and what they used.

A new key is printed once, on stdout, and only its hash is stored: lose it and you create
another. The store is SQLite by default, PostgreSQL with `[ccgpt.gateway] database_url` (or
`CCGPT_DATABASE_URL`), shared by every replica. A running gateway sees new and revoked keys on
its next request (SQLite) or within a second (PostgreSQL; at once when `redis_url` is set, as the
change is published there).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Sequence
from typing import Any

from ccgpt.errors import UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="create|list|revoke|usage", required=True)
    c = sub.add_parser("create", help="create a key (shown once)")
    c.add_argument("--name", required=True, help="who or what uses the key (shown in metrics and logs)")
    c.add_argument("--models", help="comma-separated models this key may use (default: all)")
    c.add_argument("--rpm", type=int, help="requests per minute (token bucket; default unlimited)")
    c.add_argument("--tpm", type=int, help="tokens per minute, prompt + answer (default unlimited)")
    c.add_argument("--admin", action="store_true", help="may pull, delete, create, copy and push models")
    ls = sub.add_parser("list", help="list keys (never the keys themselves)")
    ls.add_argument("--active", action="store_true", help="hide revoked keys")
    r = sub.add_parser("revoke", help="revoke a key by name")
    r.add_argument("name")
    u = sub.add_parser("usage", help="requests and tokens per key and day (UTC)")
    u.add_argument("name", nargs="?", help="only this key")
    u.add_argument("--since", metavar="DATE|Nd", help="from this day on: YYYY-MM-DD, or e.g. 7d for the last 7 days")


def team_settings(cfg: Any) -> dict[str, Any]:
    """database_url and redis_url: the environment wins over the config file (a URL with a
    password belongs in the environment)."""
    gw = cfg.section("gateway")
    return {"database_url": os.environ.get("CCGPT_DATABASE_URL") or gw.get("database_url") or None,
            "redis_url": os.environ.get("CCGPT_REDIS_URL") or gw.get("redis_url") or None,
            "redis_fail_open": bool(gw.get("redis_fail_open", False))}


def open_keystore(cfg: Any) -> Any:
    """The configured key store: PostgreSQL when database_url is set, else the local SQLite."""
    url = team_settings(cfg)["database_url"]
    if url:
        if not str(url).startswith(("postgresql://", "postgres://")):
            raise UsageError("database_url must be a postgresql:// URL")
        from ccgpt.store.pg_keys import PgKeyStore

        return PgKeyStore(str(url))
    from ccgpt.store.db import open_store
    from ccgpt.store.keys import KeyStore

    return KeyStore(open_store())


def since_day(value: str | None) -> str | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{1,4})d", value)
    if m:
        return time.strftime("%Y-%m-%d", time.gmtime(time.time() - 86400 * (int(m.group(1)) - 1)))
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise UsageError(f"--since: expected YYYY-MM-DD or a number of days like 7d, not {value!r}")


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def _list(ks: Any, args: argparse.Namespace) -> int:
    from ccgpt.cli.common import print_json

    recs = ks.list(include_revoked=not args.active)
    if args.json:
        print_json([r.public() for r in recs])
        return 0
    if not recs:
        print("no keys (create one with `ccgpt keys create --name NAME`)", file=sys.stderr)
        return 0
    rows = [("NAME", "PREFIX", "MODELS", "RPM", "TPM", "ADMIN", "CREATED", "LAST USED", "STATUS")]
    for r in recs:
        rows.append((r.name, r.prefix + "…", ",".join(r.models) if r.models is not None else "*",
                     str(r.rpm or "-"), str(r.tpm or "-"), "yes" if r.admin else "no", _when(r.created),
                     _when(r.last_used), "revoked" if r.revoked else "active"))
    _table(rows)
    return 0


def _usage(ks: Any, args: argparse.Namespace) -> int:
    from ccgpt.cli.common import print_json

    if args.name and ks.get(args.name) is None:
        raise UsageError(f"no key named {args.name!r} (see `ccgpt keys list`)")
    rows = ks.usage(args.name, since_day(args.since))
    if args.json:
        print_json([r.public() for r in rows])
        return 0
    if not rows:
        print("no usage recorded yet (a gateway writes it every few seconds)", file=sys.stderr)
        return 0
    table = [("DAY", "NAME", "REQUESTS", "PROMPT TOKENS", "COMPLETION TOKENS")]
    table += [(r.day, r.name, str(r.requests), str(r.prompt_tokens), str(r.completion_tokens)) for r in rows]
    _table(table)
    return 0


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.common import load_config, print_json

    cfg = load_config(args)
    ks = open_keystore(cfg)
    try:
        if args.action == "list":
            return _list(ks, args)
        if args.action == "usage":
            return _usage(ks, args)
        if args.action == "create":
            rec, key = ks.create(args.name, models=args.models, rpm=args.rpm, tpm=args.tpm, admin=args.admin)
            _published(cfg, f"created {rec.name}")
            if args.json:
                print_json({**rec.public(), "key": key})
            else:
                print(key)
                if not args.quiet:
                    print(f"ccgpt: key {rec.name!r} created; this is the only time it is shown. "
                          "Clients send it as 'Authorization: Bearer <key>'.", file=sys.stderr)
            return 0
        rec = ks.revoke(args.name)
        _published(cfg, f"revoked {rec.name}")
        if args.json:
            print_json(rec.public())
        elif not args.quiet:
            print(f"revoked {rec.name!r}")
        return 0
    finally:
        ks.close()


def _published(cfg: Any, what: str) -> None:
    url = team_settings(cfg)["redis_url"]
    if url:
        from ccgpt.gateway.keywatch import publish_change

        publish_change(str(url), what)
