"""Fixtures for the agents tests: a private HOME with a (fake) SSH key, a working tree and a
directory beside it, all *outside* /tmp (the sandbox's own /tmp would hide anything under the
host's /tmp, and an escape test would then pass for the wrong reason)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from agents_helpers import FAKE_KEY, SRC

BASE = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None

if not shutil.which("bwrap"):
    raise RuntimeError("bubblewrap (bwrap) is required for tests/agents: apt-get install bubblewrap")


@pytest.fixture
def area(monkeypatch):
    root = Path(tempfile.mkdtemp(prefix="ccgpt-agents-test-", dir=BASE)).resolve()
    for name in ("home", "work", "outside"):
        (root / name).mkdir()
    (root / "home" / ".ssh").mkdir(mode=0o700)
    (root / "home" / ".ssh" / "id_ed25519").write_text(FAKE_KEY)
    env = {"HOME": str(root / "home"), "CCGPT_DATA_DIR": str(root / "home" / ".local" / "share" / "ccgpt"),
           "XDG_CONFIG_HOME": str(root / "home" / ".config")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CCGPT_CONFIG", raising=False)
    yield root
    subprocess.run(["chmod", "-R", "u+rwX", str(root)], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def work(area):
    return area / "work"


@pytest.fixture
def server_env(area):
    """The environment a server subprocess gets: this checkout's sources, the private HOME."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCGPT_")}
    env.update(HOME=str(area / "home"), CCGPT_DATA_DIR=str(area / "home" / ".local" / "share" / "ccgpt"),
               XDG_CONFIG_HOME=str(area / "home" / ".config"), PYTHONPATH=SRC, NO_COLOR="1",
               OLLAMA_HOST="127.0.0.1:9")
    return env
