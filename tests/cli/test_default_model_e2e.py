"""Every user-facing model path on the default embedded model (Qwen2.5-Coder-1.5B), end to end.

The model is assembled once per session (`default_model` in conftest) and each command runs as a
user runs it, in a subprocess, offline. What is checked is what a 1.5B model reliably gets
right on easy tasks, plus the guarantees (levels from the risk engine, nothing run, cut answers
said to be cut).
"""

from __future__ import annotations

import json
import os

import pytest

pytestmark = pytest.mark.slow
OFFLINE = {"OLLAMA_HOST": "127.0.0.1:9"}


def test_suggest_gets_an_easy_task_right(ccgpt, default_model, tmp_path):
    (tmp_path / "notes.txt").write_text("a\nb\n")
    r = ccgpt("suggest", "--json", "--backend", "embedded", "-n", "1", "count the lines in notes.txt",
              cwd=tmp_path, env=OFFLINE, timeout=600)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["model"] == default_model == "qwen2.5-coder-1.5b"
    [c] = j["candidates"]
    assert "wc -l" in c["command"] and "notes.txt" in c["command"] and c["level"] == "safe"
    assert sorted(os.listdir(tmp_path)) == ["notes.txt"]  # nothing ran


def test_ask_answers_and_the_token_cap_is_reported(ccgpt, default_model):
    r = ccgpt("ask", "--backend", "embedded", "--json", "--max-tokens", "40", "-t", "0",
              "In one sentence: what does the ls command do?", env=OFFLINE, timeout=600)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["model"] == default_model and "list" in j["text"].lower() and j["completion_tokens"] <= 40
    cut = ccgpt("ask", "--backend", "embedded", "--no-stream", "--max-tokens", "8", "-t", "0",
                "Explain in detail how find works.", env=OFFLINE, timeout=600)
    assert cut.returncode == 0 and "the answer was cut off after 8 tokens" in cut.stderr


def test_script_is_saved_with_strict_mode(ccgpt, default_model, tmp_path):
    r = ccgpt("script", "--backend", "embedded", "--rounds", "0", "-o", "hello.sh",
              "print hello followed by the first argument", cwd=tmp_path, env=OFFLINE, timeout=900)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "hello.sh").read_text()
    assert "#!/usr/bin/env bash" in text and "set -euo pipefail" in text
    assert "hello" in text.lower() and ("echo" in text or "printf" in text) and "$1" in text


def test_explain_narrative(ccgpt, default_model):
    r = ccgpt("explain", "--backend", "embedded", "--json", "wc -l notes.txt", env=OFFLINE, timeout=600)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j.get("narrative_source") == f"model:{default_model}", r.stderr
    assert "lines" in j["narrative"].lower() and "notes.txt" in j["narrative"]
