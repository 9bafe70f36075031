"""What the sandbox can enforce on this machine, for `ccgpt audit` and the docs.

`capabilities()` is cheap (one bwrap start of a few milliseconds, one cgroup created and removed)
and never raises.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxCapabilities:
    bwrap: str | None  # path of bwrap, None when not installed
    bwrap_works: bool  # our full sandbox could be built here
    bwrap_reason: str  # why not, when it could not
    user_namespaces: bool  # an unprivileged-style user namespace can be created
    runs_as_root: bool  # ccgpt itself runs as root
    host_uid: int  # the uid a sandboxed command would have on the host, from this directory
    host_uid_reason: str  # why (as root: whether it could drop to the directory's owner)
    cgroup: str | None  # "cgroup v1 (memory+pids)", "cgroup v2 (...)", or None (rlimits only)
    seccomp: bool  # a seccomp filter is available for this architecture

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def capabilities(cwd: str | None = None) -> SandboxCapabilities:
    from ccgpt.run import cgroups, identity, seccomp
    from ccgpt.run.backends import bwrap

    here = os.path.realpath(cwd or os.getcwd())
    path = bwrap.find_bwrap()
    works, why = bwrap.probe(path) if path else (False, "bubblewrap (bwrap) is not installed")
    who = identity.for_workdir(here)
    uid = who.uid if who is not None else os.geteuid()
    reason = who.reason if who is not None else "ccgpt does not run as root: the sandbox has your uid"
    try:
        group = cgroups.available()
    except OSError:
        group = None
    return SandboxCapabilities(
        bwrap=path, bwrap_works=works, bwrap_reason=why, user_namespaces=_user_namespaces(path),
        runs_as_root=os.geteuid() == 0, host_uid=uid, host_uid_reason=reason, cgroup=group,
        seccomp=seccomp.program() is not None,
    )


def _user_namespaces(bwrap: str | None) -> bool:
    if not bwrap:
        return False
    try:
        r = subprocess.run([bwrap, "--unshare-user", "--ro-bind", "/", "/", "true"], capture_output=True,
                           timeout=5, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0
