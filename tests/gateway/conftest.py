"""Fixtures: a fake Ollama on loopback, real gateways under uvicorn on loopback ports."""

from __future__ import annotations

import pytest

from tests.helpers.fake_ollama import FakeOllama
from tests.helpers.gateway import ServerThread


@pytest.fixture(scope="module")
def fake():
    f = FakeOllama().start()
    yield f
    f.stop()


@pytest.fixture
def store(tmp_path):
    from ccgpt.store.db import open_store

    s = open_store(tmp_path / "ccgpt.db")
    yield s
    s.close()


@pytest.fixture
def serve():
    servers = []

    def start(app):
        s = ServerThread(app).__enter__()
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.__exit__(None, None, None)
