"""Explain tests share one man-page cache (a temporary store) so pages are rendered once."""

from __future__ import annotations

import pytest

from ccgpt.explain.manpages import ManCache
from ccgpt.store.db import open_store


@pytest.fixture(scope="session")
def cache(tmp_path_factory):
    c = ManCache(open_store(tmp_path_factory.mktemp("mancache") / "ccgpt.db"))
    yield c
    c.close()


@pytest.fixture
def explain(cache):
    from ccgpt.explain.engine import Explainer

    def run(command: str) -> list[dict]:
        return [p.to_json() for p in Explainer(cache).explain(command)]

    return run


