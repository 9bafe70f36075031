"""Gateway overhead: added latency, streaming throughput, memory. Prints figures; asserts nothing.

    PYTHONPATH=src python bench/bench_gateway.py [--requests 2000] [--memory-requests 10000]

Everything on loopback: a fast fake Ollama (tests/helpers/fake_ollama.py) in a thread, the
gateway under uvicorn in a subprocess (as `ccgpt serve` runs it, so client and server do not
share one interpreter lock), and httpx clients here. "Added latency" is the difference
between the same request sent through the gateway and sent to the upstream directly.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]

BODY = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}], "stream": False}

FAKE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from fake_ollama import FakeOllama
f = FakeOllama(chunk_delay=float(sys.argv[3]))
f.record = False
f.start(int(sys.argv[2]))
while True:
    time.sleep(3600)
"""

SERVER = r"""
import sys, uvicorn
from ccgpt.gateway.app import Settings, create_gateway
gw, app = create_gateway([{"name": "a", "kind": "ollama", "url": sys.argv[1]}], settings=Settings(),
                         health_interval=0)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def latencies(url: str, n: int, concurrency: int, path="/api/chat", body=BODY) -> list[float]:
    out: list[float] = []
    per = n // concurrency
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, trust_env=False, timeout=30) as c:
        async def worker():
            for _ in range(per):
                t0 = time.perf_counter()
                r = await c.post(path, json=body)
                out.append(time.perf_counter() - t0)
                assert r.status_code == 200, r.text

        for _ in range(20):  # warm-up: connections open, code paths hot
            await c.post(path, json=body)
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


async def stream_rate(url: str, tokens: int) -> float:
    async with httpx.AsyncClient(base_url=url, trust_env=False, timeout=60) as c:
        body = {"model": "llama3.2", "messages": [{"role": "user", "content": f"stream {tokens}"}]}
        t0 = time.perf_counter()
        n = 0
        async with c.stream("POST", "/api/chat", json=body) as r:
            async for line in r.aiter_lines():
                if line:
                    n += 1
        return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--memory-requests", type=int, default=10000)
    ap.add_argument("--stream-tokens", type=int, default=2000)
    a = ap.parse_args()

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    fakes = {}
    for delay in (0.0, 0.001):  # each upstream in its own process: no shared interpreter lock
        fport = free_port()
        fakes[delay] = (subprocess.Popen([sys.executable, "-c", FAKE, str(ROOT / "tests" / "helpers"), str(fport),
                                          str(delay)], env=env), f"http://127.0.0.1:{fport}")
    procs = [p for p, _ in fakes.values()]
    port, port2 = free_port(), free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, fakes[0.0][1], str(port)], env=env)
    proc2 = subprocess.Popen([sys.executable, "-c", SERVER, fakes[0.001][1], str(port2)], env=env)
    procs += [proc, proc2]
    gw, gw_paced = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port2}"
    direct, direct_paced = fakes[0.0][1], fakes[0.001][1]
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if all(httpx.get(u + "/healthz", trust_env=False).status_code == 200 for u in (gw, gw_paced)):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("gateway did not start")
            time.sleep(0.1)

        print(f"added latency, non-streaming /api/chat, {a.requests} requests each (ms)")
        for conc in (1, 32):
            d = asyncio.run(latencies(direct, a.requests, conc))
            g = asyncio.run(latencies(gw, a.requests, conc))
            print(f"  {conc:>2} client(s): direct p50 {pct(d, .5):.3f} p99 {pct(d, .99):.3f} | gateway p50 "
                  f"{pct(g, .5):.3f} p99 {pct(g, .99):.3f} | added p50 {pct(g, .5) - pct(d, .5):.3f} "
                  f"p99 {pct(g, .99) - pct(d, .99):.3f}")
        g = asyncio.run(latencies(gw, a.requests, 1, "/v1/chat/completions",
                                  {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}))
        print(f"  OpenAI dialect (/v1/chat/completions, translated), 1 client: p50 {pct(g, .5):.3f} p99 {pct(g, .99):.3f}")

        print("streaming throughput (chunks/s), gateway vs direct")
        for (du, gu), label in (((direct, gw), "unpaced upstream"),
                                ((direct_paced, gw_paced), "upstream paced at 1000 tokens/s")):
            d = statistics.median(asyncio.run(stream_rate(du, a.stream_tokens)) for _ in range(3))
            g = statistics.median(asyncio.run(stream_rate(gu, a.stream_tokens)) for _ in range(3))
            print(f"  {label}: direct {d:,.0f}/s, gateway {g:,.0f}/s = {100 * g / d:.1f} %")

        before = rss_kb(proc.pid)
        asyncio.run(latencies(gw, a.memory_requests, 8))
        after = rss_kb(proc.pid)
        asyncio.run(latencies(gw, a.memory_requests, 8))
        again = rss_kb(proc.pid)
        print(f"gateway RSS: {before / 1024:.1f} MB before, {after / 1024:.1f} MB after {a.memory_requests} requests, "
              f"{again / 1024:.1f} MB after {2 * a.memory_requests}")
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)


if __name__ == "__main__":
    main()
