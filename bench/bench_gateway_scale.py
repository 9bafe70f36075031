"""Gateway at team scale: many concurrent streams, two replicas sharing Redis, relay throughput.
Prints figures; asserts nothing.

    PYTHONPATH=src python bench/bench_gateway_scale.py [--clients 256] [--tokens 50] [--rounds 3]

Everything on loopback: a fast fake Ollama (tests/helpers/fake_ollama.py) in its own process,
gateways under uvicorn in their own processes (as `ccgpt serve` runs them), and a lean client
here (raw asyncio sockets counting NDJSON objects) so that the client's own HTTP parsing is not
what is measured. For two replicas, a real redis-server and PostgreSQL are started
(tests/helpers/team_servers.py): keys in PostgreSQL, a limited key so that every request runs
the Redis script, clients alternating between the replicas.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

from bench_gateway import FAKE  # noqa: E402  (the fake upstream process, shared)
from team_servers import PostgresServer, RedisServer, free_port, wait_port  # noqa: E402

SERVER = r"""
import sys, uvicorn
from ccgpt.gateway.app import Settings, create_gateway
upstream, port, db, redis = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
keystore = None
if db != "-":
    from ccgpt.store.pg_keys import PgKeyStore
    keystore = PgKeyStore(db)
gw, app = create_gateway([{"name": "a", "kind": "ollama", "url": upstream}], keystore=keystore,
                         settings=Settings(), health_interval=0, redis_url=None if redis == "-" else redis)
uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, backlog=4096,
            limit_concurrency=4096)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def stream_once(port: int, tokens: int, key: str | None) -> tuple[float, float, int, bool]:
    """One streamed /api/chat: (time to first byte, total time, objects, complete and error-free)."""
    body = ('{"model":"llama3.2","messages":[{"role":"user","content":"stream %d"}]}' % tokens).encode()
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    head = (f"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    writer.write(head + body)
    first = None
    count, tail, data0 = 0, b"", b""
    done = error = False
    while chunk := await reader.read(1 << 16):
        if first is None:
            first = time.perf_counter() - t0
            data0 = chunk[:12]
        seen = tail + chunk
        count += seen.count(b'"done":')
        done = done or b'"done":true' in seen or b'"done": true' in seen
        error = error or b'"error"' in seen
        tail = seen[-16:]
        if seen.endswith(b"\r\n0\r\n\r\n"):  # the last chunk (the fake upstream keeps connections open)
            tail = b""
            break
        count -= tail.count(b'"done":')  # counted again with the next read
    count += tail.count(b'"done":')
    writer.close()
    ok = data0.startswith(b"HTTP/1.1 200") and done and not error
    return first or 0.0, time.perf_counter() - t0, count, ok


async def crowd(ports: list[int], clients: int, tokens: int, rounds: int, key: str | None) -> tuple[list[float], int]:
    durations: list[float] = []
    errors = 0

    async def one(i: int) -> None:
        nonlocal errors
        for r in range(rounds):
            try:
                _, took, n, ok = await stream_once(ports[(i + r) % len(ports)], tokens, key)
            except OSError:
                ok, took, n = False, 0.0, 0
            if ok and n == tokens + 1:
                durations.append(took)
            else:
                errors += 1

    await asyncio.gather(*(one(i) for i in range(clients)))
    return durations, errors


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000 if xs else float("nan")


async def rate(port: int, tokens: int) -> float:
    _, took, n, _ = await stream_once(port, tokens, None)
    return n / took


def start(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=256)
    ap.add_argument("--tokens", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stream-tokens", type=int, default=20000)
    ap.add_argument("--pairs", type=int, default=7)
    a = ap.parse_args()
    procs: list[subprocess.Popen] = []
    redis = pg = None
    try:
        fakes = {}
        for delay in (0.0, 0.001):
            port = free_port()
            procs.append(start(FAKE, str(ROOT / "tests" / "helpers"), str(port), str(delay)))
            fakes[delay] = port
        gw_port, gw_paced = free_port(), free_port()
        gw = start(SERVER, f"http://127.0.0.1:{fakes[0.0]}", str(gw_port), "-", "-")
        procs += [gw, start(SERVER, f"http://127.0.0.1:{fakes[0.001]}", str(gw_paced), "-", "-")]
        for port, proc in zip([*fakes.values(), gw_port, gw_paced], procs):
            wait_port(port, proc)

        print(f"relay throughput (NDJSON objects/s), gateway vs direct, {a.pairs} interleaved pairs "
              "(median ratio of the pairs: the machine's load drifts between runs)")
        for up, via, label in ((fakes[0.0], gw_port, "unpaced upstream"),
                               (fakes[0.001], gw_paced, "upstream paced at 1000 tokens/s")):
            n = a.stream_tokens if label.startswith("unpaced") else 2000
            asyncio.run(rate(via, 200))  # warm-up
            pairs = [(asyncio.run(rate(up, n)), asyncio.run(rate(via, n))) for _ in range(a.pairs)]
            d = statistics.median(p[0] for p in pairs)
            g = statistics.median(p[1] for p in pairs)
            ratio = statistics.median(p[1] / p[0] for p in pairs)
            print(f"  {label} ({n} tokens): direct {d:,.0f}/s, gateway {g:,.0f}/s; ratio {100 * ratio:.1f} % "
                  f"(pairs: {min(p[1] / p[0] for p in pairs) * 100:.0f}-{max(p[1] / p[0] for p in pairs) * 100:.0f} %)")

        print(f"{a.clients} concurrent streaming clients x {a.rounds} rounds, {a.tokens} tokens each, unpaced upstream")
        asyncio.run(crowd([gw_port], 16, a.tokens, 1, None))  # warm-up
        before = rss_mb(gw.pid)
        d, derr = asyncio.run(crowd([fakes[0.0]], a.clients, a.tokens, a.rounds, None))
        g, gerr = asyncio.run(crowd([gw_port], a.clients, a.tokens, a.rounds, None))
        after = rss_mb(gw.pid)
        print(f"  direct:      p50 {pct(d, .5):7.1f} ms  p99 {pct(d, .99):7.1f} ms  errors {derr}")
        print(f"  one replica: p50 {pct(g, .5):7.1f} ms  p99 {pct(g, .99):7.1f} ms  errors {gerr}  "
              f"added p50 {pct(g, .5) - pct(d, .5):+.1f} ms p99 {pct(g, .99) - pct(d, .99):+.1f} ms")
        print(f"  gateway RSS {before:.1f} MB before, {after:.1f} MB after")

        redis, pg = RedisServer().start(), PostgresServer().start()
        from ccgpt.store.pg_keys import PgKeyStore

        ks = PgKeyStore(pg.url)
        _, key = ks.create("bench", rpm=1_000_000, tpm=1_000_000_000)
        ks.close()
        ports = [free_port(), free_port()]
        replicas = [start(SERVER, f"http://127.0.0.1:{fakes[0.0]}", str(p), pg.url, redis.url) for p in ports]
        procs += replicas
        for p, proc in zip(ports, replicas):
            wait_port(p, proc)
        asyncio.run(crowd(ports, 16, a.tokens, 1, key))  # warm-up
        before = [rss_mb(p.pid) for p in replicas]
        r2, rerr = asyncio.run(crowd(ports, a.clients, a.tokens, a.rounds, key))
        after = [rss_mb(p.pid) for p in replicas]
        print(f"  two replicas + Redis limits + PostgreSQL keys: p50 {pct(r2, .5):7.1f} ms  p99 {pct(r2, .99):7.1f} ms"
              f"  errors {rerr}  added p50 {pct(r2, .5) - pct(d, .5):+.1f} ms p99 {pct(r2, .99) - pct(d, .99):+.1f} ms")
        print("  replica RSS " + ", ".join(f"{b:.1f} -> {c:.1f} MB" for b, c in zip(before, after)))
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if redis:
            redis.stop()
        if pg:
            pg.destroy()


if __name__ == "__main__":
    main()
