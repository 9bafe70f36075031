"""Fuzz: no input produces a 5xx (or a traceback) while the upstream is healthy."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.gateway import gateway
from tests.helpers.fake_ollama import FakeOllama

PATHS = ["/api/chat", "/api/generate", "/api/embed", "/api/show", "/api/pull", "/api/delete", "/api/copy",
         "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/api/tags", "/v1/models", "/api/ps",
         "/api/version", "/v1/models/llama3.2", "/metrics", "/healthz", "/api/../etc/passwd", "/%00"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
FIELDS = ["model", "messages", "prompt", "stream", "options", "format", "input", "system", "images", "tools",
          "temperature", "top_p", "max_tokens", "stop", "seed", "n", "response_format", "stream_options", "role",
          "content", "keep_alive", "suffix", "raw", "context", "encoding_format", "name", "source", "destination"]
models = st.sampled_from(["llama3.2", "qwen2.5-coder:7b", "nope", "", "../x"])
messages = st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "system", "assistant", "tool", "bad", 3]),
                                           "content": st.one_of(st.text(max_size=30), json_values)}), max_size=3)
bodies = st.one_of(
    st.fixed_dictionaries({"model": models}, optional={f: json_values for f in FIELDS if f != "model"}),
    st.fixed_dictionaries({"model": models, "messages": messages},
                          optional={"stream": st.booleans(), "options": json_values, "max_tokens": json_values}),
    json_values,
)


@pytest.fixture(scope="module")
def tc():
    from starlette.testclient import TestClient

    f = FakeOllama().start()
    f.record = False
    _, app = gateway([{"name": "a", "kind": "ollama", "url": f.url}])
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=True) as c:
        yield c
    f.stop()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), method=st.sampled_from(["GET", "POST", "DELETE", "PUT", "OPTIONS"]), body=bodies)
def test_no_5xx_on_json_bodies(tc, path, method, body):
    r = tc.request(method, path, content=json.dumps(body), headers={"content-type": "application/json"})
    assert r.status_code < 500, (path, body, r.text)
    if r.headers.get("content-type", "").startswith("application/json"):
        r.json()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS), raw=st.binary(max_size=200),
       headers=st.dictionaries(st.sampled_from(["authorization", "content-type", "origin", "x-ccgpt-upstream",
                                                "content-encoding", "accept"]),
                               st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
                               max_size=3))
def test_no_5xx_on_raw_bytes_and_headers(tc, path, raw, headers):
    r = tc.post(path, content=raw, headers=headers)
    assert r.status_code < 500, (path, raw, headers, r.text)
