"""A cgroup for one sandboxed run: caps how many tasks (and how much memory) the sandbox has.

Used when one can be created (as root with cgroup v1 controllers, or a delegated v2 subtree);
`join_path` is written by the child before exec, so everything the command starts is inside.
"""

from __future__ import annotations

import os
from pathlib import Path


class PidsCgroup:
    """A cgroup (v1 `pids` or a delegated v2 subtree) capping how many tasks the sandbox may have.

    Only used when it can be created; `join_path` is written by the child before exec.
    """

    V1_ROOT = Path("/sys/fs/cgroup/pids")

    def __init__(self, max_pids: int):
        self.max_pids = max_pids
        self.path: Path | None = None

    def __enter__(self) -> "PidsCgroup":
        if not self.max_pids:
            return self  # not wanted for this run
        for parent in self._candidates():
            _sweep(parent)
            path = parent / f"ccgpt-run-{os.getpid()}"
            try:
                path.mkdir()
            except OSError:
                continue
            try:
                (path / "pids.max").write_text(str(self.max_pids))
                self.path = path
                break
            except OSError:
                _rmdir(path)
        return self

    def _candidates(self) -> list[Path]:
        out = []
        if (self.V1_ROOT / "pids.max").exists() or (self.V1_ROOT / "tasks").exists():
            out.append(self.V1_ROOT)
        try:
            # cgroup v2: our own cgroup, if it has been delegated to us and enables pids.
            line = Path("/proc/self/cgroup").read_text().splitlines()
            v2 = [entry.split("::", 1)[1] for entry in line if entry.startswith("0::")]
            if v2:
                base = Path("/sys/fs/cgroup") / v2[0].lstrip("/")
                if "pids" in (base / "cgroup.subtree_control").read_text():
                    out.append(base)
        except OSError:
            pass
        return out

    @property
    def join_path(self) -> str | None:
        return str(self.path / "cgroup.procs") if self.path else None

    def __exit__(self, *exc) -> None:
        if self.path is not None:
            _rmdir(self.path)


def _rmdir(path: Path) -> None:
    # The pid namespace can take a few milliseconds to empty after bwrap exits. Rather than
    # wait for it on every run, a cgroup still busy now is removed by the next run's sweep.
    try:
        path.rmdir()
    except OSError:
        pass


def _sweep(parent: Path) -> None:
    """Remove empty cgroups left by earlier runs (rmdir refuses any that still has tasks)."""
    try:
        entries = list(parent.glob("ccgpt-run-*"))
    except OSError:
        return
    for entry in entries:
        try:
            entry.rmdir()
        except OSError:
            pass


