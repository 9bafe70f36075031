"""Deleting, shredding, truncating and moving away: rm, rmdir, unlink, shred, truncate, mv, rsync --delete."""

from __future__ import annotations

from ccgpt.risk import paths as P
from ccgpt.risk.commands import option_value, short_flags
from ccgpt.risk.rules.files import write_target
from ccgpt.risk.rules.wipes import catastrophic
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

CRITICAL_FILE = rule("critical-file")
RECURSIVE_DELETE = rule("recursive-delete")
FORCED_DELETE = rule("forced-delete")
SYSTEM_WRITE = rule("system-write")
ERASE_TRACES = rule("erase-traces")
DELETE_FILES = rule("delete-files")
DISK_WRITE = rule("disk-write")
DESTROY_DATA = rule("destroy-data")
WRITE_FILES = rule("write-files")
NETWORK_SAVE = rule("network-save")


def rm(cmd: Cmd, ctx: Context) -> None:
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
            ctx.add(CRITICAL_FILE, cmd.span, f"deletes {p}")
            done = True
        elif recursive or forced or P.has_glob(op) or op == P.DYNAMIC:
            done = catastrophic(cmd, ctx, op, verb) or done
    if done:
        return
    if recursive:
        kinds = {P.kind(op, cmd.cwd) for op in ops}
        if P.SYSTEM_SUB in kinds:
            ctx.add(RECURSIVE_DELETE, cmd.span, "recursive delete inside a system directory")
        else:
            ctx.add(RECURSIVE_DELETE, cmd.span)
    elif forced or any(P.has_glob(op) or op == P.DYNAMIC for op in ops):
        ctx.add(FORCED_DELETE, cmd.span)
    elif any(P.in_system(op, cmd.cwd) for op in ops):
        ctx.add(SYSTEM_WRITE, cmd.span, "deletes files in a system directory")
    elif any(P.resolve(op, cmd.cwd).startswith("~/.") and "history" in op for op in ops):
        ctx.add(ERASE_TRACES, cmd.span)
    else:
        ctx.add(DELETE_FILES, cmd.span)


def rmdir(cmd: Cmd, ctx: Context) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    if any(P.in_system(op, cmd.cwd) for op in ops):
        ctx.add(SYSTEM_WRITE, cmd.span, "removes a directory in a system location")
    else:
        ctx.add(DELETE_FILES, cmd.span)


def shred(cmd: Cmd, ctx: Context) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    for op in ops:
        if P.block_device(P.resolve(op)):
            ctx.add(DISK_WRITE, cmd.span, f"shreds the block device {op}")
            return
        if catastrophic(cmd, ctx, op, "shred of"):
            return
    ctx.add(DESTROY_DATA, cmd.span, "shred overwrites files beyond recovery")


def truncate(cmd: Cmd, ctx: Context) -> None:
    _, ops, _ = short_flags(cmd.argv)
    value_next = {"-s", "--size", "-r", "--reference"}
    argv = cmd.argv
    targets = [x for i, x in enumerate(argv[1:], 1) if not x.startswith("-") and argv[i - 1] not in value_next]
    if cmd.tree and any(catastrophic(cmd, ctx, op, "truncate of every file of") for op in targets):
        return  # `find ~ -type f -exec truncate -s 0 {} +`
    for op in targets:
        p = P.resolve(op, cmd.cwd)
        if p in P.CRITICAL_FILES:
            ctx.add(CRITICAL_FILE, cmd.span, f"truncates {p}")
            return
        if p.startswith("/var/log/") or "history" in p:
            ctx.add(ERASE_TRACES, cmd.span)
            return
    ctx.add(DESTROY_DATA, cmd.span, "truncate cuts files to a given size, losing their contents")


def mv(cmd: Cmd, ctx: Context) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    target = option_value(cmd.argv, "-t", "--target-directory")
    if target is None and len(ops) < 2 or not ops:
        ctx.add(WRITE_FILES, cmd.span)
        return
    *sources, dest = ops
    if target is not None:
        dest, sources = target, ops
    for s in sources:
        if catastrophic(cmd, ctx, s, "moves away"):
            return
        p = P.resolve(s, cmd.cwd)
        if p in P.CRITICAL_FILES:
            ctx.add(CRITICAL_FILE, cmd.span, f"moves {p} away, which removes it as `rm` would")
            return
        if P.kind(s, cmd.cwd) == P.SYSTEM_SUB:
            ctx.add(SYSTEM_WRITE, cmd.span, f"moves {s} out of a system directory")
            return
    copy_like(cmd, ctx, dest, flags, sources)


def copy_like(cmd: Cmd, ctx: Context, dest: str, flags, sources: list[str] | None = None) -> None:
    """cp/mv/install/ln destination."""
    if dest == "/dev/null" and cmd.argv[0] == "mv":
        ctx.add(FORCED_DELETE, cmd.span, "moving to /dev/null destroys the source")
        return
    no_clobber = bool(flags & {"-n", "--no-clobber", "--update"})
    if no_clobber and P.outside_workdir(dest, cmd.cwd) and not P.in_system(dest, cmd.cwd):
        ctx.add(WRITE_FILES, cmd.span)
        return
    probe = ctx.probe
    if sources and probe is not None and P.outside_workdir(dest, cmd.cwd) and probe.is_dir(P.resolve(dest, cmd.cwd)):
        # Into an existing directory: what is written is DIR/NAME for each source.
        for s in sources:
            name = s.rstrip("/").rsplit("/", 1)[-1]
            write_target(cmd, ctx, dest.rstrip("/") + "/" + name, cmd.span)
        return
    write_target(cmd, ctx, dest, cmd.span)


def rsync(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.dryrun import dry_run

    flags, ops, _ = short_flags(cmd.argv)
    if dry_run("rsync", flags):
        return  # rsync -n lists what it would do and changes nothing (remote shells aside: gtfo.py)
    if "--remove-source-files" in flags and len(ops) > 1:
        for src in ops[:-1]:  # `rsync -a --remove-source-files ~/ /tmp/h/` moves home away
            if ":" not in src.split("/", 1)[0] and catastrophic(cmd, ctx, src, "rsync --remove-source-files moves away"):
                return
    deleting = any(f.startswith("--delete") or f in ("--remove-source-files",) for f in flags)
    if deleting and ops:
        dest = ops[-1]
        if ":" not in dest.split("/", 1)[0] and catastrophic(cmd, ctx, dest, "rsync --delete onto"):
            return
        ctx.add(RECURSIVE_DELETE, cmd.span, "rsync --delete removes files in the destination")
        return
    remote = [o for o in ops if ":" in o.split("/", 1)[0]]
    if remote:
        ctx.add(NETWORK_SAVE, cmd.span, "rsync copies files over the network")
    if len(ops) >= 2 and ops[-1] not in remote:
        write_target(cmd, ctx, ops[-1], cmd.span)  # the local destination: `rsync -a x/ /etc/`


PROGRAMS = {"rm": [rm], "srm": [rm], "rmdir": [rmdir], "unlink": [rm], "shred": [shred],
            "wipe": [shred], "truncate": [truncate], "mv": [mv], "rsync": [rsync]}
GENERIC: list = []
