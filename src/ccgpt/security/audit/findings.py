"""What one audit check reports: a `Finding`, and the context every check reads from.

A finding carries everything a person needs to act: what is wrong, why it matters, how to
fix it (a command when there is one), and where (a file and line when there is one). A
finding may also carry a `fix` that `ccgpt audit --fix` can apply without judgement: only
permission changes qualify, because they cannot lose data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccgpt.config import Config

SEVERITIES = ("high", "medium", "low", "info")
_RANK = {name: i for i, name in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class ChmodFix:
    """A safe fix: set `path`'s permission bits to `mode`."""

    path: Path
    mode: int

    def describe(self) -> str:
        return f"chmod {self.mode:o} {_shell_quote(str(self.path))}"

    def apply(self) -> None:
        # Never through a symbolic link: the link could point at a file that is not ours.
        if self.path.is_symlink():
            raise OSError(f"{self.path} is a symbolic link; left unchanged")
        os.chmod(self.path, self.mode)


@dataclass
class Finding:
    rule: str  # stable id, e.g. "config-permissions"; also the SARIF ruleId
    severity: str  # high | medium | low | info
    what: str  # one line: what was found
    why: str  # why it matters
    fix: str  # what to do; a command where there is one
    path: str | None = None  # file concerned, when there is one
    line: int | None = None  # 1-based line in `path`
    fixes: list[ChmodFix] = field(default_factory=list)  # what --fix may apply

    def __post_init__(self) -> None:
        if self.severity not in _RANK:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def rank(self) -> int:
        return _RANK[self.severity]

    def to_dict(self) -> dict:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "what": self.what,
            "why": self.why,
            "fix": self.fix,
            "path": self.path,
            "line": self.line,
            "auto_fix": [f.describe() for f in self.fixes],
        }


def chmod_finding(rule: str, severity: str, what: str, why: str, path: Path, mode: int) -> Finding:
    """A permissions finding whose fix, shown and offered to --fix, is `chmod MODE PATH`."""
    fix = ChmodFix(Path(path), mode)
    return Finding(rule, severity, what, why, fix.describe(), path=str(path), fixes=[fix])


@dataclass
class AuditContext:
    """Inputs of a run, gathered once, so that tests can point every check at fixtures."""

    config_path: Path | None  # the config file in use (None: built-in defaults)
    config: Config | None  # None when it failed to load
    config_error: str | None
    project_dir: Path  # where Dockerfiles and compose files are looked for
    env: dict[str, str]
    config_dir: Path
    data_dir: Path
    store_file: Path
    probe_network: bool = True  # False: no connection is attempted (Ollama version, addresses)
    probe_timeout: float = 1.5


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.rank, f.rule, f.path or "", f.line or 0))


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
