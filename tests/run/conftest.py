"""Fixtures for the sandbox tests: a temporary HOME and working directory *outside* /tmp.

Outside /tmp on purpose: the sandbox's private /tmp would hide anything under the host's /tmp
anyway, and then the secret-hiding and write-outside tests would pass for the wrong reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from run_helpers import FAKE_KEY, SRC
from tests.helpers.system import require

BASE = "/var/tmp" if os.access("/var/tmp", os.W_OK) else None



@pytest.fixture(autouse=True)
def _bubblewrap_installed():
    """Every test here drives the real sandbox: skipped (failed in CI) without bubblewrap."""
    require("bwrap")



@pytest.fixture
def area():
    """A parent directory holding home/, work/ and outside/; removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="ccgpt-run-test-", dir=BASE)).resolve()
    for name in ("home", "work", "outside"):
        (root / name).mkdir()
    (root / "home" / ".ssh").mkdir(mode=0o700)
    (root / "home" / ".ssh" / "id_ed25519").write_text(FAKE_KEY)
    (root / "home" / ".netrc").write_text("machine example.com login me password hunter2-netrc\n")
    yield root
    subprocess.run(["chmod", "-R", "u+rwX", str(root)], capture_output=True)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def home_env(area, monkeypatch):
    """Point HOME, the config and the store at the test area, for in-process API calls."""
    env = {
        "HOME": str(area / "home"),
        "CCGPT_DATA_DIR": str(area / "home" / ".local" / "share" / "ccgpt"),
        "XDG_CONFIG_HOME": str(area / "home" / ".config"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("CCGPT_CONFIG", raising=False)
    return env


@pytest.fixture
def work(area, home_env):
    return area / "work"


@pytest.fixture
def cli_env(area, home_env):
    """Environment for running the CLI as a subprocess."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCGPT_")}
    env.update(home_env)
    env["PYTHONPATH"] = SRC
    env["NO_COLOR"] = "1"
    return env


def ccgpt(args, *, cwd, env, input=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "ccgpt", *args], cwd=cwd, env=env, input=input,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=None if input is not None else subprocess.DEVNULL)


@pytest.fixture
def run_cli(cli_env, work):
    def call(*args, cwd=None, input=None, timeout=60):
        return ccgpt(list(args), cwd=cwd or work, env=cli_env, input=input, timeout=timeout)

    return call
