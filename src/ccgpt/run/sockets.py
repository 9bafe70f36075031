"""Filesystem Unix sockets outside the working tree, to be made unreachable in the sandbox.

A read-only mount does not stop connect(): a socket file is reachable wherever it is visible
(the Docker socket, session buses, ssh/gpg agents, a listener in the home directory). The
sandbox therefore hides:
- `$XDG_RUNTIME_DIR` and `/run/user` (agents, buses, Wayland, PipeWire) always, and `/run`
  and `/var/run` without `--net` (system buses, docker.sock, systemd's private sockets);
- every listening filesystem socket the kernel lists in /proc/net/unix for this network
  namespace, and socket files found in a shallow scan of the home directory, wherever they are,
  by binding /dev/null over each (connect() then fails with ECONNREFUSED).
Abstract sockets (`@name`) belong to a network namespace: without `--net` the sandbox has its
own. What this cannot cover: a socket created after the sandbox started, in a directory that
is not hidden.
"""

from __future__ import annotations

import os
import stat

from ccgpt.run.mounts import home, inside

MAX_SOCKETS = 512
HOME_SCAN_DEPTH = 3
HOME_SCAN_ENTRIES = 5000


def runtime_dirs(net: bool) -> list[str]:
    """Directories covered with an empty tmpfs (real paths, existing, never a symlink's name)."""
    names = [os.environ.get("XDG_RUNTIME_DIR") or "", "/run/user"]
    if not net:
        names += ["/run", "/var/run"]
    out: list[str] = []
    for name in names:
        if not name or not os.path.isdir(name):
            continue
        real = os.path.realpath(name)
        if real not in out and not any(inside(real, done) for done in out):
            out.append(real)
    return out


def listening_paths() -> list[str]:
    """Filesystem paths of the Unix sockets in /proc/net/unix (bound names, abstract ones skipped)."""
    try:
        with open("/proc/net/unix", encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()[1:]
    except OSError:
        return []
    out = []
    for line in lines:
        fields = line.split(None, 7)
        if len(fields) == 8 and fields[7].startswith("/"):
            out.append(fields[7])
    return out


def home_sockets(base: str) -> list[str]:
    """Socket files in the first levels of the home directory (sockets of other namespaces)."""
    found: list[str] = []
    budget = [HOME_SCAN_ENTRIES]

    def walk(path: str, depth: int) -> None:
        try:
            entries = list(os.scandir(path))
        except OSError:
            return
        for entry in entries:
            budget[0] -= 1
            if budget[0] < 0:
                return
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISSOCK(st.st_mode):
                found.append(entry.path)
            elif stat.S_ISDIR(st.st_mode) and depth < HOME_SCAN_DEPTH:
                walk(entry.path, depth + 1)

    walk(base, 1)
    return found


def hidden_sockets(cwd: str, covered: list[str]) -> list[str]:
    """Real paths of socket files to cover with /dev/null: outside cwd, not under a hidden dir."""
    out: list[str] = []
    seen: set[str] = set()
    for path in listening_paths() + home_sockets(str(home())):
        real = os.path.realpath(path)
        if real in seen or inside(real, cwd) or inside(real, "/tmp") or any(inside(real, d) for d in covered):
            continue
        seen.add(real)
        try:
            if not stat.S_ISSOCK(os.lstat(real).st_mode):
                continue
        except OSError:
            continue
        out.append(real)
        if len(out) >= MAX_SOCKETS:
            break
    return out
