"""Confirmation by level: the pure rules, then the real prompts through a pseudo-terminal."""

from __future__ import annotations

import sys

import pexpect
import pytest

from ccgpt.run.confirm import ASK_WORD, ASK_YES_NO, REFUSE, RUN, decide, first_word


@pytest.mark.parametrize("level,tty,yes,action", [
    ("safe", True, False, ASK_YES_NO),
    ("review", True, False, ASK_YES_NO),
    ("safe", True, True, RUN),
    ("review", True, True, RUN),
    ("dangerous", True, False, ASK_WORD),
    ("dangerous", True, True, ASK_WORD),  # --yes answers only y/N
    ("blocked", True, False, REFUSE),
    ("blocked", True, True, REFUSE),
    ("safe", False, False, REFUSE),
    ("review", False, False, REFUSE),
    ("safe", False, True, RUN),
    ("review", False, True, RUN),
    ("dangerous", False, True, REFUSE),  # never without a terminal
    ("blocked", False, True, REFUSE),
    ("mystery", True, True, ASK_WORD),  # an unknown level is never treated as safe
])
def test_decide(level, tty, yes, action):
    assert decide(level, tty=tty, assume_yes=yes).action == action


def test_first_word():
    assert first_word("rm -rf build") == "rm"
    assert first_word("FOO=1 BAR=2 rm -rf x") == "rm"
    assert first_word(["sh", "-c", "rm -rf x"]) == "sh"
    assert first_word("echo 'unterminated") == "echo"


# Drives ccgpt.run.execute.execute() — the API suggest and script call — at a real terminal,
# with the level given, so every level's prompt is exercised whatever the risk engine says.
DRIVER = """
import sys
from ccgpt.run.execute import Assessment, execute
from ccgpt.run.options import RunOptions
level, yes = sys.argv[1], sys.argv[2] == "yes"
findings = [{"rule": "test-rule", "level": level, "message": "explained finding", "span": [0, 5]}] if level != "safe" else []
options = RunOptions(assume_yes=yes, tty=sys.stdin.isatty())
sys.exit(execute(["touch", "made.txt"], options, assessment=Assessment(level, findings), section={}))
"""


def spawn(level, yes, work, cli_env):
    env = dict(cli_env)
    env.pop("NO_COLOR", None)
    return pexpect.spawn(sys.executable, ["-c", DRIVER, level, "yes" if yes else "no"], cwd=str(work),
                         env=env, encoding="utf-8", timeout=20)


@pytest.mark.parametrize("level", ["safe", "review"])
@pytest.mark.parametrize("answer,runs", [("y", True), ("n", False), ("", False)])
def test_yes_no_levels(level, answer, runs, work, cli_env):
    child = spawn(level, False, work, cli_env)
    child.expect(rf"\[{level}\]")
    child.expect(r"Run it\? \[y/N\]")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert (work / "made.txt").exists() == runs
    assert child.exitstatus == (0 if runs else 1)


@pytest.mark.parametrize("yes", [False, True])
@pytest.mark.parametrize("answer,runs", [("touch", True), ("y", False), ("yes", False), ("toucH", False)])
def test_dangerous_needs_the_first_word_typed(yes, answer, runs, work, cli_env):
    child = spawn("dangerous", yes, work, cli_env)
    child.expect(r"\[dangerous\]")
    child.expect("explained finding")
    child.expect("Type 'touch' to run it")
    child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    assert (work / "made.txt").exists() == runs
    assert child.exitstatus == (0 if runs else 1)


@pytest.mark.parametrize("yes", [False, True])
def test_blocked_never_runs_and_explains(yes, work, cli_env):
    child = spawn("blocked", yes, work, cli_env)
    child.expect(r"\[blocked\]")
    child.expect("explained finding")
    child.expect("never run")
    child.expect(pexpect.EOF)
    child.close()
    assert not (work / "made.txt").exists()
    assert child.exitstatus == 1


def test_cli_prompt_at_a_terminal(work, cli_env):
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "run", "--", "touch", "cli.txt"], cwd=str(work),
                          env=cli_env, encoding="utf-8", timeout=20)
    child.expect(r"touch cli\.txt")
    child.expect(r"\[y/N\]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and (work / "cli.txt").exists()


def test_preview_then_decline_at_a_terminal(work, cli_env):
    (work / "keep.txt").write_text("keep\n")
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "run", "--preview", "--yes", "--", "sh", "-c",
                                           "rm keep.txt; echo new > new.txt"],
                          cwd=str(work), env=cli_env, encoding="utf-8", timeout=30)
    child.expect("preview: ran in a throwaway copy")
    child.expect(r"- keep\.txt")
    child.expect(r"\+ new\.txt")
    child.expect(r"\[y/N\]")  # --yes does not skip the question after a preview at a terminal
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (work / "keep.txt").read_text() == "keep\n" and not (work / "new.txt").exists()
