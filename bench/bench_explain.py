"""Wall time of `ccgpt explain --no-llm` on find's classic one-liner, cold and warm man-page cache.

Cold: a fresh, empty data directory each run (pages are found, rendered with groff, parsed,
stored). Warm: the same data directory every run (page paths and tables come from the store).
Median of N runs each (default 15); targets: <= 400 ms cold, <= 100 ms warm.

    python bench/bench_explain.py [N]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = "find . -name '*.log' -mtime +7 -exec gzip {} \\;"


def _run(data_dir: str) -> float:
    env = {**os.environ, "CCGPT_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT / "src")}
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "ccgpt", "explain", "--no-llm", "--json", COMMAND],
                       env=env, capture_output=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"explain failed: {r.stderr.decode()[-300:]}")
    return dt * 1000


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    cold = []
    for _ in range(n):
        d = tempfile.mkdtemp(prefix="ccgpt-bench-")
        cold.append(_run(d))
        shutil.rmtree(d, ignore_errors=True)
    warm_dir = tempfile.mkdtemp(prefix="ccgpt-bench-")
    _run(warm_dir)  # fill the cache
    warm = [_run(warm_dir) for _ in range(n)]
    shutil.rmtree(warm_dir, ignore_errors=True)
    print(f"command: ccgpt explain --no-llm {COMMAND!r}   ({n} runs each)")
    print(f"cold cache: median {statistics.median(cold):6.1f} ms  (min {min(cold):.1f}, max {max(cold):.1f})  target <= 400 ms")
    print(f"warm cache: median {statistics.median(warm):6.1f} ms  (min {min(warm):.1f}, max {max(warm):.1f})  target <= 100 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
