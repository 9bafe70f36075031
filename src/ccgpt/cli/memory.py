"""`ccgpt memory add TEXT | list | search WORDS | forget ID | clear`: facts ccgpt remembers.

Facts are stored in the local store (redacted of secrets first) and added to the prompts of
`ask`, `chat` and `suggest` only when they match what is asked (see assist/memory.py).
"""

from __future__ import annotations

import argparse
import sys
import time

from ccgpt.errors import CcgptError, UsageError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="add|list|search|forget|clear", required=True)
    a = sub.add_parser("add", help="remember a fact (secrets in it are redacted first)")
    a.add_argument("text", nargs="+", help="the fact, in words")
    sub.add_parser("list", help="list every remembered fact")
    s = sub.add_parser("search", help="the facts a prompt with these words would include")
    s.add_argument("words", nargs="+")
    f = sub.add_parser("forget", help="forget one fact by its id")
    f.add_argument("id", type=int)
    c = sub.add_parser("clear", help="forget every fact")
    c.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(ts))


def _print(items, args) -> None:
    from ccgpt.cli.common import print_json
    from ccgpt.term.sanitize import sanitize_line

    if args.json:
        print_json([m.to_json() for m in items])
        return
    if not items:
        print("nothing remembered (add a fact with `ccgpt memory add TEXT`)", file=sys.stderr)
        return
    for m in items:
        print(f"#{m.id:<4} {_when(m.created)}  {sanitize_line(m.text)}")


def _confirm_clear(args, count: int) -> bool:
    from ccgpt.cli.common import interactive

    if args.yes:
        return True
    if not interactive():
        raise CcgptError("no terminal to confirm `memory clear`; nothing was forgotten (pass --yes)")
    answer = input(f"forget all {count} remembered fact(s)? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli.common import print_json
    from ccgpt.store import memory
    from ccgpt.store.db import open_store

    store = open_store()
    try:
        if args.action == "add":
            text = " ".join(args.text).strip()
            if not text:
                raise UsageError("nothing to remember: give the fact as text")
            item = memory.add(store, text)
            if args.json:
                print_json(item.to_json())
            elif not args.quiet:
                note = " (secrets redacted)" if item.text != text else ""
                print(f"remembered #{item.id}{note}", file=sys.stderr)
            return 0
        if args.action == "list":
            _print(memory.all_memories(store), args)
            return 0
        if args.action == "search":
            _print(memory.search(store, " ".join(args.words)), args)
            return 0
        if args.action == "forget":
            if not memory.forget(store, args.id):
                raise CcgptError(f"no remembered fact with id {args.id} (see `ccgpt memory list`)")
            if not args.quiet:
                print(f"forgot #{args.id}", file=sys.stderr)
            return 0
        count = len(memory.all_memories(store))
        if count and not _confirm_clear(args, count):
            print("nothing forgotten", file=sys.stderr)
            return 1
        removed = memory.clear(store)
        if not args.quiet:
            print(f"forgot {removed} fact(s)", file=sys.stderr)
        return 0
    finally:
        store.close()
