#!/usr/bin/env python3
"""Accuracy of the embedded model on the suggest dev set: raw prompt vs the full pipeline.

Same model, same tasks, same evaluator (`ccgpt eval`): each task's command and its gold
command run in the sandbox, without network, on fresh copies of bench/data/fixture, and must
print the same output and leave the same files.
  raw       the task as the only message; the first command found in the answer
  pipeline  context (with the fixture's file names) + nearest worked examples + extraction +
            greedy-then-sampled voting + ranking (unusable and blocked last) — `ccgpt suggest`

Dangerous candidates are allowed to run here (sandboxed, on a throwaway copy) so both modes
are scored on the same footing; blocked ones never run. Prints figures, asserts nothing.
Usage: python bench/bench_suggest_eval.py [--limit N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int)
    parser.add_argument("--json", action="store_true")
    opts = parser.parse_args()

    from ccgpt.assist import context
    from ccgpt.assist.evaluate import SandboxRunner, evaluate, load_tasks
    from ccgpt.config import load_config
    from ccgpt.llm.registry import EMBEDDED_ALIASES, make_backend

    os.environ.setdefault("OLLAMA_HOST", "127.0.0.1:9")
    cfg = load_config(warn=False)
    tasks = load_tasks(ROOT / "bench" / "data" / "tasks.json")[: opts.limit]
    runner = SandboxRunner(cfg.section("sandbox"), timeout=15)
    backend = make_backend(cfg, "embedded")
    model = EMBEDDED_ALIASES[-1]

    def ctx(task):
        return context.gather(True, 40, cwd=task.fixture).render()

    reports = {}
    for mode in ("raw", "pipeline"):
        started = time.perf_counter()
        reports[mode] = evaluate(tasks, backend, model, runner, mode=mode, context_for=ctx, allow_dangerous=True)
        reports[mode].seconds = time.perf_counter() - started
    backend.close()

    if opts.json:
        print(json.dumps({m: r.to_json() for m, r in reports.items()}, indent=1))
        return 0
    print(f"suggest dev set: {len(tasks)} tasks, model {model} (embedded), sandboxed comparison")
    for mode, r in reports.items():
        solved = sum(x.solved for x in r.results)
        extracted = sum(1 for x in r.results if x.candidate)
        print(f"  {mode:<9} accuracy {r.accuracy:6.1%}  ({solved}/{len(r.results)} solved, "
              f"{extracted} with a command, {r.seconds:.0f} s)")
    gained = [x.query for x, y in zip(reports["pipeline"].results, reports["raw"].results) if x.solved and not y.solved]
    print(f"  solved by the pipeline only: {len(gained)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
