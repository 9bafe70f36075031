"""Keys, token buckets, translation and metrics, as units."""

from __future__ import annotations

import asyncio

import pytest

from ccgpt.errors import UsageError
from ccgpt.gateway import translate as t
from ccgpt.gateway.upstreams import openai_translate as ot
from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.limits import LocalLimiter, TokenBucket
from ccgpt.gateway.metrics import MAX_SERIES, Metrics
from ccgpt.store.keys import KeyStore, find_key, hash_key


def test_keys_lifecycle_store_only_hashes(store):
    ks = KeyStore(store)
    rec, key = ks.create("ci", models="llama3.2, qwen2.5-coder:7b", rpm=10, tpm=1000, admin=False)
    assert key.startswith("ccgpt_") and len(key) >= 40
    dump = "\n".join(store.conn.iterdump())
    assert key not in dump and hash_key(key) in dump
    assert rec.models == ["llama3.2", "qwen2.5-coder:7b"] and rec.rpm == 10 and not rec.admin
    assert find_key(ks.list(), key).name == "ci"
    assert find_key(ks.list(), key + "x") is None
    with pytest.raises(UsageError):
        ks.create("ci")
    ks.revoke("ci")
    assert find_key(ks.list(), key) is None
    assert ks.list(include_revoked=False) == []
    with pytest.raises(UsageError):
        ks.revoke("nobody")
    assert "hash" not in ks.get("ci").public()


@pytest.mark.parametrize("name", ["", "a b", "x" * 65, "-lead", "é", "a\nb", 'q"uote'])
def test_key_names_are_label_safe(store, name):
    with pytest.raises(UsageError):
        KeyStore(store).create(name)


@pytest.mark.parametrize("kw", [{"rpm": 0}, {"tpm": -1}, {"models": ","}, {"models": "bad name"}])
def test_key_limits_validated(store, kw):
    with pytest.raises(UsageError):
        KeyStore(store).create("k", **kw)


def test_token_bucket_math():
    b = TokenBucket(60, now=0.0)  # 1 per second, burst 60
    for _ in range(60):
        assert b.try_take(1, now=0.0) == 0
    assert b.try_take(1, now=0.0) == pytest.approx(1.0)
    assert b.try_take(1, now=1.0) == 0
    b.debit(30, now=1.0)
    assert b.wait_positive(now=1.0) == pytest.approx(30.0, abs=0.01)
    assert b.wait_positive(now=40.0) == 0


def test_limiter_retry_after_is_whole_seconds():
    lim = LocalLimiter()
    assert lim.admit_now("k", 1, None) == 0
    assert lim.admit_now("k", 1, None) >= 1
    lim.charge_tokens("t", 60, 120)
    assert lim.admit_now("t", None, 60) >= 60


def test_openai_to_ollama_chat_translation():
    req, stream, usage = t.openai_chat_to_ollama({
        "model": "m", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "developer", "content": "rules"},
                     {"role": "user", "content": [{"type": "text", "text": "look"},
                                                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]},
                     {"role": "assistant", "content": None,
                      "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\"a\": 1}"}}]},
                     {"role": "tool", "content": "42", "tool_call_id": "c1"}],
        "max_completion_tokens": 9, "stop": "END", "response_format": {"type": "json_object"}})
    assert stream and usage
    assert req["messages"][0] == {"role": "system", "content": "rules"}
    assert req["messages"][1] == {"role": "user", "content": "look", "images": ["AAAA"]}
    assert req["messages"][2]["tool_calls"] == [{"function": {"name": "f", "arguments": {"a": 1}}}]
    assert req["options"] == {"num_predict": 9, "stop": ["END"]} and req["format"] == "json"


@pytest.mark.parametrize("body,field", [
    ({"model": "m", "messages": []}, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "http://169.254.169.254/"}}]}]}, "messages[0].content"),
    ({"model": "m", "messages": [{"role": "root", "content": "x"}]}, "messages[0].role"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"}, "temperature"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}, "stream"),
    ({"messages": [{"role": "user", "content": "x"}]}, "model"),
])
def test_openai_bad_requests_name_the_field(body, field):
    with pytest.raises(GatewayError) as e:
        t.openai_chat_to_ollama(body)
    assert e.value.status == 400 and e.value.param == field


def test_ollama_answers_to_openai():
    resp = {"message": {"role": "assistant", "content": "",
                        "tool_calls": [{"function": {"name": "f", "arguments": {"x": 1}}}]},
            "done": True, "done_reason": "stop", "prompt_eval_count": 4, "eval_count": 2}
    out = t.ollama_chat_to_openai(resp, "m", "id", 1)
    assert out["choices"][0]["finish_reason"] == "tool_calls"
    assert out["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"] == '{"x": 1}'
    assert out["usage"] == {"prompt_tokens": 4, "completion_tokens": 2, "total_tokens": 6}
    assert t.ollama_generate_to_openai({"response": "x", "done_reason": "length"}, "m", "i", 1)["choices"][0]["finish_reason"] == "length"


def test_ollama_requests_to_openai_upstreams():
    req = {"model": "m", "messages": [{"role": "user", "content": "hi", "images": ["QQ=="]}],
           "options": {"temperature": 0.5, "num_predict": 7, "stop": ["x"], "seed": 1, "top_k": 3},
           "format": {"type": "object"}, "stream": True}
    out = ot.to_openai_chat_request(req)
    assert out["max_tokens"] == 7 and out["temperature"] == 0.5 and out["stop"] == ["x"] and "top_k" not in out
    assert out["messages"][0]["content"][1]["image_url"]["url"] == "data:image/png;base64,QQ=="
    assert out["response_format"]["type"] == "json_schema"
    assert out["stream_options"] == {"include_usage": True}
    chat = ot.generate_as_chat({"model": "m", "prompt": "p", "system": "s", "options": {}})
    assert chat["messages"] == [{"role": "system", "content": "s"}, {"role": "user", "content": "p"}]


def test_metrics_text_and_bounded_cardinality():
    m = Metrics()
    m.request("/api/chat", "llama3.2", "alice", 200, 0.003)
    m.tokens("llama3.2", "alice", 5, 7)
    m.ttft.observe(("llama3.2", "alice"), 0.02)
    text = m.render()
    assert 'ccgpt_gateway_requests_total{route="/api/chat",model="llama3.2",key="alice",code="200"} 1' in text
    assert 'ccgpt_gateway_request_duration_seconds_bucket{route="/api/chat",model="llama3.2",key="alice",le="0.005"} 1' in text
    assert 'ccgpt_gateway_completion_tokens_total{model="llama3.2",key="alice"} 7' in text
    assert "# TYPE ccgpt_gateway_time_to_first_token_seconds histogram" in text
    for i in range(MAX_SERIES + 50):
        m.request("/api/chat", f"m{i}", "k", 200, 0.001)
    assert len(m.requests.values) <= MAX_SERIES + 1
    assert len(m.latency.series) <= MAX_SERIES + 1


def test_label_values_are_escaped():
    m = Metrics()
    m.request('/x"\n', "m", "k", 200, 0.1)
    assert '/x\\"\\n' in m.render()


def test_serve_passes_embedded_settings_to_the_embedded_upstream(tmp_path):
    """[ccgpt.embedded] n_ctx / n_threads / model_path reach the gateway's embedded model (they
    were dropped: `ccgpt serve` always ran it with 2048 tokens and llama.cpp's thread default)."""
    import argparse

    from ccgpt.cli.serve import upstream_specs
    from ccgpt.config import load_config
    from ccgpt.errors import ConfigError
    from ccgpt.gateway.upstreams.factory import build_upstreams

    conf = tmp_path / "c.toml"
    args = argparse.Namespace(upstream=["http://127.0.0.1:1"], no_embedded=False)
    conf.write_text('[ccgpt.embedded]\nn_ctx = 512\nn_threads = 1\nmodel_path = "/m/x.gguf"\n')
    specs = upstream_specs(load_config(str(conf), warn=False), args)
    emb = [s for s in specs if s["kind"] == "embedded"]
    assert emb == [{"name": "embedded", "kind": "embedded", "model_path": "/m/x.gguf", "n_ctx": 512, "n_threads": 1}]
    (up,) = build_upstreams(emb, connect_timeout=1, read_timeout=1)
    backend = up._factory()  # constructing it loads nothing
    assert (backend.n_ctx, backend.n_threads, str(backend.model_path)) == (512, 1, "/m/x.gguf")

    # an upstream entry's own values win over [ccgpt.embedded]
    conf.write_text('[ccgpt.embedded]\nn_ctx = 512\n[[ccgpt.gateway.upstreams]]\nkind = "embedded"\nn_ctx = 1024\n')
    (spec,) = upstream_specs(load_config(str(conf), warn=False), argparse.Namespace(upstream=None, no_embedded=False))
    assert spec["n_ctx"] == 1024 and spec["n_threads"] is None
    conf.write_text('[[ccgpt.gateway.upstreams]]\nkind = "embedded"\nn_threads = "many"\n')
    with pytest.raises(ConfigError, match="n_threads must be a whole number"):
        upstream_specs(load_config(str(conf), warn=False), argparse.Namespace(upstream=None, no_embedded=False))


def _served(handler, kind="openai"):
    """An upstream of that kind in front of a loopback FakeServer answering with handler."""
    from fakeserver import FakeServer

    from ccgpt.gateway.upstreams.ollama import OllamaUpstream
    from ccgpt.gateway.upstreams.openai import OpenAIUpstream

    srv = FakeServer().start()
    if kind == "openai":
        srv.route("POST", "/v1/chat/completions", handler)
        up = OpenAIUpstream("u", srv.url + "/v1")
    else:
        srv.route("POST", "/api/chat", handler)
        up = OllamaUpstream("o", srv.url)
    up.fake = srv
    return up


def _sse_upstream(lines: list[str]):
    from fakeserver import Reply

    events = [f"data: {line}\n\n".encode() for line in lines]
    return _served(lambda request: Reply(lines=events, content_type="text/event-stream"))


def _chunk(content=None, finish=None) -> str:
    import json

    return json.dumps({"choices": [{"index": 0, "delta": {"content": content} if content else {},
                                    "finish_reason": finish}]})


async def _collect(up, close: bool = True) -> list[dict]:
    try:
        stream = await up.open_chat({"model": "m", "messages": [{"role": "user", "content": "x"}]})
        return [piece.obj async for batch in stream for piece in batch]
    finally:
        if close:
            await up.close()
            up.fake.stop()


def test_openai_stream_without_usage_counts_its_chunks():
    """llama-cpp-python's server ignores stream_options.include_usage: one chunk is one token."""
    out = asyncio.run(_collect(_sse_upstream([_chunk("a"), _chunk("b"), _chunk("c"), _chunk(finish="length"), "[DONE]"])))
    final = out[-1]
    assert final["done"] and final["done_reason"] == "length" and final["eval_count"] == 3
    assert "prompt_eval_count" not in final  # unknown, so not claimed to be 0


def test_openai_stream_cut_short_is_an_error_not_a_stop():
    """A stream ending with [DONE] but no finish reason (llama-cpp-python's server interrupted by
    another request) must not reach the client as a complete answer."""
    with pytest.raises(GatewayError) as e:
        asyncio.run(_collect(_sse_upstream([_chunk("a"), _chunk("b"), "[DONE]"])))
    assert e.value.status == 502 and "without a finish reason" in e.value.message


def test_health_checks_leave_busy_upstreams_alone():
    from ccgpt.gateway.upstreams.base import Upstream
    from ccgpt.gateway.upstreams.pool import Pool

    class Probe(Upstream):
        checks = 0

        async def check(self):
            self.checks += 1
            return self.healthy

    busy, idle, down = Probe("busy"), Probe("idle"), Probe("down")
    busy.outstanding = down.outstanding = 1
    down.healthy = False
    asyncio.run(Pool([busy, idle, down], health_interval=0).check_all())
    assert (busy.checks, idle.checks, down.checks) == (0, 1, 1)


def test_openai_upstream_retries_without_stream_options_once_refused():
    """As the sync OpenAIBackend does (tests/llm/test_llm_openai_sse.py): one refusal, then the
    field is never sent to that server again."""
    from fakeserver import Reply

    ok = [f"data: {line}\n\n".encode() for line in [_chunk("hi"), _chunk(finish="stop"), "[DONE]"]]

    def handler(request):
        if "stream_options" in request.json():
            return Reply(400, b'{"error":{"message":"Unrecognized request argument supplied: stream_options"}}')
        return Reply(lines=ok, content_type="text/event-stream")

    up = _served(handler)
    sent = up.fake.requests

    async def twice():
        return [await _collect(up, close=False), await _collect(up)]

    first, second = asyncio.run(twice())
    assert [p["message"]["content"] for p in first] == ["hi", ""] and first[-1]["done"]
    assert second[-1]["done_reason"] == "stop"
    assert ["stream_options" in r.json() for r in sent] == [True, False, False]


def test_ollama_upstream_stream_without_done_is_an_error():
    """An Ollama stream that stops before its `done` object is cut: an error, as in OllamaBackend."""
    from fakeserver import Reply

    line = b'{"model":"m","message":{"role":"assistant","content":"a"},"done":false}\n'
    up = _served(lambda request: Reply(lines=[line], content_type="application/x-ndjson"), kind="ollama")
    with pytest.raises(GatewayError) as e:
        asyncio.run(_collect(up))
    assert e.value.status == 502 and "no final 'done' object" in e.value.message
