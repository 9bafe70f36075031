"""Optionally append a command that ccgpt ran to the user's own shell history.

Off by default (`save_shell_history = true` turns it on): a command run from the assistant
then shows up on arrow-up like one typed by hand. Formats:
  bash  one line per command (a multi-line command is written as it is, like bash does)
  zsh   extended history, `: <start>:<elapsed>;command`, continuation lines ending in `\\`
  fish  YAML-ish `- cmd: …` / `  when: …` entries in ~/.local/share/fish/fish_history
HISTFILE is honoured for bash and zsh; fish honours XDG_DATA_HOME and fish_history.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def detect_shell() -> str:
    name = os.path.basename(os.environ.get("SHELL", ""))
    return name if name in ("bash", "zsh", "fish") else "bash"


def history_file(shell: str, env=None) -> Path:
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    if shell in ("bash", "zsh") and env.get("HISTFILE"):
        return Path(os.path.expanduser(env["HISTFILE"]))
    if shell == "zsh":
        return home / ".zsh_history"
    if shell == "fish":
        data = Path(env["XDG_DATA_HOME"]) if env.get("XDG_DATA_HOME") else home / ".local" / "share"
        session = env.get("fish_history") or "fish"
        return data / "fish" / f"{session}_history"
    return home / ".bash_history"


def format_entry(shell: str, command: str, when: float | None = None) -> str:
    when = int(time.time() if when is None else when)
    if shell == "zsh":
        body = command.replace("\n", "\\\n")
        return f": {when}:0;{body}\n"
    if shell == "fish":
        # fish escapes backslashes and newlines in its history file.
        body = command.replace("\\", "\\\\").replace("\n", "\\n")
        return f"- cmd: {body}\n  when: {when}\n"
    return command + "\n"


def append(command: str, shell: str | None = None, env=None, when: float | None = None) -> Path:
    """Append one entry; the file is created owner-only when it does not exist."""
    shell = shell or detect_shell()
    path = history_file(shell, env)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as fh:
        fh.write(format_entry(shell, command, when))
    return path


def maybe_save(cfg, command: str) -> None:
    """Append when the config asks for it; a failure is a warning, never an error."""
    if not cfg.get("save_shell_history"):
        return
    try:
        append(command)
    except OSError as exc:
        print(f"ccgpt: warning: could not write shell history: {exc.strerror or exc}", file=sys.stderr)
