"""`ccgpt commit` end to end in a real git repository with a scripted Ollama-shaped server:
nothing is committed without a confirmation at a terminal; the hook is installed and run by a
real `git commit`; clear one-line failures."""

import os
import stat
import sys

import pexpect
import pytest

from roles_helpers import SRC_DIR, commits, git, write_config

ANSWER = "```\nFeat(parser) : add a TOML reader\x1b[2J\n\nIt reads the config file.\n```"
CLEAN = "feat(parser): add a TOML reader\n\nIt reads the config file.\n"


def _stage(repo):
    (repo / "reader.py").write_text("import tomllib\n\ndef read(path):\n    return tomllib.load(open(path, 'rb'))\n")
    git(repo, "add", "reader.py")


def test_print_only_prints_the_cleaned_message_and_commits_nothing(ccgpt, repo, cfg, scripted):
    _stage(repo)
    scripted.answers = [ANSWER]
    r = ccgpt("commit", "--print-only", "--config", cfg, cwd=repo)
    assert r.returncode == 0, r.stderr
    assert r.stdout == CLEAN
    assert commits(repo) == []
    sent = scripted.chats()[0]["messages"][-1]["content"]
    assert "+import tomllib" in sent and "reader.py (added, +4 -0)" in sent


def test_without_a_terminal_the_message_is_shown_and_nothing_committed(ccgpt, repo, cfg, scripted):
    _stage(repo)
    scripted.answers = [ANSWER]
    r = ccgpt("commit", "--config", cfg, cwd=repo)
    assert r.returncode == 1 and r.stdout == CLEAN
    assert "not committed: no terminal" in r.stderr
    assert commits(repo) == []


def test_clear_one_line_failures(ccgpt, repo, tmp_path, cfg):
    r = ccgpt("commit", "--config", cfg, cwd=repo)
    assert (r.returncode, r.stderr) == (1, "ccgpt: nothing staged to commit: `git add` the changes first\n")
    plain = tmp_path / "plain"
    plain.mkdir()
    r = ccgpt("commit", "--config", cfg, cwd=plain)
    assert (r.returncode, r.stderr) == (1, "ccgpt: not a git repository (run this inside one)\n")
    _stage(repo)
    dead = write_config(tmp_path / "plain", "http://127.0.0.1:9")
    r = ccgpt("commit", "--print-only", "--config", dead, cwd=repo)
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("ccgpt: ") and "127.0.0.1:9" in r.stderr


def _spawn(repo, cfg, env=None):
    full = {**os.environ, "PYTHONPATH": SRC_DIR, "TERM": "dumb", **(env or {})}
    return pexpect.spawn(sys.executable, ["-m", "ccgpt", "commit", "--config", cfg], cwd=str(repo), env=full,
                         encoding="utf-8", timeout=60)


def test_at_a_terminal_quit_commits_nothing_and_commit_commits(repo, cfg, scripted):
    _stage(repo)
    scripted.answers = [ANSWER]
    child = _spawn(repo, cfg)
    child.expect(r"\[c\]ommit")
    assert "feat(parser): add a TOML reader" in child.before
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and commits(repo) == []

    child = _spawn(repo, cfg)
    child.expect(r"\[c\]ommit")
    child.sendline("c")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert commits(repo) == [CLEAN.strip()]


def test_regenerate_asks_again_and_edit_uses_the_git_editor(repo, cfg, scripted, tmp_path):
    _stage(repo)
    scripted.answers = ["fix: first try", "fix: second try"]
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/second try/edited by hand/" "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    child = _spawn(repo, cfg, {"GIT_EDITOR": str(editor)})
    child.expect(r"\[c\]ommit")
    child.sendline("r")
    child.expect(r"\[c\]ommit")
    assert "fix: second try" in child.before
    child.sendline("e")
    child.expect(r"\[c\]ommit")
    assert "fix: edited by hand" in child.before
    child.sendline("c")
    child.expect(pexpect.EOF)
    child.close()
    assert commits(repo) == ["fix: edited by hand"]
    assert len(scripted.chats()) == 2
    assert scripted.chats()[1]["options"].get("temperature") == 0.8


def test_the_hook_is_installed_and_proposes_the_message_in_a_real_git_commit(ccgpt, repo, cfg, scripted):
    r = ccgpt("commit", "install-hook", cwd=repo)
    assert r.returncode == 0, r.stderr
    hook = repo / ".git" / "hooks" / "prepare-commit-msg"
    assert os.access(hook, os.X_OK)
    _stage(repo)
    scripted.answers = [ANSWER]
    env = {**os.environ, "PYTHONPATH": SRC_DIR, "CCGPT_CONFIG": cfg, "GIT_EDITOR": "true"}
    done = git(repo, "commit", env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert commits(repo) == [CLEAN.strip()]
    # -m: the hook leaves the person's message alone and asks no model
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    asked = len(scripted.chats())
    git(repo, "commit", "-m", "docs: mine", env=env)
    assert commits(repo)[0] == "docs: mine" and len(scripted.chats()) == asked


def test_the_hook_never_blocks_a_commit_when_ccgpt_fails(ccgpt, repo, tmp_path):
    assert ccgpt("commit", "install-hook", cwd=repo).returncode == 0
    _stage(repo)
    dead = write_config(tmp_path, "http://127.0.0.1:9")
    env = {**os.environ, "PYTHONPATH": SRC_DIR, "CCGPT_CONFIG": dead,
           "GIT_EDITOR": "sh -c 'echo \"chore: typed by hand\" > \"$1\"' editor"}
    done = git(repo, "commit", env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert commits(repo) == ["chore: typed by hand"]


def test_install_hook_keeps_another_program_s_hook_unless_forced(ccgpt, repo):
    hook = repo / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text("#!/bin/sh\necho theirs\n")
    r = ccgpt("commit", "install-hook", cwd=repo)
    assert r.returncode == 1 and "is not ccgpt's" in r.stderr and "theirs" in hook.read_text()
    assert ccgpt("commit", "install-hook", "--force", cwd=repo).returncode == 0
    assert ccgpt("commit", "uninstall-hook", cwd=repo).returncode == 0 and not hook.exists()


def test_a_large_diff_is_fitted_and_binary_and_generated_files_are_only_named(ccgpt, repo, cfg, scripted):
    (repo / "big.py").write_text("".join(f"value_{i} = {i}\n" for i in range(20_000)))
    (repo / "small.py").write_text("print('hi')\n")
    (repo / "poetry.lock").write_text("[[package]]\nname = 'x'\n" * 500)
    (repo / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0" * 100)
    git(repo, "add", ".")
    scripted.answers = ["feat: add the values"]
    r = ccgpt("commit", "--print-only", "--config", cfg, cwd=repo)
    assert r.returncode == 0 and r.stdout == "feat: add the values\n"
    sent = scripted.chats()[0]["messages"][-1]["content"]
    diff = sent[sent.index("<diff>"):]
    assert len(diff) <= (8192 - 700) * 3 + 100  # [ccgpt.commit] context_tokens default, 3 chars a token
    assert "- logo.png (added, binary): binary, not sent" in diff
    assert "- poetry.lock (added, +1000 -0): generated, not sent" in diff and "[[package]]" not in diff
    assert "+print('hi')" in diff  # the small file whole
    assert "more line(s) of this file's diff not sent" in diff and "+value_0 = 0" in diff


def test_install_hook_honours_core_hooks_path(ccgpt, repo):
    git(repo, "config", "core.hooksPath", "githooks")
    assert ccgpt("commit", "install-hook", cwd=repo).returncode == 0
    assert (repo / "githooks" / "prepare-commit-msg").is_file()
    assert not (repo / ".git" / "hooks" / "prepare-commit-msg").exists()
