"""The role commands on the embedded model, end to end in a real git repository. They assert
structure (a message that passes the validator, a commit made only after confirmation,
findings only on diff lines), never the model's wording."""

import json
import os
import sys

import pexpect
import pytest

from ccgpt.assist.commit import problems
from roles_helpers import SRC_DIR, commits, git

pytestmark = pytest.mark.slow


@pytest.fixture
def embedded_cfg(tmp_path):
    path = tmp_path / "embedded.toml"
    path.write_text('[ccgpt]\nbackend = "embedded"\n')
    return str(path)


def _stage(repo):
    (repo / "greet.sh").write_text('#!/bin/bash\n# Print a greeting for each name given.\nfor name in "$@"; do\n'
                                   '  echo "hello, $name"\ndone\n')
    git(repo, "add", "greet.sh")


def test_without_a_terminal_a_valid_message_is_printed_and_nothing_committed(ccgpt, repo, embedded_cfg):
    _stage(repo)
    r = ccgpt("commit", "--config", embedded_cfg, cwd=repo, timeout=600)
    assert r.returncode == 1, r.stderr
    assert r.stdout.strip() and problems(r.stdout) == []
    assert commits(repo) == []


def test_at_a_terminal_it_commits_only_after_confirmation(repo, embedded_cfg):
    _stage(repo)
    env = {**os.environ, "PYTHONPATH": SRC_DIR, "TERM": "dumb"}
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "commit", "--config", embedded_cfg], cwd=str(repo),
                          env=env, encoding="utf-8", timeout=600)
    child.expect(r"\[c\]ommit")
    assert commits(repo) == []  # the message is on screen, nothing committed yet
    child.sendline("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    (message,) = commits(repo)
    assert problems(message + "\n") == []


def test_the_hook_writes_a_valid_message_in_a_real_git_commit(ccgpt, repo, embedded_cfg):
    assert ccgpt("commit", "install-hook", cwd=repo).returncode == 0
    _stage(repo)
    env = {**os.environ, "PYTHONPATH": SRC_DIR, "CCGPT_CONFIG": embedded_cfg, "GIT_EDITOR": "true"}
    done = git(repo, "commit", env=env, check=False)
    assert done.returncode == 0, done.stderr
    (message,) = commits(repo)
    assert problems(message + "\n") == []


def test_review_with_the_model_keeps_only_findings_on_diff_lines(ccgpt, repo, embedded_cfg):
    (repo / "clean.sh").write_text("#!/bin/bash\necho start\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    (repo / "clean.sh").write_text("#!/bin/bash\necho start\nrm -rf ~\n")
    git(repo, "add", ".")
    r = ccgpt("review", "--staged", "--json", "--config", embedded_cfg, cwd=repo, timeout=600)
    assert r.returncode == 5, r.stderr
    findings = json.loads(r.stdout)["findings"]
    assert {"path": "clean.sh", "line": 3, "severity": "blocked",
            "message": "wipe-home: recursive delete of the home directory (~)", "source": "risk"} in findings
    for f in findings:
        assert set(f) == {"path", "line", "severity", "message", "source"}
        if f["source"].startswith("model:"):
            assert f["path"] == "clean.sh" and f["line"] in (1, 2, 3) and f["severity"] in ("info", "review")
