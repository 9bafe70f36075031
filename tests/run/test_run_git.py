"""Break 2: nothing done inside the sandbox may change what git or the shell runs afterwards.

Real git repositories, real attacks from the outside test (copy `.git`, plant `core.fsmonitor`
and a hook, swap the directories), then real host-side `git status`/`git commit` that would run
the planted code. A planted command touches a marker file outside the working directory.
"""

from __future__ import annotations

import io
import os
import subprocess

import pytest

from ccgpt.run.limits import Limits
from ccgpt.run.sandbox import run_sandboxed


def sh(script, cwd, **kw):
    out = io.StringIO()
    result = run_sandboxed(["bash", "-c", script], cwd=cwd, limits=Limits(timeout=30), section={},
                           stdout=out, stderr=out, **kw)
    return result, out.getvalue()


def git(*args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=30)


def make_repo(path):
    path.mkdir(parents=True, exist_ok=True)
    assert git("init", "-q", cwd=path).returncode == 0
    (path / "f.txt").write_text("x\n")
    git("add", "f.txt", cwd=path)
    assert git("commit", "-qm", "one", cwd=path).returncode == 0


def swap_attack(repo_rel, marker):
    """The outside test's attack: a copy of .git with a planted fsmonitor and hook, swapped in."""
    return (f"cd {repo_rel} && cp -a .git .gitnew && "
            f"printf '[core]\\n\\tfsmonitor = touch {marker}\\n' >> .gitnew/config && "
            f"printf '#!/bin/sh\\ntouch {marker}\\n' > .gitnew/hooks/pre-commit && chmod +x .gitnew/hooks/pre-commit;"
            "mv .git .git_old; mv .gitnew .git; echo swapped=$?")


def host_git_runs(repo, marker):
    git("status", cwd=repo)
    (repo / "g.txt").write_text("y\n")
    git("add", "g.txt", cwd=repo)
    git("commit", "-qm", "two", cwd=repo)
    return marker.exists()


@pytest.mark.parametrize("repo_rel", [".", "vendor/lib", "a/b/c/deep"])
def test_swapping_git_for_a_planted_copy_fails(work, area, repo_rel):
    repo = work / repo_rel
    make_repo(repo)
    marker = area / "outside" / "pwned"
    result, out = sh(swap_attack(repo_rel, marker), work)
    assert "swapped=1" in out  # mv onto or away from a mount point: EBUSY
    assert not host_git_runs(repo, marker)
    assert git("config", "core.fsmonitor", cwd=repo).stdout == ""


def test_renaming_the_repository_itself_fails(work, area):
    make_repo(work / "proj")
    marker = area / "outside" / "pwned"
    result, out = sh(f"mv proj proj_old && mkdir proj && cd proj && git init -q && "
                     f"git config core.fsmonitor 'touch {marker}'; echo rc=$?", work)
    assert "Device or resource busy" in out
    assert not host_git_runs(work / "proj", marker)


def test_a_new_repository_with_planted_config_is_quarantined(work, area):
    (work / "src").mkdir()
    (work / "src" / "code.c").write_text("int x;\n")
    marker = area / "outside" / "pwned"
    result, out = sh(f"cd src && git init -q && git config core.fsmonitor 'touch {marker}'", work)
    assert not (work / "src" / ".git").exists()
    assert any("src/.git" in note and "renamed" in note for note in result.notes), result.notes
    git("status", cwd=work / "src")
    assert not marker.exists()


def test_a_plain_new_repository_is_left_alone(work):
    result, out = sh("mkdir fresh && cd fresh && git init -q && echo hi > a && git add a && "
                     "git -c user.name=t -c user.email=t@t commit -qm one", work)
    assert result.exit_code == 0, out
    assert (work / "fresh" / ".git").is_dir() and result.notes == []


def test_git_in_the_sandbox_says_why_it_cannot_write(work):
    make_repo(work)
    result, out = sh("echo z > z.txt; git add z.txt", work)
    assert result.exit_code != 0 and "Read-only file system" in out
    assert any(".git is read-only inside the sandbox" in note for note in result.notes)


def test_files_a_config_names_inside_the_tree_stay_read_only(work, area):
    make_repo(work)
    (work / "tools").mkdir()
    (work / "tools" / "monitor.sh").write_text("#!/bin/sh\nexit 0\n")
    (work / "shared.gitconfig").write_text("[alias]\n\tst = status\n")
    git("config", "core.fsmonitor", "tools/monitor.sh", cwd=work)
    git("config", "include.path", "../shared.gitconfig", cwd=work)
    marker = area / "outside" / "pwned"
    result, out = sh(f"echo 'touch {marker}' >> tools/monitor.sh; echo '[core] pager = touch {marker}' "
                     f">> shared.gitconfig; mv tools tools_old; echo rc=$?", work)
    assert out.count("Read-only file system") == 2 and "rc=1" in out
    assert "touch" not in (work / "tools" / "monitor.sh").read_text()
    assert "pager" not in (work / "shared.gitconfig").read_text()


def test_home_as_working_directory_startup_files_and_path(area, home_env, monkeypatch):
    home = area / "home"
    (home / ".config" / "fish").mkdir(parents=True)
    (home / ".config" / "fish" / "config.fish").write_text("# fish\n")
    (home / ".bashrc").write_text("# rc\n")
    monkeypatch.setenv("PATH", f"{home}/.local/bin:{home}/bin:/usr/bin:/bin")
    (home / "bin").mkdir()
    result, out = sh("mv .config .config_old; echo mv=$?; echo evil >> .bashrc; echo x > bin/ls; "
                     "mkdir -p .local/bin && echo evil > .local/bin/git; echo evil > .zshrc", home)
    assert "mv=1" in out
    assert (home / ".bashrc").read_text() == "# rc\n"
    assert not (home / "bin" / "ls").exists()
    # Paths that did not exist are moved aside after the run.
    assert not (home / ".local" / "bin").exists() and not (home / ".zshrc").exists()
    moved = " ".join(result.notes)
    assert ".zshrc" in moved and ".local/bin" in moved


def test_a_file_the_bashrc_sources_from_the_tree_stays_read_only(area, home_env):
    proj = area / "home" / "proj"
    proj.mkdir()
    (proj / "env.sh").write_text("export A=1\n")
    (area / "home" / ".bashrc").write_text("source ~/proj/env.sh\n")
    result, out = sh("echo 'touch /tmp/x' >> env.sh", proj)
    assert "Read-only file system" in out and (proj / "env.sh").read_text() == "export A=1\n"


def test_hooks_path_and_a_symlinked_git_inside_the_tree(work, area):
    make_repo(work / "real")
    (work / "real" / ".githooks").mkdir()
    git("config", "core.hooksPath", ".githooks", cwd=work / "real")
    os.rename(work / "real" / ".git", work / "gitdata")
    (work / "real" / ".git").symlink_to(work / "gitdata")
    marker = area / "outside" / "pwned"
    result, out = sh(f"printf '#!/bin/sh\\ntouch {marker}\\n' > real/.githooks/pre-commit; "
                     f"echo '[core] fsmonitor = touch {marker}' >> gitdata/config; "
                     "cp -a gitdata evil && rm real/.git && ln -s ../evil real/.git; echo relinked=$?", work)
    assert out.count("Read-only file system") == 2
    # The link could be re-pointed (a symlink is not a mount point): the after-check catches it.
    assert "relinked=0" in out and any("real/.git" in n for n in result.notes), result.notes
    assert not (work / "real" / ".git").exists()
    git("status", cwd=work / "real")
    assert not marker.exists()


def test_the_after_check_never_renames_through_a_planted_symlink(area, home_env, monkeypatch):
    home = area / "home"
    victim = area / "outside" / "bin"
    victim.mkdir()
    monkeypatch.setenv("PATH", f"{home}/.local/bin:/usr/bin:/bin")
    result, out = sh(f"ln -s {area}/outside .local", home)
    assert victim.is_dir()  # not renamed to bin.ccgpt-untrusted-… through the link
    assert any("symbolic link" in n for n in result.notes), result.notes
