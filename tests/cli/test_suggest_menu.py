"""The interactive menu through a pseudo-terminal: selection, refusal of a blocked command,
confirmations by level, edit with a prefilled line, explain, copy, revise, quit."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect

DRIVER = Path(__file__).with_name("menu_driver.py")
ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PROMPT = r"\[r\]un"


def fenced(cmd):
    return f"```bash\n{cmd}\n```"


def spawn(answers, n=2, env_extra=None, cwd=None, mode="menu"):
    # The driver imports tests.helpers: the repository root is on its path too.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join((str(SRC), str(ROOT))), "TERM": "xterm", "NO_COLOR": "1", **(env_extra or {})}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    child = pexpect.spawn(sys.executable, [str(DRIVER), json.dumps(answers), str(n), mode], env=env, encoding="utf-8",
                          timeout=60, dimensions=(40, 200), cwd=cwd)
    return child


def history(ccgpt):
    r = ccgpt("history", "--json", "--kind", "suggest")
    return json.loads(r.stdout)["audit"]


def test_blocked_candidate_is_shown_and_refused(ccgpt):
    child = spawn([fenced("rm -rf ~"), fenced("ls")])
    child.expect(r"1\. ls +\[safe\]")
    child.expect(r"2\. rm -rf ~ +\[blocked\]")
    child.expect("recursive delete of the home directory")
    child.expect(PROMPT)
    child.sendline("2")
    child.expect(r"selected 2: rm -rf ~ \[blocked\]")
    child.expect(PROMPT)
    child.sendline("r")
    child.expect("refused: this command is blocked")
    child.expect(PROMPT)  # back at the menu: no confirmation was even offered
    child.sendline("q")
    child.expect("EXIT 0")
    child.expect(pexpect.EOF)
    assert history(ccgpt)[0]["decision"] == "quit"


def test_review_needs_y_and_declining_runs_nothing(ccgpt, tmp_path):
    child = spawn([fenced("mkdir made")], n=1, cwd=tmp_path)
    child.expect(r"\[review\]")
    child.expect(PROMPT)
    child.sendline("r")
    child.expect(r"Run it\? \[y/N\]")
    child.sendline("n")
    child.expect("not run")
    child.expect("EXIT 1")
    assert list(tmp_path.iterdir()) == []
    assert history(ccgpt)[0]["decision"] == "run" and history(ccgpt)[0]["exit_code"] == 1


def test_review_confirmed_runs_in_the_sandbox(ccgpt, tmp_path):
    child = spawn([fenced("mkdir made")], n=1, cwd=tmp_path)
    child.expect(PROMPT)
    child.sendline("r")
    child.expect(r"Run it\? \[y/N\]")
    child.sendline("y")
    child.expect("EXIT 0")
    assert (tmp_path / "made").is_dir()
    kinds = {e["kind"]: e for e in json.loads(ccgpt("history", "--json").stdout)["audit"]}
    assert kinds["suggest"]["decision"] == "run" and kinds["suggest"]["exit_code"] == 0
    assert kinds["run"]["command"] == "mkdir made"  # the executor's own audit event


def test_dangerous_needs_first_word_typed(ccgpt, tmp_path):
    (tmp_path / "build").mkdir()
    child = spawn([fenced("rm -r build")], n=1, cwd=tmp_path)
    child.expect(PROMPT)
    child.sendline("r")
    child.expect("Type 'rm' to run it")
    child.sendline("y")
    child.expect("not run")
    child.expect("EXIT 1")
    assert (tmp_path / "build").is_dir()


def test_edit_prefills_the_line_and_reclassifies(ccgpt):
    child = spawn([fenced("ls -l")], n=1)
    child.expect(PROMPT)
    child.sendline("e")
    child.expect("edit> ")
    # The line is prefilled with `ls -l`; Ctrl-A goes to its start, and we turn it into `mkdir -p x; ls -l`.
    child.send("\x01mkdir -p x; \r")
    child.expect(r"1\. mkdir -p x; ls -l +\[review\]")
    child.expect(r"2\. ls -l +\[safe\]")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect("EXIT 0")
    event = history(ccgpt)[0]
    assert event["command"] == "mkdir -p x; ls -l" and event["level"] == "review"


def test_explain_copy_and_revise(ccgpt):
    child = spawn([fenced("ls -l"), fenced("ls -lh")], n=1, env_extra={"PATH": "/usr/bin:/bin"})
    child.expect(PROMPT)
    child.sendline("x")
    child.expect("list directory contents")
    child.expect(PROMPT)
    child.sendline("c")
    child.expect("no clipboard tool found")
    child.expect(PROMPT)
    child.sendline("v")
    child.expect("what should change\\? ")
    child.sendline("human readable sizes")
    child.expect(r"1\. ls -lh +\[safe\]")
    child.expect(PROMPT)
    child.sendline("q")
    child.expect("EXIT 0")


def test_end_of_input_quits():
    child = spawn([fenced("ls")], n=1)
    child.expect(PROMPT)
    child.sendeof()
    child.expect("EXIT 0")


def test_print_only_picks_but_never_hands_over_a_blocked_command(ccgpt):
    child = spawn([fenced("rm -rf ~"), fenced("ls -a")], n=2, mode="print-only")
    child.expect(r"pick 1-2 \(Enter: 1, q: cancel\): ")
    child.sendline("2")
    child.expect("refused: that command is blocked")
    child.expect("EXIT 1")
    child = spawn([fenced("rm -rf ~"), fenced("ls -a")], n=2, mode="print-only")
    child.expect("pick 1-2")
    child.sendline("")
    child.expect(r"\r\nls -a\r\nEXIT 0")
