#!/usr/bin/env python3
"""Cold start-up of `ccgpt check "ls -la"` against `python3 -c pass`, measured in one script.

Run from the project root:  python bench/bench_check_startup.py [--runs 15]

Each run is a fresh process (no warm interpreter). Prints the median wall time of both and
their ratio. Targets: <= 60 ms and <= 6x `python3 -c pass`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(cmd: list[str], env: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        out.append((time.perf_counter() - t0) * 1000)
        if r.returncode not in (0, 3, 4, 5):
            raise SystemExit(f"{cmd} failed: {r.stderr.decode()[-300:]}")
    return out


def measure(runs: int) -> tuple[str, list[float], list[float]]:
    """(what ran, cold `ccgpt check "ls -la"` times, `python3 -c pass` times), in ms."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_COLOR": "1"}
    env.pop("CCGPT_CONFIG", None)
    exe = shutil.which("ccgpt")
    # The console script when installed, else the same entry point through -m.
    check = [exe, "check", "ls -la"] if exe and os.environ.get("BENCH_USE_SCRIPT") else [sys.executable, "-m", "ccgpt", "check", "ls -la"]
    base = [sys.executable, "-c", "pass"]
    # An installed package has its .pyc files (pip compiles them); a checkout run with
    # PYTHONDONTWRITEBYTECODE=1 would recompile every module on every start. Compile once so
    # the figure is the installed one. __pycache__ is git-ignored.
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "ccgpt"), quiet=1)
    timed(check, env, 2)  # warm the OS file cache and __pycache__, not the interpreter
    timed(base, env, 2)
    c, b = [], []
    for _ in range(runs):  # interleaved, so a burst of load hits both alike
        c += timed(check, env, 1)
        b += timed(base, env, 1)
    return f"{' '.join(check[-3:])!r} via {check[0]}", c, b


def report(runs: int) -> None:
    what, c, b = measure(runs)
    mc, mb = statistics.median(c), statistics.median(b)
    print(f"command: {what}")
    print(f"ccgpt check 'ls -la': median {mc:.1f} ms over {runs} runs (min {min(c):.1f}, max {max(c):.1f})")
    print(f"python3 -c pass:      median {mb:.1f} ms over {runs} runs (min {min(b):.1f}, max {max(b):.1f})")
    print(f"ratio: {mc / mb:.2f}x   targets: <= 60 ms and <= 6x")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    report(ap.parse_args().runs)
    return 0

if __name__ == "__main__":
    sys.exit(main())
