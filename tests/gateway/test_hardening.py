"""Issue 14's gateway attacks, run for real: slow clients that never finish their headers, log
injection through model names (on every route, the admin pull route included), a lone
surrogate in message content, and `ccgpt serve` on a port that is in use."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from tests.helpers.gateway import client, free_port, gateway
from tests.helpers.fake_ollama import FakeOllama

SRC = Path(__file__).resolve().parents[2] / "src"


def _serve_cli(tmp_path, port, upstream, extra_config=""):
    cfg = tmp_path / "cfg" / "ccgpt"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.toml").write_text(f"[ccgpt.gateway]\n{extra_config}\n")
    env = {**os.environ, "PYTHONPATH": str(SRC), "CCGPT_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "CCGPT_CONFIG": str(cfg / "config.toml")}
    return subprocess.Popen([sys.executable, "-m", "ccgpt", "serve", "--port", str(port), "--no-embedded",
                             "--upstream", upstream, "--log-level", "warning"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_healthy(url, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read())
        try:
            if httpx.get(url + "/healthz", trust_env=False, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("gateway did not start")


def _closed_by_server(sock: socket.socket, wait: float) -> bool:
    sock.settimeout(wait)
    try:
        return sock.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


@pytest.mark.slow
def test_slow_clients_cannot_hold_every_connection(tmp_path):
    """max_connections = 20: one address holding its cap (max(8, 20 // 4) = 8) of half-sent
    requests leaves room for everyone else, and loses them after header_timeout."""
    fake = FakeOllama().start()
    port = free_port()
    proc = _serve_cli(tmp_path, port, fake.url, "max_connections = 20\nheader_timeout = 1.5")
    slow: list[socket.socket] = []
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never finished
            slow.append(s)
        time.sleep(0.3)
        refused = [s for s in slow if _closed_by_server(s, 0.05)]
        assert len(refused) == 12  # 8 held, the other 12 closed on arrival
        # another client (another loopback address) is served meanwhile
        with httpx.Client(base_url=url, trust_env=False, timeout=5,
                          transport=httpx.HTTPTransport(local_address="127.0.0.2")) as c:
            r = c.post("/api/chat", json={"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}],
                                          "stream": False})
        assert r.status_code == 200
        held = [s for s in slow if s not in refused]
        assert all(_closed_by_server(s, 3.0) for s in held)  # the header timeout let them go
        assert httpx.get(url + "/healthz", trust_env=False).status_code == 200  # and the address is free again
    finally:
        for s in slow:
            s.close()
        proc.terminate()
        proc.wait(10)
        fake.stop()


@pytest.mark.parametrize("name", ["llama3.2\u202e", "llama\x85x", "llama\u2028x", "llama\u200bx", "a\ud800"])
def test_model_names_are_validated_the_same_on_every_route(fake, store, serve, name):
    from ccgpt.store.keys import KeyStore

    _, admin = KeyStore(store).create("root", admin=True)
    srv = serve(gateway([{"name": "a", "kind": "ollama", "url": fake.url}], store=store)[1])
    with client(srv.url, admin) as c:
        for path, body in (("/api/chat", {"model": name, "messages": []}),
                           ("/api/generate", {"model": name, "prompt": "x"}),
                           ("/api/show", {"model": name}),
                           ("/api/pull", {"model": name}),
                           ("/api/delete", {"model": name}),
                           ("/api/copy", {"source": name, "destination": "x"}),
                           ("/v1/chat/completions", {"model": name, "messages": [{"role": "user", "content": "x"}]})):
            method = "DELETE" if path == "/api/delete" else "POST"
            r = c.request(method, path, content=json.dumps(body))
            assert r.status_code == 400, (path, r.text)
            err = r.json()["error"]
            message = err["message"] if isinstance(err, dict) else err
            assert "invalid model name" in message or ("surrogate" in message and "\ud800" in name)


def test_every_gateway_log_line_is_escaped(caplog):
    from ccgpt.gateway.context import log

    forged = "x\n2026-01-01 INFO ccgpt.gateway: /api/chat 200 model=ok key=admin"
    with caplog.at_level(logging.INFO, logger="ccgpt.gateway"):
        log.info("model=%s key=%s", forged, "k\u202eyek\x85\u2028")
        log.warning("upstream said: " + "\x1b[2Jboom")
    text = caplog.text
    assert "\\x0a2026-01-01" in text and "\n2026-01-01" not in text
    assert "\\u202e" in text and "\u202e" not in text and "\\x85" in text and "\\u2028" in text
    assert "\x1b" not in text and "\\x1b[2Jboom" in text


def test_lone_surrogate_in_content_is_a_400_not_a_502(fake, serve):
    srv = serve(gateway([{"name": "a", "kind": "ollama", "url": fake.url}])[1])
    lone = b'{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"a\\ud800b"}]}'
    paired = b'{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"a\\ud83d\\ude00b"}]}'
    raw = b'{"model":"llama3.2","stream":false,"messages":[{"role":"user","content":"a\xed\xa0\x80b"}]}'
    with client(srv.url) as c:
        for path in ("/api/chat", "/v1/chat/completions"):
            for body in (lone, raw):
                r = c.post(path, content=body, headers={"content-type": "application/json"})
                assert r.status_code == 400 and "surrogate" in r.text, (path, r.text)
            r = c.post(path, content=paired, headers={"content-type": "application/json"})
            assert r.status_code == 200 and "\U0001f600" in r.text, r.text  # a pair is one character


@pytest.mark.slow
def test_serve_on_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = _serve_cli(tmp_path, port, "http://127.0.0.1:9")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and f"port {port} on 127.0.0.1 is already in use" in lines[0], err
    assert "Traceback" not in err and "uvicorn" not in err.lower() and "gateway on" not in err
