"""Small helpers about file modes and owners, shared by the permission checks."""

from __future__ import annotations

import os
import stat
from pathlib import Path


def mode_of(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return None


def owner_of(path: Path) -> int | None:
    try:
        return path.stat().st_uid
    except OSError:
        return None


def owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return str(uid)


def current_uid() -> int:
    return os.geteuid() if hasattr(os, "geteuid") else -1


def group_or_other_access(mode: int) -> bool:
    return bool(mode & 0o077)


def world_writable(mode: int) -> bool:
    return bool(mode & 0o002)


def world_writable_under(root: Path, limit: int = 5000) -> list[Path]:
    """Files and directories under `root` that anyone may write (symlinks are not followed)."""
    found: list[Path] = []
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            seen += 1
            if seen > limit:  # a data dir should be small; never let the audit crawl a disk
                return found
            p = Path(dirpath) / name
            try:
                st = p.lstat()
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                continue
            if world_writable(stat.S_IMODE(st.st_mode)):
                found.append(p)
    return found
