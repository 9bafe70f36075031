"""A line is judged where it runs: a probe that says the working directory is home, `/` or a
system directory makes the line read as if it began with a `cd` there (RISK-POLICY reading 2:
`.`/`*` after `cd ~` is a home wipe). Anywhere else nothing changes (reading 3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ccgpt.risk.classify import classify
from ccgpt.risk.paths import start_directory
from ccgpt.run.fsprobe import FilesystemProbe

CORPUS = Path(__file__).parent / "data"


def lines(name: str) -> list[str]:
    out = []
    for raw in (CORPUS / name).read_text(encoding="utf-8").splitlines():
        if raw.strip() and not raw.startswith("#"):
            out.append(raw.split("\t")[-1])
    return out


@pytest.mark.parametrize("cwd, expected", [
    ("/", "/"), ("/home/ann", "~"), ("/home/ann/", "~"), ("/home/ann/.ssh", "~/.ssh"),
    ("/home/ann/.config/systemd/user", "~/.config/systemd/user"),
    ("/etc", "/etc"), ("/etc/nginx", "/etc/nginx"), ("/usr/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"),
    ("/var", "/var"), ("/var/lib", "/var/lib"), ("/opt", "/opt"), ("/home", "/home"), ("//etc", "/etc"),
    # Places where work happens: "here", as before.
    ("/home/ann/project", None), ("/home/ann/project/.git", None), ("/home/annex", None), ("/tmp", None),
    ("/tmp/build", None), ("/var/tmp/x", None), ("/var/www/site", None), ("/srv/app", None), ("/opt/tool", None),
    ("relative", None), ("", None), (None, None),
])
def test_which_start_directories_count(cwd, expected):
    assert start_directory(cwd, "/home/ann") == expected


def test_no_home_known_means_no_home_reading():
    assert start_directory("/home/ann", None) is None
    assert start_directory("/", "/") == "/"  # a service account whose home is / (home_of drops it)


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".ssh").mkdir(parents=True)
    (h / "project").mkdir()
    return h


@pytest.mark.parametrize("line", lines("policy_corpus.tsv")[::3] + lines("benign_corpus.tsv")[::3])
def test_a_line_started_in_home_reads_as_cd_home_first(home, line):
    """The same verdict level as the line after an explicit `cd ~`, judged from elsewhere."""
    in_home = classify(line, probe=FilesystemProbe(cwd=str(home), home=str(home)), interactive=False)
    explicit = classify(f"cd ~ && {line}", probe=FilesystemProbe(cwd=str(home / "project"), home=str(home)),
                        interactive=False)
    assert in_home.level == explicit.level


@pytest.mark.parametrize("line", lines("benign_corpus.tsv")[::2])
def test_a_project_directory_changes_nothing(home, line):
    project = FilesystemProbe(cwd=str(home / "project"), home=str(home))
    no_cwd = FilesystemProbe(cwd=str(home / "project"), home=str(home))
    no_cwd.cwd = "not absolute"  # a probe that cannot say where it is
    assert classify(line, probe=project).level == classify(line, probe=no_cwd).level


def test_home_reached_through_a_symlink_is_home(tmp_path):
    real = tmp_path / "data" / "ann"
    real.mkdir(parents=True)
    link = tmp_path / "home-ann"
    link.symlink_to(real)
    # os.getcwd() reports the physical path; $HOME spells it through the link.
    probe = FilesystemProbe(cwd=str(real), home=str(link))
    verdict = classify("rm -rf *", probe=probe)
    assert verdict.level == "blocked" and verdict.findings[0].rule == "wipe-home"


@pytest.mark.parametrize("cwd, rule", [("/", "wipe-root"), ("/etc", "wipe-system"), ("/usr", "wipe-system")])
def test_glob_deletes_in_system_directories_are_blocked(cwd, rule):
    verdict = classify("rm -rf -- *", probe=FilesystemProbe(cwd=cwd, home=os.path.expanduser("~")))
    assert verdict.level == "blocked" and rule in [f.rule for f in verdict.findings]


def test_writes_from_a_system_directory_are_system_writes():
    verdict = classify("tar xzf /tmp/x.tgz", probe=FilesystemProbe(cwd="/usr/lib", home="/nonexistent-home"))
    assert verdict.level == "dangerous"
    assert classify("tar xzf /tmp/x.tgz", probe=FilesystemProbe(cwd="/tmp", home="/nonexistent-home")).level == "review"


# A `cd` into a plain subdirectory keeps "here" for most rules, but an agent's or git's
# configuration is named by its place inside the project: the walk remembers the subdirectory.
@pytest.mark.parametrize("line", [
    "cd .claude && echo '{}' > settings.json",
    "cd .claude; printf '%s' '{\"hooks\": {}}' > settings.local.json",
    "cd .git && cd hooks && printf 'curl x | sh' > pre-commit",
    "cd .git/hooks && cp /tmp/hook post-checkout",
    "cd .git && sed -i 's/a/b/' config",
    "(cd .codex && tee config.toml < /tmp/x)",
    "cd ./configs/ && cat /tmp/x > dbgpt-proxy-ollama.toml",
    "cd .gemini && mv /tmp/s.json settings.json",
])
def test_agent_and_git_configuration_reached_by_cd_is_persistence(line):
    verdict = classify(line)
    assert verdict.level == "dangerous" and "persistence" in [f.rule for f in verdict.findings], verdict.to_json()


@pytest.mark.parametrize("line", [
    "cd docs && echo hi > settings.json",  # not an agent's directory
    "cd .claude && cat settings.json",  # a read
    "cd sub && echo x > notes.txt",
    "cd .git && git log -1",
])
def test_other_files_below_a_cd_stay_as_they_were(line):
    assert classify(line).level in ("safe", "review")
