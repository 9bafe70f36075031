"""Shared helpers for benchmarks: wall time of whole commands, medians, ratios."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ccgpt_argv() -> list[str]:
    """The installed console script when it is there (what users run), else `python -m ccgpt`."""
    exe = shutil.which("ccgpt", path=str(Path(sys.executable).parent)) or shutil.which("ccgpt")
    return [exe] if exe else [sys.executable, "-m", "ccgpt"]


def wall_times(argv: list[str], runs: int = 15, warmup: int = 2, env: dict | None = None, cwd=None,
               input: bytes | None = None) -> list[float]:
    """Seconds per run of a whole process, after `warmup` runs to fill the OS page cache.
    `input` is written to its stdin (else stdin is ours)."""
    env = {**os.environ, **(env or {})}
    times = []
    for i in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd, check=False,
                       input=input)
        if i >= warmup:
            times.append(time.perf_counter() - start)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median(values: list[float]) -> float:
    return statistics.median(values)
