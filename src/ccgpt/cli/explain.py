"""`ccgpt explain COMMAND…` / `sh-explain`: every part of a command, grounded in the machine's
man pages, bash's `help` and our syntax table, with the risk engine's verdict.

With a reachable model (and without `--no-llm`) a short narrative is added, marked as
model-written and built from the grounded parts only.
"""

from __future__ import annotations

import argparse
import sys

from ccgpt.assist.explanation import build
from ccgpt.errors import CcgptError, UsageError

__all__ = ["build", "configure", "run"]

COMMAND_WORDS = True  # `ccgpt explain grep -q x`: the -q is grep's, not ccgpt's


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs=argparse.REMAINDER, metavar="COMMAND",
                        help="the command to explain; its words are joined by spaces (flags of ccgpt go before it)")
    parser.add_argument("--file", metavar="SCRIPT", help="explain a shell script file instead")
    parser.add_argument("--no-llm", action="store_true", help="grounded parts only: no model, offline")
    parser.add_argument("--full", action="store_true", help="show whole quotes (terminal view cuts them at 3 lines)")


def _read_input(args) -> str:
    if args.words and args.words[0] == "--":
        args.words = args.words[1:]
    if args.file and args.words:
        raise UsageError("give either a COMMAND or --file SCRIPT, not both")
    if args.file:
        try:
            with open(args.file, encoding="utf-8", errors="surrogateescape") as fh:
                text = fh.read(1_000_000)
        except OSError as exc:
            raise CcgptError(f"cannot read {args.file}: {exc.strerror}") from exc
        if "\0" in text:
            raise UsageError(f"{args.file} is not a text file")
        return text
    if not args.words:
        if not sys.stdin.isatty():
            return sys.stdin.read(1_000_000).strip("\n")
        raise UsageError("nothing to explain: give a command, e.g. ccgpt explain \"tar xzf a.tgz\"")
    return " ".join(args.words)


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli import common

    command = _read_input(args)
    result = build(command)
    if result.pop("_risk_unavailable", False) and not args.quiet:
        print("ccgpt: the risk engine is not installed in this build: no risk level", file=sys.stderr)
    if not args.no_llm:
        from ccgpt.assist.narrative import narrate

        from ccgpt.ui.waiting import with_progress

        opts = common.common_options(args)
        result["narrative"], note = narrate(opts, result, wrap=lambda b: with_progress(b, opts.quiet))
        if note and not args.quiet:
            print(f"ccgpt: {note}", file=sys.stderr)
    if args.json:
        common.print_json(result)
        return 0
    from ccgpt.ui.explain_view import render

    sys.stdout.write(render(result, color=common.use_color(args), full=args.full))
    return 0
