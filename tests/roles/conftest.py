"""Fixtures for the role commands: a real git repository, and an Ollama-shaped loopback server
whose /api/chat answers are scripted per test (streamed NDJSON, as Ollama sends them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakeserver import FakeServer, Reply, transcript  # noqa: E402

SRC_DIR = str(Path(__file__).resolve().parents[2] / "src")


def _chat_reply(text: str, model: str) -> Reply:
    lines = [json.dumps({"model": model, "message": {"role": "assistant", "content": text}, "done": False}).encode() + b"\n",
             json.dumps({"model": model, "message": {"role": "assistant", "content": ""}, "done": True,
                         "done_reason": "stop", "prompt_eval_count": 10, "eval_count": 5}).encode() + b"\n"]
    return Reply(lines=lines, content_type="application/x-ndjson")


class ScriptedOllama(FakeServer):
    """answers: the texts /api/chat returns, in order; the last one repeats."""

    answers: list[str]

    def chats(self) -> list[dict]:
        return [r.json() for r in self.requests if r.path == "/api/chat"]


@pytest.fixture
def scripted():
    srv = ScriptedOllama().start()
    srv.answers = ["no findings"]
    calls = {"n": 0}

    def chat(req):
        i = min(calls["n"], len(srv.answers) - 1)
        calls["n"] += 1
        return _chat_reply(srv.answers[i], req.json().get("model", "m"))

    srv.route("GET", "/api/version", lambda r: Reply(body=transcript("version.json")))
    srv.route("POST", "/api/chat", chat)
    yield srv
    srv.stop()


def write_config(tmp_path: Path, url: str, extra: str = "", top: str = "") -> str:
    """extra: more tables at the end; top: more keys of the [ccgpt] table."""
    path = tmp_path / "ccgpt.toml"
    path.write_text(f'[[models.llms]]\nname = "llama3.2"\nprovider = "proxy/ollama"\napi_base = "{url}"\n'
                    f'[ccgpt]\nbackend = "ollama"\nfallback_to_embedded = false\n{top}'
                    '[ccgpt.models]\nshell = "shellmodel"\ncode = "coder"\ngeneral = "llama3.2"\n' + extra)
    return str(path)


@pytest.fixture
def cfg(tmp_path, scripted):
    return write_config(tmp_path, scripted.url)


def git(repo: Path, *args: str, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check, env=env)


@pytest.fixture
def repo(tmp_path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "dev@example.com")
    git(path, "config", "user.name", "Dev")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commits(repo: Path) -> list[str]:
    out = git(repo, "log", "--format=%B%x00", check=False)
    return [m.strip() for m in out.stdout.split("\0") if m.strip()] if out.returncode == 0 else []
