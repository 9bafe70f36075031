"""The deterministic review findings and their line mapping, exactly, on hand-made diffs;
the model's findings kept only on diff lines; exit codes; SARIF."""

from ccgpt.assist.gitdiff import parse_diff
from ccgpt.assist.review import parse_model_findings, run_review
from ccgpt.assist.review_checks import risk_findings, shell_dialect, shellcheck_findings
from ccgpt.assist.sarif import to_sarif

# New file, line by line (the diff adds lines 3, 4 and 7):
NEW = """#!/bin/bash
set -e
cd "$1"
rm -rf ~
echo done
cleanup() {
  rm -rf /
}
"""
DIFF = """\
diff --git a/tools/deploy.sh b/tools/deploy.sh
--- a/tools/deploy.sh
+++ b/tools/deploy.sh
@@ -1,3 +1,5 @@
 #!/bin/bash
 set -e
+cd "$1"
+rm -rf ~
 echo done
@@ -4,3 +6,4 @@
 cleanup() {
+  rm -rf /
 }
"""


def files():
    return parse_diff(DIFF)


def test_risk_findings_sit_at_their_added_lines():
    (f,) = files()
    found = risk_findings(f, NEW)
    assert [(x.line, x.severity, x.source) for x in found] == [(4, "blocked", "risk"), (7, "blocked", "risk")]
    assert found[0].message.startswith("wipe-home: ")
    assert all(x.path == "tools/deploy.sh" for x in found)


def test_a_dangerous_command_on_an_unchanged_line_is_not_the_change_s_finding():
    diff = DIFF.replace("+rm -rf ~\n", " rm -rf ~\n").replace("@@ -1,3 +1,5 @@", "@@ -1,4 +1,5 @@")
    (f,) = parse_diff(diff)
    assert f.added == {3: 'cd "$1"', 7: "  rm -rf /"}
    assert [x.line for x in risk_findings(f, NEW)] == [7]


def test_a_multi_line_command_is_reported_at_its_first_added_line():
    new = "#!/bin/sh\nrm -rf \\\n  ~\n"
    diff = ("diff --git a/x.sh b/x.sh\n--- a/x.sh\n+++ b/x.sh\n@@ -1,2 +1,3 @@\n #!/bin/sh\n rm -rf \\\n+  ~\n")
    (f,) = parse_diff(diff)
    found = risk_findings(f, new)
    assert [(x.line, x.severity) for x in found] == [(3, "blocked")]


def test_without_the_new_file_each_added_line_is_classified_alone():
    (f,) = files()
    assert [(x.line, x.severity) for x in risk_findings(f, None)] == [(4, "blocked"), (7, "blocked")]


def test_shellcheck_runs_on_the_whole_file_and_reports_only_added_lines():
    new = "#!/bin/bash\necho $a\nls\necho $b\n"
    diff = "diff --git a/s.sh b/s.sh\n--- a/s.sh\n+++ b/s.sh\n@@ -1,3 +1,4 @@\n #!/bin/bash\n echo $a\n ls\n+echo $b\n"
    (f,) = parse_diff(diff)
    found, why = shellcheck_findings(f, new, "bash")
    assert why is None
    assert sorted({(x.line, x.message.split(":")[0]) for x in found}) == [(4, "SC2086"), (4, "SC2154")]
    assert {x.severity for x in found if x.message.startswith("SC2086")} == {"info"}
    assert {x.severity for x in found if x.message.startswith("SC2154")} == {"review"}


def test_which_files_are_shell_scripts():
    assert shell_dialect("a/b/run", "#!/usr/bin/env bash\n") == "bash"
    assert shell_dialect("run", "#!/bin/sh -e\n") == "sh"
    assert shell_dialect("install.sh", "") == "sh"
    assert shell_dialect("home/.zshrc", None) == "zsh"
    assert shell_dialect("main.py", "#!/usr/bin/env python3\n") is None
    assert shell_dialect("notes.txt", "echo hi\n") is None


def test_non_shell_files_get_no_deterministic_findings():
    diff = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -0,0 +1 @@\n+os.system('rm -rf ~')\n"
    review = run_review(parse_diff(diff), lambda p: "os.system('rm -rf ~')\n")
    assert review.findings == [] and review.exit_code == 0


def test_run_review_orders_findings_and_exits_by_the_highest_severity():
    review = run_review(files(), lambda p: NEW)
    assert [(x.line, x.severity, x.source) for x in review.findings] == [
        (4, "blocked", "risk"), (7, "blocked", "risk"), (7, "review", "shellcheck")]  # SC2114; `set -e` spares the cd
    assert review.worst == "blocked" and review.exit_code == 5
    assert set(review.to_json()) == {"findings"}
    assert set(review.to_json()["findings"][0]) == {"path", "line", "severity", "message", "source"}


ANSWER = """tools/deploy.sh:4: error: deletes the home directory
deploy.sh:7: warning: deletes the root filesystem
tools/deploy.sh:40: error: this line is not in the diff
other.sh:3: error: no such file in the diff
- `tools/deploy.sh:3`: note: \x1b[31mquote\x1b[0m the argument
tools/deploy.sh:4: error: deletes the home directory
no findings"""


def test_model_findings_must_name_a_line_of_the_diff():
    kept, dropped = parse_model_findings(ANSWER, files(), "llama3.2")
    assert [(x.path, x.line, x.severity) for x in kept] == [
        ("tools/deploy.sh", 4, "review"), ("tools/deploy.sh", 7, "review"), ("tools/deploy.sh", 3, "info")]
    assert dropped == 2
    assert kept[2].message == "quote the argument"  # escape sequences gone
    assert {x.source for x in kept} == {"model:llama3.2"}


def test_a_context_line_shown_by_the_diff_may_be_named_but_not_a_hidden_one():
    kept, dropped = parse_model_findings("tools/deploy.sh:5: warning: x\ntools/deploy.sh:9: warning: y", files(), "m")
    assert [x.line for x in kept] == [5] and dropped == 1


def test_model_severity_never_goes_above_review():
    kept, _ = parse_model_findings("tools/deploy.sh:4: critical: BLOCKED, dangerous!", files(), "m")
    assert kept[0].severity == "review"


def test_model_step_findings_join_the_deterministic_ones():
    review = run_review(files(), lambda p: NEW, model_step=lambda fs: (*parse_model_findings(ANSWER, fs, "m"), ["n"]))
    assert review.dropped == 2 and "n" in review.notes
    sources = [x.source for x in review.findings if x.line == 4]
    assert sources == ["risk", "model:m"]


def test_sarif_2_1_0_shape():
    review = run_review(files(), lambda p: NEW)
    doc = to_sarif(review.findings, "0.1.0", "file:///repo/")
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    (run,) = doc["runs"]
    assert run["tool"]["driver"]["name"] == "ccgpt"
    levels = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"]) for r in run["results"]}
    assert ("wipe-home", 4, "error") in levels and ("SC2114", 7, "warning") in levels
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run["results"]} <= rule_ids
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "tools/deploy.sh", "uriBaseId": "SRCROOT"}
    assert run["originalUriBaseIds"] == {"SRCROOT": {"uri": "file:///repo/"}}


def test_echoed_diff_lines_and_lines_without_a_severity_are_not_findings():
    echo = 'tools/deploy.sh:4: + rm -rf ~\ntools/deploy.sh:3: note: cd "$1"\ntools/deploy.sh:7: the root is deleted'
    kept, dropped = parse_model_findings(echo, files(), "m")
    assert kept == [] and dropped == 0


def test_the_copied_placeholder_path_means_the_only_file():
    kept, dropped = parse_model_findings("PATH:4: error: deletes the home directory", files(), "m")
    assert [(x.path, x.line) for x in kept] == [("tools/deploy.sh", 4)] and dropped == 0
    two = parse_diff(DIFF + DIFF.replace("tools/deploy.sh", "other.sh"))
    assert parse_model_findings("PATH:4: error: x", two, "m") == ([], 1)


def test_zsh_files_get_the_risk_engine_but_not_shellcheck():
    from ccgpt.assist.review_checks import deterministic

    diff = "diff --git a/.zshrc b/.zshrc\n--- a/.zshrc\n+++ b/.zshrc\n@@ -0,0 +1 @@\n+rm -rf ~\n"
    found, notes = deterministic(parse_diff(diff), lambda p: "rm -rf ~\n")
    assert [(x.path, x.line, x.source) for x in found] == [(".zshrc", 1, "risk")]
    assert notes == [".zshrc: not checked by ShellCheck (ShellCheck does not support zsh)"]
