"""find's -o alternatives grouped (find_grouping.py), checked by running GNU find on a real tree."""

from __future__ import annotations

import subprocess

import pytest

from ccgpt.assist.find_grouping import group_alternatives
from ccgpt.assist.lint_check import shell_bugs


@pytest.fixture
def tree(tmp_path):
    for name in ("a.o", "b.o", "core", "notes.txt", "sub/c.o", "sub/core"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(name)
    return tmp_path


def found(command: str, cwd) -> list[str]:
    out = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, check=True).stdout
    return sorted(out.split())


@pytest.mark.parametrize("command", [
    r"find . -name '*.o' -o -name core -print",
    r"find . -type f -name '*.o' -o -name core -exec echo {} \;",
    r"find . -type f -name '*.o' -o -name core -exec echo {} +",
    r"find . -name '*.o' -or -iname CORE -print0 | tr '\0' ' '",
])
def test_the_action_applies_to_every_alternative_once_grouped(tree, command):
    assert found(command, tree) == ["./core", "./sub/core"]  # as written: the last alternative only
    grouped = group_alternatives(command)
    assert found(grouped, tree) == ["./a.o", "./b.o", "./core", "./sub/c.o", "./sub/core"]
    assert not any(b.startswith("SC2146") for b in shell_bugs(grouped))


def test_tests_before_and_after_the_alternatives_stay_outside(tree):
    command = "find . -type f -name '*.o' -o -name core -newer notes.txt -print"
    assert group_alternatives(command) == r"find . -type f \( -name '*.o' -o -name core \) -newer notes.txt -print"
    three = "find sub . -maxdepth 1 -name a.o -o -name b.o -o -iname '*.O' -delete"
    assert group_alternatives(three) == r"find sub . -maxdepth 1 \( -name a.o -o -name b.o -o -iname '*.O' \) -delete"


def test_words_are_kept_as_written_and_every_find_is_fixed():
    command = '''ls $(find "my dir" -name "*.c" -o -name '*.h' -print) | wc -l && find . -mmin -5 -o -mtime 0 -ls'''
    assert group_alternatives(command) == (
        '''ls $(find "my dir" \\( -name "*.c" -o -name '*.h' \\) -print) | wc -l && '''
        r"find . \( -mmin -5 -o -mtime 0 \) -ls")


def test_find_behind_a_wrapper_is_fixed_too():
    for wrapper in ("sudo", "sudo -u bob", "nice -n 5", "env LC_ALL=C", "LC_ALL=C", "timeout 10", "/usr/bin/nohup"):
        assert group_alternatives(f"{wrapper} find / -xdev -user bob -o -user eve -ls") == (
            f"{wrapper} find / -xdev \\( -user bob -o -user eve \\) -ls"), wrapper
    assert group_alternatives("sudo ls -o -name a -print") is None


@pytest.mark.parametrize("command", [
    "find . -name a -o -name b",  # no action: -print applies to the whole expression
    r"find . \( -name a -o -name b \) -print",  # already grouped
    "find . -path ./sub -prune -o -name '*.o' -print",  # the prune idiom
    "find . -name a -print -o -name b -print",  # an action on each side: meant
    "find . -type f -name a -o -type d -name b -exec ls {} +",  # either grouping could be meant
    "find . -name a -o -size +1k -delete",  # different tests: which belong together is unclear
    "find . -name a -o -frobnicate b -print",  # a primary it does not know
    "find . -type f ! -name a -o ! -name b -delete",  # meant as `! -name a ! -name b`: grouped, all go
    "find . -not -name keep -o -name '*.tmp' -delete",
    "find . -name a -o -name b -o -not -name c -delete",
    "find . -name '\ud800' -o -name b -delete",  # a lone surrogate
    "find . -name a -o -name b -exec echo",  # an -exec never ended
    "find . -name",  # a test without its value
    "ls -o -name a -print",  # not find
])
def test_forms_it_does_not_read_as_a_mistake_are_left_alone(command):
    assert group_alternatives(command) is None


def test_no_reference_command_is_changed():
    # The dev set's gold answers and the explain corpus's one-liners are right as written
    # (three of them use find's -o: the prune idiom and grouped alternatives).
    import json
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "bench" / "data"
    golds = [t["gold"] for t in json.loads((data / "tasks.json").read_text())["tasks"]]
    lines = [ln.strip() for ln in (data / "oneliners.txt").read_text().splitlines()]
    commands = golds + [ln for ln in lines if ln and not ln.startswith("#")]
    assert sum("find" in c and " -o " in c for c in commands) >= 3
    assert [c for c in commands if group_alternatives(c) is not None] == []
