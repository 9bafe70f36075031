"""`ccgpt shell-init`: the printed code, key notation per shell, errors, start-up cost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ccgpt.cli.main import COMMANDS
from tests.helpers.system import require
from ccgpt.shell_integration import KeySpecError, key_for, parse_key, render

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize(
    "spec, bash, zsh, fish",
    [
        ("\\C-g", "\\C-g", "^G", "\\cg"),
        ("C-t", "\\C-t", "^T", "\\ct"),
        ("ctrl+x", "\\C-x", "^X", "\\cx"),
        ("^G", "\\C-g", "^G", "\\cg"),
        ("alt-s", "\\es", "^[s", "\\es"),
        ("\\M-s", "\\es", "^[s", "\\es"),
        ("\\es", "\\es", "^[s", "\\es"),
    ],
)
def test_key_notation_per_shell(spec, bash, zsh, fish):
    assert (key_for("bash", spec), key_for("zsh", spec), key_for("fish", spec)) == (bash, zsh, fish)


@pytest.mark.parametrize("spec", ["ctrl-m", "^I", "\\C-j", "ctrl-c", "ctrl-d", "ctrl-z", "C-?", "F5", "g", "ctrl-gg"])
def test_unsafe_or_unknown_keys_are_refused(spec):
    with pytest.raises(KeySpecError):
        parse_key(spec)


@pytest.mark.parametrize("shell, checker", [("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]), ("fish", ["fish", "-n"])])
def test_rendered_code_parses_in_its_shell(shell, checker, tmp_path):
    require(checker[0])
    code = render(shell, "\\C-g", COMMANDS)
    f = tmp_path / f"init.{shell}"
    f.write_text(code)
    proc = subprocess.run([*checker, str(f)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("ask", "sh-help", "sh-explain", "sh-script", "suggest --print-only --"):
        assert name in code
    for command in COMMANDS:
        assert command in code  # completions list every command


def _ccgpt(*args, env=None):
    full = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    return subprocess.run([sys.executable, "-m", "ccgpt", *args], capture_output=True, text=True, env=full, timeout=60)


def test_cli_key_flag_config_key_and_errors(tmp_path):
    assert "bind -x '\"\\C-t\": __ccgpt_suggest_line'" in _ccgpt("shell-init", "bash", "--key", "ctrl-t").stdout
    cfg = tmp_path / "c.toml"
    cfg.write_text('[ccgpt.shell_init]\nkey = "alt-k"\n')
    assert "bindkey -M emacs '^[k'" in _ccgpt("shell-init", "zsh", "--config", str(cfg)).stdout
    bad = _ccgpt("shell-init", "fish", "--key", "ctrl-m")
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1
    assert _ccgpt("shell-init", "tcsh").returncode == 2
    # $SHELL picks the shell when none is named.
    assert "bindkey" in _ccgpt("shell-init", env={"SHELL": "/usr/bin/zsh"}).stdout


def test_broken_config_still_prints_the_integration(tmp_path):
    cfg = tmp_path / "broken.toml"
    cfg.write_text("[ccgpt\n")
    proc = _ccgpt("shell-init", "bash", "--config", str(cfg))
    assert proc.returncode == 0 and "__ccgpt_suggest_line" in proc.stdout
    assert "warning" in proc.stderr


def test_shell_init_imports_nothing_heavy():
    code = (
        "import sys; from ccgpt.cli.main import main; import io, contextlib\n"
        "with contextlib.redirect_stdout(io.StringIO()): main(['shell-init', 'bash'])\n"
        "heavy = [m for m in ('httpx', 'llama_cpp', 'starlette', 'uvicorn', 'rich', 'tree_sitter', 'sqlite3') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
