"""What the kernel lets a sandbox do here: a user namespace (so root is not host root inside),
and a writable cgroup (so memory and process limits bound the whole command, not each process).

Probed for real, each in a few milliseconds: a user namespace is created with bwrap
(`--unshare-user`) or util-linux `unshare --user`; a cgroup is usable when the v2 cgroup of this
process (delegated to us) or the v1 `memory` and `pids` hierarchies are writable. Kept here,
small, until the sandbox offers its own capability probe.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def is_root() -> bool:
    return os.geteuid() == 0


def user_namespace(timeout: float = 5.0) -> tuple[bool, str]:
    """(a user namespace can be created, how that was found out)."""
    bwrap, unshare = shutil.which("bwrap"), shutil.which("unshare")
    if bwrap:
        argv = [bwrap, "--ro-bind", "/", "/", "--unshare-user", "--uid", "65534", "--gid", "65534", "true"]
    elif unshare:
        argv = [unshare, "--user", "true"]
    else:
        try:
            limit = int(Path("/proc/sys/user/max_user_namespaces").read_text().strip())
        except (OSError, ValueError):
            return False, "no bwrap or unshare to try one, and /proc/sys/user/max_user_namespaces is unreadable"
        return limit > 0, f"user.max_user_namespaces = {limit} (not tried: no bwrap or unshare)"
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{os.path.basename(argv[0])} failed to start: {exc}"
    if proc.returncode == 0:
        return True, f"{os.path.basename(argv[0])} created one"
    err = proc.stderr.decode(errors="replace").strip().splitlines()
    return False, f"{os.path.basename(argv[0])}: {err[-1] if err else f'exit {proc.returncode}'}"


def cgroup_limits(root: Path = CGROUP_ROOT, self_cgroup: Path = Path("/proc/self/cgroup")) -> tuple[bool, str]:
    """(memory and process limits can be set on a cgroup of our own, which hierarchy)."""
    if (root / "cgroup.controllers").exists():  # cgroup v2
        try:
            own = next(ln[3:] for ln in self_cgroup.read_text().splitlines() if ln.startswith("0::"))
        except (OSError, StopIteration):
            return False, "cgroup v2, but this process's cgroup is unknown"
        base = root / own.lstrip("/")
        try:
            enabled = set((base / "cgroup.subtree_control").read_text().split())
        except OSError:
            enabled = set()
        missing = {"memory", "pids"} - enabled
        if not os.access(base, os.W_OK):
            return False, f"cgroup v2: {base} is not writable (not delegated to this user)"
        if missing:
            return False, f"cgroup v2: {base} does not enable {', '.join(sorted(missing))} for its children"
        return True, f"cgroup v2 ({base})"
    dirs = [root / "memory", root / "pids"]
    missing = [d.name for d in dirs if not (d.is_dir() and os.access(d, os.W_OK))]
    if missing:
        return False, f"cgroup v1: no writable {' or '.join(missing)} hierarchy under {root}"
    return True, "cgroup v1 (memory, pids)"
