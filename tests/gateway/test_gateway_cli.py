"""`ccgpt keys`, `ccgpt serve --check` and `ccgpt models` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from tests.helpers.fake_ollama import FakeOllama


@pytest.fixture
def env(tmp_path):
    return {"CCGPT_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}


def test_keys_create_list_revoke(ccgpt, env):
    r = ccgpt("keys", "create", "--name", "ci", "--models", "llama3.2", "--rpm", "5", "--json", env=env)
    assert r.returncode == 0, r.stderr
    created = json.loads(r.stdout)
    key = created["key"]
    assert key.startswith("ccgpt_") and created["models"] == ["llama3.2"] and created["rpm"] == 5
    r = ccgpt("keys", "create", "--name", "ops", "--admin", env=env)
    assert r.returncode == 0 and r.stdout.startswith("ccgpt_") and "only time" in r.stderr
    listed = ccgpt("keys", "list", env=env)
    assert "ci" in listed.stdout and "ops" in listed.stdout and key not in listed.stdout
    assert ccgpt("keys", "create", "--name", "ci", env=env).returncode == 2
    assert ccgpt("keys", "revoke", "ci", env=env).returncode == 0
    rows = json.loads(ccgpt("keys", "list", "--json", env=env).stdout)
    assert [r["revoked"] is not None for r in rows] == [True, False]
    assert all("hash" not in r and "key" not in r for r in rows)
    assert ccgpt("keys", "revoke", "nobody", env=env).returncode == 2
    db = os.path.join(env["CCGPT_DATA_DIR"], "ccgpt.db")
    assert stat.S_IMODE(os.stat(db).st_mode) == 0o600


def test_serve_refuses_network_bind_without_keys(ccgpt, env):
    r = ccgpt("serve", "--host", "0.0.0.0", "--check", env=env)
    assert r.returncode == 2 and "no API key exists" in r.stderr
    ccgpt("keys", "create", "--name", "k", env=env)
    r = ccgpt("serve", "--host", "0.0.0.0", "--check", env=env)
    assert r.returncode == 0 and "without TLS" in r.stderr
    r = ccgpt("serve", "--check", "--json", "--upstream", "openai=http://127.0.0.1:8080/v1", env=env)
    out = json.loads(r.stdout)
    assert out["url"] == "http://127.0.0.1:11435"
    assert out["upstreams"][0].startswith("openai-1 (openai http://127.0.0.1:8080/v1)")
    assert ccgpt("serve", "--tls-cert", "x.pem", "--check", env=env).returncode == 2


def test_models_against_fake_ollama(ccgpt, env):
    f = FakeOllama().start()
    try:
        e = {**env, "OLLAMA_HOST": f.url}
        r = ccgpt("models", "list", "--json", env=e)
        names = [m["name"] for m in json.loads(r.stdout)]
        assert names == ["llama3.2:latest", "qwen2.5-coder:7b", "qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"]
        r = ccgpt("models", "pull", "tinyllama", env=e)
        assert r.returncode == 0 and "pulling manifest" in r.stderr and "pulled tinyllama" in r.stdout
        assert "tinyllama:latest" in f.models
        r = ccgpt("models", "show", "llama3.2", env=e)
        assert "family: llama" in r.stdout
        assert ccgpt("models", "rm", "tinyllama", env=e).returncode == 0
        r = ccgpt("models", "rm", "tinyllama", env=e)
        assert r.returncode == 1 and "not found" in r.stderr
        assert ccgpt("models", "pull", "bad name!", env=e).returncode == 2
    finally:
        f.stop()
    r = ccgpt("models", "list", env={**env, "OLLAMA_HOST": "http://127.0.0.1:9"})
    assert r.returncode == 0 and "smollm2-135m" in r.stdout and "not reachable" in r.stderr


def test_models_recommend(ccgpt, env):
    r = ccgpt("models", "recommend", "--json", env=env)
    data = json.loads(r.stdout)
    assert data["ram_gb"] > 0 and set(data["recommendations"]) == {"shell", "code", "general", "embeddings"}
    assert "budget" in ccgpt("models", "recommend", env=env).stdout


def test_models_use_edits_only_its_key(ccgpt, env, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('# my notes\n[ccgpt]\nbackend = "ollama"  # keep\n\n[ccgpt.models]\n# chosen by hand\n'
                   'shell = "old"\n\n[ccgpt.sandbox]\ntimeout = 5\n')
    r = ccgpt("models", "use", "qwen2.5-coder:3b", "--task", "shell", "--config", str(cfg), env=env)
    assert r.returncode == 0, r.stderr
    text = cfg.read_text()
    assert 'shell = "qwen2.5-coder:3b"' in text and "old" not in text
    assert "# my notes" in text and "# chosen by hand" in text and "# keep" in text and "timeout = 5" in text
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    r = ccgpt("models", "use", "llama3.2:3b", "--config", str(cfg), env=env)
    import tomllib

    models = tomllib.loads(cfg.read_text())["ccgpt"]["models"]
    assert models == {"shell": "llama3.2:3b", "code": "llama3.2:3b", "general": "llama3.2:3b"}
    # no config yet: the user config file is created, owner-only
    assert ccgpt("models", "use", "x:1b", env=env).returncode == 0
    new = tmp_path / "cfg" / "ccgpt" / "config.toml"
    assert tomllib.loads(new.read_text())["ccgpt"]["models"]["code"] == "x:1b"
    assert stat.S_IMODE(new.stat().st_mode) == 0o600


def test_keys_usage_from_the_sqlite_store(ccgpt, env, serve):
    """Requests and tokens per key and day, written by a running gateway, read by the CLI."""
    from pathlib import Path

    from tests.helpers.gateway import client, gateway

    from ccgpt.store.db import open_store

    r = ccgpt("keys", "create", "--name", "ci", "--json", env=env)
    key = json.loads(r.stdout)["key"]
    ccgpt("keys", "create", "--name", "idle", env=env)
    fake = FakeOllama().start()
    store = open_store(Path(env["CCGPT_DATA_DIR"]) / "ccgpt.db")
    try:
        srv = serve(gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store, usage_flush_s=0.1)[1])
        with client(srv.url, key) as c:
            for text in ("one two", "three"):
                assert c.post("/api/chat", json={"model": "llama3.2", "stream": False,
                                                 "messages": [{"role": "user", "content": text}]}).status_code == 200
            assert c.post("/api/chat", json={"model": "llama3.2", "messages": [{"role": "user", "content": "x"}]}).status_code == 200
        import time

        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            rows = json.loads(ccgpt("keys", "usage", "--json", env=env).stdout)
            if rows and rows[0]["requests"] == 3:
                break
            time.sleep(0.2)
    finally:
        fake.stop()
    assert [(r["name"], r["requests"], r["prompt_tokens"], r["completion_tokens"]) for r in rows] == [("ci", 3, 4, 7)]
    table = ccgpt("keys", "usage", "ci", "--since", "1d", env=env)
    assert table.returncode == 0 and "REQUESTS" in table.stdout and " ci " in table.stdout
    bad = ccgpt("keys", "usage", "--since", "yesterday", env=env)
    assert bad.returncode == 2 and "--since" in bad.stderr and "Traceback" not in bad.stderr
    assert ccgpt("keys", "usage", "nobody", env=env).returncode == 2
