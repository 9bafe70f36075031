"""`ccgpt audit` end to end: exit codes, --json, --sarif, --fix with and without a terminal."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from audit_helpers import run_ccgpt

from ccgpt.cli.main import main

SRC = Path(__file__).resolve().parents[2] / "src"


def _private_home(home: Path) -> tuple[Path, Path]:
    cfg_dir = home / ".config" / "ccgpt"
    data_dir = home / ".local" / "share" / "ccgpt"
    cfg_dir.mkdir(parents=True, mode=0o700)
    data_dir.mkdir(parents=True, mode=0o700)
    cfg = cfg_dir / "config.toml"
    cfg.write_text('[ccgpt]\nbackend = "ollama"\n')
    os.chmod(cfg, 0o600)
    return cfg, data_dir


def test_clean_installation_exits_0(home, capsys):
    _private_home(home)
    assert main(["audit", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "0 high" in out


def test_high_finding_exits_3_and_json_is_the_only_stdout(home, capsys, monkeypatch):
    _private_home(home)
    monkeypatch.setenv("OLLAMA_ORIGINS", "*")
    assert main(["audit", "--offline", "--json"]) == 3
    out = capsys.readouterr().out
    doc = json.loads(out)  # one JSON document, nothing else
    assert doc["high"] is True
    [f] = [f for f in doc["findings"] if f["rule"] == "ollama-origins-any"]
    assert set(f) >= {"severity", "what", "why", "fix", "path", "line", "auto_fix"}


def test_sarif_output(home, tmp_path, capsys, monkeypatch):
    cfg, _ = _private_home(home)
    os.chmod(cfg, 0o644)
    (Path.cwd() / "Dockerfile").write_text("FROM ubuntu:22.04\n")
    sarif = tmp_path / "audit.sarif"
    assert main(["audit", "--offline", "--sarif", str(sarif)]) == 3
    doc = json.loads(sarif.read_text())
    assert doc["version"] == "2.1.0" and doc["$schema"].endswith("sarif-2.1.0.json")
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["message"]["text"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["docker-root-user"]["level"] == "error"
    loc = by_rule["docker-root-user"]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "Dockerfile" and loc["region"]["startLine"] == 1
    assert by_rule["config-permissions"]["level"] == "warning"
    assert by_rule["config-permissions"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("file://")
    assert "0 high" not in capsys.readouterr().out  # the text report still went to stdout


def test_sarif_to_stdout(home, capsys):
    _private_home(home)
    assert main(["audit", "--offline", "--sarif", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == "2.1.0"


def _run(args, home, stdin=None):
    return run_ccgpt(args, home, stdin=stdin)


def test_fix_without_a_terminal_needs_yes(home):
    cfg, data_dir = _private_home(home)
    os.chmod(data_dir, 0o755)
    proc = _run(["audit", "--offline", "--fix"], home)
    assert proc.returncode == 1
    assert "--fix --yes" in proc.stderr and "Traceback" not in proc.stderr
    assert os.stat(data_dir).st_mode & 0o777 == 0o755  # nothing changed


def test_fix_yes_applies_permission_fixes(home):
    cfg, data_dir = _private_home(home)
    os.chmod(cfg, 0o666)
    os.chmod(data_dir, 0o755)
    before = _run(["audit", "--offline"], home)
    assert before.returncode == 3 and "config-world-writable" not in before.stdout  # rules are not shown in text
    assert "writable by every user" in before.stdout
    proc = _run(["audit", "--offline", "--fix", "--yes"], home)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"chmod 600 {cfg}" in proc.stderr and f"chmod 700 {data_dir}" in proc.stderr
    assert os.stat(cfg).st_mode & 0o777 == 0o600
    assert os.stat(data_dir).st_mode & 0o777 == 0o700


def test_fix_asks_on_a_terminal_and_no_means_no(home):
    import pexpect

    cfg, _ = _private_home(home)
    os.chmod(cfg, 0o644)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCGPT_", "OLLAMA_", "XDG_"))}
    env.update(HOME=str(home), PYTHONPATH=str(SRC))
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "audit", "--offline", "--fix"], env=env,
                          cwd=str(Path.cwd()), encoding="utf-8", timeout=30)
    child.expect_exact("[y/N]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert "nothing changed" in child.before
    assert os.stat(cfg).st_mode & 0o777 == 0o644
    child = pexpect.spawn(sys.executable, ["-m", "ccgpt", "audit", "--offline", "--fix"], env=env,
                          cwd=str(Path.cwd()), encoding="utf-8", timeout=30)
    child.expect_exact("[y/N]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert os.stat(cfg).st_mode & 0o777 == 0o600


def test_bad_project_dir_is_one_line_usage_error(home):
    proc = _run(["audit", "--offline", "--project", "/nonexistent/dir"], home)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "not a directory" in proc.stderr


def test_text_report_never_carries_terminal_escapes():
    from ccgpt.security.audit import Finding
    from ccgpt.security.audit.report import render_text

    f = Finding("docker-unpinned-image", "medium", "FROM evil\x1b]52;c;aGk=\x07:latest", "why\x1b[2J", "fix", path="x\x1b[31m")
    text = render_text([f])
    assert "\x1b" not in text and "\x07" not in text
