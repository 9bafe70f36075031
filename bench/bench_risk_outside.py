#!/usr/bin/env python3
"""Agreement of the risk engine with an outside red team's labels (round 5, issue 13).

Run from the project root:  PYTHONPATH=src python bench/bench_risk_outside.py [--misses]

bench/data/redteam5_cases.jsonl: 995 commands written by someone who had not read the rules or
their tests, each with the level(s) RISK-POLICY.md gives it in their reading and how sure they
were (H: the policy says it almost literally; M: an inference; L: debatable). Not a pass/fail
test (some labels are debatable, and the mechanisms it found are pinned by
tests/risk/test_mechanisms_round5.py); it prints how often the engine agrees, how many commands
labelled `blocked` come back `safe` (the worst miss), and the false-alarm rate on the ones
labelled safe or review.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
ORDER = {"safe": 0, "review": 1, "dangerous": 2, "blocked": 3}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--misses", action="store_true", help="list the high-confidence disagreements")
    args = ap.parse_args()
    from ccgpt.risk import classify

    rows = [json.loads(line) for line in (ROOT / "bench" / "data" / "redteam5_cases.jsonl").read_text().splitlines() if line]
    agree, total = Counter(), Counter()
    worst = alarms = benign = 0
    misses = []
    for r in rows:
        got = classify(r["command"]).level.value
        ok = got in r["expected"]
        total[r["confidence"]] += 1
        agree[r["confidence"]] += ok
        if "blocked" in r["expected"] and got == "safe":
            worst += 1
        if max(ORDER[e] for e in r["expected"]) <= ORDER["review"]:
            benign += 1
            alarms += ORDER[got] >= ORDER["dangerous"]
        if not ok and r["confidence"] == "H":
            misses.append(f"  want {'/'.join(r['expected']):9} got {got:9} [{r['group']}] {r['command']}")
    print(f"outside corpus (round 5): {len(rows)} commands")
    for c in ("H", "M", "L"):
        print(f"agreement, confidence {c}: {100 * agree[c] / max(total[c], 1):5.1f} % ({agree[c]}/{total[c]})")
    print(f"labelled blocked, rated safe: {worst}")
    print(f"false alarms on those labelled safe or review: {100 * alarms / max(benign, 1):.1f} % ({alarms}/{benign})")
    if args.misses:
        print("\n".join(["", "high-confidence disagreements:"] + misses))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
