"""What the sandbox hides, and which paths inside the writable directory must stay read-only.

Shared by the bubblewrap backend (which turns these into mounts) and the checks around a run.
"""

from __future__ import annotations

import os
from pathlib import Path

# Relative to $HOME. Directories get an empty read-only tmpfs, files get /dev/null.
SECRET_PATHS = (
    ".ssh", ".gnupg", ".aws", ".config/gcloud", ".kube", ".netrc",
    ".docker", ".git-credentials", ".config/gh", ".pgpass", ".pypirc", ".npmrc",
    ".azure", ".password-store", ".local/share/keyrings", ".vault-token",
    ".bash_history", ".zsh_history", ".python_history", ".psql_history", ".mysql_history",
)
# Files that make a shell (or git) run code later; kept read-only when inside the writable cwd.
STARTUP_FILES = (
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".bash_aliases", ".profile", ".inputrc",
    ".zshrc", ".zshenv", ".zprofile", ".zlogin", ".zlogout", ".config/fish", ".config/autostart",
    ".config/systemd", ".config/environment.d", ".pam_environment", ".xprofile", ".xsessionrc", ".xinitrc",
    ".gitconfig", ".config/git", ".local/bin", "bin", ".ssh", ".vimrc", ".vim", ".config/nvim", ".emacs",
    ".emacs.d",
)


def home() -> Path:
    return Path(os.environ.get("HOME") or os.path.expanduser("~"))


def inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def secret_paths(extra: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Every path to hide: the built-in list, ccgpt's own config and data, and configured ones."""
    from ccgpt.paths import config_dir, data_dir

    base = home()
    paths = [base / p for p in SECRET_PATHS] + [config_dir(), data_dir()]
    for p in extra:
        p = os.path.expandvars(os.path.expanduser(str(p)))
        if p:
            paths.append(Path(p) if os.path.isabs(p) else base / p)
    return paths


def check_workdir(cwd: str, hidden: list[Path]) -> str | None:
    """Why this working directory cannot be the writable one, or None when it can."""
    if cwd == "/":
        return "the working directory is / (everything would be writable); cd into a project directory"
    for secret in hidden:
        real = os.path.realpath(secret)
        if os.path.exists(real) and inside(cwd, real):
            return f"the working directory is inside a hidden secret path ({secret}); cd elsewhere"
    return None


def hidden_mounts(cwd: str, extra: tuple[str, ...]) -> list[tuple[str, bool]]:
    """(real path, is a directory) of each secret to cover, once each, skipping what the
    sandbox's private /tmp, /proc or /dev already replace."""
    seen: set[str] = set()
    out = []
    for secret in secret_paths(extra):
        real = os.path.realpath(secret)
        if real in seen or not os.path.lexists(real):
            continue
        if inside(real, "/tmp") and not inside(real, cwd):
            continue  # already invisible under the private /tmp
        if inside(real, "/proc") or inside(real, "/dev"):
            continue
        seen.add(real)
        out.append((real, os.path.isdir(real)))
    return out
