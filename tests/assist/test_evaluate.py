"""The evaluator: task loading, fresh copies, output/file comparison, level gating.

The runner here is a plain subprocess on a temporary copy: every command it sees is written in
this file (the scripted backend's answers and the gold commands), never model output.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from tests.helpers.suggest import ScriptedBackend, fake_classify, fenced

from ccgpt.assist import evaluate as ev
from ccgpt.errors import UsageError

BENCH = Path(__file__).resolve().parents[2] / "bench" / "data"


def local_runner(command, cwd):
    p = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True, timeout=30)
    return ev.Outcome(p.returncode, p.stdout, ev.snapshot(Path(cwd)))


@pytest.fixture
def fixture(tmp_path):
    d = tmp_path / "fx"
    d.mkdir()
    (d / "a.txt").write_text("one\ntwo\nthree\n")
    (d / "b.txt").write_text("x\n")
    return d


def test_dev_set_is_valid_and_large_enough():
    tasks = ev.load_tasks(BENCH / "tasks.json")
    assert len(tasks) >= 50 and all(t.fixture and t.fixture.is_dir() for t in tasks)
    assert len({t.query for t in tasks}) == len(tasks)


def test_solved_and_unsolved(fixture):
    tasks = [ev.Task("count lines of a.txt", "wc -l a.txt", fixture),
             ev.Task("make dir out", "mkdir out", fixture),
             ev.Task("list files", "ls", fixture)]
    backend = ScriptedBackend([fenced("wc -l < a.txt"), fenced("mkdir -p out"), fenced("ls -1")])
    report = ev.evaluate(tasks, backend, "m", local_runner, classify=fake_classify)
    solved = [r.solved for r in report.results]
    # `wc -l < a.txt` prints "3" instead of "3 a.txt"; mkdir -p leaves the same tree; ls -1 = ls
    assert solved == [False, True, True]
    assert report.results[0].note == "differs: output"
    assert report.accuracy == pytest.approx(2 / 3)
    assert (fixture / "a.txt").read_text() == "one\ntwo\nthree\n" and not (fixture / "out").exists()


def test_files_are_compared(fixture):
    task = ev.Task("create c.txt", "touch c.txt", fixture)
    r = ev.score(task, "touch d.txt", local_runner, fake_classify, False)
    assert r.ran and r.output_match and not r.files_match and not r.solved


def test_blocked_never_runs(fixture):
    calls = []

    def runner(command, cwd):
        calls.append(command)
        return local_runner(command, cwd)

    r = ev.score(ev.Task("wipe", "ls", fixture), "rm -rf ~", runner, fake_classify, True)
    assert not r.ran and r.note == "not run: blocked" and calls == ["ls"]  # only the gold ran


def test_a_gold_that_fails_or_does_nothing_is_not_measurable(tmp_path, fixture):
    # Without a fixture the command runs in an empty directory: `cat notes.txt` fails there, and
    # a wrong answer that fails the same way must not count as solved.
    cases = [(ev.Task("show notes", "cat notes.txt"), "cat other.txt", "fails here (exit 1)"),
             (ev.Task("list files", "ls"), "ls -a | grep -v .", "prints nothing and changes nothing"),
             (ev.Task("same mode", "chmod 644 a.txt", fixture), "true", "prints nothing and changes nothing")]
    for task, wrong, why in cases:
        r = ev.score(task, wrong, local_runner, fake_classify, False)
        assert not r.solved and not r.measurable and why in r.note and not r.ran
    report = ev.evaluate([cases[0][0], ev.Task("count", "wc -l a.txt", fixture)],
                         ScriptedBackend([fenced("cat other.txt"), fenced("wc -l a.txt")]), "m", local_runner,
                         classify=fake_classify)
    assert report.accuracy == 1.0 and report.to_json()["not_measurable"] == 1 and report.measured == 1


def test_a_gold_whose_output_changes_between_runs_is_not_measurable(fixture):
    calls = []

    def runner(command, cwd):
        calls.append(command)
        return local_runner(command, cwd)

    clock = ev.Task("nanoseconds", "date +%N", fixture)  # another value on each run
    other = ev.score(clock, "date +%s%N", runner, fake_classify, False)
    assert not other.solved and not other.measurable and "changes from run to run" in other.note
    assert calls == ["date +%N", "date +%s%N", "date +%N"]  # the gold ran a second time
    assert ev.score(clock, "date  +%N", runner, fake_classify, False).solved  # the gold's own text
    failing = ev.score(clock, "date +%N; exit 3", runner, fake_classify, False)
    assert failing.measurable and not failing.solved and failing.note == "differs: output, exit 3"
    calls.clear()
    stable = ev.score(ev.Task("count", "wc -l a.txt", fixture), "wc -l b.txt", runner, fake_classify, False)
    assert stable.measurable and not stable.solved and calls == ["wc -l a.txt", "wc -l b.txt", "wc -l a.txt"]
    calls.clear()
    assert ev.score(ev.Task("count", "wc -l a.txt", fixture), "wc -l a.txt", runner, fake_classify, False).solved
    assert calls == ["wc -l a.txt", "wc -l a.txt"]  # a match needs no second gold run


def test_the_copys_own_path_is_not_a_difference(fixture):
    task = ev.Task("where am I", "pwd", fixture)
    assert ev.score(task, "echo $PWD", local_runner, fake_classify, False).solved
    assert not ev.score(task, "echo /tmp", local_runner, fake_classify, False).solved


def test_modes_are_compared_and_setup_runs_on_each_copy(fixture):
    task = ev.Task("make a.txt private", "chmod 600 a.txt", fixture)
    assert not ev.score(task, "chmod 640 a.txt", local_runner, fake_classify, False).files_match
    assert ev.score(task, "chmod u=rw,go= a.txt", local_runner, fake_classify, False).solved
    git = ev.Task("tracked files", "git ls-files", fixture,
                  setup="git init -q && git add a.txt")
    assert ev.score(git, "git ls-files --cached", local_runner, fake_classify, False).solved
    assert not (fixture / ".git").exists()


def test_raw_mode_uses_the_task_alone(fixture):
    backend = ScriptedBackend(["Run `ls -1` to list them."])
    report = ev.evaluate([ev.Task("list files", "ls", fixture)], backend, "m", local_runner, mode="raw",
                         classify=fake_classify)
    assert [m.role for m in backend.calls[0][0]] == ["user"] and report.results[0].solved


def test_load_errors(tmp_path):
    bad = tmp_path / "t.json"
    bad.write_text(json.dumps([{"query": "x"}]))
    with pytest.raises(UsageError, match="gold"):
        ev.load_tasks(bad)
    bad.write_text("{not json")
    with pytest.raises(UsageError, match="cannot read"):
        ev.load_tasks(bad)
    with pytest.raises(UsageError, match="no such"):
        ev.load_tasks(tmp_path / "missing.json")


def test_real_sandbox_runner_captures_output_and_files(fixture):
    runner = ev.SandboxRunner({}, timeout=30)
    got = ev.run_on_copy(runner, "cat a.txt; touch new.txt", fixture)
    assert got.exit_code == 0 and got.stdout == "one\ntwo\nthree\n"
    assert "new.txt" in got.files and "new.txt" not in ev.snapshot(fixture)
    # the copy is a sandbox of its own: writing outside it is not possible
    outside = fixture.parent / "outside.txt"
    ev.run_on_copy(runner, f"echo x > {outside}", fixture)
    assert not outside.exists()
