"""The trial run (assist/trial.py): the best `safe` candidate runs once in the real sandbox on a
throwaway copy of the directory; an error message goes back to the model for one repair round.

The backend is scripted; the risk engine and the sandbox are the real ones.
"""

from __future__ import annotations

from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist.suggest import Suggester
from ccgpt.assist.trial import Trial, _printable, trial_run


def make(answers, work, **kw):
    backend = ScriptedBackend(answers)
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, trial_dir=work,
                  check_options=False, **kw)
    return s, backend


def workdir(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("buy milk\n")
    return work


def test_a_command_the_shell_rejects_is_repaired_with_its_error_message(tmp_path):
    work = workdir(tmp_path)
    s, backend = make([fenced("cat note.txt"), fenced("cat notes.txt")], work)
    [c] = s.suggest("show notes.txt", 1).candidates
    assert c.command == "cat notes.txt" and c.note is None and s.trial_replaced == "cat note.txt"
    repair = backend.calls[1][0][-1].content
    assert "`cat note.txt`" in repair and "No such file or directory" in repair and "exit status 1" in repair
    assert str(tmp_path) not in repair  # the throwaway copy's path is not shown to the model
    assert backend.calls[1][1].temperature == 0.0 and len(backend.calls) == 2
    assert sorted(p.name for p in work.iterdir()) == ["notes.txt"]


def test_a_repair_that_fails_too_is_not_taken_and_the_failure_is_shown(tmp_path):
    work = workdir(tmp_path)
    s, backend = make([fenced("cat note.txt"), fenced("cat nots.txt")], work)
    [c] = s.suggest("show notes.txt", 1).candidates
    assert c.command == "cat note.txt" and s.trial_replaced is None
    assert c.note.startswith("failed in a sandboxed trial run: cat: note.txt: No such file")
    assert len(backend.calls) == 2  # one round only


def test_the_model_may_keep_its_command(tmp_path):
    work = workdir(tmp_path)
    s, backend = make([fenced("cat note.txt"), fenced("cat  note.txt")], work)
    [c] = s.suggest("show note.txt", 1).candidates
    assert c.command == "cat note.txt" and c.trial_error and len(backend.calls) == 2


def test_only_safe_commands_run_and_a_quiet_no_is_not_an_error(tmp_path):
    work = workdir(tmp_path)
    # `rm` is not safe: it never runs, so there is nothing to repair
    s, backend = make([fenced("rm notes.txt")], work)
    assert s.suggest("delete notes.txt", 1).candidates[0].command == "rm notes.txt"
    assert len(backend.calls) == 1 and (work / "notes.txt").exists()
    # grep finds nothing: exit 1 without a message is an answer, not a failure
    s, backend = make([fenced("grep eggs notes.txt")], work)
    assert s.suggest("find eggs in notes.txt", 1).candidates[0].note is None and len(backend.calls) == 1


def test_a_repair_that_is_not_safe_is_not_taken(tmp_path):
    work = workdir(tmp_path)
    s, _ = make([fenced("cat note.txt"), fenced("cat notes.txt > note.txt")], work)
    [c] = s.suggest("show notes.txt", 1).candidates
    assert c.command == "cat note.txt" and not (work / "note.txt").exists()


def test_without_a_directory_nothing_runs(tmp_path):
    backend = ScriptedBackend([fenced("cat note.txt")])
    s = Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed)
    assert s.suggest("show notes.txt", 1).candidates[0].note is None and len(backend.calls) == 1


def test_a_trial_sees_a_copy_and_stops_at_its_time_limit(tmp_path):
    work = workdir(tmp_path)
    tried = trial_run("rm notes.txt && ls", work)  # trial_run itself is below the level check
    assert tried == Trial(0, "") and (work / "notes.txt").exists()
    assert trial_run("sleep 10", work, _quick_runner()) is None


def _quick_runner():
    from ccgpt.assist.copyrun import SandboxRunner

    return SandboxRunner({}, timeout=0.5)


def test_error_text_is_printable_and_short():
    text = "a\x1b[31mred\x07\n\n" + "\n".join(f"line {i}" for i in range(10)) + "\n" + "x" * 1000
    out = _printable(text)
    assert "\x1b" not in out and "\x07" not in out and out.split("\n")[:2] == ["a[31mred", "line 0"]
    assert len(out.split("\n")) == 4 and len(out) <= 300


def test_settings_turn_the_trial_off_and_reject_a_bad_vote():
    import pytest

    from ccgpt.cli.suggest import pipeline_settings
    from ccgpt.errors import UsageError

    assert pipeline_settings({}, "/w")["trial_dir"] == "/w"
    assert pipeline_settings({"trial": False}, "/w")["trial_dir"] is None
    assert pipeline_settings({"vote": 4}, "/w")["vote"] == 4
    with pytest.raises(UsageError):
        pipeline_settings({"vote": "many"}, "/w")


def test_a_failing_stage_inside_a_pipeline_counts(tmp_path):
    work = workdir(tmp_path)
    (work / "big.bin").write_bytes(b"x" * 5000)
    s, backend = make([fenced("ls --sort-size | head -n 1"), fenced("ls -S | head -n 1")], work)
    [c] = s.suggest("show the largest file here", 1).candidates
    assert c.command == "ls -S | head -n 1" and "unrecognized option" in backend.calls[1][0][-1].content


def test_a_pipeline_cut_short_by_head_or_by_the_output_cap_is_not_a_failure(tmp_path):
    work = workdir(tmp_path)
    tried = trial_run("cat /dev/zero | head -c 5000000", work)
    assert tried is not None and tried.exit_code == 141 and not tried.failed and tried.error == ""


def test_an_error_that_quotes_a_secret_is_redacted_before_the_model_sees_it():
    # `wc --files0-from=.env` names each line of the file it could not open, secrets included
    key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD"
    out = _printable(f"wc: 'OPENAI_API_KEY={key}': No such file or directory\n")
    assert key not in out and out.startswith("wc: 'OPENAI_API_KEY=") and "No such file" in out


def test_a_tab_in_an_error_stays_a_space_between_words():
    # du, wc and cut separate fields with tabs; dropped, "4.0K\tlogs/a.log" read "4.0Klogs/a.log"
    assert _printable("du: 4.0K\tlogs/a.log\n") == "du: 4.0K logs/a.log"
