"""`ccgpt keys create|list|revoke`: API keys for the gateway.

A new key is printed once, on stdout, and only its hash is stored: lose it and you create
another. A running gateway sees new and revoked keys on its next request.
"""

from __future__ import annotations

import argparse
import sys
import time


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="create|list|revoke", required=True)
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


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts)) if ts else "-"


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.common import print_json
    from ccgpt.store.db import open_store
    from ccgpt.store.keys import KeyStore

    store = open_store()
    try:
        ks = KeyStore(store)
        if args.action == "create":
            rec, key = ks.create(args.name, models=args.models, rpm=args.rpm, tpm=args.tpm, admin=args.admin)
            if args.json:
                print_json({**rec.public(), "key": key})
            else:
                print(key)
                if not args.quiet:
                    print(f"ccgpt: key {rec.name!r} created; this is the only time it is shown. "
                          "Clients send it as 'Authorization: Bearer <key>'.", file=sys.stderr)
            return 0
        if args.action == "list":
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
            widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
            for row in rows:
                print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            return 0
        rec = ks.revoke(args.name)
        if args.json:
            print_json(rec.public())
        elif not args.quiet:
            print(f"revoked {rec.name!r}")
        return 0
    finally:
        store.close()
