"""Runs the real suggest menu on a real terminal (spawned by pexpect in test_suggest_menu.py),
with a scripted backend and a fixed classifier so every candidate and level is known.

    menu_driver.py ANSWERS_JSON N [menu|print-only] [as-binding]

`print-only as-binding` stands in for `ccgpt suggest --print-only` under a shell key binding
(tests/shell_init): stdout then carries only the picked command."""

import json
import sys

from tests.helpers.suggest import FakeFinding, FakeVerdict, ScriptedBackend

from ccgpt.assist.suggest import Suggester
from ccgpt.assist.trail import Trail
from ccgpt.config import load_config
from ccgpt.options import CommonOptions
from ccgpt.ui.menu import Menu, pick_for_line_buffer


def classify(command):
    if "rm -rf ~" in command:
        return FakeVerdict("blocked", [FakeFinding("wipe-home", "blocked", "recursive delete of the home directory")])
    if command.startswith("rm -r"):
        return FakeVerdict("dangerous", [FakeFinding("recursive-delete", "dangerous", "recursive delete")])
    if command.startswith(("touch", "mkdir")):
        return FakeVerdict("review", [FakeFinding("write", "review", "creates files")])
    return FakeVerdict("safe")


def main():
    answers = json.loads(sys.argv[1])
    n = int(sys.argv[2])
    opts = CommonOptions()  # logged, no colour, not quiet
    cfg = load_config()
    backend = ScriptedBackend(answers)
    suggester = Suggester(backend, "scripted-model", None, classify=classify, which=lambda name: "/bin/" + name)
    result = suggester.suggest("the task", n)
    trail = Trail(cfg, opts, "suggest")
    trail.record(task="the task", command=result.candidates[0].command if result.candidates else None)
    if len(sys.argv) > 3 and sys.argv[3] == "print-only":
        code = pick_for_line_buffer(result, trail, opts)
    else:
        code = Menu(result, suggester, trail, cfg, opts).loop()
    trail.close()
    if len(sys.argv) <= 4 or sys.argv[4] != "as-binding":  # a shell binding reads stdout as the command
        print(f"EXIT {code}")
    return code


if __name__ == "__main__":
    sys.exit(main())
