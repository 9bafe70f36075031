"""`ccgpt guard`: each agent's hook protocol, each risk level, and every fail-closed path, run as
the agent runs it (a fresh process, the event on stdin)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest

from agents_helpers import EVENT_NAME, SHELL_TOOL, SRC, event, guard

COMMANDS = {"safe": "ls -la", "review": "echo hi > notes.txt", "dangerous": "rm -rf ./build",
            "blocked": "rm -rf ~"}


def test_commands_have_the_levels_these_tests_assume():
    from ccgpt.risk.classify import classify

    assert {level: classify(c).level for level, c in COMMANDS.items()} == {k: k for k in COMMANDS}


@pytest.mark.parametrize("level", ["safe", "review"])
@pytest.mark.parametrize("fmt", ["claude", "codex", "gemini"])
def test_safe_and_review_leave_the_decision_to_the_agent(fmt, level):
    r = guard(event(fmt, COMMANDS[level]), "--format", fmt)
    assert r.returncode == 0 and r.stderr == b""
    assert r.stdout == (b"{}\n" if fmt == "gemini" else b"")  # Gemini CLI wants JSON on stdout


@pytest.mark.parametrize("fmt", ["claude", "codex", "gemini"])
def test_blocked_exits_2_with_the_reason_on_stderr(fmt):
    r = guard(event(fmt, COMMANDS["blocked"]), "--format", fmt)
    assert r.returncode == 2 and r.stdout == b""
    assert b"blocked" in r.stderr and b"wipe-home" in r.stderr


def test_claude_dangerous_asks_the_person():
    r = guard(event("claude", COMMANDS["dangerous"]))  # claude is the default format
    assert r.returncode == 0 and r.stderr == b""
    out = json.loads(r.stdout)
    assert set(out) == {"hookSpecificOutput"}
    hso = out["hookSpecificOutput"]
    assert hso["hookEventName"] == "PreToolUse" and hso["permissionDecision"] == "ask"
    assert "dangerous" in hso["permissionDecisionReason"] and "recursive-delete" in hso["permissionDecisionReason"]


def test_codex_dangerous_is_denied_with_the_reason():
    out = json.loads(guard(event("codex", COMMANDS["dangerous"]), "--format", "codex").stdout)
    hso = out["hookSpecificOutput"]
    assert hso["permissionDecision"] == "deny" and "recursive-delete" in hso["permissionDecisionReason"]


def test_gemini_dangerous_is_denied_with_the_reason():
    r = guard(event("gemini", COMMANDS["dangerous"]), "--format", "gemini")
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["decision"] == "deny" and "recursive-delete" in out["reason"]


def test_codex_argv_form_is_read_inside():
    ev = event("codex", ["bash", "-lc", "rm -rf ~"])
    assert guard(ev, "--format", "codex").returncode == 2


@pytest.mark.parametrize("fmt, tool", [("claude", "Read"), ("claude", "mcp__ccgpt__run_command"),
                                       ("codex", "apply_patch"), ("gemini", "read_file")])
def test_other_tools_pass_through(fmt, tool):
    ev = {"hook_event_name": EVENT_NAME[fmt], "tool_name": tool, "tool_input": {"file_path": "/etc/hosts"}}
    r = guard(ev, "--format", fmt)
    assert r.returncode == 0 and r.stderr == b""


def test_other_events_pass_through():
    ev = {"hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}
    assert guard(ev).returncode == 0


def test_hidden_characters_do_not_reach_the_agent_raw():
    r = guard(event("claude", "rm -rf ~ #\x1b[2J\u202e"))
    assert r.returncode == 2 and b"\x1b" not in r.stderr


@pytest.mark.parametrize("stdin", [
    b"", b"not json", b"[1, 2]", b"\xff\xfe\x00",
    json.dumps({"hook_event_name": "PreToolUse", "tool_input": {"command": "ls"}}).encode(),
    json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash"}).encode(),
    json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": 42}}).encode(),
    json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": "ls"}).encode(),
    json.dumps({"hook_event_name": ["PreToolUse"], "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}).encode(),
    json.dumps({"hook_event_name": 7, "tool_name": "Bash", "tool_input": {"command": "rm -rf ~"}}).encode(),
], ids=["empty", "garbage", "array", "binary", "no-tool", "no-input", "number", "input-string", "event-list",
        "event-number"])
def test_unreadable_input_fails_closed(stdin):
    r = guard(stdin)
    assert r.returncode == 2 and b"fail closed" in r.stderr and r.stdout == b""


def test_oversized_event_fails_closed():
    r = guard(event("claude", "echo " + "a" * (5 * 1024 * 1024)))
    assert r.returncode == 2 and b"larger than" in r.stderr


def test_internal_deadline_fails_closed():
    r = guard(event("claude", "ls -la"), "--deadline", "0.000001")
    assert r.returncode == 2 and b"no verdict within" in r.stderr


def test_an_internal_error_fails_closed(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[ccgpt.rules]\ndeny = [{ pattern = '(' }]\n")  # a rule that does not compile
    r = guard(event("claude", "ls -la"), env={"CCGPT_CONFIG": str(bad)})
    assert r.returncode == 2 and b"fail closed" in r.stderr


def test_user_deny_rules_apply(tmp_path):
    cfg = tmp_path / "rules.toml"
    cfg.write_text("[ccgpt.rules]\ndeny = [{ pattern = 'terraform destroy', level = 'blocked', "
                   "message = 'no destroy from agents' }]\n")
    r = guard(event("claude", "terraform destroy -auto-approve"), env={"CCGPT_CONFIG": str(cfg)})
    assert r.returncode == 2 and b"no destroy from agents" in r.stderr


def test_guard_imports_only_the_risk_engine():
    code = ("import sys, io, runpy; sys.argv = ['ccgpt', 'guard']; "
            "sys.stdin = io.TextIOWrapper(io.BytesIO(b'{\"tool_name\": \"Bash\", \"tool_input\": {\"command\": \"ls\"}}'));"
            "from ccgpt.cli.main import main\n"
            "try:\n    main()\nfinally:\n"
            "    heavy = [m for m in ('httpx', 'mcp', 'starlette', 'anyio', 'llama_cpp', 'ccgpt.store.db', 'sqlite3',"
            " 'ccgpt.explain.engine', 'yaml') if m in sys.modules]\n"
            "    print('HEAVY', heavy, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": SRC},
                       timeout=60)
    assert "HEAVY []" in r.stderr, r.stderr


def test_a_config_without_rules_changes_nothing(tmp_path):
    cfg = tmp_path / "plain.toml"
    cfg.write_text('[ccgpt]\nbackend = "embedded"\n[ccgpt.sandbox]\ntimeout = 30\n')
    env = {"CCGPT_CONFIG": str(cfg)}
    assert guard(event("claude", COMMANDS["safe"]), env=env).returncode == 0
    assert guard(event("claude", COMMANDS["blocked"]), env=env).returncode == 2


def test_rules_are_parsed_once_per_change_of_the_config(tmp_path):
    cfg = tmp_path / "rules.toml"
    data = tmp_path / "data"
    env = {"CCGPT_CONFIG": str(cfg), "CCGPT_DATA_DIR": str(data)}
    cfg.write_text("[ccgpt.rules]\ndeny = [{ pattern = 'terraform destroy', level = 'blocked', message = 'first rule' }]\n")
    ev = event("claude", "terraform destroy")
    assert b"first rule" in guard(ev, env=env).stderr
    cache = data / "guard-rules.json"
    assert cache.is_file() and stat.S_IMODE(cache.stat().st_mode) == 0o600
    # The second run reads the cache: no TOML parser is even imported.
    probe = ("import sys, io; sys.argv = ['ccgpt', 'guard']; sys.stdin = io.TextIOWrapper(io.BytesIO(%r))\n"
             "from ccgpt.cli.main import main\ncode = main()\nprint('CODE', code, 'tomllib' in sys.modules)" % json.dumps(ev).encode())
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": SRC, **env})
    assert "CODE 2 False" in r.stdout and "first rule" in r.stderr
    # A changed file is read again.
    cfg.write_text("[ccgpt.rules]\ndeny = [{ pattern = 'terraform destroy', level = 'blocked', message = 'the second rule' }]\n")
    assert b"the second rule" in guard(ev, env=env).stderr
    # A tampered cache that no longer matches the file is ignored.
    cache.write_text(json.dumps({"key": ["forged"], "rules": []}))
    assert guard(ev, env=env).returncode == 2


def test_a_broken_install_still_blocks(tmp_path):
    """The guard's own module cannot even be imported: still exit 2, not the 1 an agent ignores."""
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Broken:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'ccgpt.agents.guard':\n"
        "            raise ImportError('simulated broken install')\n"
        "sys.meta_path.insert(0, Broken())\n")
    r = guard(event("claude", "ls"), env={"PYTHONPATH": f"{tmp_path}{os.pathsep}{SRC}"})
    assert r.returncode == 2 and b"fail closed" in r.stderr
