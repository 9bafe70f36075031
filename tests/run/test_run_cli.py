"""`ccgpt run` end to end, without a terminal: refusal, --yes, scripts, exit codes, audit trail."""

from __future__ import annotations

import json
import sqlite3

from ccgpt.run.backends import docker


def audit_rows(area):
    db = area / "home" / ".local" / "share" / "ccgpt" / "ccgpt.db"
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT kind, command, level, decision, exit_code, detail FROM audit ORDER BY id").fetchall()
    conn.close()
    return rows


def test_no_terminal_no_yes_refuses(run_cli, work, area):
    r = run_cli("run", "--", "touch", "x")
    assert r.returncode == 1
    assert "no terminal" in r.stderr and "touch x" in r.stderr  # the command and level are shown
    assert not (work / "x").exists()
    assert audit_rows(area)[-1][3] == "refused"


def test_yes_runs_inside_and_records(run_cli, work, area):
    # The risk engine cannot follow the path through a Python variable (review), so the sandbox
    # must contain it. (A literal `open('../outside.txt', 'w')` is now read as a write outside the
    # working directory: dangerous, which `--yes` alone does not run.)
    escape = "p = '../outside.txt'; open(p, 'w').write('out')"
    r = run_cli("run", "--yes", "--", "sh", "-c", f'echo in > inside.txt; python3 -c "{escape}"; exit 3')
    assert r.returncode == 3
    assert (work / "inside.txt").read_text() == "in\n"
    assert not (area / "outside.txt").exists()
    kind, command, level, decision, exit_code, detail = audit_rows(area)[-1]
    assert (kind, decision, exit_code) == ("run", "ran", 3)
    assert "inside.txt" in command and level
    assert json.loads(detail)["sandbox"] == "bwrap"


def test_no_log_keeps_the_event_not_the_text(run_cli, area):
    r = run_cli("run", "--yes", "--no-log", "--", "echo", "private-words")
    assert r.returncode == 0 and "private-words" in r.stdout
    assert audit_rows(area)[-1][1] == "<not logged>"


def test_script_file(run_cli, work):
    (work / "job.sh").write_text("#!/bin/bash\necho from-script > made.txt\necho \"arg0=$0\"\n")
    r = run_cli("run", "--yes", "job.sh")
    assert r.returncode == 0, r.stderr
    assert "script [" in r.stderr
    assert (work / "made.txt").read_text() == "from-script\n"
    assert "arg0=job.sh" in r.stdout


def test_timeout_flag(run_cli):
    r = run_cli("run", "--yes", "--timeout", "1", "--", "sleep", "30")
    assert r.returncode == 124 and "wall-clock" in r.stderr


def test_bad_input_is_one_line(run_cli):
    r = run_cli("run", "--yes")
    assert r.returncode == 2 and "nothing to run" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("run", "--yes", "--timeout", "soon", "--", "true")
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_output_from_the_sandbox_is_sanitised(run_cli, work):
    # The escape comes out of a file: `printf '\033]52;…'` itself is now `dangerous` (issue 13:
    # writing OSC 52 to the terminal), and this test is about what the sandbox prints.
    (work / "esc.txt").write_bytes(b"\x1b]52;c;cGF5bG9hZA==\x07ok\n")
    r = run_cli("run", "--yes", "--", "cat", "esc.txt")
    assert r.returncode == 0 and r.stdout == "ok\n"


def test_unknown_config_backend_is_a_clear_error(run_cli, work, area):
    cfg = area / "bad.toml"
    cfg.write_text('[ccgpt.sandbox]\nbackend = "chroot"\n')
    r = run_cli("run", "--yes", "--config", str(cfg), "--", "true")
    assert r.returncode != 0 and "backend" in r.stderr and "Traceback" not in r.stderr


def test_sandbox_failure_is_not_the_commands_failure(run_cli, area):
    # A real failure of a real backend: Docker configured, no engine running on this machine.
    ok, _ = docker.engine_answers()
    cfg = area / "docker.toml"
    cfg.write_text('[ccgpt.sandbox]\nbackend = "docker"\n')
    r = run_cli("run", "--yes", "--config", str(cfg), "--", "true")
    if ok:  # an engine does answer here: then the command simply ran
        assert r.returncode == 0
    else:
        assert r.returncode == 125 and "sandbox failure (docker)" in r.stderr


def test_preview_without_terminal_with_yes_reports_then_runs(run_cli, work):
    (work / "a.txt").write_text("1\n2\n")
    (work / "gone.txt").write_text("bye\n")
    r = run_cli("run", "--preview", "--yes", "--", "sh", "-c",
                "echo 3 >> a.txt; rm gone.txt; mkdir -p sub; echo n > sub/new.txt; echo hello")
    assert r.returncode == 0, r.stderr
    assert "preview: ran in a throwaway copy" in r.stderr
    assert "~ a.txt" in r.stderr and "- gone.txt" in r.stderr and "+ new.txt" in r.stderr
    assert "created" in r.stderr and "| hello" in r.stderr
    assert (work / "sub" / "new.txt").exists() and not (work / "gone.txt").exists()


def test_non_shell_script_runs_as_a_program(run_cli, work):
    script = work / "tool.py"
    script.write_text("#!/usr/bin/env python3\nprint('from python', 6 * 7)\n")
    script.chmod(0o755)
    r = run_cli("run", "--yes", "--", "./tool.py")
    assert r.returncode == 0, r.stderr
    assert "command [" in r.stderr and "from python 42" in r.stdout


def test_script_with_arguments(run_cli, work):
    # Issue 18: `ccgpt run hello.sh names.txt` was "command not found".
    (work / "hello.sh").write_text('#!/bin/bash\necho "hello $# $1"\nwc -l < "$1"\n')
    (work / "names.txt").write_text("ann\nbob\n")
    r = run_cli("run", "--yes", "hello.sh", "names.txt")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hello 1 names.txt\n2\n"
    assert "script [" in r.stderr and "arguments: names.txt" in r.stderr


def test_script_arguments_are_classified_with_the_script(run_cli, work, area):
    (work / "wipe.sh").write_text('#!/bin/bash\nrm -rf "$1"\n')
    (area / "home" / "keep.txt").write_text("keep\n")
    r = run_cli("run", "--yes", "wipe.sh", str(area / "home"))
    assert r.returncode == 1 and "[safe]" not in r.stderr  # not run without a typed confirmation
    assert (area / "home" / "keep.txt").exists()


def test_command_not_found_name_is_sanitised(work, home_env, capsys):
    from ccgpt.run.execute import Assessment, execute
    from ccgpt.run.options import RunOptions

    code = execute(["no-such-\x1b]0;pwned\x07prog"], RunOptions(assume_yes=True), assessment=Assessment("safe"),
                   cwd=str(work), section={})
    err = capsys.readouterr().err
    assert code == 127 and "command not found: no-such-" in err
    assert "\x1b" not in err and "\x07" not in err


def test_json_says_what_held(run_cli):
    r = run_cli("run", "--yes", "--json", "--", "sh", "-c", "echo out; echo err >&2; exit 4")
    assert r.returncode == 4
    obj = json.loads(r.stdout)
    assert (obj["ran"], obj["exit_code"], obj["stdout"], obj["stderr"]) == (True, 4, "out\n", "err\n")
    assert obj["sandbox"] == "bwrap" and obj["isolation"]["seccomp"] is True
    assert "cgroup" in obj["limits"]


def test_tar_remove_files_over_home_deletes_nothing(run_cli, area):
    # Break 6 end to end: from a project directory (home outside it, read-only) and from the home.
    home = area / "home"
    (home / "notes.txt").write_text("precious\n")
    r = run_cli("run", "--yes", "--", "tar", "--remove-files", "-cf", "archive.tar", str(home))
    assert (home / "notes.txt").read_text() == "precious\n"
    r = run_cli("run", "--yes", "--", "tar", "--remove-files", "-cf", "/tmp/h.tar", ".", cwd=home)
    assert r.returncode == 1 and "[safe]" not in r.stderr and "[review]" not in r.stderr
    assert (home / "notes.txt").read_text() == "precious\n"
