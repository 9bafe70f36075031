"""The task's paths held against the command (named_paths.py), on a real tree; the commands are
run with bash to show what each form does."""

from __future__ import annotations

import json
import pathlib
import subprocess

import pytest

from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist.named_paths import task_paths, unused_paths, use_task_paths
from ccgpt.assist.suggest import Suggester

DEV = pathlib.Path(__file__).resolve().parents[2] / "bench" / "data"


@pytest.fixture
def tree(tmp_path):
    for name, text in (("data/Report Final.txt", "final\n"), ("data/a.txt", "a\n"), ("Final.txt", "other\n"),
                       ("archive/bundle.tar.gz", ""), ("notes.txt", "top\n"), ("docs/notes.txt", "docs\n")):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def bash(command, cwd):
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True)


def suggester(answers, tree):
    backend = ScriptedBackend([fenced(a) for a in answers])
    return Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, workdir=tree), backend


def test_a_name_with_a_space_split_into_words_is_quoted(tree):
    command = "cat data/Report Final.txt"
    assert bash(command, tree).stdout == "other\n"  # as written: ./Final.txt, and no data/Report
    for task in ("show the contents of 'data/Report Final.txt'", "show data/Report Final.txt",
                 'print "data/Report Final.txt"'):
        fixed = use_task_paths(command, task, tree)
        assert fixed == "cat 'data/Report Final.txt'", task
        assert bash(fixed, tree).stdout == "final\n"
    assert use_task_paths("wc -l data/Report Final.txt | sort", "count data/Report Final.txt", tree) \
        == "wc -l 'data/Report Final.txt' | sort"


@pytest.mark.parametrize("task, command", [
    ("show data/Report Final.txt", "cat 'data/Report Final.txt'"),  # already right
    ("show data/Report Final.txt", r"cat data/Report\ Final.txt"),
    ("show data/Report Final.txt", "cat data/Report Other.txt"),  # not the named path
    ("show data/Report Final.txt", "cat $d/Report Final.txt"),  # an expansion
    ("show notes.txt", "cat notes.txt Final.txt"),  # the task names no spaced path
    # A dropped directory is not put back: the bare name may be one the command makes first.
    ("copy archive/bundle.tar.gz here, extract it, delete the copy",
     "cp archive/bundle.tar.gz . && tar -xzf bundle.tar.gz && rm bundle.tar.gz"),
    ("extract archive/bundle.tar.gz", "tar -xzf bundle.tar.gz"),
])
def test_what_it_leaves_alone(tree, task, command):
    assert use_task_paths(command, task, tree) is None


def test_paths_the_task_names(tree):
    assert task_paths("read data/a.txt, then docs/none/x.md, -rf /etc/passwd, README.md and data/Report Final.txt",
                      tree) == ["data/Report Final.txt", "data/a.txt"]
    assert task_paths("decode eyJ" + "x" * 300 + "/b.txt and " + "y" * 5000 + ".txt", tree) == []  # never raises


def test_a_named_file_the_command_leaves_out(tree):
    grep = "grep -rn ERROR --include='*.txt' ."
    assert unused_paths(grep, "search for ERROR in notes.txt", tree) == ["notes.txt"]
    assert unused_paths("grep -n ERROR notes.txt", "search for ERROR in notes.txt", tree) == []
    assert unused_paths("cd data && cat a.txt", "show data/a.txt", tree) == []  # its last part is a word
    assert unused_paths("cat data.txt", "show a.txt and data/a.txt", tree) == ["data/a.txt"]  # a.txt is not here
    assert unused_paths(r"cat data/Report\ Final.txt", "show data/Report Final.txt", tree) == []
    assert unused_paths("grep --file=notes.txt x", "use the patterns in notes.txt", tree) == []
    assert unused_paths(grep, "search for ERROR in missing.txt or *.txt", tree) == []  # not here / a glob
    assert unused_paths("ls", "decode " + "z" * 400 + ".txt", tree) == []  # too long to be a file: not one


def test_a_split_name_under_rm_is_fixed_and_classified_again(tree):
    s, backend = suggester(["rm data/Report Final.txt"], tree)
    [c] = s.suggest("delete data/Report Final.txt", 1).candidates
    assert c.command == "rm 'data/Report Final.txt'" and c.level != "safe" and len(backend.calls) == 1
    s, backend = suggester(["rm data/Report Final.txt"], None)  # no working directory: nothing to go by
    assert s.suggest("delete data/Report Final.txt", 1).candidates[0].command == "rm data/Report Final.txt"


def test_leaving_out_a_named_file_gets_one_repair_round(tree):
    wide, narrow = "grep -rn ERROR .", "grep -n ERROR notes.txt"
    s, backend = suggester([wide, narrow], tree)
    [c] = s.suggest("search for ERROR in notes.txt", 1).candidates
    assert c.command == narrow and c.note is None
    assert "does not use notes.txt, which the task names" in backend.calls[1][0][-1].content
    s, backend = suggester([wide, wide], tree)  # kept: marked, as with any other verdict
    [c] = s.suggest("search for ERROR in notes.txt", 1).candidates
    assert c.command == wide and c.note == "does not use notes.txt, which the task names"


def test_the_dev_sets_gold_answers_are_left_as_they_are():
    tasks = json.loads((DEV / "tasks.json").read_text())["tasks"]
    fixture = DEV / "fixture"
    assert sum(bool(unused_paths("true", t["query"], fixture)) for t in tasks) >= 90  # name a file here
    assert [t["gold"] for t in tasks if unused_paths(t["gold"], t["query"], fixture)] == []
    assert [t["gold"] for t in tasks if use_task_paths(t["gold"], t["query"], fixture)] == []
