#!/usr/bin/env python3
"""Cold `ccgpt suggest -n 1` wall time vs a fresh llama-cpp-python process, and peak RSS.

Each run is a new process, as when a person types the command. Paired in the same run and
alternated in order, so load on the machine hits both alike:
  ccgpt  `ccgpt suggest --json -n 1 --backend embedded TASK` (loads the model, loads the cached
         prefix state, evaluates the task, answers, classifies, explains)
  raw    `python -c` that imports llama_cpp, loads the same GGUF with the same n_ctx and
         threads, and answers the very same messages (same prompt size, same max_tokens)
         with create_chat_completion, evaluating the whole prompt
Prints the median of each, the ratio (target ours <= 0.6 x raw), each side's peak RSS, and
the first ccgpt run (which evaluates the prefix and writes the cache) separately.

    python bench/bench_cold_suggest.py [--runs 5] [--model qwen2.5-coder-1.5b] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TASK = "show the 5 largest files in this directory"

RAW = r"""
import json, sys
import llama_cpp
path, n_ctx, threads, max_tokens, messages = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
threads = int(threads) or None
llm = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_threads_batch=threads, verbose=False)
out = llm.create_chat_completion(messages=json.loads(messages), temperature=0, max_tokens=max_tokens)
print(json.dumps({"text": out["choices"][0]["message"]["content"], "prompt_tokens": out["usage"]["prompt_tokens"]}))
"""


def timed(argv: list[str], env: dict) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv[:4])} …")
    return seconds, usage.ru_maxrss // 1024, text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--model", default="qwen2.5-coder-1.5b")
    parser.add_argument("--threads", type=int, default=0, help="0: llama-cpp-python's default")
    parser.add_argument("--n-ctx", type=int, default=4096)
    args = parser.parse_args()

    from ccgpt.assist import context, prompts
    from ccgpt.assist.suggest import MAX_TOKENS
    from ccgpt.llm.embedded import assemble, get

    model = get(args.model)
    gguf = str(assemble.ensure(model))
    home = tempfile.mkdtemp(prefix="ccgpt-bench-")
    config = Path(home) / "bench.toml"
    config.write_text(f'[ccgpt.embedded]\nmodel = "{model.name}"\nn_ctx = {args.n_ctx}\n'
                      + (f"n_threads = {args.threads}\n" if args.threads else ""))
    env = {**os.environ, "HOME": home, "OLLAMA_HOST": "127.0.0.1:9", "PYTHONPATH": str(ROOT / "src"),
           "CCGPT_MODELS_DIR": str(Path(gguf).parent)}
    env.pop("CCGPT_EMBEDDED_MODEL", None)
    ours = [sys.executable, "-m", "ccgpt", "suggest", "--json", "--no-log", "-n", "1", "--backend", "embedded",
            "--config", str(config), TASK]
    # The same messages ccgpt sends (the same context text as the child gathers in the same cwd).
    ctx = context.gather(False, 40).render()
    messages = [{"role": m.role, "content": m.content} for m in prompts.suggest_messages(TASK, ctx)]
    raw = [sys.executable, "-c", RAW, gguf, str(args.n_ctx), str(args.threads), str(MAX_TOKENS), json.dumps(messages)]

    prefix_dir = Path(gguf).parent / "prefix-cache"
    before = set(prefix_dir.glob("*.kv")) if prefix_dir.exists() else set()
    first, _, _ = timed(ours, env)  # evaluates the prefix once (or finds it) and keeps it
    created = (set(prefix_dir.glob("*.kv")) - before) if prefix_dir.exists() else set()
    timed(raw, env)  # page the weights in for the baseline too
    times: dict[str, list[float]] = {"ccgpt": [], "raw": []}
    rss: dict[str, list[int]] = {"ccgpt": [], "raw": []}
    answers: dict[str, set[str]] = {"ccgpt": set(), "raw": set()}
    pair = [("ccgpt", ours), ("raw", raw)]
    for i in range(args.runs):
        for name, argv in pair if i % 2 == 0 else pair[::-1]:
            seconds, peak, out = timed(argv, env)
            times[name].append(seconds)
            rss[name].append(peak)
            data = json.loads(out)
            answers[name].add(data["candidates"][0]["command"] if name == "ccgpt" else data["text"].strip())
    c, r = statistics.median(times["ccgpt"]), statistics.median(times["raw"])
    print(f"model      {model.name} ({Path(gguf).name}), n_ctx={args.n_ctx}, threads={args.threads or 'default'}")
    print(f"task       {TASK!r}; prompt {len(messages)} messages, max_tokens {MAX_TOKENS}; {args.runs} paired runs")
    print(f"first run  {first:6.2f} s  (ours; prefix state {'written' if created else 'already on disk'})")
    print(f"ours       {c:6.2f} s median  (min {min(times['ccgpt']):.2f}); peak RSS {max(rss['ccgpt'])} MB")
    print(f"raw        {r:6.2f} s median  (min {min(times['raw']):.2f}); peak RSS {max(rss['raw'])} MB")
    print(f"ratio      {c / r:6.2f}    (ours / raw, target <= 0.60)")
    print(f"answers    ours {sorted(answers['ccgpt'])}  raw {sorted(answers['raw'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
