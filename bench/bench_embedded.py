"""Embedded generation speed: ccgpt (its backend, and the `ccgpt ask` CLI) vs llama-cpp-python.

Same model, prompt and settings (greedy, fixed max_tokens, same n_ctx and threads). Both paths
drive the same llama_cpp.Llama object (the one the backend loaded), so the ratio measures
exactly what ccgpt adds; with two instances, the OpenMP threads of the one that just finished
keep spinning for a while and slow the other down on a small machine, which measures the
machine instead. Runs alternate their order, so drift in load hits both alike. Prints the
median tokens/s of each path and the ratio (target >= 95 %). Then the whole CLI: `ccgpt ask
--json` in a fresh process per run, whose reported generation time excludes loading the model
(loading is a one-off per process, printed separately).

    python bench/bench_embedded.py [--runs 9] [--max-tokens 128]
"""

from __future__ import annotations

import argparse
import statistics
import time

PROMPT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "Explain in detail how the Unix `find` command works, with examples."},
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--max-tokens", type=int, default=128)
    parser.add_argument("--n-ctx", type=int, default=2048)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()

    from ccgpt.llm.base import Message, Options
    from ccgpt.llm.embedded import EmbeddedBackend, embedded_model_path

    path = str(embedded_model_path())
    backend = EmbeddedBackend(n_ctx=args.n_ctx, n_threads=args.threads)
    direct = backend._model()[0]  # the llama_cpp.Llama instance itself
    messages = [Message(m["role"], m["content"]) for m in PROMPT]
    options = Options(temperature=0, max_tokens=args.max_tokens, seed=1)

    def run_direct() -> tuple[int, float]:
        direct.reset()  # the backend evaluates every request from scratch; so must the baseline
        started = time.perf_counter()
        tokens = 0
        for event in direct.create_chat_completion(
            messages=PROMPT, temperature=0, max_tokens=args.max_tokens, seed=1, stream=True
        ):
            if event["choices"][0]["delta"].get("content"):
                tokens += 1
        return tokens, time.perf_counter() - started

    def run_backend() -> tuple[int, float]:
        started = time.perf_counter()
        tokens = 0
        for chunk in backend.stream_chat("embedded", messages, options):
            if chunk.done:
                tokens = chunk.completion_tokens or 0
        return tokens, time.perf_counter() - started

    run_direct(), run_backend()  # warm up: page in the weights, build both contexts
    rates: dict[str, list[float]] = {"direct": [], "ccgpt": []}
    counts: dict[str, set[int]] = {"direct": set(), "ccgpt": set()}
    pair = [("direct", run_direct), ("ccgpt", run_backend)]
    for i in range(args.runs):
        for name, fn in pair if i % 2 == 0 else pair[::-1]:
            tokens, seconds = fn()
            rates[name].append(tokens / seconds)
            counts[name].add(tokens)

    d, c = statistics.median(rates["direct"]), statistics.median(rates["ccgpt"])
    print(f"model      {path.rsplit('/', 1)[-1]}  n_ctx={args.n_ctx} threads={direct.context_params.n_threads}")
    print(f"settings   temperature=0 max_tokens={args.max_tokens} runs={args.runs} (median, streamed)")
    print(f"direct     {d:8.1f} tokens/s   (tokens per run: {sorted(counts['direct'])})")
    print(f"ccgpt      {c:8.1f} tokens/s   (tokens per run: {sorted(counts['ccgpt'])})")
    print(f"ratio      {100 * c / d:8.1f} %     (target >= 95 %)")
    # Each CLI run is paired with a direct run just before it, so load drift hits both alike.
    cli_rates, ratios, loads = [], [], []
    for cli_rate, load in cli_runs(args, threads=direct.context_params.n_threads):
        tokens, seconds = run_direct()
        cli_rates.append(cli_rate)
        ratios.append(cli_rate / (tokens / seconds))
        loads.append(load)
    print(f"ccgpt ask  {statistics.median(cli_rates):8.1f} tokens/s   (CLI, {len(cli_rates)} fresh processes;"
          f" model load median {statistics.median(loads):.2f} s)")
    print(f"ratio      {100 * statistics.median(ratios):8.1f} %     (CLI vs direct, paired runs, target >= 95 %)")
    return 0


def cli_runs(args, threads: int):
    """Yield (tokens/s, seconds not spent generating) for one fresh `ccgpt ask` process at a time."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    home = tempfile.mkdtemp()
    config = os.path.join(home, "bench.toml")
    with open(config, "w") as fh:
        fh.write(f"[ccgpt.embedded]\nn_ctx = {args.n_ctx}\nn_threads = {threads}\n")
    argv = [sys.executable, "-m", "ccgpt", "ask", "--json", "--no-log", "--backend", "embedded", "--config", config,
            "-t", "0", "--max-tokens", str(args.max_tokens), "-s", PROMPT[0]["content"], PROMPT[1]["content"]]
    for _ in range(max(3, args.runs // 2)):
        started = time.perf_counter()
        out = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "HOME": home}, check=True)
        total = time.perf_counter() - started
        answer = json.loads(out.stdout)
        yield answer["completion_tokens"] / answer["duration_s"], total - answer["duration_s"]


if __name__ == "__main__":
    raise SystemExit(main())
