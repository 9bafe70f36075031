"""`ccgpt mcp --http`: streamable HTTP at /mcp, driven by the SDK's own client; DNS-rebinding
protection, API keys, the body limit."""

from __future__ import annotations

import subprocess
import sys

import anyio
import httpx
import pytest

from agents_helpers import CLIENT, Elicitor, HttpServer, history, http_session

INIT = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "probe", "version": "0"}}}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
def server(server_env, work):
    started = []

    def start(*args):
        s = HttpServer(list(args), env=server_env, cwd=work)
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


def test_tools_and_elicitation_over_http(server, work, server_env):
    srv = server()
    (work / "build").mkdir()
    yes, no = Elicitor("accept"), Elicitor("decline")

    async def main():
        async with http_session(srv.url, elicitor=no) as session:
            names = [t.name for t in (await session.list_tools()).tools]
            checked = await session.call_tool("check_command", {"command": "rm -rf ~"})
            explained = await session.call_tool("explain_command", {"command": "ls -la"})
            declined = await session.call_tool("run_command", {"command": "rm -rf build"})
        async with http_session(srv.url, elicitor=yes) as session:
            accepted = await session.call_tool("run_command", {"command": "rm -rf build"})
            blocked = await session.call_tool("run_command", {"command": "touch x; rm -rf ~"})
        return names, checked, explained, declined, accepted, blocked

    names, checked, explained, declined, accepted, blocked = anyio.run(main)
    assert names == ["check_command", "explain_command", "suggest_command", "run_command"]
    assert checked.structuredContent["level"] == "blocked"
    assert [p["text"] for p in explained.structuredContent["parts"]] == ["ls", "-la"]
    assert declined.structuredContent["ran"] is False and "declined" in declined.structuredContent["reason"]
    assert accepted.structuredContent["ran"] is True and not (work / "build").exists()
    assert blocked.structuredContent["ran"] is False and not (work / "x").exists()
    assert len(no.messages) == len(yes.messages) == 1
    events = history(server_env)
    assert {e["detail"]["client"]["transport"] for e in events} == {"http"}
    assert {e["detail"]["client"]["name"] for e in events} == {CLIENT}


@pytest.mark.parametrize("headers, status", [
    ({"Host": "evil.example"}, 421),
    ({"Host": "evil.example:8765"}, 421),
    ({"Origin": "http://evil.example"}, 403),
    ({"Origin": "http://localhost.evil.example:80"}, 403),
    ({}, 200),
    ({"Host": "localhost:1234", "Origin": "http://localhost:1234"}, 200),
], ids=["host", "host-port", "origin", "origin-lookalike", "plain", "localhost"])
def test_dns_rebinding_is_refused(server, headers, status):
    srv = server()
    r = httpx.post(srv.url, json=INIT, headers={**HEADERS, **headers}, timeout=30)
    assert r.status_code == status, r.text


def test_body_limit(server):
    srv = server()
    big = dict(INIT, params=dict(INIT["params"], padding="x" * 400_000))
    r = httpx.post(srv.url, json=big, headers=HEADERS, timeout=30)
    assert r.status_code == 413


def test_keys_are_required_once_one_exists(server, server_env):
    created = subprocess.run([sys.executable, "-m", "ccgpt", "keys", "create", "--name", "agent-1", "--json"], env=server_env,
                             capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    import json

    key = json.loads(created.stdout)["key"]
    srv = server()
    assert httpx.post(srv.url, json=INIT, headers=HEADERS, timeout=30).status_code == 401
    bad = {**HEADERS, "Authorization": "Bearer ccgpt_" + "x" * 40}
    assert httpx.post(srv.url, json=INIT, headers=bad, timeout=30).status_code == 401

    async def main():
        async with http_session(srv.url, headers={"Authorization": f"Bearer {key}"}) as session:
            return await session.call_tool("check_command", {"command": "ls"})

    assert anyio.run(main).structuredContent["level"] == "safe"
    assert history(server_env)[0]["detail"]["client"]["key"] == "agent-1"


def test_non_loopback_bind_without_a_key_refuses_to_start(server_env, work):
    r = subprocess.run([sys.executable, "-m", "ccgpt", "mcp", "--http", "--host", "0.0.0.0", "--port", "0"],
                       env=server_env, cwd=work, capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 2 and "without an API key" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
