"""The bubblewrap backend: build the bwrap command line, and find out whether bwrap works here.

The view a sandboxed command gets:
- `/` bound read-only; the working directory bound read-write on top (the only writable place
  besides a private, empty `/tmp`);
- a fresh minimal `/dev` (null, zero, random, tty, pts) and a `/proc` of its own pid namespace;
- every namespace unshared (user, ipc, pid, net, uts, cgroup); with `--net`, only the network
  is shared with the host;
- secrets hidden: an empty tmpfs over each secret directory, /dev/null over each secret file;
- `.git/hooks` and `.git/config` in the working directory, and shell start-up files when the
  working directory contains the home, bound read-only: they run code *later, outside* the
  sandbox, so writing them would be an escape with a delay;
- `--die-with-parent` (nothing outlives ccgpt), `--new-session` (no TIOCSTI typing into the
  person's terminal), all capabilities dropped even when ccgpt runs as root.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# Relative to $HOME. Directories get a tmpfs, files get /dev/null.
SECRET_PATHS = (
    ".ssh", ".gnupg", ".aws", ".config/gcloud", ".kube", ".netrc",
    ".docker", ".git-credentials", ".config/gh", ".pgpass", ".pypirc", ".npmrc",
    ".azure", ".password-store", ".local/share/keyrings", ".vault-token",
    ".bash_history", ".zsh_history", ".python_history", ".psql_history", ".mysql_history",
)
# Files that make a shell (or git) run code later; kept read-only when inside the writable cwd.
STARTUP_FILES = (
    ".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc", ".zshenv",
    ".zprofile", ".zlogin", ".config/fish", ".config/autostart", ".config/systemd", ".gitconfig",
    ".config/git", ".local/bin", ".ssh",
)


def find_bwrap() -> str | None:
    return shutil.which("bwrap")


def _home() -> Path:
    return Path(os.environ.get("HOME") or os.path.expanduser("~"))


def secret_paths(extra: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """Every path to hide: the built-in list, ccgpt's own config and data, and configured ones."""
    from ccgpt.paths import config_dir, data_dir

    home = _home()
    paths = [home / p for p in SECRET_PATHS] + [config_dir(), data_dir()]
    for p in extra:
        p = os.path.expandvars(os.path.expanduser(str(p)))
        if p:
            paths.append(Path(p) if os.path.isabs(p) else home / p)
    return paths


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def check_workdir(cwd: str, hidden: list[Path]) -> str | None:
    """Why this working directory cannot be the writable one, or None when it can."""
    if cwd == "/":
        return "the working directory is / (everything would be writable); cd into a project directory"
    for secret in hidden:
        real = os.path.realpath(secret)
        if os.path.exists(real) and _inside(cwd, real):
            return f"the working directory is inside a hidden secret path ({secret}); cd elsewhere"
    return None


def build_argv(
    command: list[str],
    *,
    cwd: str,
    net: bool = False,
    hide: list[str] | tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    bwrap: str = "bwrap",
    status_fd: int | None = None,
    workdir_source: str | None = None,
    protect_git: bool = True,
    tmp_mb: int = 256,
) -> list[str]:
    """The full bwrap argv for running `command` with `cwd` as its writable working directory.

    `workdir_source`: bind this host directory at `cwd` instead of `cwd` itself (the preview
    runs against a throwaway copy that the command sees under the real path).
    `env`: the complete environment of the command (bwrap starts from an empty one).
    """
    cwd = os.path.realpath(cwd)
    source = os.path.realpath(workdir_source) if workdir_source else cwd
    argv = [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    if tmp_mb:
        # /tmp is RAM: without a size a disk filler there would fill memory instead.
        argv += ["--size", str(tmp_mb * 1024 * 1024)]
    argv += ["--tmpfs", "/tmp"]
    argv += ["--unshare-all"]
    if net:
        argv += ["--share-net"]
    argv += ["--die-with-parent", "--new-session"]
    if os.geteuid() == 0:
        # bwrap run by root keeps every capability unless told otherwise.
        argv += ["--cap-drop", "ALL"]
    argv += ["--bind", source, cwd]

    hidden: set[str] = set()
    for secret in secret_paths(hide):
        real = os.path.realpath(secret)
        if real in hidden or not os.path.lexists(real):
            continue
        if _inside(real, "/tmp") and not _inside(real, cwd):
            continue  # already invisible under the private /tmp
        if real.startswith("/proc") or real.startswith("/dev"):
            continue
        hidden.add(real)
        # The same path inside: cwd is mounted at its real path even for the preview's copy.
        if os.path.isdir(real):
            argv += ["--tmpfs", real, "--remount-ro", real]
        else:
            argv += ["--ro-bind", "/dev/null", real]

    for src, dst in _late_code_paths(cwd, source, protect_git):
        if dst not in hidden:
            argv += ["--ro-bind", src, dst]

    if status_fd is not None:
        argv += ["--json-status-fd", str(status_fd)]
    argv += ["--chdir", cwd]
    if env is not None:
        argv += ["--clearenv"]
        for key, value in env.items():
            argv += ["--setenv", key, value]
    argv += ["--", *command]
    return argv


def _late_code_paths(cwd: str, source: str, protect_git: bool) -> list[tuple[str, str]]:
    """(host source, sandbox path) of files inside the writable cwd whose content runs later,
    outside the sandbox. Symlinks are skipped: they point outside cwd, which is read-only anyway."""
    names: list[str] = []
    if protect_git:
        names += [".git/hooks", ".git/config"]
    home = os.path.realpath(_home())
    if _inside(home, cwd):
        prefix = os.path.relpath(home, cwd)
        names += [os.path.normpath(os.path.join(prefix, n)) for n in STARTUP_FILES]
    out = []
    for name in names:
        src = os.path.join(source, name)
        if os.path.exists(src) and not os.path.islink(src):
            out.append((src, os.path.join(cwd, name)))
    return out


def probe(bwrap: str | None = None, *, timeout: float = 5.0) -> tuple[bool, str]:
    """Whether bwrap can build our sandbox here (user namespaces allowed, etc.), and why not."""
    import subprocess

    bwrap = bwrap or find_bwrap()
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed"
    argv = build_argv(["true"], cwd=os.getcwd() if os.getcwd() != "/" else "/tmp", bwrap=bwrap, env={})
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap did not start: {exc}"
    if r.returncode != 0:
        return False, (r.stderr.strip().splitlines() or ["bwrap failed"])[-1]
    return True, ""
