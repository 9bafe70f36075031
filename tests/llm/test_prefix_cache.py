"""The fixed prompt prefix, evaluated once and kept on disk: greedy answers must not change.

Each task is answered three ways — without the disk cache, with it while it is written (and then
from memory), and in a fresh process that loads it from disk — and the answers must be equal.
Runs on the plumbing model and (slow) on the default model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccgpt.assist import prompts
from ccgpt.llm.base import Options
from ccgpt.llm.embedded import EmbeddedBackend, runtime
from ccgpt.llm.embedded.prefix_cache import _decode, _encode

SRC = Path(__file__).resolve().parents[2] / "src"
TASKS = ["list the files here, largest first", "count the lines in notes.txt", "show the last 3 lines of server.log"]
GREEDY = Options(temperature=0, max_tokens=24, seed=1, fixed_prefix=prompts.SUGGEST_PREFIX_LENGTH)

SCRIPT = """
import json, sys
from ccgpt.assist import prompts
from ccgpt.llm.base import Options
from ccgpt.llm.embedded import EmbeddedBackend, runtime
b = EmbeddedBackend(model=sys.argv[1], n_ctx=2048, n_threads=1)
opts = Options(temperature=0, max_tokens=24, seed=1, fixed_prefix=prompts.SUGGEST_PREFIX_LENGTH)
out = []
for task in json.loads(sys.argv[2]):
    text = b.chat("embedded", prompts.suggest_messages(task, "OS: Linux"), opts).text
    out.append([text, next(iter(runtime._prefixes.values())).last_source])
print(json.dumps(out))
"""


def answers(backend, tasks) -> list[tuple[str, str]]:
    out = []
    for task in tasks:
        text = backend.chat("embedded", prompts.suggest_messages(task, "OS: Linux"), GREEDY).text
        out.append((text, runtime._prefixes[backend._cache_key()].last_source))
    return out


def check_model(name: str, tmp_path: Path, monkeypatch, tasks=TASKS, damage: bool = True) -> None:
    monkeypatch.setenv("CCGPT_MODELS_DIR", str(tmp_path / "cache"))
    off = answers(EmbeddedBackend(model=name, n_ctx=2048, n_threads=1, prefix_cache=False), tasks)
    assert not (tmp_path / "cache" / "prefix-cache").exists() and {s for _, s in off} <= {"computed", "memory"}
    on = answers(EmbeddedBackend(model=name, n_ctx=2048, n_threads=1), tasks)
    assert [s for _, s in on][1:] == ["memory"] * (len(tasks) - 1)
    [saved] = (tmp_path / "cache" / "prefix-cache").glob("*.kv")
    env = {**os.environ, "PYTHONPATH": str(SRC), "CCGPT_MODELS_DIR": str(tmp_path / "cache")}
    fresh = subprocess.run([sys.executable, "-c", SCRIPT, name, json.dumps(tasks)], capture_output=True,
                           text=True, env=env, timeout=900)
    assert fresh.returncode == 0, fresh.stderr
    loaded = [tuple(x) for x in json.loads(fresh.stdout)]
    assert [s for _, s in loaded] == ["disk"] + ["memory"] * (len(tasks) - 1)
    assert [t for t, _ in off] == [t for t, _ in on] == [t for t, _ in loaded]
    assert all(t.strip() for t, _ in off)
    if not damage:
        return

    # A damaged file is thrown away and the prefix evaluated again: same answers.
    saved.write_bytes(saved.read_bytes()[:-100])
    fresh = subprocess.run([sys.executable, "-c", SCRIPT, name, json.dumps(tasks[:1])], capture_output=True,
                           text=True, env=env, timeout=900)
    [[text, source]] = json.loads(fresh.stdout)
    assert source == "computed" and text == off[0][0]
    assert _decode(saved.read_bytes()) is not None  # rewritten whole


def test_greedy_answers_are_the_same_with_and_without_the_prefix_cache(tmp_path, monkeypatch):
    check_model("smollm2-135m", tmp_path, monkeypatch)


@pytest.mark.slow
@pytest.mark.timeout(1500)
def test_the_same_on_the_default_model(default_model, tmp_path, monkeypatch):
    check_model(default_model, tmp_path, monkeypatch, tasks=TASKS[:2], damage=False)


def test_the_state_file_format_rejects_damage():
    data = _encode([1, 2, 3], b"state-bytes")
    assert _decode(data) == ([1, 2, 3], b"state-bytes")
    assert _decode(data[:-1]) is None and _decode(b"XX" + data[2:]) is None
    flipped = bytearray(data)
    flipped[20] ^= 1
    assert _decode(bytes(flipped)) is None
