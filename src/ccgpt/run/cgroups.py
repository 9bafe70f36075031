"""A cgroup for one sandboxed run: caps the whole sandbox's tasks and memory, not each process's.

rlimits are per process (three processes may each use `memory_mb`) and RLIMIT_NPROC does not
bind root at all, so when a cgroup can be created the sandbox is put in one:
- cgroup v1: a child of our own cgroup in the `pids` and `memory` hierarchies (as root, or as a
  user whose cgroup there was delegated: chowned to them by whoever set up the machine);
- cgroup v2: a child of our own cgroup when it has been delegated to us with those controllers
  (what a systemd user manager gives its services: `Delegate=yes`).
It is made under *our own* cgroup, never at a hierarchy's root, so a limit set on ccgpt by
whoever started it (a container, a systemd unit) still applies to the sandbox. Without root and
without a delegated cgroup the mkdir fails (EACCES) and only the per-process rlimits hold; the
run's detail and `ccgpt audit` say which.
The child writes itself into every `cgroup.procs` in `join_paths` before exec; `describe()`
says what was in force, for the run's detail and `--json`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

ROOT = Path("/sys/fs/cgroup")
MB = 1024 * 1024
PREFIX = "ccgpt-sandbox-"


def own_paths() -> tuple[dict[str, str], str | None]:
    """Our cgroup per v1 controller, and our v2 cgroup (None when there is no v2 entry)."""
    v1: dict[str, str] = {}
    v2 = None
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return v1, v2
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controllers == "":
            v2 = path
        for name in controllers.split(","):
            if name:
                v1[name] = path
    return v1, v2


def _v2_mount() -> Path | None:
    for candidate in (ROOT, ROOT / "unified"):
        if (candidate / "cgroup.controllers").exists():
            return candidate
    return None


class RunCgroup:
    """Context manager: creates the cgroup(s) on entry when it can, removes them on exit."""

    def __init__(self, max_pids: int, memory_mb: int):
        self.max_pids, self.memory_mb = max_pids, memory_mb
        self.dirs: list[Path] = []
        self.kind: str | None = None
        self.applied: dict[str, int] = {}

    def __enter__(self) -> "RunCgroup":
        if self.max_pids or self.memory_mb:
            self._create()
        return self

    def _wanted(self) -> dict[str, tuple[str, int]]:
        out = {}
        if self.max_pids:
            out["pids"] = ("pids.max", self.max_pids)
        if self.memory_mb:
            out["memory"] = ("memory.limit_in_bytes", self.memory_mb * MB)
        return out

    def _create(self) -> None:
        v1, v2 = own_paths()
        # Unique per run (the last run's may still be emptying). The prefix differs from the one
        # earlier versions used, whose sweep removed *any* empty ccgpt cgroup, a live one too.
        name = f"{PREFIX}{os.getpid()}-{os.urandom(4).hex()}"
        for controller, (knob, value) in self._wanted().items():
            if controller in v1 and (ROOT / controller).is_dir():
                self._make(ROOT / controller / v1[controller].lstrip("/"), name, {knob: value}, controller)
        if self.applied:
            self.kind = "cgroup v1 (" + "+".join(sorted(self.applied)) + ")"
            return
        mount = _v2_mount()
        if v2 is None or mount is None:
            return
        base = mount / v2.lstrip("/")
        try:
            enabled = (base / "cgroup.subtree_control").read_text().split()
        except OSError:
            return
        knobs = {}
        if self.max_pids and "pids" in enabled:
            knobs["pids.max"] = self.max_pids
        if self.memory_mb and "memory" in enabled:
            knobs["memory.max"], knobs["memory.swap.max"] = self.memory_mb * MB, 0
        if knobs and self._make(base, name, knobs, "v2"):
            self.kind = "cgroup v2 (" + "+".join(sorted(k.split(".")[0] for k in knobs)) + ")"

    def _make(self, parent: Path, name: str, knobs: dict[str, int], label: str) -> bool:
        _sweep(parent)
        path = parent / name
        try:
            path.mkdir()
        except OSError:
            return False
        try:
            for knob, value in knobs.items():
                if knob == "memory.swap.max" and not (path / knob).exists():
                    continue
                (path / knob).write_text(str(value))
        except OSError:
            _rmdir(path)
            return False
        self.dirs.append(path)
        for knob, value in knobs.items():
            self.applied[knob.split(".")[0] if label == "v2" else label] = value
        return True

    @property
    def join_path(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def describe(self) -> dict[str, Any]:
        """What the whole sandbox is held to, beyond the per-process rlimits."""
        if not self.kind:
            return {"cgroup": None}
        out: dict[str, Any] = {"cgroup": self.kind}
        if "pids" in self.applied:
            out["total_processes"] = self.applied["pids"]
        if "memory" in self.applied:
            out["total_memory_mb"] = self.applied["memory"] // MB
        return out

    def __exit__(self, *exc: object) -> None:
        for path in self.dirs:
            _rmdir(path)


def _rmdir(path: Path, tries: int = 20) -> None:
    # The pid namespace takes a few milliseconds to empty after bwrap exits: retry briefly; one
    # still busy after that is removed by a later run's sweep once this ccgpt has exited.
    import time

    for _ in range(tries):
        try:
            path.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.005)


def _sweep(parent: Path) -> None:
    """Remove empty cgroups left by ccgpt processes that have exited. A live ccgpt's cgroup may be
    empty only because its child has not joined yet (another run, another thread): left alone."""
    try:
        entries = list(parent.glob(f"{PREFIX}*")) + list(parent.glob("ccgpt-run-*"))  # and older versions' names
    except OSError:
        return
    for entry in entries:
        owner = entry.name.split("-")[2]
        if not owner.isdigit() or os.path.exists(f"/proc/{owner}"):
            continue
        _rmdir(entry, tries=1)


def available() -> str | None:
    """Which cgroup mechanism a run as this user would get (None: only per-process rlimits)."""
    with RunCgroup(8, 64) as probe:
        return probe.kind
