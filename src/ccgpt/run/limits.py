"""Resource limits for a sandboxed command: rlimits, a process-count cgroup, a wall clock.

Everything here is applied to the process that becomes the sandbox (bwrap, sudo or the plain
command) in `preexec`, between fork and exec, so the limits are inherited by everything the
command starts and cannot be raised again without privilege.

Two traps this module works around:
- RLIMIT_NPROC counts *all* processes of the real uid on the host, not those of the sandbox.
  A fixed 256 would refuse to fork at all for a person with a busy desktop, so the limit is
  "what the user runs now + max_processes".
- RLIMIT_NPROC does not bind uid 0 at all (the kernel exempts root's user). When ccgpt runs as
  root, a fork bomb is contained with a cgroup instead (`ccgpt.run.cgroups`), when one is writable.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from typing import Callable

from ccgpt.run.identity import Identity, drop

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    timeout: float = 60.0  # wall-clock seconds; 0 = none
    cpu_seconds: int = 60
    memory_mb: int = 2048  # address space (RLIMIT_AS)
    max_processes: int = 256
    max_file_mb: int = 512  # largest file the command may write (RLIMIT_FSIZE)
    max_open_files: int = 256
    output_limit_kb: int = 1024  # what is shown; the rest is drained and counted

    @classmethod
    def from_config(cls, section: dict, *, timeout: float | None = None) -> "Limits":
        d = cls()
        return cls(
            timeout=float(timeout) if timeout is not None else config_number(section, "timeout", d.timeout, float),
            cpu_seconds=int(config_number(section, "cpu_seconds", d.cpu_seconds)),
            memory_mb=int(config_number(section, "memory_mb", d.memory_mb)),
            max_processes=int(config_number(section, "max_processes", d.max_processes)),
            max_file_mb=int(config_number(section, "max_file_mb", d.max_file_mb)),
            max_open_files=int(config_number(section, "max_open_files", d.max_open_files)),
            output_limit_kb=int(config_number(section, "output_limit_kb", d.output_limit_kb)),
        )

    def as_dict(self) -> dict:
        return {
            "timeout": self.timeout,
            "cpu_seconds": self.cpu_seconds,
            "memory_mb": self.memory_mb,
            "max_processes": self.max_processes,
            "max_file_mb": self.max_file_mb,
            "max_open_files": self.max_open_files,
            "output_limit_kb": self.output_limit_kb,
        }


def config_number(section: dict, key: str, default: float, kind: type = int) -> float:
    """A non-negative number from the `[ccgpt.sandbox]` table, or one clear ConfigError."""
    from ccgpt.errors import ConfigError

    value = section.get(key, default)
    try:
        number = kind(value if value is not None else 0)
    except (TypeError, ValueError):
        raise ConfigError(f"[ccgpt.sandbox] {key} must be a number, not {value!r}") from None
    if number < 0:
        raise ConfigError(f"[ccgpt.sandbox] {key} must not be negative")
    return number


def count_user_processes(uid: int | None = None) -> int:
    """How many processes the real uid runs now (what RLIMIT_NPROC compares against)."""
    uid = os.getuid() if uid is None else uid
    count = 0
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0
    for name in names:
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += 1
            except OSError:
                pass  # it exited while we looked
    return count


def rlimit_pairs(limits: Limits, *, nproc_base: int = 0) -> list[tuple[int, int]]:
    """(resource, value) pairs; a value of 0 in the config means "no limit of ours"."""
    pairs = [(resource.RLIMIT_CORE, 0)]  # a core dump would write the command's memory into cwd
    if limits.cpu_seconds:
        pairs.append((resource.RLIMIT_CPU, limits.cpu_seconds))
    if limits.memory_mb:
        pairs.append((resource.RLIMIT_AS, limits.memory_mb * MB))
    if limits.max_processes:
        pairs.append((resource.RLIMIT_NPROC, nproc_base + limits.max_processes))
    if limits.max_file_mb:
        pairs.append((resource.RLIMIT_FSIZE, limits.max_file_mb * MB))
    if limits.max_open_files:
        pairs.append((resource.RLIMIT_NOFILE, limits.max_open_files))
    return pairs


def apply_rlimits(pairs: list[tuple[int, int]]) -> None:
    """Set soft and hard limits; never raise one above what we were given (that would fail)."""
    for res, value in pairs:
        soft, hard = resource.getrlimit(res)
        # CPU: the soft limit sends SIGXCPU (a clear "CPU time limit exceeded"), the hard one a
        # second later SIGKILL for a command that ignores it.
        new_hard = value + 1 if res == resource.RLIMIT_CPU else value
        if hard != resource.RLIM_INFINITY:
            value, new_hard = min(value, hard), min(new_hard, hard)
        resource.setrlimit(res, (value, new_hard))


def make_preexec(pairs: list[tuple[int, int]], cgroup_procs: list[str] | None, run_as: Identity | None = None,
                 mount: Callable[[], None] | None = None):
    """The function run in the child between fork and exec: join the cgroup (still privileged),
    set the rlimits, do `mount` (the idmapped working directory, still root), then drop to
    `run_as` for good."""

    def preexec() -> None:
        for procs in cgroup_procs or ():
            # "0" moves the writer itself. A failure stops the launch (Popen raises in the parent):
            # the run would otherwise claim limits that do not hold.
            fd = os.open(procs, os.O_WRONLY)
            os.write(fd, b"0")
            os.close(fd)
        apply_rlimits(pairs)
        if mount is not None:
            mount()
        drop(run_as)

    return preexec
