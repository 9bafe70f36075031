"""The `prepare-commit-msg` hook that `ccgpt commit install-hook` writes.

The hook proposes a message only for a plain `git commit` (no -m, -F, template, merge,
squash or amend), puts it above git's comment lines so the editor opens on it, and never
blocks a commit: when ccgpt fails, is missing or has nothing to say, the hook exits 0 and
git carries on as if it were not there. It runs ccgpt through the Python that installed it,
so a changed PATH does not pick another program named ccgpt.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

from ccgpt.assist.gitdiff import git
from ccgpt.errors import CcgptError

MARKER = "# installed by `ccgpt commit install-hook`"
HOOK_NAME = "prepare-commit-msg"


def hook_text(python: str | None = None) -> str:
    python = shlex.quote(python or sys.executable)
    return f"""#!/bin/sh
{MARKER}: proposes a message for a plain `git commit`.
# Remove it with `ccgpt commit uninstall-hook` (or delete this file).
case "$2" in
  "") ;;          # no message yet: propose one
  *) exit 0 ;;    # -m, -F, a template, a merge, a squash or --amend: leave git's message alone
esac
msg=$({python} -m ccgpt commit --print-only --no-log </dev/null 2>/dev/null) || exit 0
[ -n "$msg" ] || exit 0
tmp="$1.ccgpt.$$"
{{ printf '%s\\n' "$msg"; cat "$1"; }} > "$tmp" && mv "$tmp" "$1" || rm -f "$tmp"
exit 0
"""


def hook_path(root: Path) -> Path:
    """Where git looks for the hook (honours core.hooksPath and worktrees)."""
    hooks = Path(git(["rev-parse", "--git-path", "hooks"], root).strip())
    return (hooks if hooks.is_absolute() else root / hooks) / HOOK_NAME


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def install(root: Path, force: bool = False) -> Path:
    path = hook_path(root)
    if path.exists() and not is_ours(path) and not force:
        raise CcgptError(f"{path} exists and is not ccgpt's; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{HOOK_NAME}.ccgpt-{os.getpid()}")
    tmp.write_text(hook_text(), encoding="utf-8")
    os.chmod(tmp, 0o755)
    os.replace(tmp, path)
    return path


def uninstall(root: Path) -> Path:
    path = hook_path(root)
    if not path.exists():
        raise CcgptError(f"no {HOOK_NAME} hook is installed ({path})")
    if not is_ours(path):
        raise CcgptError(f"{path} is not ccgpt's hook; left as it is")
    path.unlink()
    return path
