"""Fixtures for the role commands: a real git repository, and an Ollama-shaped loopback server
whose /api/chat answers are scripted per test (streamed NDJSON, as Ollama sends them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from roles_helpers import Reply, ScriptedOllama, chat_reply, git, transcript, write_config  # noqa: E402


@pytest.fixture
def scripted():
    srv = ScriptedOllama().start()
    srv.answers = ["no findings"]
    calls = {"n": 0}

    def chat(req):
        i = min(calls["n"], len(srv.answers) - 1)
        calls["n"] += 1
        return chat_reply(srv.answers[i], req.json().get("model", "m"))

    srv.route("GET", "/api/version", lambda r: Reply(body=transcript("version.json")))
    srv.route("POST", "/api/chat", chat)
    yield srv
    srv.stop()


@pytest.fixture
def cfg(tmp_path, scripted):
    return write_config(tmp_path, scripted.url)


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    return path
