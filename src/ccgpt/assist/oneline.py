"""A one-line, grounded explanation of a command: what each program in it is, from its man page.

Grounded means the words come from the machine's own manual (the NAME line, "ls - list
directory contents") or a fixed table for shell builtins — never from the model. The full
part-by-part explanation is `ccgpt explain`; this is the short line shown under each candidate.
"""

from __future__ import annotations

import gzip
import os
import re
from functools import lru_cache

from ccgpt.assist.analysis import program_names

MAN_DIRS = ("/usr/share/man", "/usr/local/share/man", "/usr/man", "/opt/homebrew/share/man")
SECTIONS = ("1", "8", "6")

BUILTIN_HELP = {
    "cd": "change the working directory",
    "echo": "write arguments to standard output",
    "printf": "format and print data",
    "export": "set an environment variable for child processes",
    "source": "run commands from a file in the current shell",
    ".": "run commands from a file in the current shell",
    "alias": "define a command alias",
    "pwd": "print the working directory",
    "read": "read a line from standard input",
    "test": "evaluate a condition",
    "[": "evaluate a condition",
    "type": "show how a name would be interpreted",
    "history": "show or edit the command history",
    "for": "loop over a list",
    "while": "loop while a condition holds",
    "if": "run commands conditionally",
    "eval": "run a string as shell code",
    "exec": "replace the shell with a command",
    "kill": "send a signal to a process",
    "umask": "set the file creation mask",
    "unset": "remove a variable or function",
    "set": "set shell options",
    "true": "do nothing, successfully",
    "false": "do nothing, unsuccessfully",
}

_ROFF_FONT = re.compile(r"\\f(?:\[[^\]]*\]|\(..|.)")
_ROFF_ESC = re.compile(r"\\(?:\(..|\[[^\]]*\]|[&|^%:/,~0 ])")


def _man_file(name: str) -> str | None:
    extra = [d for d in os.environ.get("MANPATH", "").split(":") if d]
    for base in (*extra, *MAN_DIRS):
        for section in SECTIONS:
            for suffix in (f"{section}.gz", section, f"{section}.bz2"):
                path = os.path.join(base, f"man{section}", f"{name}.{suffix}")
                if os.path.isfile(path):
                    return path
    return None


def _roff_text(line: str) -> str:
    line = line.replace("\\-", "-").replace("\\(em", "-").replace("\\(en", "-").replace('\\"', "")
    line = _ROFF_FONT.sub("", line)
    line = _ROFF_ESC.sub("", line)
    return line.replace("\\e", "\\").strip()


@lru_cache(maxsize=256)
def man_summary(name: str) -> str | None:
    """The NAME line's description ('list directory contents'), or None when there is no page."""
    if not name or "/" in name:
        return None
    path = _man_file(name)
    if not path or path.endswith(".bz2"):
        return None
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            head = fh.read(20000)
    except OSError:
        return None
    lines = head.split("\n")
    for i, line in enumerate(lines):
        if re.match(r'^\.S[Hh]\s+"?NAME"?\s*$', line.strip()):
            text = []
            for follow in lines[i + 1 : i + 8]:
                if follow.startswith(".S") or follow.startswith(".SH"):
                    break
                if follow.startswith(".") and not follow.startswith((".B ", ".Nm", ".Nd")):
                    continue
                if follow.startswith(".Nd"):
                    return _roff_text(follow[3:]) or None
                text.append(_roff_text(follow.lstrip(".BNm ")))
            joined = " ".join(t for t in text if t)
            if " - " in joined:
                return joined.split(" - ", 1)[1].strip() or None
            return None
    return None


def _from_explain(command: str) -> str | None:
    """The command parts of `ccgpt.explain.engine` (same man pages, richer parsing), if installed."""
    try:
        from ccgpt.explain.engine import explain
    except ImportError:
        return None
    try:
        parts = [p.to_json() for p in explain(command)]
    except Exception:  # unparseable input: fall back to the NAME lines
        return None
    lines, seen = [], set()
    for part in parts:
        if part.get("kind") == "command" and part.get("text") not in seen:
            seen.add(part.get("text"))
            help_text = part.get("help")
            # A library page (list(3)) describing a program that is not installed would mislead.
            section = re.match(r"man:[^()]+\((\w)", str(part.get("source") or ""))
            if section and section.group(1) not in ("1", "6", "8"):
                help_text = None
            lines.append(f"{part.get('text')}: {help_text or '(no manual page on this machine)'}")
    return "; ".join(lines) or None


def explain_one_line(command: str) -> str:
    """'ls: list directory contents; head: output the first part of files', or a plain note."""
    via_explain = _from_explain(command)
    if via_explain:
        return via_explain
    parts = []
    seen = set()
    for name in program_names(command):
        base = os.path.basename(name.lstrip("\\"))
        if base in seen:
            continue
        seen.add(base)
        text = BUILTIN_HELP.get(base) or man_summary(base)
        parts.append(f"{base}: {text}" if text else f"{base}: (no manual page on this machine)")
    return "; ".join(parts) if parts else "no program call found"
