"""`ccgpt guard install AGENT [--project | --user]`: add the hook to the agent's settings file.

Merges one hook entry into the JSON file, keeping everything already there: an existing ccgpt
entry is updated in place, any other hook is left alone. Shows the change as a diff, keeps a
copy of the previous file next to it, and writes the new one atomically with the same mode.
A file that is not valid JSON is left untouched, with one line saying where it breaks.

The hook command ends in `|| exit 2`: should ccgpt itself be missing or crash before it can
answer (exit 1, 126, 127), the agent still sees "block" rather than its own "non-blocking error,
run the command anyway".
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
import sys
import time
from dataclasses import dataclass

from ccgpt.errors import CcgptError, UsageError


@dataclass(frozen=True)
class Target:
    user: str  # settings file for every project, under $HOME
    project: str  # settings file of the current project
    event: str
    matcher: str
    timeout: int  # in the agent's unit: seconds for Claude Code and Codex, milliseconds for Gemini CLI


AGENTS = {
    "claude": Target("~/.claude/settings.json", ".claude/settings.json", "PreToolUse", "Bash", 10),
    "codex": Target("~/.codex/hooks.json", ".codex/hooks.json", "PreToolUse", "Bash", 10),
    "gemini": Target("~/.gemini/settings.json", ".gemini/settings.json", "BeforeTool", "run_shell_command", 10000),
}


def ccgpt_command() -> list[str]:
    """How the agent should start ccgpt: the console script by absolute path when there is one."""
    exe = shutil.which("ccgpt", path=os.path.dirname(sys.executable)) or shutil.which("ccgpt")
    return [os.path.abspath(exe)] if exe else [sys.executable, "-m", "ccgpt"]


def hook_command(agent: str) -> str:
    return shlex.join([*ccgpt_command(), "guard", "--format", agent]) + " || exit 2"


def _is_ours(hook) -> bool:
    """A hook entry whose program is `ccgpt guard` (any path to ccgpt, or `python -m ccgpt`),
    not another hook that merely mentions the words."""
    command = hook.get("command") if isinstance(hook, dict) else None
    if not isinstance(command, str):
        return False
    try:
        words = shlex.split(command.split("||")[0])
    except ValueError:
        return False
    if words[:1] and os.path.basename(words[0]).startswith("python") and words[1:3] == ["-m", "ccgpt"]:
        words = words[2:]  # what hook_command writes when there is no console script
    return bool(words) and os.path.basename(words[0]) == "ccgpt" and words[1:2] == ["guard"]


def _covers(matcher, tool: str) -> bool:
    """Whether a hook group's matcher selects the shell tool: absent, "" or "*" select every
    tool; otherwise it is a regular expression over the tool name (`Bash|Edit`)."""
    if matcher in (None, "", "*"):
        return True
    if not isinstance(matcher, str):
        return False
    try:
        return re.fullmatch(matcher, tool) is not None
    except re.error:
        return False


def merge(settings: dict, agent: str, command: str) -> dict:
    """A copy of `settings` with the ccgpt hook present exactly once, in a group that selects
    the shell tool. Other hooks keep their groups and matchers: a group shared with them is
    never narrowed or widened; our entry moves to a group of its own instead."""
    target = AGENTS[agent]
    new = json.loads(json.dumps(settings))
    hooks = new.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise CcgptError('the settings file has a "hooks" value that is not an object; fix it by hand first')
    groups = hooks.setdefault(target.event, [])
    if not isinstance(groups, list):
        raise CcgptError(f'the settings file has a "hooks.{target.event}" value that is not a list; fix it by hand first')
    entry = {"type": "command", "command": command, "timeout": target.timeout}
    placed, emptied = False, []
    for group in groups:
        inner = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(inner, list):
            continue
        for i, hook in reversed(list(enumerate(inner))):
            if not _is_ours(hook):
                continue
            if not placed and _covers(group.get("matcher"), target.matcher):
                inner[i] = {**hook, **entry}
                placed = True
            elif not placed and len(inner) == 1:
                inner[i] = {**hook, **entry}
                group["matcher"] = target.matcher  # a group of ours alone: point it at the shell tool
                placed = True
            else:
                del inner[i]  # a second copy, or one in a shared group that misses the shell tool
                if not inner:
                    emptied.append(group)
    groups[:] = [g for g in groups if not any(g is e for e in emptied)]
    if not placed:
        groups.append({"matcher": target.matcher, "hooks": [entry]})
    return new


def settings_path(agent: str, *, project: bool, cwd: str | None = None) -> str:
    target = AGENTS[agent]
    if project:
        return os.path.join(cwd or os.getcwd(), target.project)
    return os.path.expanduser(target.user)


def _read(path: str) -> tuple[str, dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        return "", {}
    except (OSError, UnicodeDecodeError) as exc:
        raise CcgptError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    if not text.strip():
        return text, {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CcgptError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                         "nothing was changed") from None
    if not isinstance(value, dict):
        raise CcgptError(f"{path} does not hold a JSON object; nothing was changed")
    return text, value


def _write(path: str, text: str, old_text: str | None) -> str | None:
    """Write atomically, same mode as before; returns the backup's path (None for a new file)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    backup = None
    if old_text is not None:
        stamp = f"{path}.ccgpt-backup-{time.strftime('%Y%m%d-%H%M%S')}"
        backup, n = stamp, 1
        while os.path.exists(backup):  # two installs within one second keep both backups
            backup, n = f"{stamp}-{n}", n + 1
        shutil.copy2(path, backup)
    tmp = f"{path}.ccgpt-tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
    if old_text is not None:
        shutil.copymode(path, tmp)
    os.replace(tmp, path)
    return backup


def install(agent: str, *, project: bool, dry_run: bool = False, out=None, cwd: str | None = None) -> int:
    if agent not in AGENTS:
        raise UsageError(f"unknown agent {agent!r}: ccgpt guard install {'|'.join(AGENTS)}")
    out = out or sys.stdout
    path = settings_path(agent, project=project, cwd=cwd)
    old_text, settings = _read(path)
    exists = os.path.exists(path)
    new = merge(settings, agent, hook_command(agent))
    new_text = json.dumps(new, indent=2, ensure_ascii=False) + "\n"
    if exists and new == settings:
        out.write(f"ccgpt guard is already installed in {path}; nothing changed\n")
        return 0
    diff = difflib.unified_diff(old_text.splitlines(keepends=True), new_text.splitlines(keepends=True),
                                fromfile=path if exists else "/dev/null", tofile=path)
    out.write("".join(diff))
    if dry_run:
        out.write("(dry run: nothing written)\n")
        return 0
    backup = _write(path, new_text, old_text if exists else None)
    out.write(f"installed the {agent} hook in {path}" + (f" (previous file kept as {backup})" if backup else "") + "\n")
    return 0
