"""Fixtures for the audit and shell-init tests: a private HOME, a project dir, a fake Ollama."""

from __future__ import annotations

import pytest
from audit_helpers import FakeOllama

_ENV_TO_CLEAR = (
    "CCGPT_CONFIG",
    "CCGPT_DATA_DIR",
    "OLLAMA_HOST",
    "OLLAMA_ORIGINS",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh HOME with private config and data dirs, and an empty project as the cwd."""
    h = tmp_path / "home"
    h.mkdir()
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(h))
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    return h


@pytest.fixture
def fake_ollama():
    servers: list[FakeOllama] = []

    def start(version: str, bind: str = "127.0.0.1") -> FakeOllama:
        srv = FakeOllama(version, bind).__enter__()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.__exit__(None, None, None)
