"""What the kernel lets a sandbox do here: a user namespace (so root is not host root inside),
and a writable cgroup (so memory and process limits bound the whole command, not each process).

Probed for real, each in a few milliseconds: a user namespace is created with bwrap
(`--unshare-user`) or util-linux `unshare --user`; a cgroup is usable when the v2 cgroup of this
process (delegated to us) or the v1 `memory` and `pids` hierarchies are writable — asked of
the sandbox itself (`ccgpt.run.cgroups`), so the finding says what `ccgpt run` will do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

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


def cgroup_limits() -> tuple[bool, str]:
    """(the sandbox bounds a whole run's memory and processes with a cgroup, which one): asked of
    the sandbox itself (`ccgpt.run.cgroups`), so the audit reports what `ccgpt run` will do."""
    from ccgpt.run.cgroups import available

    try:
        kind = available()
    except OSError as exc:
        return False, f"creating a cgroup failed: {exc}"
    if kind is None:
        why = ("no cgroup is delegated to this user (run ccgpt as root, or in a cgroup delegated to you, "
               "such as a systemd user service with Delegate=yes)" if os.geteuid() != 0
               else "no writable memory and pids cgroup")
        return False, why
    return True, kind
