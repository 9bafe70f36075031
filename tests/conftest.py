"""Shared fixtures: every test runs with a private HOME, so nothing touches the real user."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.system import require, summary_lines

SRC = Path(__file__).resolve().parents[1] / "src"


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "CCGPT_CONFIG", "CCGPT_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    # Plumbing tests run on the tiny SmolLM2; tests of the default model use `default_model`.
    monkeypatch.setenv("CCGPT_EMBEDDED_MODEL", "smollm2-135m")
    monkeypatch.delenv("CCGPT_MODELS_DIR", raising=False)
    return home


@pytest.fixture(scope="session")
def assembled_models_dir(tmp_path_factory):
    """The default embedded model, assembled from its installed chunk packages once per session."""
    from ccgpt.llm.embedded import assemble, catalog

    folder = tmp_path_factory.mktemp("models")
    assemble.ensure(catalog.get(catalog.DEFAULT), folder)
    return folder


@pytest.fixture
def default_model(assembled_models_dir, monkeypatch):
    """Run the test (and the CLIs it starts) on the default embedded model, already assembled."""
    monkeypatch.delenv("CCGPT_EMBEDDED_MODEL", raising=False)
    monkeypatch.setenv("CCGPT_MODELS_DIR", str(assembled_models_dir))
    from ccgpt.llm.embedded import catalog

    return catalog.DEFAULT


def run_ccgpt(*args, input=None, cwd=None, env=None, timeout=120):
    """Run the real CLI in a subprocess (as a user would), from this checkout's sources."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = str(SRC) + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "ccgpt", *args],
        input=input,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=full_env,
        timeout=timeout,
    )


@pytest.fixture
def ccgpt():
    return run_ccgpt


def pytest_runtest_setup(item):
    for mark in item.iter_markers("needs"):
        require(*mark.args, test_id=item.nodeid)


def pytest_terminal_summary(terminalreporter):
    lines = summary_lines()
    if lines:
        terminalreporter.section("not tested on this machine (missing system packages)", yellow=True)
        for line in lines:
            terminalreporter.line(line)
