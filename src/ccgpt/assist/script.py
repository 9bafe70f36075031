"""The `script` use case: a task in words -> a linted, risk-scanned bash script saved for review.

Steps: ask for a robust script -> take the script out of the answer -> make sure it has the
shebang and `set -euo pipefail` (added when the model forgot: that part is not the model's
choice) -> ShellCheck it -> feed the findings back to the model, up to N rounds, keeping the
version with the fewest findings -> risk-scan it -> save it with a header, mode 0600.
Never runs it: `ccgpt run FILE` does that, in the sandbox, after confirmation.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ccgpt.assist import prompts
from ccgpt.assist.lint import LintFinding, ShellCheckUnavailable, lint
from ccgpt.errors import CcgptError
from ccgpt.llm.base import Backend, Completion, Options

SHEBANG = "#!/usr/bin/env bash"
STRICT = "set -euo pipefail"
_FENCE = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([\w+.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_SHELL_LANGS = {"", "bash", "sh", "shell", "zsh"}


@dataclass
class RiskLine:
    line: int
    level: str
    rule: str
    message: str

    def to_json(self) -> dict:
        return {"line": self.line, "level": self.level, "rule": self.rule, "message": self.message}


@dataclass
class ScriptResult:
    task: str
    model: str
    backend: str
    script: str  # the body, header not included
    lint_findings: list[LintFinding] | None  # None: ShellCheck unavailable
    lint_error: str | None = None
    rounds: int = 0
    level: str = "safe"
    risks: list[RiskLine] = field(default_factory=list)
    completions: list[Completion] = field(default_factory=list)
    path: Path | None = None
    cut_off: bool = False  # the kept version hit the model's token limit: it is incomplete

    def to_json(self) -> dict:
        return {
            "task": self.task, "model": self.model, "backend": self.backend,
            "path": str(self.path) if self.path else None,
            "level": self.level, "findings": [r.to_json() for r in self.risks],
            "shellcheck": None if self.lint_findings is None else [f.to_json() for f in self.lint_findings],
            "shellcheck_error": self.lint_error, "repair_rounds": self.rounds, "cut_off": self.cut_off,
            "script": self.script,
        }


def extract_script(text: str) -> str:
    """The script in a model answer: the longest shell fence, else from a shebang on, else all."""
    text = text.replace("\r\n", "\n")
    bodies = [m.group(3) for m in _FENCE.finditer(text) if m.group(2).lower() in _SHELL_LANGS]
    bodies = [b for b in bodies if b.strip()]
    if bodies:
        return max(bodies, key=len).strip("\n") + "\n"
    at = text.find("#!")
    if at != -1:
        return text[at:].strip("\n") + "\n"
    return text.strip("\n") + "\n"


def harden(script: str) -> str:
    """Make sure the first line is the bash shebang and strict mode is on before any command."""
    lines = script.rstrip("\n").split("\n") if script.strip() else []
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    if not any(re.match(r"^\s*set\s+-(?=[a-z]*e)(?=[a-z]*u)[a-z]*\s+-?o?\s*pipefail|^\s*set\s+-euo\s+pipefail", l) for l in lines):
        # After the leading comment block, so the script's own description stays on top.
        at = 0
        while at < len(lines) and (lines[at].startswith("#") or not lines[at].strip()):
            at += 1
        lines[at:at] = [STRICT, ""] if at < len(lines) else [STRICT]
    return "\n".join([SHEBANG, *lines]) + "\n"


def risk_lines(script: str, classify_script=None) -> tuple[str, list[RiskLine]]:
    """Overall level and each finding with the line it is on (1-based, in `script`)."""
    if classify_script is None:
        from ccgpt.risk.classify import classify_script
    verdict = classify_script(script)
    out = []
    for f in verdict.findings:
        start = f.span[0] if getattr(f, "span", None) else 0
        out.append(RiskLine(script.count("\n", 0, max(0, start)) + 1, f.level, f.rule, f.message))
    return verdict.level, sorted(out, key=lambda r: r.line)


def _lint(script: str) -> tuple[list[LintFinding] | None, str | None]:
    try:
        return lint(script), None
    except ShellCheckUnavailable as exc:
        return None, str(exc)


def _size(script: str) -> int:
    """Lines of actual code (no blanks, comments or the strict-mode line we add)."""
    return sum(1 for l in script.split("\n") if l.strip() and not l.lstrip().startswith("#") and l.strip() != STRICT)


def generate(backend: Backend, model: str, task: str, context_text: str | None = None, *, rounds: int = 2,
             classify_script=None, max_tokens: int = 900) -> ScriptResult:
    options = Options(temperature=0.2, max_tokens=max_tokens)
    completion = backend.chat(model, prompts.script_messages(task, context_text), options)
    completions = [completion]
    script = harden(extract_script(completion.text))
    cut_off = completion.finish_reason == "length"
    findings, lint_error = _lint(script)
    used = 0
    while findings and used < rounds:
        used += 1
        messages = prompts.repair_messages(task, context_text, script, [str(f) for f in findings])
        completion = backend.chat(model, messages, options)
        completions.append(completion)
        candidate = harden(extract_script(completion.text))
        new_findings, _ = _lint(candidate)
        # Keep the repair only when it is no worse: a tiny model can "repair" a script into nothing.
        if new_findings is not None and len(new_findings) <= len(findings) and _size(candidate) * 2 >= _size(script):
            script, findings = candidate, new_findings
            cut_off = completion.finish_reason == "length"
    level, risks = risk_lines(script, classify_script)
    last = completions[-1]
    return ScriptResult(task, last.model or model, last.backend or getattr(backend, "name", ""), script,
                        findings, lint_error, used, level, risks, completions, cut_off=cut_off)


def default_name(task: str) -> str:
    words = re.findall(r"[a-z0-9]+", task.lower())[:5]
    return ("-".join(words) or "script") + ".sh"


def _comment(text: str) -> str:
    # One header line per value: a task with a newline must not become code in the script.
    from ccgpt.term.sanitize import sanitize_line

    return sanitize_line(text).replace("\n", " ")[:200]


HEADER_LINES = 6  # comment lines inserted after the shebang; body line k (k >= 2) is saved as k + 6


def saved_line(line: int) -> int:
    """A line number of the generated script as it is in the saved file (after the header)."""
    return line + HEADER_LINES if line >= 2 else line


def header(result: ScriptResult, when: float | None = None) -> str:
    date = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(when or time.time()))
    if result.lint_findings is None:
        lint_text = f"not run ({result.lint_error})"
    else:
        lint_text = f"{len(result.lint_findings)} finding(s) after {result.rounds} repair round(s)"
    if result.cut_off:
        lint_text += "; INCOMPLETE: the model's answer was cut off"
    risk_text = result.level + (f", {len(result.risks)} finding(s): " + "; ".join(
        f"line {saved_line(r.line)} {r.rule}" for r in result.risks[:5]) if result.risks else "")
    lines = [
        "# Generated by ccgpt script. Review it before running it: `ccgpt run FILE` runs it in the sandbox.",
        f"# Task: {_comment(result.task)}",
        f"# Model: {_comment(result.model)} ({_comment(result.backend)})",
        f"# Date: {date}",
        f"# ShellCheck: {_comment(lint_text)}",
        f"# Risk: {_comment(risk_text)}",
    ]
    assert len(lines) == HEADER_LINES
    return "\n".join(lines) + "\n"


def with_header(result: ScriptResult, when: float | None = None) -> str:
    """Shebang, header, then the body: line numbers of the body shift by the header's length."""
    body = result.script.split("\n", 1)[1] if result.script.startswith("#!") else result.script
    return f"{SHEBANG}\n{header(result, when)}{body}"


def save(text: str, path: Path, force: bool = False) -> Path:
    """Write owner-only (0600, not executable). Refuses an existing file unless force."""
    path = Path(path)
    if path.exists() and not force:
        raise CcgptError(f"{path} exists; choose another name with -o, or --force to overwrite it")
    if path.is_dir():
        raise CcgptError(f"{path} is a directory; give a file name with -o")
    # Not forced: O_EXCL on the target itself, so a file that appeared meanwhile is never
    # overwritten. Forced: write a private temporary file and rename it over the old one.
    target = path.with_name(f".{path.name}.ccgpt-tmp-{os.getpid()}") if force else path
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CcgptError(f"{path} exists; choose another name with -o, or --force to overwrite it") from None
    except OSError as exc:
        raise CcgptError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(target, 0o600)  # whatever the umask said
        if force:
            os.replace(target, path)
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise CcgptError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
