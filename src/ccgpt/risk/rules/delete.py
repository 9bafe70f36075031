"""Deleting, shredding, truncating and moving away: rm, rmdir, unlink, shred, truncate, mv, rsync --delete."""

from __future__ import annotations

from ccgpt.risk import paths as P
from ccgpt.risk.commands import option_value, short_flags
from ccgpt.risk.rules.files import write_target

_WIPE = {P.ROOT: "wipe-root", P.HOME: "wipe-home", P.SYSTEM: "wipe-system"}
_WHAT = {P.ROOT: "the root filesystem", P.HOME: "the home directory", P.SYSTEM: "a system directory"}


def _catastrophic(cmd, a, path: str, verb: str) -> bool:
    k = P.kind(path, cmd.cwd)
    rule = _WIPE.get(k)
    if rule is None and k == P.CWD_ALL and cmd.cwd in ("/", "~"):
        rule = "wipe-root" if cmd.cwd == "/" else "wipe-home"
        k = P.ROOT if cmd.cwd == "/" else P.HOME
    if rule is None:
        return False
    a.add(rule, cmd.span, f"{verb} {_WHAT[k]} ({path})")
    return True


def rm(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    recursive = cmd.tree or bool(flags & {"-r", "-R", "--recursive"})
    forced = bool(flags & {"-f", "--force"})
    verb = "recursive delete of" if recursive else "delete of"
    if not ops:
        return
    done = False
    for op in ops:
        p = P.resolve(op, cmd.cwd)
        if p in P.CRITICAL_FILES or p.startswith("/boot/vmlinuz") or p.startswith("/boot/initrd"):
            a.add("critical-file", cmd.span, f"deletes {p}")
            done = True
        elif recursive or forced or P.has_glob(op) or op == P.DYNAMIC:
            done = _catastrophic(cmd, a, op, verb) or done
    if done:
        return
    if recursive:
        kinds = {P.kind(op, cmd.cwd) for op in ops}
        if P.SYSTEM_SUB in kinds:
            a.add("recursive-delete", cmd.span, "recursive delete inside a system directory")
        else:
            a.add("recursive-delete", cmd.span)
    elif forced or any(P.has_glob(op) or op == P.DYNAMIC for op in ops):
        a.add("forced-delete", cmd.span)
    elif any(P.in_system(op, cmd.cwd) for op in ops):
        a.add("system-write", cmd.span, "deletes files in a system directory")
    elif any(P.resolve(op, cmd.cwd).startswith("~/.") and "history" in op for op in ops):
        a.add("erase-traces", cmd.span)
    else:
        a.add("delete-files", cmd.span)


def rmdir(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    if any(P.in_system(op, cmd.cwd) for op in ops):
        a.add("system-write", cmd.span, "removes a directory in a system location")
    else:
        a.add("delete-files", cmd.span)


def shred(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    for op in ops:
        if P.block_device(P.resolve(op)):
            a.add("disk-write", cmd.span, f"shreds the block device {op}")
            return
        if _catastrophic(cmd, a, op, "shred of"):
            return
    a.add("destroy-data", cmd.span, "shred overwrites files beyond recovery")


def truncate(cmd, a) -> None:
    _, ops, _ = short_flags(cmd.argv)
    value_next = {"-s", "--size", "-r", "--reference"}
    argv = cmd.argv
    targets = [x for i, x in enumerate(argv[1:], 1) if not x.startswith("-") and argv[i - 1] not in value_next]
    for op in targets:
        p = P.resolve(op, cmd.cwd)
        if p in P.CRITICAL_FILES:
            a.add("critical-file", cmd.span, f"truncates {p}")
            return
        if p.startswith("/var/log/") or "history" in p:
            a.add("erase-traces", cmd.span)
            return
    a.add("destroy-data", cmd.span, "truncate cuts files to a given size, losing their contents")


def mv(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    target = option_value(cmd.argv, "-t", "--target-directory")
    if target is None and len(ops) < 2 or not ops:
        a.add("write-files", cmd.span)
        return
    *sources, dest = ops
    if target is not None:
        dest, sources = target, ops
    for s in sources:
        if _catastrophic(cmd, a, s, "moves away"):
            return
        if P.kind(s, cmd.cwd) == P.SYSTEM_SUB:
            a.add("system-write", cmd.span, f"moves {s} out of a system directory")
            return
    copy_like(cmd, a, dest, flags)


def copy_like(cmd, a, dest: str, flags) -> None:
    """cp/mv/install/ln destination."""
    if dest == "/dev/null" and cmd.argv[0] == "mv":
        a.add("forced-delete", cmd.span, "moving to /dev/null destroys the source")
        return
    no_clobber = bool(flags & {"-n", "--no-clobber", "--update"})
    if no_clobber and P.outside_workdir(dest, cmd.cwd) and not P.in_system(dest, cmd.cwd):
        a.add("write-files", cmd.span)
        return
    write_target(cmd, a, dest, cmd.span)


def rsync(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    deleting = any(f.startswith("--delete") or f in ("--remove-source-files",) for f in flags)
    if deleting and ops:
        dest = ops[-1]
        if ":" not in dest.split("/", 1)[0] and _catastrophic(cmd, a, dest, "rsync --delete onto"):
            return
        a.add("recursive-delete", cmd.span, "rsync --delete removes files in the destination")
        return
    remote = [o for o in ops if ":" in o.split("/", 1)[0]]
    if remote:
        a.add("network-save", cmd.span, "rsync copies files over the network")
    if len(ops) >= 2 and ops[-1] not in remote:
        write_target(cmd, a, ops[-1], cmd.span)  # the local destination: `rsync -a x/ /etc/`


PROGRAMS = {"rm": [rm], "srm": [rm], "rmdir": [rmdir], "unlink": [rmdir], "shred": [shred],
            "wipe": [shred], "truncate": [truncate], "mv": [mv], "rsync": [rsync]}
GENERIC: list = []
