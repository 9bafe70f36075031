"""A user who is not root gets a whole-run cgroup when one is delegated to them.

As root this test sets up what a systemd user manager (cgroup v2, `Delegate=yes`) or an
administrator (cgroup v1, a chowned directory) gives a user: a cgroup the user owns. Then an
unprivileged process placed in it runs the real sandbox, which must make its per-run cgroup
there, say so in the run's limits, and remove it afterwards. Without delegation the same user
gets none, and says that too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from ccgpt.run.cgroups import PREFIX, own_paths

NOBODY = 65534
SRC = str(Path(__file__).resolve().parents[2] / "src")
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root can delegate a cgroup to another user")

# The interpreter lives where nobody may not read it (/root/.pyenv in CI), so the process starts
# as root, runs the sandbox once to load every module it uses, then joins the delegated cgroup and
# drops to nobody for good (no saved root uid) before the run that is measured.
RUN = """
import json, os, sys
from ccgpt.run.limits import Limits
from ccgpt.run.sandbox import run_sandboxed
from ccgpt.run.cgroups import available
work, procs = sys.argv[1], sys.argv[2]
run_sandboxed(["true"], cwd=work, limits=Limits(timeout=20), stdout=sys.stderr, stderr=sys.stderr)
available()
if procs != "-":
    with open(procs, "w") as f:
        f.write(str(os.getpid()))
os.setgroups([])
os.setresgid(65534, 65534, 65534)
os.setresuid(65534, 65534, 65534)
r = run_sandboxed(["sh", "-c", "echo ran"], cwd=work, limits=Limits(timeout=20, max_processes=16),
                  stdout=sys.stderr, stderr=sys.stderr)
print(json.dumps({"exit": r.exit_code, "limits": r.limits, "available": available(), "uid": os.geteuid(),
                  "saved": os.getresuid()}))
"""


def _as_nobody(cgroup_procs: str | None, work: str, home: str) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "PYTHONPATH": SRC, "LANG": "C.UTF-8"}
    proc = subprocess.run([sys.executable, "-c", RUN, work, cgroup_procs or "-"], env=env, cwd=work,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["saved"] == [NOBODY] * 3  # no way back to root
    return out


@pytest.fixture
def nobody_dirs():
    top = tempfile.mkdtemp(prefix="ccgpt-deleg-")
    os.chmod(top, 0o755)
    work, home = Path(top, "work"), Path(top, "home")
    for d in (work, home):
        d.mkdir()
        os.chown(d, NOBODY, NOBODY)
    yield str(work), str(home)
    shutil.rmtree(top, ignore_errors=True)


@pytest.fixture
def delegated_pids_cgroup():
    v1, _ = own_paths()
    root = Path("/sys/fs/cgroup/pids")
    if "pids" not in v1 or not (root / "cgroup.procs").exists():
        pytest.skip("this kernel has no cgroup v1 pids hierarchy to delegate from")
    parent = root / v1["pids"].lstrip("/") / f"ccgpt-test-delegated-{os.getpid()}"
    parent.mkdir()
    for path in [parent, *parent.iterdir()]:
        os.chown(path, NOBODY, NOBODY)
    yield parent
    for child in parent.glob(f"{PREFIX}*"):
        child.rmdir()
    parent.rmdir()


def test_a_delegated_cgroup_bounds_the_whole_run_and_is_cleaned_up(delegated_pids_cgroup, nobody_dirs):
    out = _as_nobody(str(delegated_pids_cgroup / "cgroup.procs"), *nobody_dirs)
    assert out["uid"] == NOBODY and out["exit"] == 0
    assert out["limits"]["cgroup"] == "cgroup v1 (pids)"
    assert out["limits"]["total_processes"] == 16 + 8  # the sandbox's own bwrap processes on top
    assert out["available"] == "cgroup v1 (pids)"  # what `ccgpt audit` reports for this user
    assert not list(delegated_pids_cgroup.glob(f"{PREFIX}*")), "the run's cgroup was left behind"


def test_without_delegation_a_user_gets_only_rlimits_and_is_told(nobody_dirs):
    out = _as_nobody(None, *nobody_dirs)
    assert out["uid"] == NOBODY and out["exit"] == 0
    assert out["limits"]["cgroup"] is None and out["available"] is None
