"""Embedded generation speed: ccgpt's EmbeddedBackend vs llama-cpp-python called directly.

Same model file, prompt and settings (greedy, fixed max_tokens, same n_ctx and threads), each
path on its own llama_cpp.Llama instance; runs are interleaved so that drift in machine load
hits both alike. Prints the median tokens/s of each path and the ratio (target >= 95 %).

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

    import llama_cpp

    from ccgpt.llm.base import Message, Options
    from ccgpt.llm.embedded import EmbeddedBackend, embedded_model_path

    path = str(embedded_model_path())
    direct = llama_cpp.Llama(model_path=path, n_ctx=args.n_ctx, n_threads=args.threads, verbose=False)
    backend = EmbeddedBackend(n_ctx=args.n_ctx, n_threads=args.threads)
    messages = [Message(m["role"], m["content"]) for m in PROMPT]
    options = Options(temperature=0, max_tokens=args.max_tokens, seed=1)

    def run_direct() -> tuple[int, float]:
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
    for _ in range(args.runs):
        for name, fn in (("direct", run_direct), ("ccgpt", run_backend)):
            tokens, seconds = fn()
            rates[name].append(tokens / seconds)
            counts[name].add(tokens)

    d, c = statistics.median(rates["direct"]), statistics.median(rates["ccgpt"])
    print(f"model      {path.rsplit('/', 1)[-1]}  n_ctx={args.n_ctx} threads={direct.context_params.n_threads}")
    print(f"settings   temperature=0 max_tokens={args.max_tokens} runs={args.runs} (median, streamed)")
    print(f"direct     {d:8.1f} tokens/s   (tokens per run: {sorted(counts['direct'])})")
    print(f"ccgpt      {c:8.1f} tokens/s   (tokens per run: {sorted(counts['ccgpt'])})")
    print(f"ratio      {100 * c / d:8.1f} %     (target >= 95 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
