"""`ccgpt guard`: the risk engine as a pre-tool hook, answering in each agent CLI's own protocol.

Pure: an event (the parsed JSON the agent wrote on stdin) and a verdict in, an `Answer` (exit
code, stdout, stderr) out. Reading stdin, the deadline and the verdict itself are `cli/guard.py`'s
job. Imports nothing but the standard library, so the hook's cold start stays that of the risk
engine.

The protocols (from each agent's hook reference):
- claude  Claude Code `PreToolUse`, tool `Bash`, `tool_input.command`. Exit 2 blocks with stderr
          as the reason; exit 0 with `hookSpecificOutput.permissionDecision = "ask"` makes Claude
          Code ask the person; exit 0 and no output leaves its own permissions in charge.
- codex   Codex `PreToolUse`: the same wire format, tool `Bash`; Codex honours
          `permissionDecision: "deny"` but not "ask", so a dangerous command is denied with
          the reason (the person can run it themselves).
- gemini  Gemini CLI `BeforeTool`, tool `run_shell_command`, `tool_input.command`. Exit 2 blocks
          with stderr as the reason; stdout must be JSON (`{}` to allow, `{"decision": "deny",
          "reason": …}` to refuse); it has no "ask", so dangerous is denied with the reason.
"""

from __future__ import annotations

import json
from typing import NamedTuple

FORMATS = ("claude", "codex", "gemini")
BLOCK = 2  # the exit code every supported agent reads as "do not run this tool call"

_EVENT = {"claude": "PreToolUse", "codex": "PreToolUse", "gemini": "BeforeTool"}
_SHELL_TOOLS = {"claude": {"Bash"}, "codex": {"Bash", "shell", "local_shell", "exec_command"},
                "gemini": {"run_shell_command"}}


class Unreadable(ValueError):
    """The event is not what the protocol promises: the hook fails closed."""


class Answer(NamedTuple):  # a NamedTuple, not a dataclass: `dataclasses` costs ~5 ms to import
    exit_code: int
    stdout: str = ""
    stderr: str = ""


def shell_command(event, fmt: str) -> str | None:
    """The command line of a shell tool call, None for any other event or tool; Unreadable when
    the event is malformed."""
    if not isinstance(event, dict):
        raise Unreadable("the hook event is not a JSON object")
    name = event.get("hook_event_name")
    if name is not None and not isinstance(name, str):
        raise Unreadable("the hook event's hook_event_name is not a string")
    if name is not None and name != _EVENT[fmt]:
        return None
    tool = event.get("tool_name")
    if not isinstance(tool, str):
        raise Unreadable("the hook event has no tool_name")
    if tool not in _SHELL_TOOLS[fmt]:
        return None
    tool_input = event.get("tool_input")
    command = tool_input.get("command") if isinstance(tool_input, dict) else None
    if isinstance(command, list) and command and all(isinstance(w, str) for w in command):
        import shlex

        return shlex.join(command)  # Codex's argv form; `bash -lc "…"` is read inside by the engine
    if not isinstance(command, str):
        raise Unreadable(f"the {tool} call has no tool_input.command string")
    return command


def reason(verdict: dict) -> str:
    """One line: the level and each finding's message and rule."""
    findings = verdict.get("findings") or []
    why = "; ".join(f"{f.get('message')} ({f.get('rule')})" for f in findings) or "no finding"
    return _clean(f"ccgpt: {verdict.get('level')}: {why}")


def _clean(text: str) -> str:
    """No control characters in what the agent shows the person (finding messages quote the
    command's own words)."""
    return "".join(ch if ch.isprintable() else f"<U+{ord(ch):04X}>" for ch in text)[:2000]


def answer(verdict: dict | None, fmt: str) -> Answer:
    """The hook's answer for a shell call's verdict (None: not a shell call, pass through)."""
    quiet = Answer(0, "{}\n" if fmt == "gemini" else "")
    if verdict is None:
        return quiet
    level = verdict.get("level")
    if level in ("safe", "review"):
        return quiet
    why = reason(verdict)
    if level != "dangerous":  # blocked, or a level this hook does not know: fail closed
        return Answer(BLOCK, stderr=f"{why}. The risk policy blocks this command; do not retry it in another form.\n")
    out: dict
    if fmt == "claude":
        out = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "ask",
                                      "permissionDecisionReason": why}}
    elif fmt == "codex":
        out = {"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                      "permissionDecisionReason": why + ". Ask the person to run it themselves."}}
    else:
        out = {"decision": "deny", "reason": why + ". Ask the person to run it themselves."}
    return Answer(0, json.dumps(out, ensure_ascii=True) + "\n")


def failure(message: str) -> Answer:
    """Fail closed: anything the hook cannot decide blocks the call, saying why."""
    return Answer(BLOCK, stderr=_clean(f"ccgpt guard: {message}; the command was not allowed (fail closed)") + "\n")
