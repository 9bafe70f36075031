"""Helpers for the role-command tests: a scripted Ollama-shaped server, config files, git."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakeserver import FakeServer, Reply, transcript  # noqa: E402

SRC_DIR = str(Path(__file__).resolve().parents[2] / "src")


def chat_reply(text: str, model: str) -> Reply:
    lines = [json.dumps({"model": model, "message": {"role": "assistant", "content": text}, "done": False}).encode() + b"\n",
             json.dumps({"model": model, "message": {"role": "assistant", "content": ""}, "done": True,
                         "done_reason": "stop", "prompt_eval_count": 10, "eval_count": 5}).encode() + b"\n"]
    return Reply(lines=lines, content_type="application/x-ndjson")


class ScriptedOllama(FakeServer):
    """answers: the texts /api/chat returns, in order; the last one repeats."""

    answers: list[str]

    def chats(self) -> list[dict]:
        return [r.json() for r in self.requests if r.path == "/api/chat"]


def write_config(tmp_path: Path, url: str, extra: str = "", top: str = "") -> str:
    """extra: more tables at the end; top: more keys of the [ccgpt] table."""
    path = tmp_path / "ccgpt.toml"
    path.write_text(f'[[models.llms]]\nname = "llama3.2"\nprovider = "proxy/ollama"\napi_base = "{url}"\n'
                    f'[ccgpt]\nbackend = "ollama"\nfallback_to_embedded = false\n{top}'
                    '[ccgpt.models]\nshell = "shellmodel"\ncode = "coder"\ngeneral = "llama3.2"\n' + extra)
    return str(path)


def git(repo: Path, *args: str, env=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check, env=env)


def commits(repo: Path) -> list[str]:
    out = git(repo, "log", "--format=%B%x00", check=False)
    return [m.strip() for m in out.stdout.split("\0") if m.strip()] if out.returncode == 0 else []
