"""scripts/install-system-deps and tests/helpers/system.py read one list of system packages;
they must agree on what is missing, and the script must never fail a user's `make test`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.helpers import system

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "install-system-deps"


def bare_path(tmp_path: Path, keep: tuple[str, ...]) -> str:
    """A PATH holding only the named commands: a machine where everything else is missing."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for name in keep:
        for d in os.environ["PATH"].split(os.pathsep):
            if (Path(d) / name).exists():
                (bindir / name).symlink_to(Path(d) / name)
                break
    return str(bindir)


def check(tmp_path, keep, **env):
    path = bare_path(tmp_path, keep)
    return subprocess.run(["bash", str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60,
                          env={"PATH": path, **env})


def test_every_listed_package_says_what_needs_it():
    listed = system.packages()
    assert {"bubblewrap", "man-db", "zsh", "fish", "redis-server", "postgresql"} <= {p.name for p in listed}
    assert all(p.checks and p.purpose for p in listed)


def test_script_reports_the_missing_packages_and_still_succeeds(tmp_path, monkeypatch):
    proc = check(tmp_path, ("bash", "id", "zsh", "git"))
    assert proc.returncode == 0, proc.stderr
    missing_line = next(line for line in proc.stderr.splitlines() if "missing:" in line)
    reported = set(missing_line.split("missing:", 1)[1].split(";", 1)[0].split())
    # the Python side, looking at the same PATH, finds the same packages absent
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    expected = {p.name for p in system.packages() if not p.present()}
    assert reported == expected
    assert "zsh" not in reported and "fish" in reported and "bubblewrap" in reported
    assert "sudo apt-get install" in proc.stderr


def test_under_ccgpt_require_all_a_missing_package_is_an_error(tmp_path):
    proc = check(tmp_path, ("bash", "id"), CCGPT_REQUIRE_ALL="1")
    assert proc.returncode == 1 and "missing:" in proc.stderr


def test_nothing_missing_is_silent(tmp_path, monkeypatch):
    if any(not p.present() for p in system.packages()):
        system.require(*(p.name for p in system.packages()))  # skipped here, failed in CI
    proc = subprocess.run(["bash", str(SCRIPT), "--check"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stderr == ""
