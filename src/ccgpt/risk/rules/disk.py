"""Block devices and filesystems: dd, mkfs*, wipefs, partitioners, blkdiscard, mkswap, cryptsetup,
and firmware or block-by-block erasers (hdparm, nvme, badblocks, sg_format)."""

from __future__ import annotations

from ccgpt.risk import paths as P
from ccgpt.risk.commands import short_flags
from ccgpt.risk.rules.files import write_target
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

DISK_FORMAT = rule("disk-format")
SYSTEM_CHANGE = rule("system-change")
DISK_WRITE = rule("disk-write")
WRITE_FILES = rule("write-files")
DESTROY_DATA = rule("destroy-data")



def dd(cmd: Cmd, ctx: Context) -> None:
    for arg in cmd.argv[1:]:
        if arg.startswith("of="):
            if arg[3:].rstrip("/") == "/dev":  # `of=/dev/$DISK`: whatever the name, a device
                ctx.add(DISK_WRITE, cmd.span, "writes to a device whose name is computed at run time")
                return
            write_target(cmd, ctx, arg[3:] or P.DYNAMIC, cmd.span)  # `of=$DEV`: not known here
            return


# Volume managers: the subcommands (or programs) that destroy pools, datasets and volumes.
_STORAGE_DESTROY = {"zpool": {"destroy", "labelclear", "split"}, "zfs": {"destroy", "rollback"},
                    "lvremove": None, "vgremove": None, "pvremove": None, "lvreduce": None, "btrfs": {"delete"}}
# Device writers: what each one erases (None: every device operand).
_DEVICE_FORMAT = {"diskutil": {"eraseDisk", "eraseVolume", "zeroDisk", "randomDisk", "secureErase", "partitionDisk",
                               "reformat", "deleteContainer", "eraseCD"},
                  "mdadm": {"--zero-superblock", "--create", "-C"}, "pvcreate": None, "flashrom": {"-w", "--write", "-E", "--erase"}}


def storage_tool(cmd: Cmd, ctx: Context) -> None:
    """ZFS, LVM, btrfs, diskutil, mdadm, flashrom; ddrescue and scrub write the devices they are given."""
    prog, args = cmd.argv[0], cmd.argv[1:]
    if prog == "ddrescue":
        ops = [a for a in args if not a.startswith("-")]
        if len(ops) >= 2:
            write_target(cmd, ctx, ops[1], cmd.span)  # infile outfile [mapfile]: outfile is written
        return
    if prog == "scrub":
        for op in (a for a in args if not a.startswith("-")):
            if P.block_device(op):
                ctx.add(DISK_WRITE, cmd.span, "scrub overwrites the device with patterns")
                return
            write_target(cmd, ctx, op, cmd.span)
        return
    if prog in _DEVICE_FORMAT:
        what = _DEVICE_FORMAT[prog]
        if (what is None and any(P.block_device(a) for a in args)) or (what is not None and set(args) & what):
            ctx.add(DISK_FORMAT, cmd.span, f"{prog} erases or rewrites a disk, volume or firmware")
        elif args and args[0] not in ("list", "info", "--detail", "-D", "--examine", "-E", "--query", "-Q", "--help", "-L"):
            ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes disks or volumes")
        return
    what = _STORAGE_DESTROY.get(prog)
    if what is None and args or what is not None and set(args) & what:
        ctx.add(DESTROY_DATA, cmd.span, f"{prog} destroys a storage pool, dataset or volume and its data")
    elif args and args[0] not in ("list", "status", "get", "iostat", "history", "show", "--help"):
        ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes storage volumes")


def mkfs(cmd: Cmd, ctx: Context) -> None:
    ctx.add(DISK_FORMAT, cmd.span, f"{cmd.argv[0]} creates a new filesystem, erasing what was there")


def wipefs(cmd: Cmd, ctx: Context) -> None:
    flags, ops, _ = short_flags(cmd.argv)
    # Without -a or -o, wipefs only lists signatures; -n makes any erase a dry run.
    if ops and flags & {"-a", "--all", "-o", "--offset"} and not flags & {"-n", "--no-act"}:
        ctx.add(DISK_FORMAT, cmd.span, "wipefs erases filesystem signatures")


def partitioner(cmd: Cmd, ctx: Context) -> None:
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
    ctx.add(DISK_FORMAT, cmd.span, f"{prog} rewrites a partition table")


def blkdiscard(cmd: Cmd, ctx: Context) -> None:
    ctx.add(DISK_FORMAT, cmd.span, "discards every block of a device")


def erase_tool(cmd: Cmd, ctx: Context) -> None:
    """Tools that erase a disk from its firmware or block by block: hdparm's ATA secure erase,
    nvme format/sanitize, badblocks -w, sg_format --format, blkzone reset."""
    argv = cmd.argv
    prog = argv[0]
    args = argv[1:]
    flags, ops, _ = short_flags(argv)
    what = None
    if prog == "hdparm":
        if any(x.startswith(("--security-erase", "--trim-sector-ranges", "--write-sector", "--fwdownload",
                             "--make-bad-sector", "--dco-restore", "--dco-setmax")) for x in args) or "-N" in flags:
            what = "hdparm erases, rewrites or resizes the disk itself"
    elif prog == "nvme":
        if ops[:1] and ops[0] in ("format", "sanitize", "write-zeroes", "write", "dsm", "ns-delete", "delete-ns",
                                  "fw-download", "fw-commit", "fw-activate"):
            what = f"nvme {ops[0]} erases or rewrites the drive"
    elif prog == "badblocks":
        if flags & {"-w"} or any(x.startswith("-") and not x.startswith("--") and "w" in x for x in args):
            what = "badblocks -w overwrites every block with test patterns"
        elif flags & {"-n"}:
            ctx.add(SYSTEM_CHANGE, cmd.span, "badblocks -n rewrites every block (restoring it afterwards)")
            return
    elif prog in ("sg_format", "sg_sanitize"):
        if prog == "sg_sanitize" or flags & {"-F", "--format"} or any(x.startswith("--format") for x in args):
            what = f"{prog} low-level formats the disk"
    elif prog == "blkzone":
        if ops[:1] and ops[0] in ("reset", "finish"):
            what = f"blkzone {ops[0]} discards zone data"
    if what:
        ctx.add(DISK_WRITE, cmd.span, what)
        return
    # What is left only reads: identify, SMART logs, a read-only surface scan, a zone report.
    if prog == "hdparm" and flags - _HDPARM_READ:
        ctx.add(SYSTEM_CHANGE, cmd.span, "hdparm changes disk settings")
    elif prog == "nvme" and ops[:1] and ops[0] not in _NVME_READ:
        ctx.add(SYSTEM_CHANGE, cmd.span, f"nvme {ops[0]} changes the drive")


_HDPARM_READ = frozenset("-I -i -t -T -g -C -H -v -r -a -A -B -M -Q -W -z --direct --verbose --help -h -V".split()) - {"-z"}
_NVME_READ = frozenset("list list-subsys list-ns list-ctrl id-ctrl id-ns id-ns-desc id-nvmset smart-log error-log "
                       "fw-log effects-log get-log get-feature show-regs version help show-topology".split())


def mkswap(cmd: Cmd, ctx: Context) -> None:
    _, ops, _ = short_flags(cmd.argv)
    if any(P.block_device(o) for o in ops):
        ctx.add(DISK_FORMAT, cmd.span, "mkswap on a device erases it")
    else:
        ctx.add(WRITE_FILES, cmd.span, "formats a swap file")


def cryptsetup(cmd: Cmd, ctx: Context) -> None:
    if any(x in ("luksFormat", "erase", "luksErase", "reencrypt", "luksKillSlot") for x in cmd.argv[1:]):
        ctx.add(DISK_FORMAT, cmd.span, "cryptsetup formats or erases an encrypted device")
    elif any(x in ("status", "luksDump", "isLuks", "--version", "--help") for x in cmd.argv[1:]):
        return
    else:
        ctx.add(SYSTEM_CHANGE, cmd.span, "changes encrypted devices")


def mount(cmd: Cmd, ctx: Context) -> None:
    _, ops, _ = short_flags(cmd.argv)
    if ops or len(cmd.argv) > 1 and cmd.argv[0] != "mount":
        ctx.add(SYSTEM_CHANGE, cmd.span, f"{cmd.argv[0]} changes mounted filesystems")


PROGRAMS = {"dd": [dd], "mkfs": [mkfs], "mke2fs": [mkfs], "mkdosfs": [mkfs], "mkntfs": [mkfs], "newfs": [mkfs],
            "wipefs": [wipefs], "fdisk": [partitioner], "sfdisk": [partitioner], "sgdisk": [partitioner],
            "gdisk": [partitioner], "cfdisk": [partitioner], "parted": [partitioner], "blkdiscard": [blkdiscard],
            "mkswap": [mkswap], "cryptsetup": [cryptsetup], "mount": [mount], "umount": [mount],
            "swapoff": [mount], "losetup": [mount],
            **{p: [erase_tool] for p in ("hdparm", "nvme", "badblocks", "sg_format", "sg_sanitize", "blkzone")},
            **{p: [storage_tool] for p in ("ddrescue", "scrub", *_DEVICE_FORMAT, *_STORAGE_DESTROY)}}
GENERIC: list = []
PREFIXES = {"mkfs": [mkfs]}
