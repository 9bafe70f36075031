"""The auth and safety matrix, against a real gateway (uvicorn, loopback) and a fake Ollama."""

from __future__ import annotations

import pytest

from tests.helpers.gateway import client, gateway
from ccgpt.store.keys import KeyStore

CHAT = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}], "stream": False}
OAI = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}]}


@pytest.fixture
def keyed(fake, store, serve):
    """A gateway with keys: a user key limited to llama3.2, an admin key, a revoked key."""
    ks = KeyStore(store)
    _, user = ks.create("alice", models="llama3.2")
    _, admin = ks.create("root", admin=True)
    _, old = ks.create("old")
    ks.revoke("old")
    gw, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)
    srv = serve(app)
    return srv, {"user": user, "admin": admin, "revoked": old}, ks


def test_no_key_is_401_in_both_dialects(keyed):
    srv, _, _ = keyed
    r = client(srv.url).post("/api/chat", json=CHAT)
    assert r.status_code == 401 and "missing API key" in r.json()["error"]
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = client(srv.url).post("/v1/chat/completions", json=OAI)
    assert r.status_code == 401
    assert r.json()["error"]["type"] == "authentication_error"


@pytest.mark.parametrize("header", ["Bearer ccgpt_wrongwrongwrongwrongwrong", "Bearer", "Basic abc", "ccgpt_x",
                                    "Bearer " + "x" * 5000])
def test_wrong_or_malformed_key_is_401(keyed, header):
    srv, _, _ = keyed
    r = client(srv.url, headers={"authorization": header}).post("/api/chat", json=CHAT)
    assert r.status_code == 401


def test_revoked_key_is_401_and_revoking_takes_effect_at_once(keyed):
    srv, keys, ks = keyed
    assert client(srv.url, keys["revoked"]).post("/api/chat", json=CHAT).status_code == 401
    c = client(srv.url, keys["user"])
    assert c.post("/api/chat", json=CHAT).status_code == 200
    # revoke through another connection, as `ccgpt keys revoke` in another process does
    from ccgpt.store.db import open_store

    other = open_store(ks.store.path)
    KeyStore(other).revoke("alice")
    other.close()
    assert c.post("/api/chat", json=CHAT).status_code == 401


def test_valid_key_works_and_model_allow_list_applies(keyed):
    srv, keys, _ = keyed
    c = client(srv.url, keys["user"])
    assert c.post("/api/chat", json=CHAT).json()["message"]["content"] == "echo: hi"
    r = c.post("/api/chat", json={**CHAT, "model": "qwen2.5-coder:7b"})
    assert r.status_code == 403 and "may not use model" in r.json()["error"]
    r = c.post("/v1/chat/completions", json={**OAI, "model": "qwen2.5-coder:7b"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "model_not_allowed"
    # lists only show what the key may use
    assert [m["name"] for m in c.get("/api/tags").json()["models"]] == ["llama3.2:latest"]
    assert [m["id"] for m in c.get("/v1/models").json()["data"]] == ["llama3.2:latest"]


@pytest.mark.parametrize("method,path,body", [
    ("POST", "/api/pull", {"model": "tinyllama"}),
    ("DELETE", "/api/delete", {"model": "llama3.2"}),
    ("POST", "/api/create", {"model": "mine", "from": "llama3.2"}),
    ("POST", "/api/copy", {"source": "llama3.2", "destination": "x"}),
    ("POST", "/api/push", {"model": "llama3.2"}),
])
def test_admin_routes_refuse_user_keys(keyed, method, path, body):
    srv, keys, _ = keyed
    r = client(srv.url, keys["user"]).request(method, path, json=body)
    assert r.status_code == 403 and "admin" in r.json()["error"]


def test_admin_key_can_pull_and_delete(keyed, fake):
    srv, keys, _ = keyed
    c = client(srv.url, keys["admin"])
    lines = c.post("/api/pull", json={"model": "tinyllama"}).text.strip().splitlines()
    assert '"success"' in lines[-1]
    assert "tinyllama:latest" in fake.models
    assert c.request("DELETE", "/api/delete", json={"model": "tinyllama"}).status_code == 200
    assert "tinyllama:latest" not in fake.models


def test_load_time_options_need_admin(keyed):
    srv, keys, _ = keyed
    body = {**CHAT, "options": {"num_gpu": 99}}
    r = client(srv.url, keys["user"]).post("/api/chat", json=body)
    assert r.status_code == 400 and "admin" in r.json()["error"]
    assert client(srv.url, keys["admin"]).post("/api/chat", json=body).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:11435", "attacker.com.", "192.168.1.5"])
def test_dns_rebinding_host_header_is_refused(keyed, host):
    srv, keys, _ = keyed
    r = client(srv.url, keys["user"]).post("/api/chat", json=CHAT, headers={"host": host})
    assert r.status_code == 403 and "host not allowed" in r.json()["error"]


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1:1234", "[::1]:80", "app.localhost"])
def test_loopback_host_headers_pass(keyed, host):
    srv, keys, _ = keyed
    r = client(srv.url, keys["user"]).post("/api/chat", json=CHAT, headers={"host": host})
    assert r.status_code == 200


def test_cors_preflight_from_foreign_origin_is_refused(keyed):
    srv, _, _ = keyed
    r = client(srv.url).options("/v1/chat/completions", headers={
        "origin": "https://evil.example", "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type"})
    assert r.status_code == 403
    assert "access-control-allow-origin" not in r.headers


def test_simple_cross_origin_post_is_refused_before_it_runs(keyed, fake):
    srv, keys, _ = keyed
    before = len(fake.requests)
    r = client(srv.url, keys["user"]).post("/api/chat", content=b'{"model":"llama3.2","messages":[]}',
                                           headers={"origin": "https://evil.example", "content-type": "text/plain"})
    assert r.status_code == 403
    assert len(fake.requests) == before  # nothing reached the model server


def test_allowed_origin_gets_cors_headers(fake, serve):
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], cors_origins=["http://localhost:3000", "*"])
    srv = serve(app)
    c = client(srv.url)
    r = c.options("/api/chat", headers={"origin": "http://localhost:3000", "access-control-request-method": "POST"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert r.headers["access-control-allow-origin"] != "*"
    r = c.post("/api/chat", json=CHAT, headers={"origin": "http://localhost:3000"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "http://localhost:3000"
    # '*' in the list is never honoured
    assert c.post("/api/chat", json=CHAT, headers={"origin": "https://other.example"}).status_code == 403


def test_oversized_body_is_413(fake, serve):
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], max_body=4096)
    srv = serve(app)
    big = {**CHAT, "messages": [{"role": "user", "content": "x" * 10000}]}
    r = client(srv.url).post("/api/chat", json=big)
    assert r.status_code == 413
    # chunked upload without Content-Length is counted too
    def gen():
        for _ in range(10):
            yield b"x" * 1000
    r = client(srv.url).post("/v1/chat/completions", content=gen())
    assert r.status_code == 413 and r.json()["error"]["message"].startswith("request body larger")


@pytest.mark.parametrize("body", [b"{", b"not json", b"", b"[1,2]", b'"str"', b"null", b"{\"model\": 5}",
                                  b"[" * 100000])
@pytest.mark.parametrize("path", ["/api/chat", "/api/generate", "/api/embed", "/api/show",
                                  "/v1/chat/completions", "/v1/completions", "/v1/embeddings"])
def test_malformed_json_is_400(keyed, body, path):
    srv, keys, _ = keyed
    r = client(srv.url, keys["admin"]).post(path, content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400, (path, body[:20], r.text)
    err = r.json()["error"]
    assert err if path.startswith("/api") else err["type"] == "invalid_request_error"


def test_rate_limit_429_with_retry_after(fake, store, serve):
    ks = KeyStore(store)
    _, key = ks.create("slow", rpm=3)
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)
    srv = serve(app)
    c = client(srv.url, key)
    codes = [c.post("/api/chat", json=CHAT).status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    r = c.post("/v1/chat/completions", json=OAI)
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert r.json()["error"]["type"] == "rate_limit_error"


def test_token_limit_429(fake, store, serve):
    ks = KeyStore(store)
    _, key = ks.create("tok", tpm=5)
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)
    srv = serve(app)
    c = client(srv.url, key)
    # "echo: a b c d e f" = 7 completion tokens + 6 prompt tokens: over the budget after one request
    assert c.post("/api/chat", json={**CHAT, "messages": [{"role": "user", "content": "a b c d e f"}]}).status_code == 200
    r = c.post("/api/chat", json=CHAT)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_anonymous_on_loopback_without_keys_but_not_admin(fake, serve):
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}])
    srv = serve(app)
    c = client(srv.url, "sk-anything")  # the openai client always sends some key: ignored
    assert c.post("/api/chat", json=CHAT).status_code == 200
    assert c.post("/api/pull", json={"model": "x"}).status_code == 403


def test_keys_become_required_when_the_first_key_is_created(fake, store, serve):
    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)
    srv = serve(app)
    assert client(srv.url).post("/api/chat", json=CHAT).status_code == 200
    from ccgpt.store.db import open_store

    other = open_store(store.path)
    _, key = KeyStore(other).create("first")
    other.close()
    assert client(srv.url).post("/api/chat", json=CHAT).status_code == 401
    assert client(srv.url, key).post("/api/chat", json=CHAT).status_code == 200


def test_non_loopback_bind_requires_keys_even_with_none(fake):
    from starlette.testclient import TestClient

    _, app = gateway([{"name": "a", "kind": "ollama", "url": fake.url}], bind_host="0.0.0.0")
    with TestClient(app, base_url="http://10.0.0.5") as tc:
        assert tc.post("/api/chat", json=CHAT).status_code == 401


def test_metrics_need_admin_when_keys_exist(keyed):
    srv, keys, _ = keyed
    assert client(srv.url).get("/metrics").status_code == 401
    assert client(srv.url, keys["user"]).get("/metrics").status_code == 403
    r = client(srv.url, keys["admin"]).get("/metrics")
    assert r.status_code == 200 and "ccgpt_gateway_requests_total" in r.text
    assert client(srv.url).get("/healthz").json() == {"status": "ok"}


def test_keys_are_not_forwarded_and_prompts_not_logged(keyed, fake, caplog):
    srv, keys, _ = keyed
    import logging

    caplog.set_level(logging.INFO, logger="ccgpt.gateway")
    client(srv.url, keys["user"]).post("/api/chat", json={**CHAT, "messages": [{"role": "user", "content": "SECRETPROMPT"}]})
    assert "SECRETPROMPT" not in caplog.text
    assert keys["user"] not in caplog.text
    assert any("model=llama3.2 key=alice" in r.getMessage() for r in caplog.records)


def test_unknown_routes_and_methods(keyed):
    srv, keys, _ = keyed
    c = client(srv.url, keys["user"])
    assert c.get("/api/nope").status_code == 404
    assert c.get("/api/chat").status_code == 405
    assert c.get("/v1/nope").json()["error"]["message"] == "not found"
