"""Which model for which task: word-boundary classification, config defaults, -m wins.

The original tool picked a model by substring search, so "capital" matched "api" and a
geography question went to the code model. Here every keyword must stand as a whole word.
"""

from __future__ import annotations

import re

TASKS = ("shell", "code", "general")

_SHELL_WORDS = (
    "bash", "zsh", "fish", "shell", "command", "commands", "terminal", "cli", "grep", "find", "sed", "awk",
    "xargs", "pipe", "chmod", "chown", "ls", "cd", "directory", "directories", "folder", "file", "files",
    "process", "processes", "kill", "port", "ssh", "rsync", "tar", "zip", "unzip", "compress", "disk",
    "mount", "cron", "systemctl", "apt", "brew", "docker", "git", "curl", "wget", "env", "permissions",
)
_CODE_WORDS = (
    "code", "function", "functions", "class", "classes", "method", "bug", "debug", "refactor", "compile",
    "python", "javascript", "typescript", "rust", "golang", "java", "c\\+\\+", "sql", "regex", "api",
    "json", "yaml", "algorithm", "unit test", "tests", "exception", "stack trace", "traceback", "diff",
    "commit message", "library", "module", "script", "snippet", "implement",
)


def _pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + "|".join(words) + r")(?![\w-])", re.IGNORECASE)


_SHELL = _pattern(_SHELL_WORDS)
_CODE = _pattern(_CODE_WORDS)


def classify_task(text: str) -> str:
    """'shell', 'code' or 'general', by whole-word keyword counts (ties go to shell, then code)."""
    shell = len(_SHELL.findall(text))
    code = len(_CODE.findall(text))
    if shell == 0 and code == 0:
        return "general"
    return "shell" if shell >= code else "code"
