"""`ccgpt explain COMMAND…` / `sh-explain`: every part of a command, grounded in the machine's
man pages, bash's `help` and our syntax table, with the risk engine's verdict.

With a reachable model (and without `--no-llm`) a short narrative is added, marked as
model-written and built from the grounded parts only.
"""

from __future__ import annotations

import argparse
import sys

from ccgpt.errors import CcgptError, UsageError



COMMAND_WORDS = True  # `ccgpt explain grep -q x`: the -q is grep's, not ccgpt's


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("words", nargs=argparse.REMAINDER, metavar="COMMAND",
                        help="the command to explain; its words are joined by spaces (flags of ccgpt go before it)")
    parser.add_argument("--file", metavar="SCRIPT", help="explain a shell script file instead")
    parser.add_argument("--no-llm", action="store_true", help="grounded parts only: no model, offline")
    parser.add_argument("--full", action="store_true", help="show whole quotes (terminal view cuts them at 3 lines)")


def risk(command: str) -> dict:
    """The risk engine's verdict as {"level", "findings"}; level None when it is not available."""
    try:
        from ccgpt.risk.classify import classify
    except ImportError:
        return {"level": None, "findings": [], "unavailable": True}
    v = classify(command).to_json()
    return {"level": v.get("level"), "findings": v.get("findings", [])}


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


def build(command: str) -> dict:
    from ccgpt.explain.engine import Explainer
    from ccgpt.explain.manpages import ManCache

    if not command.strip():
        raise UsageError("nothing to explain: the command is empty")
    cache = ManCache.open()
    try:
        parts = Explainer(cache).explain(command)
    finally:
        cache.close()
    verdict = risk(command)
    out_parts = [p.to_json() for p in parts]
    # Each finding is shown on the first part it covers: the command name for a finding about
    # the whole command, the redirect for "writes out.txt", the word holding a hidden character.
    # (On every part it covers, a whole-command finding would mark every word of the line.)
    for f in verdict["findings"]:
        anchor = next((d for p, d in zip(parts, out_parts) if _overlaps(f.get("span"), p.span)), None)
        if anchor is not None and f.get("rule") not in anchor.setdefault("findings", []):
            anchor["findings"].append(f.get("rule"))
    result = {"command": command, "level": verdict["level"], "findings": verdict["findings"],
              "parts": out_parts, "narrative": None}
    if verdict.get("unavailable"):
        result["_risk_unavailable"] = True
    return result


def _overlaps(span, other) -> bool:
    return bool(span) and span[0] < other[1] and other[0] < span[1]


def run(args: argparse.Namespace) -> int:
    from ccgpt.cli import common

    command = _read_input(args)
    result = build(command)
    if result.pop("_risk_unavailable", False) and not args.quiet:
        print("ccgpt: the risk engine is not installed in this build: no risk level", file=sys.stderr)
    if not args.no_llm:
        from ccgpt.assist.narrative import narrate

        result["narrative"], note = narrate(args, result)
        if note and not args.quiet:
            print(f"ccgpt: {note}", file=sys.stderr)
    if args.json:
        common.print_json(result)
        return 0
    from ccgpt.ui.explain_view import render

    sys.stdout.write(render(result, color=common.use_color(args), full=args.full))
    return 0
