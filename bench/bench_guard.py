#!/usr/bin/env python3
"""Cold start of `ccgpt guard` (one Claude Code PreToolUse event on stdin) against `python3 -c pass`.

Run from the project root:  python bench/bench_guard.py [--runs 15]

The hook runs before every command an agent runs, so each run is a fresh process. Three
events: a safe command (no decision), a dangerous one ("ask") and a blocked one (exit 2), plus
a tool that is not Bash (passes through without the risk engine). Prints medians, the ratio
to `python3 -c pass`, and `ccgpt check` on the same machine as a reference. Target: <= 80 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import ROOT, ccgpt_argv, median, wall_times  # noqa: E402


def ms(seconds: float) -> float:
    return seconds * 1000

EVENTS = {
    "safe (ls -la)": ("Bash", "ls -la", 0),
    "dangerous (rm -rf ./build)": ("Bash", "rm -rf ./build", 0),
    "blocked (rm -rf ~)": ("Bash", "rm -rf ~", 2),
    "other tool (Read)": ("Read", None, 0),
}


def cpu_ms(argv: list[str], stdin: bytes, env: dict, runs: int) -> list[float]:
    """CPU time (user + system) of each run, in ms: what the hook costs the machine, which a
    busy machine inflates far less than it inflates wall time."""
    import resource

    out = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(argv, input=stdin, env=env, capture_output=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
    return out


def check_exit(argv: list[str], stdin: bytes, env: dict, expect: int) -> None:
    r = subprocess.run(argv, input=stdin, env=env, capture_output=True)
    if r.returncode != expect:
        raise SystemExit(f"{argv} exited {r.returncode}, expected {expect}: {r.stderr.decode()[-300:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    env.pop("CCGPT_CONFIG", None)
    # Measure what an installed ccgpt does: byte-code caches written by the warm-up runs (a
    # PYTHONDONTWRITEBYTECODE in the caller's shell would compile every module on every run).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    # From an empty directory, as in an agent's project: run from this checkout, ccgpt would read
    # the checkout's configs/dbgpt-proxy-ollama.toml (measured separately below).
    import tempfile

    os.chdir(tempfile.mkdtemp(prefix="ccgpt-bench-guard-"))
    base = ms(median(wall_times([sys.executable, "-c", "pass"], args.runs, env=env)))
    argv = [*ccgpt_argv(), "guard", "--format", "claude"]
    print(f"command: {' '.join(argv)}")
    base_cpu = median(cpu_ms([sys.executable, "-c", "pass"], b"", env, args.runs))
    print(f"python3 -c pass: median {base:.1f} ms over {args.runs} runs; cpu {base_cpu:.1f} ms")
    worst = 0.0
    for label, (tool, command, expect) in EVENTS.items():
        event = {"hook_event_name": "PreToolUse", "tool_name": tool,
                 "tool_input": {"command": command} if command else {"file_path": "/etc/hosts"}}
        stdin = json.dumps(event).encode()
        check_exit(argv, stdin, env, expect)
        times = [ms(t) for t in wall_times(argv, args.runs, env=env, input=stdin)]
        med = median(times)
        worst = max(worst, med)
        cpu = median(cpu_ms(argv, stdin, env, args.runs))
        print(f"ccgpt guard, {label:<28} median {med:6.1f} ms (min {min(times):.1f}, max {max(times):.1f}), "
              f"{med / base:.1f}x python3 -c pass; cpu {cpu:.1f} ms")
    with_config = dict(env, CCGPT_CONFIG=str(ROOT / "configs" / "dbgpt-proxy-ollama.toml"))
    stdin = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "ls -la"}}).encode()
    cfg = median([ms(t) for t in wall_times(argv, args.runs, env=with_config, input=stdin)])
    cfg_cpu = median(cpu_ms(argv, stdin, with_config, args.runs))
    print(f"ccgpt guard, safe, with a config file     median {cfg:6.1f} ms; cpu {cfg_cpu:.1f} ms "
          "([ccgpt.rules] parsed once, then cached)")
    # The same risk engine behind the CLI, in the same minute: shows what the hook adds on top
    # (a busy machine slows both alike).
    check = median([ms(t) for t in wall_times([*ccgpt_argv(), "check", "-q", "rm -rf ~"], args.runs, env=env)])
    print(f"reference: ccgpt check 'rm -rf ~'          median {check:6.1f} ms")
    print(f"slowest median {worst:.1f} ms; target <= 80 ms: {'met' if worst <= 80 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
