"""`ccgpt review` end to end in a real git repository: staged, working tree, a commit, a range,
files; JSON exactly as INTERFACE.md; SARIF; exit codes; the model's findings through a
scripted Ollama-shaped server."""

import json

from roles_helpers import git

SCRIPT_V1 = "#!/bin/bash\nset -e\necho start\n"
SCRIPT_V2 = "#!/bin/bash\nset -e\necho start\nrm -rf ~\necho $unset_var\n"


def _repo_with_change(repo, stage=True):
    (repo / "deploy.sh").write_text(SCRIPT_V1)
    (repo / "README.md").write_text("# demo\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "init")
    (repo / "deploy.sh").write_text(SCRIPT_V2)
    if stage:
        git(repo, "add", "deploy.sh")


EXPECTED = [
    {"path": "deploy.sh", "line": 4, "severity": "blocked",
     "message": "wipe-home: recursive delete of the home directory (~)", "source": "risk"},
    {"path": "deploy.sh", "line": 5, "severity": "review", "message": "SC2154: unset_var is referenced but not assigned.",
     "source": "shellcheck"},
    {"path": "deploy.sh", "line": 5, "severity": "info",
     "message": "SC2086: Double quote to prevent globbing and word splitting.", "source": "shellcheck"},
]


def test_staged_json_is_exactly_the_contract_and_exit_code_is_the_highest_severity(ccgpt, repo):
    _repo_with_change(repo)
    r = ccgpt("review", "--staged", "--no-llm", "--json", cwd=repo)
    assert r.returncode == 5, r.stderr
    assert json.loads(r.stdout) == {"findings": EXPECTED}


def test_working_tree_commit_and_range(ccgpt, repo):
    _repo_with_change(repo, stage=False)
    r = ccgpt("review", "--no-llm", "--json", cwd=repo)  # uncommitted changes, not staged
    assert r.returncode == 5 and json.loads(r.stdout)["findings"] == EXPECTED
    git(repo, "commit", "-qam", "change")
    assert ccgpt("review", "--staged", "--no-llm", cwd=repo).returncode == 1  # nothing staged any more
    r = ccgpt("review", "HEAD", "--no-llm", "--json", cwd=repo)
    assert r.returncode == 5 and json.loads(r.stdout)["findings"] == EXPECTED
    r = ccgpt("review", "HEAD~1..HEAD", "--no-llm", "--json", cwd=repo)
    assert r.returncode == 5 and json.loads(r.stdout)["findings"] == EXPECTED
    r = ccgpt("review", "HEAD~1", "--no-llm", "--json", cwd=repo)  # the first commit: a root commit
    assert r.returncode == 0 and json.loads(r.stdout) == {"findings": []}


def test_whole_files_are_reviewed_every_line(ccgpt, tmp_path):
    (tmp_path / "a.sh").write_text("#!/bin/sh\ncurl -fsSL https://example.com/i.sh | sh\n")
    (tmp_path / "notes.txt").write_text("rm -rf ~\n")  # not a shell file
    r = ccgpt("review", "a.sh", "notes.txt", "--no-llm", "--json", cwd=tmp_path)
    findings = json.loads(r.stdout)["findings"]
    assert [(f["path"], f["line"], f["source"]) for f in findings] == [("a.sh", 2, "risk")]
    assert findings[0]["severity"] in ("dangerous", "blocked")
    assert r.returncode == {"dangerous": 4, "blocked": 5}[findings[0]["severity"]]


def test_a_clean_change_exits_0_and_says_so(ccgpt, repo):
    _repo_with_change(repo, stage=False)
    (repo / "deploy.sh").write_text(SCRIPT_V1 + 'echo "done"\n')
    r = ccgpt("review", "--no-llm", cwd=repo)
    assert r.returncode == 0 and r.stdout == "" and "no findings" in r.stderr


def test_sarif_output(ccgpt, repo):
    _repo_with_change(repo)
    r = ccgpt("review", "--staged", "--no-llm", "--sarif", cwd=repo)
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0" and r.returncode == 5
    results = doc["runs"][0]["results"]
    assert [(x["ruleId"], x["level"]) for x in results] == [("wipe-home", "error"), ("SC2154", "warning"), ("SC2086", "note")]
    assert doc["runs"][0]["originalUriBaseIds"]["SRCROOT"]["uri"] == repo.resolve().as_uri() + "/"


def test_bad_targets_are_one_clear_line(ccgpt, repo, tmp_path):
    _repo_with_change(repo)
    r = ccgpt("review", "no-such-thing", "--no-llm", cwd=repo)
    assert r.returncode == 1 and r.stderr.strip() == "ccgpt: no such file or revision: no-such-thing"
    outside = tmp_path / "plain"
    outside.mkdir()
    r = ccgpt("review", "--staged", "--no-llm", cwd=outside)
    assert r.returncode == 1 and r.stderr.strip() == "ccgpt: not a git repository (run this inside one)"
    r = ccgpt("review", "--json", "--sarif", "--no-llm", cwd=repo)
    assert r.returncode == 2 and "not both" in r.stderr


def test_model_findings_are_kept_on_diff_lines_and_dropped_elsewhere(ccgpt, repo, cfg, scripted):
    _repo_with_change(repo)
    scripted.answers = ["deploy.sh:4: error: wipes the home directory\n"
                        "deploy.sh:99: error: invented line\n"
                        "deploy.sh:3: warning: \x1b]52;c;ZXZpbA==\x07echo without quoting\n"]
    r = ccgpt("review", "--staged", "--json", "--config", cfg, cwd=repo)
    findings = json.loads(r.stdout)["findings"]
    model = [f for f in findings if f["source"].startswith("model:")]
    assert model == [
        {"path": "deploy.sh", "line": 3, "severity": "review", "message": "echo without quoting", "source": "model:coder"},
        {"path": "deploy.sh", "line": 4, "severity": "review", "message": "wipes the home directory", "source": "model:coder"},
    ]
    assert [f for f in findings if not f["source"].startswith("model:")] == EXPECTED
    assert "1 model finding(s) dropped" in r.stderr
    sent = scripted.chats()[-1]["messages"][-1]["content"]
    assert "deploy.sh:4: + rm -rf ~" in sent and "<diff>" in sent
    assert r.returncode == 5


def test_an_unreachable_model_costs_only_its_findings(ccgpt, repo, tmp_path):
    from roles_helpers import write_config

    _repo_with_change(repo)
    cfg = write_config(tmp_path, "http://127.0.0.1:9")
    r = ccgpt("review", "--staged", "--json", "--config", cfg, cwd=repo)
    assert json.loads(r.stdout)["findings"] == EXPECTED and r.returncode == 5
    assert "model review skipped" in r.stderr
