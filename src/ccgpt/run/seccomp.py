"""A seccomp filter for the sandboxed command, compiled here to classic BPF (no library needed).

bubblewrap installs it (`--seccomp FD`) right before it executes the command, after its own
set-up, with no_new_privs set. It is a deny list of what a shell command has no business doing
and what kernel exploits and sandbox escapes lean on:

- debugging and reading other processes: ptrace, process_vm_readv/writev, kcmp;
- mounts and new namespaces: mount, umount2, pivot_root, the new mount API (open_tree,
  move_mount, fsopen, fsconfig, fsmount, fspick, mount_setattr), unshare, setns, and clone()
  with a CLONE_NEW* flag (clone3 answers ENOSYS, so libc falls back to clone, which is checked);
- the kernel keyring (keyctl, add_key, request_key), bpf, perf_event_open, userfaultfd;
- modules, kexec, reboot, swap, acct, quotactl, the kernel log (syslog), open_by_handle_at;
- ioctl TIOCSTI and TIOCLINUX (pushing keystrokes into a terminal).

Denied calls fail with EPERM (ENOSYS for clone3), so programs see an ordinary error rather
than being killed. A syscall made through another ABI (x32, or 32-bit int 0x80 on x86-64) is
refused outright: its numbers differ and would slip past the list.
Supported on x86-64 and aarch64; elsewhere `program()` returns None and no filter is installed
(`ccgpt.run.probe` says so).
"""

from __future__ import annotations

import errno
import os
import platform
import struct

# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]
_NR, _ARCH, _ARG0, _ARG1 = 0, 4, 16, 24
_LD_ABS, _JEQ, _JSET, _RET = 0x20, 0x15, 0x45, 0x06
_JGE = 0x35
_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_X32_BIT = 0x40000000
_CLONE_NEW = 0x7E020000  # NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET
_TIOCSTI, _TIOCLINUX = 0x5412, 0x541C

_ARCHES = {
    "x86_64": (0xC000003E, {
        "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312,
        "mount": 165, "umount2": 166, "pivot_root": 155, "unshare": 272, "setns": 308,
        "keyctl": 250, "add_key": 248, "request_key": 249, "bpf": 321, "perf_event_open": 298,
        "userfaultfd": 323, "init_module": 175, "finit_module": 313, "delete_module": 176,
        "kexec_load": 246, "kexec_file_load": 320, "reboot": 169, "swapon": 167, "swapoff": 168,
        "acct": 163, "quotactl": 179, "syslog": 103, "open_by_handle_at": 304, "iopl": 172,
        "ioperm": 173,
    }, {"ioctl": 16, "clone": 56}),
    "aarch64": (0xC00000B7, {
        "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "kcmp": 272,
        "mount": 40, "umount2": 39, "pivot_root": 41, "unshare": 97, "setns": 268,
        "keyctl": 219, "add_key": 217, "request_key": 218, "bpf": 280, "perf_event_open": 241,
        "userfaultfd": 282, "init_module": 105, "finit_module": 273, "delete_module": 106,
        "kexec_load": 104, "kexec_file_load": 294, "reboot": 142, "swapon": 224, "swapoff": 225,
        "acct": 89, "quotactl": 60, "syslog": 116, "open_by_handle_at": 265,
    }, {"ioctl": 29, "clone": 220}),
}
# The same numbers on every architecture (the unified syscall table from 5.x on).
_COMMON = {"open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432,
           "fspick": 433, "mount_setattr": 442}
_CLONE3 = 435

DENIED = tuple(sorted(set(_ARCHES["x86_64"][1]) | set(_COMMON))) + ("clone3", "ioctl TIOCSTI", "ioctl TIOCLINUX",
                                                                    "clone with CLONE_NEW*")


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The compiled filter for this machine's architecture, or None when it is not supported."""
    arch = _ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, numbers, special = arch
    deny = sorted(set(numbers.values()) | set(_COMMON.values()))
    eperm, enosys = _ERRNO | errno.EPERM, _ERRNO | errno.ENOSYS
    # Layout: [arch check] [load nr] [x32 check] [one JEQ per denied nr] [clone3] [ioctl] [clone]
    #         [ALLOW] [EPERM] [ENOSYS] [ioctl request check] [clone flags check]
    body: list[tuple[int, int | str, int | str, int]] = [
        (_LD_ABS, 0, 0, _ARCH),
        (_JEQ, 1, 0, audit_arch),
        (_RET, 0, 0, eperm),
        (_LD_ABS, 0, 0, _NR),
        (_JGE, "eperm", 0, _X32_BIT),
    ]
    body += [(_JEQ, "eperm", 0, nr) for nr in deny]
    body += [(_JEQ, "enosys", 0, _CLONE3), (_JEQ, "ioctl", 0, special["ioctl"]), (_JEQ, "clone", 0, special["clone"])]
    labels: dict[str, int] = {}
    tail: list[tuple[int, int | str, int | str, int]] = [(_RET, 0, 0, _ALLOW)]
    labels["eperm"] = len(body) + len(tail)
    tail.append((_RET, 0, 0, eperm))
    labels["enosys"] = len(body) + len(tail)
    tail.append((_RET, 0, 0, enosys))
    labels["ioctl"] = len(body) + len(tail)
    # ioctl's request is an unsigned int in the kernel: its low 32 bits are all that count.
    # (BPF jumps only forward, so these blocks end in their own EPERM.)
    tail += [(_LD_ABS, 0, 0, _ARG1), (_JEQ, 2, 0, _TIOCSTI), (_JEQ, 1, 0, _TIOCLINUX),
             (_RET, 0, 0, _ALLOW), (_RET, 0, 0, eperm)]
    labels["clone"] = len(body) + len(tail)
    tail += [(_LD_ABS, 0, 0, _ARG0), (_JSET, 1, 0, _CLONE_NEW), (_RET, 0, 0, _ALLOW), (_RET, 0, 0, eperm)]
    out = bytearray()
    for index, (code, jt, jf, k) in enumerate(body + tail):
        out += _insn(code, _jump(jt, index, labels), _jump(jf, index, labels), k)
    return bytes(out)


def _jump(target: int | str, index: int, labels: dict[str, int]) -> int:
    if isinstance(target, int):
        return target
    offset = labels[target] - index - 1
    if not 0 <= offset <= 255:
        raise ValueError("seccomp jump out of range")  # cannot happen with this list's length
    return offset


def program_fd(machine: str | None = None) -> int | None:
    """A readable fd positioned at the start of the compiled filter (for bwrap --seccomp)."""
    data = program(machine)
    if data is None:
        return None
    fd = os.memfd_create("ccgpt-seccomp", 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd
