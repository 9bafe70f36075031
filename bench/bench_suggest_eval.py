#!/usr/bin/env python3
"""Accuracy on the suggest dev set: raw prompting vs the full pipeline, per embedded model.

Same model, same tasks, same evaluator (`ccgpt eval`): each task's command and its gold
command run in the sandbox, without network, on fresh copies of bench/data/fixture, and must
print the same output and leave the same files. Tasks whose gold fails or does nothing are
"not measurable" and left out of the accuracy.
  raw       the task as the only message; the first command found in the answer
  pipeline  `ccgpt suggest -n 1` without its trial run: the fixed prefix of worked examples,
            the machine context, extraction, the man-page option and ShellCheck checks with
            one repair round, the mechanical fixes (mend.py), ranking by what the task asks
            (add --vote N for execution-checked voting over N samples)
  tried     what `ccgpt suggest -n 1` does by default: the pipeline with the trial run (the
            best safe candidate runs in the sandbox; a failure with an error message gets one
            repair round; `[ccgpt.suggest] trial = false` turns it off)
  grounded  the pipeline with the SYNOPSIS lines of the programs the task names in its context
            (`[ccgpt.suggest] ground`); --ground off|on|both chooses pipeline, grounded or both

Dangerous candidates run here (sandboxed, on a throwaway copy) so both modes are scored alike;
blocked ones never run. Prints figures, asserts nothing. The NL2SH-ALFA test set is never used.

    python bench/bench_suggest_eval.py [--models a,b] [--every K] [--offset K] [--limit N] [--vote N] [--ground off|on|both] [--threads T]
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


def scored(task, cmd, runner):
    """The evaluator's verdict; a sandbox failure (a socket another job's test made and removed
    while the sandbox was being set up) is retried, twice, before it ends the run."""
    from ccgpt.assist.evaluate import score
    from ccgpt.assist.suggest import pure_classify
    from ccgpt.errors import CcgptError

    for attempt in range(3):
        try:
            return score(task, cmd, runner, pure_classify, True)
        except CcgptError as exc:
            if attempt == 2:
                raise
            print(f"  retrying after: {exc}", file=sys.stderr)
            time.sleep(1)


def run_model(name: str, tasks, modes, opts) -> dict:
    from ccgpt.assist import context
    from ccgpt.assist.evaluate import Report, SandboxRunner, raw_command, task_dir
    from ccgpt.assist.extract import extract_commands
    from ccgpt.assist.suggest import Suggester, pure_classify
    from ccgpt.llm.embedded import EmbeddedBackend

    runner = SandboxRunner({}, timeout=15)
    backend = EmbeddedBackend(model=name, n_ctx=4096, n_threads=opts.threads or None)
    out = {}
    for mode in modes:
        report = Report(mode, name, "embedded")
        untried = Report("no-trial", name, "embedded")  # the same run, scored before the trial's repair
        unrepaired = Report("no-repair", name, "embedded")  # the same run, scored before the repair
        started = time.perf_counter()
        lookups = []  # ms per grounding lookup
        for task in tasks:
            before = None
            if mode == "raw":
                cmd = raw_command(backend, "embedded", task.query)
            else:
                # Candidates are judged in the task's fixture, not the bench's cwd: no filesystem probe.
                with task_dir(task, runner) as here:
                    s = Suggester(backend, "embedded", context.gather(False, 40, cwd=task.fixture).render(),
                                  classify=pure_classify, explain=lambda c: "", vote=opts.vote, vote_dir=here,
                                  ground=mode == "grounded", trial_dir=here if mode == "tried" else None,
                                  workdir=here)
                    result = s.suggest(task.query, 1)
                lookups.append(s.ground_ms)
                cmd = result.candidates[0].command if result.candidates else None
                first = extract_commands(result.completions[0].text) if result.completions else []
                before = first[0] if first else None
            r = scored(task, cmd, runner)
            report.results.append(r)
            if mode != "raw":
                unrepaired.results.append(r if before == cmd else scored(task, before, runner))
            if mode == "tried":
                replaced = s.trial_replaced
                untried.results.append(r if replaced is None else scored(task, replaced, runner))
                if replaced is not None and opts.verbose:
                    print(f"  trial repaired: {replaced}  ->  {cmd}", file=sys.stderr)
            if opts.verbose:
                mark = "ok  " if r.solved else "FAIL" if r.measurable else "n/a "
                print(f"  {mark} {mode:<8} {task.query[:48]:<48} {cmd}", file=sys.stderr)
        out[mode] = (report, time.perf_counter() - started)
        if mode == "grounded":
            lookups.sort()
            print(f"  grounding lookup: median {lookups[len(lookups) // 2]:.1f} ms, max {lookups[-1]:.1f} ms "
                  f"over {len(lookups)} tasks (man pages through the store cache)", file=sys.stderr)
        if mode == "pipeline" and opts.vote == 0:
            out["  greedy answer, no repair"] = (unrepaired, 0.0)
        if mode == "tried":
            out["  the same, without the trial's repair"] = (untried, 0.0)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="qwen2.5-coder-1.5b,qwen2.5-coder-0.5b,smollm2-135m")
    parser.add_argument("--modes", default="raw,pipeline")
    parser.add_argument("--every", type=int, default=1, help="every K-th task (a spread-out subset)")
    parser.add_argument("--offset", type=int, default=0,
                        help="start at task K (tasks[K::every]): --every 3 --offset 1 is a slice disjoint from --offset 0")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--vote", type=int, default=0)
    parser.add_argument("--ground", choices=("off", "on", "both"), default="off",
                        help="the pipeline without grounding (off), with it (on) or both, on the same tasks")
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    opts = parser.parse_args()

    from ccgpt.assist.evaluate import load_tasks

    os.environ.setdefault("OLLAMA_HOST", "127.0.0.1:9")
    tasks = load_tasks(ROOT / "bench" / "data" / "tasks.json")[opts.offset :: opts.every][: opts.limit]
    modes = opts.modes.split(",")
    if "pipeline" in modes and opts.ground != "off":
        at = modes.index("pipeline")
        modes[at:at + 1] = {"on": ["grounded"], "both": ["pipeline", "grounded"]}[opts.ground]
    results = {m: run_model(m, tasks, modes, opts) for m in opts.models.split(",")}
    if opts.json:
        print(json.dumps({m: {mode: r.to_json() for mode, (r, _) in v.items()} for m, v in results.items()}, indent=1))
        return 0
    print(f"suggest dev set: {len(tasks)} tasks (every {opts.every}, from {opts.offset}), sandboxed comparison, -n 1"
          + (f", voting over {opts.vote}" if opts.vote else ""))
    for model, by_mode in results.items():
        for mode, (r, seconds) in by_mode.items():
            solved = sum(x.solved for x in r.results)
            print(f"  {model:<20} {mode:<9} {solved:>3}/{r.measured:<3} = {r.accuracy:6.1%}   "
                  f"({len(r.results) - r.measured} not measurable, {seconds / max(1, len(r.results)):.1f} s/task)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
