"""`ccgpt guard install AGENT`: the hook merged into an existing settings file, as a user runs it."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from agents_helpers import SRC

EXISTING = {
    "model": "opus",
    "permissions": {"allow": ["Bash(npm run test:*)"], "deny": ["Read(./.env)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Edit", "hooks": [{"type": "command", "command": "prettier --check"}]}],
        "PostToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "logger ran"}]}],
    },
}


def install(*args, cwd, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCGPT_")}
    env.update(PYTHONPATH=SRC, HOME=str(home))
    return subprocess.run([sys.executable, "-m", "ccgpt", "guard", "install", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def ours(settings, event="PreToolUse"):
    return [h for g in settings["hooks"][event] for h in g["hooks"] if " guard --format" in h["command"]]


def test_merges_into_an_existing_project_file_with_diff_and_backup(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(json.dumps(EXISTING, indent=2) + "\n")
    path.chmod(0o640)
    r = install("claude", "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    new = json.loads(path.read_text())
    # Everything that was there is still there, unchanged.
    assert new["model"] == "opus" and new["permissions"] == EXISTING["permissions"]
    assert new["hooks"]["PostToolUse"] == EXISTING["hooks"]["PostToolUse"]
    assert new["hooks"]["PreToolUse"][0] == EXISTING["hooks"]["PreToolUse"][0]
    (hook,) = ours(new)
    group = next(g for g in new["hooks"]["PreToolUse"] if hook in g["hooks"])
    assert group["matcher"] == "Bash" and hook["type"] == "command" and hook["timeout"] == 10
    assert hook["command"].endswith("guard --format claude || exit 2")
    # The diff was shown, a backup kept, the mode kept.
    assert r.stdout.startswith("---") and "+" in r.stdout and "guard --format claude" in r.stdout
    backups = list(path.parent.glob("settings.json.ccgpt-backup-*"))
    assert len(backups) == 1 and json.loads(backups[0].read_text()) == EXISTING
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_installed_command_really_runs_the_guard(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    assert install("claude", "--project", cwd=tmp_path, home=tmp_path / "home").returncode == 0
    (hook,) = ours(json.loads(path.read_text()))
    ev = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}})
    r = subprocess.run(["bash", "-c", hook["command"]], input=ev, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": SRC})
    assert r.returncode == 2 and "wipe-home" in r.stderr
    # A missing ccgpt still blocks: the `|| exit 2` turns "command not found" (127) into a block.
    broken = hook["command"].replace("ccgpt", "ccgpt-missing-binary", 1)
    assert subprocess.run(["bash", "-c", broken], input=ev, capture_output=True, text=True).returncode == 2


def test_second_install_changes_nothing(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    assert install("claude", "--project", cwd=tmp_path, home=tmp_path / "home").returncode == 0
    before = path.read_text()
    r = install("claude", "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 0 and "already installed" in r.stdout and path.read_text() == before
    assert len(ours(json.loads(before))) == 1


def test_user_scope_is_the_default(tmp_path):
    home = tmp_path / "home"
    r = install("claude", cwd=tmp_path, home=home)
    assert r.returncode == 0, r.stderr
    assert len(ours(json.loads((home / ".claude" / "settings.json").read_text()))) == 1
    assert not (tmp_path / ".claude").exists()


def test_invalid_json_leaves_the_file_untouched(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text('{"model": "opus",\n  "hooks": {,}\n}\n')
    before = path.read_bytes()
    r = install("claude", "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 1 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "not valid JSON (line 2" in r.stderr
    assert path.read_bytes() == before and list(path.parent.iterdir()) == [path]


def test_dry_run_writes_nothing(tmp_path):
    r = install("claude", "--project", "--dry-run", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 0 and "dry run" in r.stdout and "guard --format claude" in r.stdout
    assert not (tmp_path / ".claude").exists()


@pytest.mark.parametrize("agent, rel, event, matcher, timeout", [
    ("codex", ".codex/hooks.json", "PreToolUse", "Bash", 10),
    ("gemini", ".gemini/settings.json", "BeforeTool", "run_shell_command", 10000),
])
def test_other_agents(tmp_path, agent, rel, event, matcher, timeout):
    path = tmp_path / rel
    path.parent.mkdir()
    path.write_text(json.dumps({"theme": "dark"}))
    r = install(agent, "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    new = json.loads(path.read_text())
    (hook,) = ours(new, event)
    assert new["theme"] == "dark" and new["hooks"][event][0]["matcher"] == matcher
    assert hook["timeout"] == timeout and f"--format {agent}" in hook["command"]


def test_unknown_agent_is_a_usage_error(tmp_path):
    r = install("cursor", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 2 and "unknown agent" in r.stderr


def test_a_stale_ccgpt_entry_is_updated_in_place(tmp_path):
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    stale = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [
        {"type": "command", "command": "npx lint-bash"},
        {"type": "command", "command": "/old/venv/bin/ccgpt guard", "timeout": 60}]}]}}
    path.write_text(json.dumps(stale))
    r = install("claude", "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    groups = json.loads(path.read_text())["hooks"]["PreToolUse"]
    assert len(groups) == 1 and groups[0]["hooks"][0] == {"type": "command", "command": "npx lint-bash"}
    (hook,) = ours({"hooks": {"PreToolUse": groups}})
    assert hook["timeout"] == 10 and "/old/venv" not in hook["command"]


@pytest.mark.parametrize("content, message", [('{"hooks": []}', '"hooks" value that is not an object'),
                                              ('{"hooks": {"PreToolUse": {}}}', "not a list"),
                                              ("[]", "does not hold a JSON object")])
def test_unexpected_shapes_are_refused_untouched(tmp_path, content, message):
    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(content)
    r = install("claude", "--project", cwd=tmp_path, home=tmp_path / "home")
    assert r.returncode == 1 and message in r.stderr and path.read_text() == content


GUARD = "/opt/venv/bin/ccgpt guard --format claude || exit 2"


def shell_hooks(settings, tool="Bash"):
    """The hook commands Claude Code would run for `tool` (matcher semantics: absent/""/"*" all
    tools, else a regular expression over the name)."""
    import re

    out = []
    for g in settings["hooks"]["PreToolUse"]:
        m = g.get("matcher")
        if m in (None, "", "*") or re.fullmatch(m, tool):
            out += [h["command"] for h in g["hooks"]]
    return out


def test_a_shared_group_is_never_narrowed():
    from ccgpt.agents.guard_install import merge

    shared = {"hooks": {"PreToolUse": [{"matcher": "Edit|Write", "hooks": [
        {"type": "command", "command": "prettier --check"},
        {"type": "command", "command": "ccgpt guard --format claude || exit 2"}]}]}}
    new = merge(shared, "claude", GUARD)
    # The formatter still runs on Edit and Write, and the guard now runs on Bash, exactly once.
    assert "prettier --check" in shell_hooks(new, "Edit") and "prettier --check" in shell_hooks(new, "Write")
    assert shell_hooks(new, "Bash") == [GUARD]
    assert GUARD not in shell_hooks(new, "Edit")


def test_a_group_that_already_selects_bash_keeps_its_matcher():
    from ccgpt.agents.guard_install import merge

    for matcher in ("Bash|Edit", "*", ""):
        settings = {"hooks": {"PreToolUse": [{"matcher": matcher, "hooks": [
            {"type": "command", "command": "logger pre"},
            {"type": "command", "command": "python3 -m ccgpt guard --format claude"}]}]}}
        new = merge(settings, "claude", GUARD)
        assert new["hooks"]["PreToolUse"][0]["matcher"] == matcher
        assert shell_hooks(new, "Bash") == ["logger pre", GUARD]


def test_hooks_that_only_mention_the_words_are_not_replaced():
    from ccgpt.agents.guard_install import merge

    others = ["ccgpt-lint --guard", "echo 'ccgpt guard is installed'", "my-ccgpt guard", "notify ccgpt guard"]
    settings = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": c} for c in others]}]}}
    new = merge(settings, "claude", GUARD)
    assert shell_hooks(new, "Bash") == others + [GUARD]


def test_duplicates_of_the_guard_collapse_to_one():
    from ccgpt.agents.guard_install import merge

    old = {"type": "command", "command": "/old/bin/ccgpt guard --format claude || exit 2", "timeout": 3}
    settings = {"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [old]}, {"matcher": "Bash", "hooks": [dict(old)]},
                                         {"matcher": "Bash", "hooks": []}]}}
    new = merge(settings, "claude", GUARD)
    assert shell_hooks(new, "Bash") == [GUARD]
    assert {"matcher": "Bash", "hooks": []} in new["hooks"]["PreToolUse"]  # the user's own empty group stays
    assert merge(new, "claude", GUARD) == new  # installing again changes nothing
