"""Who the sandboxed command is on the host: never root when it can be helped.

bubblewrap started by root maps uid 0 inside to uid 0 outside: a command that has lost every
capability is still host root for every check the kernel makes by uid (writable /proc/sys
entries, files owned by root in a writable mount, root-owned sockets). So when ccgpt runs as
root, the sandbox is started as an unprivileged user instead, in its own user namespace:

- the owner of the working directory, when that is not root and can reach it (root working in
  alice's project acts as alice there: her files stay writable, nothing else is);
- for a working directory owned by root: `ccgpt.run.idmap`'s uid, which owns no account and no
  file on the host, with the working directory given through an idmapped mount in which root's
  files are its own (what it creates there is stored as root); `Identity.idmapped` says so;
- only when that cannot be had (a kernel or filesystem that refuses idmapped mounts, another
  architecture) does the command stay uid 0,
  *without any capability*, with /proc/sys, /sys and /dev read-only and the seccomp filter;
  `Identity.host_root` says so, the reason says why, the run's detail records it and
  `ccgpt.run.probe` reports it for `ccgpt audit`.
"""

from __future__ import annotations

import os
import pwd
import stat
from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    uid: int
    gid: int
    groups: tuple[int, ...] = ()
    reason: str = ""
    idmapped: bool = False  # the working directory reaches it through `ccgpt.run.idmap`'s mount

    @property
    def host_root(self) -> bool:
        return self.uid == 0


def for_workdir(cwd: str, *, euid: int | None = None) -> Identity | None:
    """The identity to drop to, or None to run as ourselves (we are not root)."""
    euid = os.geteuid() if euid is None else euid
    if euid != 0:
        return None
    try:
        st = os.stat(cwd)
    except OSError:
        return Identity(0, 0, reason="the working directory cannot be read")
    if st.st_uid == 0:
        return _for_root_owned(cwd)
    try:
        entry = pwd.getpwuid(st.st_uid)
        gid, groups = entry.pw_gid, tuple(os.getgrouplist(entry.pw_name, entry.pw_gid))
    except KeyError:
        gid, groups = st.st_gid, (st.st_gid,)
    if not can_reach(cwd, st.st_uid, set(groups)):
        return Identity(0, 0, reason=f"uid {st.st_uid}, the working directory's owner, cannot reach it")
    return Identity(st.st_uid, gid, groups, reason=f"the working directory's owner (uid {st.st_uid})")


def _for_root_owned(cwd: str) -> Identity:
    """The idmapped uid where the kernel gives us the mount (tried now), else uid 0 and why not."""
    from ccgpt.run import idmap

    # No reachability test: bwrap binds the directory from the mount's own place (`idmap.SOURCE`).
    why = idmap.available(cwd)
    if why:
        return Identity(0, 0, reason=f"the working directory belongs to root and cannot be idmapped: {why}")
    return Identity(idmap.UID, idmap.GID, (), idmapped=True,
                    reason=f"idmapped working directory: root's files there are uid {idmap.UID}'s, "
                           "and that uid owns nothing else on the host")


def can_reach(path: str, uid: int, groups: set[int], *, mapped_from: str | None = None) -> bool:
    """Whether `uid` may search every directory on the way to `path` (by mode bits).

    mapped_from: the idmapped working directory, when `path` lies inside it: the sandbox gets
    there by its own bind mount, so only the directories from it down count, seen as the
    mapping shows them (what root owns on disk is `uid`'s and group 0's is its group)."""
    parts = os.path.realpath(path).split("/")
    for i in range(1, len(parts)):
        here = "/".join(parts[:i]) or "/"
        mapped = mapped_from is not None and (here + "/").startswith(mapped_from.rstrip("/") + "/")
        if mapped_from is not None and not mapped:
            continue
        if not searchable(here, uid, groups, root_is_uid=mapped):
            return False
    return True


def searchable(directory: str, uid: int, groups: set[int], *, root_is_uid: bool = False) -> bool:
    """Whether `uid` (in `groups`) may search `directory`, by its mode bits."""
    try:
        st = os.stat(directory)
    except OSError:
        return False
    # Through the mapping only on-disk 0 is anyone: it shows as uid, and group 0 as uid's group.
    owner = (uid if st.st_uid == 0 else -1) if root_is_uid else st.st_uid
    in_group = st.st_gid == 0 if root_is_uid else st.st_gid in groups
    if owner == uid:
        bit = stat.S_IXUSR
    elif in_group:
        bit = stat.S_IXGRP
    else:
        bit = stat.S_IXOTH
    return bool(st.st_mode & bit)


def drop(identity: Identity | None) -> None:
    """In the child, before exec: become `identity` for good (groups first, uid last)."""
    if identity is None or identity.host_root:
        return
    os.setgroups(list(identity.groups))
    os.setgid(identity.gid)
    os.setuid(identity.uid)
