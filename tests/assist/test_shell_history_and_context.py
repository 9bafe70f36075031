"""Shell history appends (bash, zsh extended, fish; HISTFILE honoured) and the prompt context."""

from __future__ import annotations

import os
import stat
import subprocess
import shutil

import pytest

from ccgpt.assist import context, shell_history
from ccgpt.assist.analysis import analyze
from ccgpt.assist.oneline import explain_one_line, man_summary


def test_bash_default_and_histfile(tmp_path):
    env = {"HOME": str(tmp_path)}
    path = shell_history.append("ls -la", "bash", env)
    assert path == tmp_path / ".bash_history" and path.read_text() == "ls -la\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    custom = tmp_path / "hist" / "mine"
    env["HISTFILE"] = str(custom)
    shell_history.append("pwd", "bash", env)
    assert custom.read_text() == "pwd\n"


def test_zsh_extended_format(tmp_path):
    env = {"HOME": str(tmp_path)}
    path = shell_history.append("echo a &&\necho b", "zsh", env, when=1700000000)
    assert path.name == ".zsh_history"
    assert path.read_text() == ": 1700000000:0;echo a &&\\\necho b\n"


def test_fish_format_and_location(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    path = shell_history.append("printf 'a\\n'", "fish", env, when=5)
    assert path == tmp_path / "data" / "fish" / "fish_history"
    assert path.read_text() == "- cmd: printf 'a\\\\n'\n  when: 5\n"


@pytest.mark.needs("zsh")
def test_zsh_reads_what_we_wrote(tmp_path):
    hist = tmp_path / ".zsh_history"
    shell_history.append("echo from-ccgpt", "zsh", {"HOME": str(tmp_path), "HISTFILE": str(hist)})
    out = subprocess.run(["zsh", "-f", "-c", f"HISTFILE={hist}; setopt extended_history; fc -R; fc -ln -1"],
                         capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "echo from-ccgpt"


def test_maybe_save_is_off_by_default(tmp_path, monkeypatch):
    class Cfg:
        def __init__(self, on):
            self.on = on

        def get(self, key, default=None):
            return self.on

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("SHELL", "/bin/bash")
    monkeypatch.delenv("HISTFILE", raising=False)
    shell_history.maybe_save(Cfg(False), "ls")
    assert not (tmp_path / ".bash_history").exists()
    shell_history.maybe_save(Cfg(True), "ls")
    assert (tmp_path / ".bash_history").read_text() == "ls\n"


def test_context_never_lists_without_opt_in(tmp_path):
    (tmp_path / "secret-plan.txt").write_text("contents never sent")
    ctx = context.gather(False, cwd=tmp_path)
    assert ctx.listing is None and "secret-plan" not in ctx.render()
    assert ctx.cwd_name == tmp_path.name and str(tmp_path.parent) not in ctx.render()


def test_context_listing_is_names_only_and_capped(tmp_path):
    for i in range(10):
        (tmp_path / f"f{i}.txt").write_text("CONTENT")
    (tmp_path / "sub").mkdir()
    (tmp_path / "evil\x1b[2Jname").write_text("x")
    ctx = context.gather(True, max_listing=5, cwd=tmp_path)
    text = ctx.render()
    assert len(ctx.listing) == 5 and ctx.listing_truncated and "and more" in text
    assert "CONTENT" not in text and "\x1b" not in text
    full = context.gather(True, max_listing=40, cwd=tmp_path).render()
    assert "'sub/'" in full


def test_context_installed_tools():
    ctx = context.gather(False, which=lambda p: "/x" if p in ("jq", "rg") else None)
    assert ctx.installed == ["rg", "jq"] and "Installed tools: rg, jq" in ctx.render()


@pytest.mark.needs("man", "groff")
def test_analysis_and_one_line_explanations():
    assert analyze("ls -la | head", which=shutil.which).usable
    a = analyze("frobnicate --now", which=lambda n: None)
    assert a.missing == ["frobnicate"] and not a.usable
    assert not analyze("echo 'unclosed").parses
    assert analyze("cd /tmp && x=1 ls", which=shutil.which).missing == []
    if man_summary("ls"):
        assert "list directory contents" in explain_one_line("ls -la")
    line = explain_one_line("cd /tmp").lower()
    assert line.startswith("cd:") and "working directory" in line


@pytest.mark.needs("fish")
def test_fish_reads_what_we_wrote(tmp_path):
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    shell_history.append("echo from-ccgpt", "fish", env)
    out = subprocess.run(["fish", "-c", "history search --max 1"], capture_output=True, text=True, timeout=30,
                         env={**os.environ, **env})
    assert out.stdout.strip() == "echo from-ccgpt"


def test_one_line_explanation_ignores_library_pages():
    # `list(3)` documents a C list, not a program called list
    assert explain_one_line("list -n 1 .") == "list: (no manual page on this machine)"
