"""System tools the tests drive for real (bubblewrap, man, zsh, fish, Redis, PostgreSQL...).

A test that needs one calls `require("zsh")` (or is marked `@pytest.mark.needs("zsh")`). When
the tool is missing, the test is skipped with the package to install, and tests/conftest.py's
closing summary lists what was not tested and why. With CCGPT_REQUIRE_ALL=1 (set by CI) a
missing tool fails the test instead: CI must test everything.

The packages, and how to tell each is present, are listed once, in scripts/system-packages
(scripts/install-system-deps installs from the same list).
"""

from __future__ import annotations

import glob
import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

LIST = Path(__file__).resolve().parents[2] / "scripts" / "system-packages"


@dataclass(frozen=True)
class Package:
    name: str
    checks: tuple[str, ...]
    purpose: str

    def present(self) -> bool:
        return any(glob.glob(c) if c.startswith("/") else shutil.which(c) for c in self.checks)


def packages(path: Path = LIST) -> list[Package]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, checks, purpose = (field.strip() for field in line.split("|", 2))
        out.append(Package(name, tuple(checks.split()), purpose))
    return out


def package_for(tool: str) -> Package:
    """The listed package that provides `tool` (a command or a package name)."""
    for package in packages():
        if tool == package.name or tool in package.checks:
            return package
    return Package(tool, (tool,), "")  # not listed: a plain command on PATH


# package name -> test ids skipped for want of it (read by the closing summary)
MISSING: dict[str, list[str]] = defaultdict(list)


def strict() -> bool:
    return os.environ.get("CCGPT_REQUIRE_ALL") == "1"


def require(*tools: str, test_id: str | None = None) -> None:
    """Skip the calling test unless every tool is installed (fail instead under CCGPT_REQUIRE_ALL=1)."""
    absent = [p for p in map(package_for, tools) if not p.present()]
    if not absent:
        return
    names = " ".join(p.name for p in absent)
    reason = f"needs {', '.join(tools)}: not installed (apt-get install {names}, or scripts/install-system-deps)"
    if strict():
        pytest.fail(f"{reason}; CCGPT_REQUIRE_ALL=1 forbids skipping it", pytrace=False)
    test_id = test_id or os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    for p in absent:
        MISSING[p.name].append(test_id)
    try:
        skipped = pytest.skip.Exception(reason, _use_item_location=True)  # reported at the test, not here
    except TypeError:  # a pytest without that option
        skipped = pytest.skip.Exception(reason)
    raise skipped


def summary_lines() -> list[str]:
    if not MISSING:
        return []
    lines = []
    for name, tests in sorted(MISSING.items()):
        purpose = package_for(name).purpose
        lines.append(f"{name}: {len(tests)} test(s) skipped" + (f" ({purpose})" if purpose else ""))
    every = " ".join(sorted(MISSING))
    lines.append(f"to test everything: scripts/install-system-deps as root, or sudo apt-get install {every}")
    return lines
