"""The deterministic half of `ccgpt review`: the risk engine and ShellCheck on shell files.

Both read the whole new file when it is available (a command's risk depends on what came
before it: a `cd`, a variable, a function), then keep only what falls on a line the diff
adds: a review is about the change. Without the new file's text, each added line is
classified on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ccgpt.assist.gitdiff import FileDiff

SEVERITIES = ("info", "review", "dangerous", "blocked")
EXIT_CODES = {"info": 0, "review": 3, "dangerous": 4, "blocked": 5}
_SHELL_EXT = (".sh", ".bash", ".ksh", ".dash", ".zsh", ".bats")
_SHELL_NAMES = {".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zprofile",
                ".zshenv", ".kshrc"}
_SHEBANG = re.compile(r"^#!\s*(?:/usr/bin/env\s+(?:-S\s+)?)?(?:\S*/)?(sh|bash|dash|ksh|mksh|zsh|bats)\b")
_SHELLCHECK_DIALECTS = {"sh", "bash", "dash", "ksh"}


@dataclass
class ReviewFinding:
    path: str
    line: int  # in the new file
    severity: str  # info | review | dangerous | blocked
    message: str
    source: str  # risk | shellcheck | model:NAME

    def to_json(self) -> dict:
        return {"path": self.path, "line": self.line, "severity": self.severity, "message": self.message,
                "source": self.source}


def shell_dialect(path: str, content: str | None) -> str | None:
    """'bash', 'sh', 'dash', 'ksh', 'zsh' when the file is a shell script, else None."""
    first = (content or "").split("\n", 1)[0]
    m = _SHEBANG.match(first)
    if m:
        name = m.group(1)
        return {"mksh": "ksh", "bats": "bash"}.get(name, name)
    name = path.rsplit("/", 1)[-1]
    if name in _SHELL_NAMES:
        return "zsh" if name.startswith(".z") else "ksh" if name == ".kshrc" else "bash"
    if name.endswith(_SHELL_EXT):
        ext = name.rsplit(".", 1)[-1]
        return {"sh": "sh", "bats": "bash"}.get(ext, ext)
    return None


def line_starts(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


def line_of(starts: list[int], offset: int) -> int:
    """1-based line number of a character offset."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= max(0, offset):
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _first_added(lines: range, added: set[int]) -> int | None:
    return next((n for n in lines if n in added), None)


def risk_findings(f: FileDiff, content: str | None, classify_script=None) -> list[ReviewFinding]:
    """`dangerous` and `blocked` commands on added lines, at the first added line they span."""
    if classify_script is None:
        from ccgpt.risk import classify_script
    added = f.added
    out: list[ReviewFinding] = []
    if content is not None:
        starts = line_starts(content)
        for finding in classify_script(content).findings:
            if finding.level not in ("dangerous", "blocked"):
                continue
            first = line_of(starts, finding.span[0])
            last = line_of(starts, max(finding.span[0], finding.span[1] - 1))
            at = _first_added(range(first, last + 1), set(added))
            if at is not None:
                out.append(ReviewFinding(f.path, at, finding.level, f"{finding.rule}: {finding.message}", "risk"))
        return _unique(out)
    for number, text in sorted(added.items()):
        for finding in classify_script(text).findings:
            if finding.level in ("dangerous", "blocked"):
                out.append(ReviewFinding(f.path, number, finding.level, f"{finding.rule}: {finding.message}", "risk"))
    return _unique(out)


def _unique(findings: list[ReviewFinding]) -> list[ReviewFinding]:
    """One finding per line and message: the engine may see one command in two readings."""
    return list({(x.line, x.severity, x.message): x for x in findings}.values())


def shellcheck_findings(f: FileDiff, content: str | None, dialect: str, lint=None) -> tuple[list[ReviewFinding], str | None]:
    """ShellCheck's findings on added lines; (findings, why it did not run)."""
    if content is None or dialect not in _SHELLCHECK_DIALECTS:
        return [], None if content is None else f"ShellCheck does not support {dialect}"
    if lint is None:
        from ccgpt.assist.lint import lint
    from ccgpt.assist.lint import ShellCheckUnavailable

    try:
        found = lint(content, shell=dialect)
    except ShellCheckUnavailable as exc:
        return [], str(exc)
    added = set(f.added)
    severity = {"error": "review", "warning": "review"}
    return [ReviewFinding(f.path, item.line, severity.get(item.level, "info"), f"SC{item.code}: {item.message}",
                          "shellcheck") for item in found if item.line in added], None


def deterministic(files: list[FileDiff], content_of, classify_script=None, lint=None) -> tuple[list[ReviewFinding], list[str]]:
    """Risk and ShellCheck findings for every shell file; and notes on what could not be checked."""
    findings: list[ReviewFinding] = []
    notes: list[str] = []
    for f in files:
        if f.binary or f.status == "deleted" or not f.added:
            continue
        content = content_of(f.path)
        dialect = shell_dialect(f.path, content)
        if dialect is None:
            continue
        findings += risk_findings(f, content, classify_script)
        checked, why = shellcheck_findings(f, content, dialect, lint)
        findings += checked
        if why:
            notes.append(f"{f.path}: not checked by ShellCheck ({why})")
    return findings, notes
