"""Block devices and filesystems: dd, mkfs*, wipefs, partitioners, blkdiscard, mkswap, cryptsetup."""

from __future__ import annotations

from ccgpt.shell import paths as P
from ccgpt.shell.commands import short_flags
from ccgpt.shell.rules.files import write_target


def dd(cmd, a) -> None:
    for arg in cmd.argv[1:]:
        if arg.startswith("of="):
            write_target(cmd, a, arg[3:], cmd.span)
            return


def mkfs(cmd, a) -> None:
    a.add("disk-format", cmd.span, f"{cmd.argv[0]} creates a new filesystem, erasing what was there")


def wipefs(cmd, a) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    # Without -a or -o, wipefs only lists signatures; -n makes any erase a dry run.
    if ops and flags & {"-a", "--all", "-o", "--offset"} and not flags & {"-n", "--no-act"}:
        a.add("disk-format", cmd.span, "wipefs erases filesystem signatures")


def partitioner(cmd, a) -> None:
    argv = cmd.argv
    prog = argv[0]
    args = set(argv[1:])
    readonly = {"fdisk": {"-l", "--list", "-V"}, "sfdisk": {"-l", "--list", "-d", "--dump", "-V", "--verify", "-s", "--show-size"},
                "sgdisk": {"-p", "--print", "-i", "-v", "--verify", "-L", "--list-types", "-O", "--print-mbr"},
                "gdisk": {"-l"}, "cfdisk": set(), "parted": {"-l", "--list", "print"}}.get(prog, set())
    if args and all(x in readonly or not x.startswith("-") and x.startswith("/dev/") or x in ("-s", "--script") for x in args) and args & readonly:
        return
    if prog == "parted" and argv[-1:] == ["print"]:
        return
    a.add("disk-format", cmd.span, f"{prog} rewrites a partition table")


def blkdiscard(cmd, a) -> None:
    a.add("disk-format", cmd.span, "discards every block of a device")


def mkswap(cmd, a) -> None:
    _, ops, _ = short_flags(cmd.argv)
    if any(P.block_device(o) for o in ops):
        a.add("disk-format", cmd.span, "mkswap on a device erases it")
    else:
        a.add("write-files", cmd.span, "formats a swap file")


def cryptsetup(cmd, a) -> None:
    if any(x in ("luksFormat", "erase", "luksErase", "reencrypt", "luksKillSlot") for x in cmd.argv[1:]):
        a.add("disk-format", cmd.span, "cryptsetup formats or erases an encrypted device")
    elif any(x in ("status", "luksDump", "isLuks", "--version", "--help") for x in cmd.argv[1:]):
        return
    else:
        a.add("system-change", cmd.span, "changes encrypted devices")


def mount(cmd, a) -> None:
    _, ops, _ = short_flags(cmd.argv)
    if ops or len(cmd.argv) > 1 and cmd.argv[0] != "mount":
        a.add("system-change", cmd.span, f"{cmd.argv[0]} changes mounted filesystems")


PROGRAMS = {"dd": [dd], "mkfs": [mkfs], "mke2fs": [mkfs], "mkdosfs": [mkfs], "mkntfs": [mkfs], "newfs": [mkfs],
            "wipefs": [wipefs], "fdisk": [partitioner], "sfdisk": [partitioner], "sgdisk": [partitioner],
            "gdisk": [partitioner], "cfdisk": [partitioner], "parted": [partitioner], "blkdiscard": [blkdiscard],
            "mkswap": [mkswap], "cryptsetup": [cryptsetup], "mount": [mount], "umount": [mount],
            "swapoff": [mount], "losetup": [mount]}
GENERIC: list = []
