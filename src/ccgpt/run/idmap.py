"""A root-owned working directory, writable by an unprivileged uid: an idmapped mount.

When ccgpt runs as root in a directory owned by root, no ordinary uid could write it. Instead
of leaving the command host root, the directory is mounted for it through an idmapped mount
(Linux >= 5.12) whose mapping shows on-disk uid/gid 0 as `UID`/`GID`: inside that mount the
command's files are its own, what it creates is stored as root on disk, and everywhere else on
the host it is a stranger with no account, no files and no groups.

The steps, split so that everything that can be refused happens before the launch:
- `prepare(path)` in ccgpt itself: a user namespace whose uid_map/gid_map say "0 -> UID" (held by
  a short-lived helper process that unshared CLONE_NEWUSER), a detached clone of `path`
  (open_tree OPEN_TREE_CLONE, never attached to our own mount namespace), idmapped with
  mount_setattr MOUNT_ATTR_IDMAP. Returns the mount's fd, or raises Refused with why.
- `attach(fd)` in the child, between fork and exec, still root: a mount namespace of its own, /
  made private (so nothing propagates back to the host), and the idmapped clone moved onto
  `SOURCE` (/tmp, in that namespace only). The child then drops to UID and starts bwrap, which
  binds `SOURCE` at the working directory's path (and every protected path below it from there).

Why onto /tmp and not over the working directory itself: bwrap, running as UID, resolves each
bind source by its path, so a working directory under a parent UID cannot search (/root, 0700;
pytest's /tmp/pytest-of-root) would be out of its reach; /tmp is searchable by everyone, and the
sandbox covers its own /tmp with a private tmpfs anyway, so the clone there is seen only as the
bind source. (bwrap's `--bind-fd` does not help: it resolves the fd back to the same path.)

Why this uid: 2147479552 (0x7FFFF000) lies in systemd's unused range above the foreign-uid range
(2147418112…2147483647, see systemd's UIDS-GIDS.md), below 2**31 (tools that store uids in a
signed int still work), outside container ranges and the usual /etc/subuid allocations. It is
refused when this machine does give it to someone (passwd or a subordinate-id range).
"""

from __future__ import annotations

import ctypes
import os
import pwd
import subprocess

UID = GID = 0x7FFFF000
SOURCE = "/tmp"  # where the child's namespace holds the clone for bwrap to bind from

# Since Linux 5.1 new system calls have one number on every architecture but alpha.
SYSCALLS = {"x86_64": {"open_tree": 428, "move_mount": 429, "mount_setattr": 442},
            "aarch64": {"open_tree": 428, "move_mount": 429, "mount_setattr": 442}}
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC = 1, os.O_CLOEXEC
AT_FDCWD, AT_EMPTY_PATH, AT_RECURSIVE = -100, 0x1000, 0x8000
MOUNT_ATTR_IDMAP = 0x00100000
MOVE_MOUNT_F_EMPTY_PATH = 0x4
CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
MS_REC, MS_PRIVATE = 0x4000, 0x40000


class Refused(OSError):
    """An idmapped working directory cannot be had here; the message says why. An OSError, so a
    refusal at launch is reported like any other failure to start the sandbox."""


class _MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


_libc = None


def _syscall(name: str, *args) -> int:
    global _libc
    numbers = SYSCALLS[os.uname().machine]  # prepare() refused other machines
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    result = _libc.syscall(ctypes.c_long(numbers[name]), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")
    return result


def unused_here() -> str | None:
    """Why UID cannot be used on this machine, or None when no account or id range has it."""
    try:
        return f"uid {UID} belongs to {pwd.getpwuid(UID).pw_name}"
    except KeyError:
        pass
    for table in ("/etc/subuid", "/etc/subgid"):
        try:
            with open(table) as f:
                lines = f.read().splitlines()
        except OSError:
            continue
        for line in lines:
            parts = line.split(":")
            if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                if int(parts[1]) <= UID < int(parts[1]) + int(parts[2]):
                    return f"uid {UID} is in {parts[0]}'s range in {table}"
    return None


def prepare(path: str) -> int:
    """A detached, idmapped clone of `path` (on-disk 0 shown as UID/GID), as an fd; or Refused."""
    if os.uname().machine not in SYSCALLS:
        raise Refused(f"no idmapped mounts on {os.uname().machine} (known: {', '.join(SYSCALLS)})")
    why = unused_here()
    if why:
        raise Refused(why)
    userns = _mapped_userns()
    try:
        tree = _syscall("open_tree", AT_FDCWD, os.fsencode(path), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
    except OSError as exc:
        os.close(userns)
        raise Refused(f"the working directory cannot be cloned ({exc.strerror})") from None
    attr = _MountAttr(attr_set=MOUNT_ATTR_IDMAP, userns_fd=userns)
    try:
        _syscall("mount_setattr", tree, b"", AT_EMPTY_PATH | AT_RECURSIVE, ctypes.byref(attr),
                 ctypes.c_size_t(ctypes.sizeof(attr)))
    except OSError as exc:
        os.close(tree)
        raise Refused(f"its filesystem refuses an idmapped mount ({exc.strerror})") from None
    finally:
        os.close(userns)  # the mount holds its own reference to the mapping
    return tree


def _mapped_userns() -> int:
    """An fd of a new user namespace mapping uid/gid 0 to UID/GID (nothing else)."""
    libc = ctypes.CDLL(None, use_errno=True)

    def enter() -> None:
        if libc.unshare(CLONE_NEWUSER) != 0:
            raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWUSER)")

    try:
        # `cat` blocks on its stdin until we close it: it only has to hold the namespace open.
        helper = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, preexec_fn=enter, close_fds=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise Refused(f"no user namespace for the mapping ({exc})") from None
    try:
        for name, target in (("uid_map", UID), ("gid_map", GID)):
            with open(f"/proc/{helper.pid}/{name}", "w") as f:
                f.write(f"0 {target} 1\n")
        return os.open(f"/proc/{helper.pid}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        raise Refused(f"the mapping could not be written ({exc.strerror})") from None
    finally:
        helper.kill()
        helper.stdin.close()  # type: ignore[union-attr]
        helper.wait()


def attach(tree: int) -> None:
    """In the child, as root, before exec: the idmapped clone onto SOURCE, in a mount namespace
    of the child's own. Raises OSError (the launch then fails: never a silent root run)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWNS)")
    if libc.mount(None, b"/", None, ctypes.c_ulong(MS_REC | MS_PRIVATE), None) != 0:
        raise OSError(ctypes.get_errno(), "making / private")
    _syscall("move_mount", tree, b"", AT_FDCWD, os.fsencode(SOURCE), MOVE_MOUNT_F_EMPTY_PATH)


def available(path: str) -> str | None:
    """Why `path` cannot be given through an idmapped mount here, or None when it can (tried)."""
    try:
        os.close(prepare(path))
    except Refused as exc:
        return str(exc)
    return None
