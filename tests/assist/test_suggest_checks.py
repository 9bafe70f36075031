"""What the pipeline adds to the model: ranking by what the task asks, options checked against the
man page with one repair round, and execution-checked voting in the sandbox.

The backend is scripted (its answers are written here); the risk engine, the explain engine's man
pages and the sandbox are the real ones.
"""

from __future__ import annotations

import pytest
from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist import intent
from ccgpt.assist.options_check import OptionChecker
from ccgpt.assist.suggest import Suggester


def make(answers, **kw):
    backend = ScriptedBackend(answers)
    return Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, **kw), backend


def test_a_read_only_task_answered_with_a_delete_ranks_below_and_is_marked():
    s, _ = make([fenced("find . -type f -size +1M -delete"), fenced("find . -type f -size +1M"),
                 fenced("du -a . | sort -n")])
    result = s.suggest("find files bigger than 1MB", 3)
    commands = [c.command for c in result.candidates]
    assert commands[0] == "find . -type f -size +1M" and commands[-1] == "find . -type f -size +1M -delete"
    last = result.candidates[-1]
    assert last.level == "dangerous" and last.note.startswith("does more than the task asks: rated dangerous")
    assert result.candidates[0].note is None


def test_a_task_that_asks_for_a_delete_keeps_the_models_order():
    s, _ = make([fenced("find . -name '*.tmp' -delete"), fenced("find . -name '*.tmp'")])
    result = s.suggest("delete the tmp files", 2)
    assert result.candidates[0].command == "find . -name '*.tmp' -delete" and result.candidates[0].note is None


def test_cautious_never_puts_a_dangerous_candidate_over_a_safer_one():
    answers = [fenced("rm -rf build"), fenced("rm build/app.o"), fenced("ls build")]
    plain, _ = make(answers)
    assert plain.suggest("clean up the build directory", 3).candidates[0].command == "rm -rf build"
    cautious, _ = make(answers, cautious=True)
    ranked = cautious.suggest("clean up the build directory", 3).candidates
    assert ranked[-1].command == "rm -rf build" and ranked[-1].level == "dangerous"
    assert all(c.level != "dangerous" for c in ranked[:-1])


@pytest.mark.parametrize("task", ["show the 5 largest files", "count the lines in notes.txt", "which branch am I on",
                                  "list the files in src"])
def test_read_only_tasks(task):
    assert intent.read_only(task)


@pytest.mark.parametrize("task", ["delete the tmp files", "rename a.txt to b.txt", "make deploy.sh executable",
                                  "replace foo with bar in x.ini", "compress server.log", "save the list to out.txt"])
def test_tasks_that_change_things(task):
    assert not intent.read_only(task)


def test_undocumented_options_are_found_with_the_man_page():
    checker = OptionChecker()
    [note] = checker.undocumented("ls --sort-size")
    assert note.startswith("--sort-size is not described in man:ls(1)")
    assert checker.undocumented("ls -lS") == []
    # find's operators and head's old count syntax are not options the page lacks
    assert checker.undocumented(r"find . \( -name a -o -name b \) ! -empty") == []
    assert checker.undocumented("head -5 notes.txt") == []


def test_one_repair_round_replaces_a_command_with_invented_options():
    s, backend = make([fenced("ls --sort-size"), fenced("ls -S")])
    result = s.suggest("list files, largest first", 1)
    assert [c.command for c in result.candidates] == ["ls -S"] and result.candidates[0].note is None
    repair = backend.calls[1][0][-1].content
    assert "--sort-size is not described in man:ls(1)" in repair and "`ls --sort-size`" in repair
    assert backend.calls[1][1].temperature == 0.0 and len(backend.calls) == 2


def test_a_repair_that_is_still_wrong_is_not_taken_and_the_candidate_is_marked():
    s, backend = make([fenced("ls --sort-size"), fenced("ls --by-size")])
    [c] = s.suggest("list files, largest first", 1).candidates
    assert c.command == "ls --sort-size" and "--sort-size is not described in man:ls(1)" in c.note
    assert len(backend.calls) == 2  # one round only


@pytest.mark.slow
def test_voting_runs_safe_candidates_in_the_sandbox_and_agreement_ranks_first(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for name, size in (("big.bin", 5000), ("mid.txt", 300), ("small.txt", 3)):
        (work / name).write_bytes(b"x" * size)
    # greedy says `ls -t` (wrong order for "largest first"); two samples agree on size order
    answers = [fenced("ls -t"), fenced("ls -S"), fenced("ls -S -1"), fenced("rm small.txt")]
    s, _ = make(answers, vote=4, vote_dir=work)
    result = s.suggest("list the files here, largest first", 3)
    top = result.candidates[0]
    assert top.command in ("ls -S", "ls -S -1") and top.agreed == 1
    assert {c.command: c.agreed for c in result.candidates}.get("ls -t") == 0
    assert (work / "small.txt").exists()  # nothing ran outside a throwaway copy; rm never ran at all
    assert sorted(p.name for p in work.iterdir()) == ["big.bin", "mid.txt", "small.txt"]


def test_suggest_rates_a_write_by_what_is_on_disk(tmp_path, monkeypatch):
    """The default classifier carries the filesystem probe: copying to a file that does not exist
    creates it (review); the same copy over a file that exists overwrites it (dangerous)."""
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    (work / "a.php").write_text("<?php\n")
    (elsewhere / "old.php").write_text("keep me\n")
    monkeypatch.chdir(work)
    new, old = f"cp a.php {elsewhere}/a-copy.php", f"cp a.php {elsewhere}/old.php"
    s, _ = make([fenced(new), fenced(old)])
    levels = {c.command: c.level for c in s.suggest("copy a.php to the other folder", 2).candidates}
    assert levels == {new: "review", old: "dangerous"}
