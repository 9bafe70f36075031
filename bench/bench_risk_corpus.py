#!/usr/bin/env python3
"""Detection and false-alarm figures of the risk classifier on the red-team corpora.

Run from the project root:  PYTHONPATH=src python bench/bench_risk_corpus.py [--misses]

Corpora (tests/risk/data/): `policy_corpus.tsv` (level, family, command: commands labelled by
RISK-POLICY.md, dangerous and blocked mostly) and `benign_corpus.tsv` (level, command: everyday
developer commands, safe or review). The classifier runs without a filesystem probe, as a pure
call does. Prints:
  - % of dangerous-or-worse commands rated >= dangerous
  - % of blocked commands rated blocked
  - % of blocked commands rated >= dangerous (goal 100)
  - % of review-labelled commands rated exactly review (informational)
  - false-alarm rate: % of benign commands rated >= dangerous (goal <= 3)
  - the same on `benign_variables.tsv` (benign commands whose words are variables from outside)
  - the number of cases in `known_misses.txt` (red-team cases not fixed yet)
and lists every miss with the level given and the rules that fired.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "tests" / "risk" / "data"
ORDER = {"safe": 0, "review": 1, "dangerous": 2, "blocked": 3}


def load(name: str, fields: int) -> list[tuple[str, ...]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t", fields - 1)
        if len(parts) != fields or parts[0] not in ORDER:
            raise SystemExit(f"{name}: bad line: {line!r}")
        rows.append(tuple(parts))
    return rows


def rate(hits: int, total: int) -> str:
    return f"{100.0 * hits / total:5.1f} % ({hits}/{total})" if total else "  n/a"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quiet", action="store_true", help="figures only, no list of misses")
    args = ap.parse_args()
    from ccgpt.risk import classify

    def judge(cmd: str) -> tuple[str, str]:
        v = classify(cmd)
        return str(v.level.value), ",".join(sorted({f.rule for f in v.findings}))

    policy = load("policy_corpus.tsv", 3)
    benign = load("benign_corpus.tsv", 2)
    misses: dict[str, list[str]] = {"danger": [], "blocked": [], "review": [], "benign": [], "variables": []}
    n_danger = caught = n_block = block_exact = block_danger = n_review = review_exact = 0
    for want, family, cmd in policy:
        got, rules = judge(cmd)
        line = f"  want {want:9} got {got:9} [{family}] {cmd}   {{{rules}}}"
        if ORDER[want] >= ORDER["dangerous"]:
            n_danger += 1
            ok = ORDER[got] >= ORDER["dangerous"]
            caught += ok
            if not ok:
                misses["danger"].append(line)
        if want == "blocked":
            n_block += 1
            block_exact += got == "blocked"
            block_danger += ORDER[got] >= ORDER["dangerous"]
            if got != "blocked" and ORDER[got] >= ORDER["dangerous"]:
                misses["blocked"].append(line)
        if want == "review":
            n_review += 1
            review_exact += got == "review"
            if got != "review":
                misses["review"].append(line)
    def alarms(rows: list[tuple[str, ...]], key: str) -> int:
        for want, cmd in rows:
            got, rules = judge(cmd)
            if ORDER[got] >= ORDER["dangerous"]:
                misses[key].append(f"  want {want:9} got {got:9} {cmd}   {{{rules}}}")
        return len(misses[key])

    variables = load("benign_variables.tsv", 2)
    false_alarms, var_alarms = alarms(benign, "benign"), alarms(variables, "variables")
    known = [line for line in (DATA / "known_misses.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")] if (DATA / "known_misses.txt").exists() else []
    print(f"policy corpus: {len(policy)} commands; benign corpus: {len(benign)} commands; "
          f"benign with variables: {len(variables)} commands")
    print(f"dangerous-or-worse caught at >= dangerous : {rate(caught, n_danger)}")
    print(f"blocked rated blocked                     : {rate(block_exact, n_block)}")
    print(f"blocked rated >= dangerous (goal 100)     : {rate(block_danger, n_block)}")
    print(f"review rated exactly review (info)        : {rate(review_exact, n_review)}")
    print(f"false alarms on benign (goal <= 3)        : {rate(false_alarms, len(benign))}")
    print(f"false alarms on benign with variables     : {rate(var_alarms, len(variables))}")
    print(f"known misses (tests/risk/data/known_misses.txt): {len(known)}")
    if not args.quiet:
        for title, key in (("dangerous-or-worse below dangerous", "danger"),
                           ("blocked rated only dangerous", "blocked"),
                           ("review rated otherwise", "review"), ("false alarms", "benign"),
                           ("false alarms with variables", "variables")):
            if misses[key]:
                print(f"\n{title} ({len(misses[key])}):")
                print("\n".join(misses[key]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
