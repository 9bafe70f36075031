"""`ccgpt check` end to end, in a subprocess, exactly as a user or script calls it.

The commands given to `ccgpt check` are only classified, never run."""

import json
import os
import subprocess
import tempfile
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def ccgpt(*args, stdin=None, env_extra=None, cwd=None):
    env = {**os.environ, "PYTHONPATH": SRC, "NO_COLOR": "1"}
    env.pop("CCGPT_CONFIG", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "ccgpt", "check", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60, cwd=cwd)


@pytest.mark.parametrize("command,level,code", [
    ("ls -la", "safe", 0),
    ("touch notes.txt", "review", 3),
    ("git push --force origin main", "dangerous", 4),
    ("rm -rf ~", "blocked", 5),
])
def test_json_levels_and_exit_codes(command, level, code):
    r = ccgpt("--json", command)
    assert r.returncode == code, r.stderr
    j = json.loads(r.stdout)
    assert j["command"] == command and j["level"] == level
    assert set(j) == {"command", "level", "findings", "probe"} and j["probe"] == "filesystem"  # issue 13: says which probe
    assert (j["findings"] == []) == (level == "safe")
    for f in j["findings"]:
        assert set(f) == {"rule", "level", "message", "span"}
        s, e = f["span"]
        assert 0 <= s < e <= len(command)


def test_interface_example_span():
    j = json.loads(ccgpt("--json", "rm -rf ~").stdout)
    assert j["findings"][0]["rule"] == "wipe-home" and j["findings"][0]["span"] == [0, 8]


def test_several_arguments_are_one_line_and_flags_after_the_command_are_its_own():
    r = ccgpt("--json", "sudo", "rm", "-rf", "/")
    j = json.loads(r.stdout)
    assert j["command"] == "sudo rm -rf /" and j["level"] == "blocked" and r.returncode == 5


def test_double_dash():
    r = ccgpt("--json", "--", "ls", "-la")
    assert r.returncode == 0 and json.loads(r.stdout)["command"] == "ls -la"


def test_each_json_one_object_per_line():
    lines = ["ls -la", "touch notes.txt", "git push --force origin main", "rm -rf ~"]
    r = ccgpt("--each", "--json", stdin="\n".join(lines) + "\n")
    out = [json.loads(x) for x in r.stdout.splitlines()]
    assert [o["command"] for o in out] == lines
    assert [o["level"] for o in out] == ["safe", "review", "dangerous", "blocked"]
    assert r.returncode == 5  # the highest level decides


def test_stdin_dash():
    r = ccgpt("--json", "-", stdin="cat /etc/passwd\n")
    assert r.returncode == 0 and json.loads(r.stdout)["command"] == "cat /etc/passwd"


SCRIPT = """#!/bin/bash
set -euo pipefail

cleanup() {
  rm -rf "$1"
}

cat > notes.txt <<'EOF'
rm -rf /   (this is text in a heredoc, not a command)
EOF

echo "building"
cleanup ~
"""


def test_file_script_with_function_and_heredoc(tmp_path):
    p = tmp_path / "deploy.sh"
    p.write_text(SCRIPT)
    r = ccgpt("--json", "--file", str(p))
    j = json.loads(r.stdout)
    assert j["command"] == SCRIPT
    assert j["level"] == "blocked" and r.returncode == 5
    home = [f for f in j["findings"] if f["rule"] == "wipe-home"]
    assert home
    s, e = home[0]["span"]
    assert SCRIPT[s:e] in ('rm -rf "$1"', "cleanup ~")


def test_file_heredoc_fed_to_shell(tmp_path):
    p = tmp_path / "s.sh"
    p.write_text("ls\nbash <<'EOF'\nsudo rm -rf /\nEOF\n")
    r = ccgpt("--json", "--file", str(p))
    j = json.loads(r.stdout)
    assert j["level"] == "blocked"
    f = next(f for f in j["findings"] if f["rule"] == "wipe-root")
    assert j["command"][f["span"][0]:f["span"][1]] == "sudo rm -rf /"


def test_file_safe_script(tmp_path):
    p = tmp_path / "s.sh"
    p.write_text("#!/bin/sh\n# list things\nls -la\ngrep -r 'rm -rf' .\n")
    r = ccgpt("--file", str(p))
    assert r.returncode == 0, r.stdout
    assert r.stdout.startswith("SAFE")


def test_unreadable_file_is_one_line_exit_1(tmp_path):
    r = ccgpt("--file", str(tmp_path / "missing.sh"))
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "missing.sh" in r.stderr and "Traceback" not in r.stderr


def test_usage_errors_exit_2(tmp_path):
    assert ccgpt("--bogus-flag-xyz").returncode == 2
    p = tmp_path / "a.sh"
    p.write_text("ls")
    r = ccgpt("--file", str(p), "ls")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert ccgpt("--json", "   ").returncode == 2


def test_human_output_caret_and_sanitised():
    r = ccgpt("echo hi; rm -rf ~")
    assert r.returncode == 5
    lines = r.stdout.splitlines()
    assert lines[0].startswith("BLOCKED")
    i = next(k for k, line in enumerate(lines) if "wipe-home" in line)
    shown, caret = lines[i + 1], lines[i + 2]
    start = caret.index("^")
    assert shown[start:start + caret.count("^")] == "rm -rf ~"
    assert "\x1b" not in r.stdout  # NO_COLOR


def test_escape_sequences_never_reach_the_terminal():
    r = ccgpt("echo ok\x1b]0;pwned\x07\x1b[2K")
    assert "\x1b" not in r.stdout and "\x07" not in r.stdout
    assert r.returncode == 4
    j = json.loads(ccgpt("--json", "echo \u202eevil").stdout)
    assert j["level"] == "dangerous"


def test_user_rules_from_config_table(tmp_path):
    """The CLI glue: `[ccgpt.rules]` of a real config file becomes `extra_rules`."""
    import argparse

    from ccgpt.cli import check
    from ccgpt.errors import ConfigError

    config = tmp_path / "c.toml"
    config.write_text(
        '[ccgpt.rules]\n'
        'deny = [{ pattern = "^terraform destroy", level = "blocked", message = "no" }]\n'
        'allow = [{ pattern = "^make( |$)" }]\n'
    )
    args = argparse.Namespace(config=str(config), command=["terraform", "destroy", "-auto-approve"],
                              file=None, each=False, json=True, quiet=False, no_color=True)
    assert check.run(args) == 5
    args.command = ["make", "all"]
    assert check.run(args) == 0
    config.write_text('[ccgpt.rules]\ndeny = [{ pattern = "(unclosed" }]\n')
    with pytest.raises(ConfigError):
        check.run(args)


def test_no_heavy_imports():
    code = ("import sys, runpy; sys.argv=['ccgpt','check','--json','ls -la'];\n"
            "from ccgpt.cli.main import main\n"
            "rc = main(sys.argv[1:])\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('httpx','requests','urllib3','rich','ccgpt') and "
            "m.startswith(('httpx','requests','urllib3','rich','ccgpt.llm','ccgpt.store','ccgpt.gateway'))]\n"
            "print('BAD', bad)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": SRC}, timeout=60, cwd=tempfile.mkdtemp())
    assert "BAD []" in r.stdout, r.stdout + r.stderr
