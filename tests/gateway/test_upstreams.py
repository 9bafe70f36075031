"""Several upstreams: routing by model, balancing, failover when one is killed mid-test."""

from __future__ import annotations

import asyncio


from tests.helpers.gateway import client, gateway
from tests.helpers.fake_ollama import FakeOllama

CHAT = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}], "stream": False}


def _count(f: FakeOllama, path: str) -> int:
    return sum(1 for _, p, _ in f.requests if p == path)


def test_failover_when_an_upstream_is_killed(serve):
    a, b = FakeOllama(name="a").start(), FakeOllama(name="b").start()
    try:
        _, app = gateway([{"name": "a", "kind": "ollama", "url": a.url}, {"name": "b", "kind": "ollama", "url": b.url}])
        srv = serve(app)
        c = client(srv.url)
        for _ in range(10):
            assert c.post("/api/chat", json=CHAT).status_code == 200
        # both served some requests (ties are broken round-robin)
        assert _count(a, "/api/chat") > 0 and _count(b, "/api/chat") > 0
        a.stop()  # killed: listener and open connections gone
        before = _count(b, "/api/chat")
        for i in range(10):
            r = c.post("/api/chat", json=CHAT) if i % 2 else c.post("/v1/chat/completions", json={**CHAT, "stream": True})
            assert r.status_code == 200, r.text
        assert _count(b, "/api/chat") == before + 10
        m = c.get("/metrics").text
        assert 'ccgpt_gateway_upstream_up{upstream="a"} 0' in m
        assert 'ccgpt_gateway_upstream_failovers_total{upstream="a"}' in m
        b.stop()
        r = c.post("/api/chat", json=CHAT)
        assert r.status_code == 503 and "no upstream" in r.json()["error"]
        assert c.get("/healthz").status_code == 503
    finally:
        a.stop(), b.stop()


def test_routing_by_model():
    a = FakeOllama(models=["llama3.2:latest"], name="a").start()
    b = FakeOllama(models=["qwen2.5-coder:7b"], name="b").start()
    try:
        from starlette.testclient import TestClient

        _, app = gateway([{"name": "a", "kind": "ollama", "url": a.url}, {"name": "b", "kind": "ollama", "url": b.url}])
        with TestClient(app, base_url="http://127.0.0.1") as tc:
            for _ in range(4):
                assert tc.post("/api/chat", json=CHAT).status_code == 200
                assert tc.post("/api/chat", json={**CHAT, "model": "qwen2.5-coder:7b"}).status_code == 200
            assert _count(a, "/api/chat") == 4 and _count(b, "/api/chat") == 4
            names = [m["name"] for m in tc.get("/api/tags").json()["models"]]
            assert names == ["llama3.2:latest", "qwen2.5-coder:7b"]
            assert tc.post("/api/chat", json={**CHAT, "model": "absent"}).status_code == 404
    finally:
        a.stop(), b.stop()


def test_configured_models_restrict_routing():
    a = FakeOllama(name="a").start()
    b = FakeOllama(name="b").start()
    try:
        from starlette.testclient import TestClient

        _, app = gateway([{"name": "a", "kind": "ollama", "url": a.url, "models": ["qwen2.5-coder:7b"]},
                          {"name": "b", "kind": "ollama", "url": b.url}])
        with TestClient(app, base_url="http://127.0.0.1") as tc:
            # a is configured for qwen only, so llama3.2 (which a also has) goes to b alone
            for _ in range(3):
                assert tc.post("/api/chat", json=CHAT).status_code == 200
            assert _count(a, "/api/chat") == 0 and _count(b, "/api/chat") == 3
    finally:
        a.stop(), b.stop()


def test_least_outstanding_requests():
    from ccgpt.gateway.upstreams.base import Upstream
    from ccgpt.gateway.upstreams.pool import Pool

    class U(Upstream):
        async def tags(self):
            return [{"name": "m"}]

    ups = [U("x"), U("y"), U("z")]
    pool = Pool(ups, health_interval=0)
    asyncio.run(pool.check_all())
    ups[0].outstanding, ups[1].outstanding, ups[2].outstanding = 3, 1, 2
    assert pool.candidates("m")[0].name == "y"
    ups[1].healthy = False
    assert [u.name for u in pool.candidates("m")] == ["z", "x", "y"]


def test_stream_release_counts_even_when_client_leaves_early(serve):
    a = FakeOllama(chunk_delay=0.01).start()
    try:
        gw, app = gateway([{"name": "a", "kind": "ollama", "url": a.url}])
        srv = serve(app)
        import httpx

        with httpx.Client(base_url=srv.url, trust_env=False) as c:
            with c.stream("POST", "/api/chat", json={"model": "llama3.2", "messages": [{"role": "user", "content": "stream 200"}]}) as r:
                next(r.iter_lines())
        import time

        deadline = time.monotonic() + 5
        while gw.pool.upstreams[0].outstanding and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gw.pool.upstreams[0].outstanding == 0
    finally:
        a.stop()
