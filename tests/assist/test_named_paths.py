"""The task's paths put back into a command that lost them (named_paths.py), on a real tree;
the commands are run with bash to show what each form does."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist.named_paths import task_paths, use_task_paths
from ccgpt.assist.suggest import Suggester


@pytest.fixture
def tree(tmp_path):
    for name, text in (("data/Report Final.txt", "final\n"), ("data/a.txt", "a\n"),
                       ("archive/bundle.tar.gz", ""), ("notes.txt", "top\n"), ("docs/notes.txt", "docs\n")):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def bash(command, cwd):
    return subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True)


def test_a_name_with_a_space_split_into_words_is_quoted(tree):
    command = "cat data/Report Final.txt"
    assert bash(command, tree).returncode != 0  # as written: two files, neither here
    for task in ("show the contents of 'data/Report Final.txt'", "show data/Report Final.txt",
                 'print "data/Report Final.txt"'):
        fixed = use_task_paths(command, task, tree)
        assert fixed == "cat 'data/Report Final.txt'", task
        assert bash(fixed, tree).stdout == "final\n"


def test_a_dropped_directory_is_put_back(tree):
    assert use_task_paths("tar -tzf bundle.tar.gz", "list archive/bundle.tar.gz", tree) == "tar -tzf archive/bundle.tar.gz"
    # A destination the user named counts when its directory is here.
    assert use_task_paths("mv a.txt b.txt", "rename data/a.txt to data/b.txt", tree) == "mv data/a.txt data/b.txt"
    assert (use_task_paths("wc -l a.txt | sort && echo ok", "count the lines of data/a.txt", tree)
            == "wc -l data/a.txt | sort && echo ok")


@pytest.mark.parametrize("task, command", [
    ("show docs/notes.txt", "cat notes.txt"),  # notes.txt is here too: the command names a real file
    ("find archive/bundle.tar.gz", "find . -name bundle.tar.gz"),  # find's tests name no path
    ("count the lines of data/a.txt", "wc -l $dir/a.txt"),  # an expansion
    ("count the lines of data/a.txt", "wc -l data/a.txt"),  # already right
    ("show the notes", "cat a.txt"),  # the task names no path
    ("show archive/a.txt or data/a.txt", "cat a.txt"),  # two paths end in it: which is unclear
    ("delete a.txt, not data/a.txt", "rm a.txt"),  # the task says a.txt on its own: the user's word
])
def test_what_it_leaves_alone(tree, task, command):
    assert use_task_paths(command, task, tree) is None


def test_a_path_whose_directory_is_not_here_is_not_named(tree):
    # x/a.txt: no x here, so data/a.txt is the one path that ends in a.txt.
    assert use_task_paths("cat a.txt", "show x/a.txt and data/a.txt", tree) == "cat data/a.txt"


def test_paths_the_task_names():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    assert task_paths("read src/ccgpt/paths.py, then docs/none/x.md, then -rf /etc/passwd and README.md", root) \
        == ["src/ccgpt/paths.py"]


def test_the_suggester_puts_the_paths_back_in_the_working_directory(tree):
    backend = ScriptedBackend([fenced("tar -tzf bundle.tar.gz")])
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, workdir=tree)
    [c] = s.suggest("list what is in archive/bundle.tar.gz", 1).candidates
    assert c.command == "tar -tzf archive/bundle.tar.gz" and len(backend.calls) == 1
    backend = ScriptedBackend([fenced("tar -tzf bundle.tar.gz")])
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed)  # no workdir
    assert s.suggest("list what is in archive/bundle.tar.gz", 1).candidates[0].command == "tar -tzf bundle.tar.gz"


def test_a_split_name_under_rm_is_classified_after_the_fix(tree):
    backend = ScriptedBackend([fenced("rm data/Report Final.txt")])
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, workdir=tree)
    [c] = s.suggest("delete data/Report Final.txt", 1).candidates
    assert c.command == "rm 'data/Report Final.txt'" and c.level != "safe"


def test_no_gold_answer_of_the_dev_set_is_changed():
    import json
    import pathlib

    data = pathlib.Path(__file__).resolve().parents[2] / "bench" / "data"
    tasks = json.loads((data / "tasks.json").read_text())["tasks"]
    assert sum(bool(task_paths(t["query"], data / "fixture")) for t in tasks) >= 40
    assert [t["gold"] for t in tasks if use_task_paths(t["gold"], t["query"], data / "fixture")] == []


def test_a_named_file_the_command_leaves_out(tree):
    from ccgpt.assist.named_paths import unused_paths

    grep = "grep -rn ERROR --include='*.txt' ."
    assert unused_paths(grep, "search for ERROR in notes.txt", tree) == ["notes.txt"]
    assert unused_paths("grep -n ERROR notes.txt", "search for ERROR in notes.txt", tree) == []
    assert unused_paths("cd data && cat a.txt", "show data/a.txt", tree) == []  # its last part is there
    assert unused_paths(grep, "search for ERROR in missing.txt or *.txt", tree) == []  # not here / a glob
    assert unused_paths("ls", "rename data/a.txt to data/b.txt", tree) == ["data/a.txt"]  # b.txt is not here


def test_leaving_out_a_named_file_gets_one_repair_round(tree):
    wide, narrow = "grep -rn ERROR .", "grep -n ERROR notes.txt"
    backend = ScriptedBackend([fenced(wide), fenced(narrow)])
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, workdir=tree)
    [c] = s.suggest("search for ERROR in notes.txt", 1).candidates
    assert c.command == narrow and c.note is None
    assert "does not use notes.txt, which the task names" in backend.calls[1][0][-1].content
    backend = ScriptedBackend([fenced(wide), fenced(wide)])  # kept: marked, as with any other verdict
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, workdir=tree)
    [c] = s.suggest("search for ERROR in notes.txt", 1).candidates
    assert c.command == wide and c.note == "does not use notes.txt, which the task names"


def test_no_gold_answer_of_the_dev_set_leaves_out_a_file_its_task_names():
    import json
    import pathlib

    from ccgpt.assist.named_paths import unused_paths

    data = pathlib.Path(__file__).resolve().parents[2] / "bench" / "data"
    tasks = json.loads((data / "tasks.json").read_text())["tasks"]
    assert sum(bool(unused_paths("true", t["query"], data / "fixture")) for t in tasks) >= 90  # name a file here
    assert [t["gold"] for t in tasks if unused_paths(t["gold"], t["query"], data / "fixture")] == []
