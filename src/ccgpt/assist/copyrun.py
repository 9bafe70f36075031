"""Commands run in the sandbox on a throwaway copy of a directory, and what they left behind.

Shared by `ccgpt eval` (candidate and gold compared) and execution-checked voting in suggest
(candidates whose outputs agree rank higher). Model output runs only here: inside the sandbox,
without network, on a copy that is removed afterwards.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ccgpt.errors import CcgptError


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    files: dict
    stderr: str = ""
    timed_out: bool = False


def snapshot(root: Path) -> dict:
    """relative path -> ("dir",) or ("file", sha256, mode) — what `compare` looks at. A `.git`
    directory is left out: its index records inode numbers and times that differ between copies."""
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath == str(root):
            dirnames[:] = [d for d in dirnames if d != ".git"]
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = ("dir",)
        for f in filenames:
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, root)
            try:
                if os.path.islink(full):
                    out[rel] = ("link", os.readlink(full))
                    continue
                with open(full, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
                out[rel] = ("file", digest, stat.S_IMODE(os.stat(full).st_mode))
            except OSError:
                out[rel] = ("unreadable",)
    return out


def normalize(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


class SandboxRunner:
    """Runs a shell command line in the project's sandbox, in a given directory, no network."""

    def __init__(self, section: dict | None = None, timeout: float = 15):
        try:
            from ccgpt.run.limits import Limits
            from ccgpt.run.sandbox import SandboxUnavailable, run_sandboxed
        except ImportError:
            raise CcgptError("the sandbox is not available in this build; ccgpt eval runs model output only inside it") from None
        self._run, self._unavailable = run_sandboxed, SandboxUnavailable
        self.section = dict(section or {})
        self.limits = Limits.from_config(self.section, timeout=timeout)

    def __call__(self, command: str, cwd: Path) -> Outcome:
        out, err = io.StringIO(), io.StringIO()
        try:
            result = self._run(["bash", "-c", command], cwd=str(cwd), net=False, section=self.section,
                               limits=self.limits, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        except self._unavailable as exc:
            raise CcgptError(f"sandbox unavailable: {exc}") from None
        if result.sandbox_error:
            raise CcgptError(f"sandbox failure: {result.sandbox_error}")
        return Outcome(result.exit_code, out.getvalue(), snapshot(cwd), err.getvalue(), bool(result.timed_out))


def run_on_copy(runner, command: str, fixture: Path | None, setup: str | None = None) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="ccgpt-eval-") as tmp:
        work = Path(tmp) / "work"
        if fixture is not None:
            shutil.copytree(fixture, work, symlinks=True)
        else:
            work.mkdir()
        if setup:
            done = runner(setup, work)
            if done.exit_code != 0:
                raise CcgptError(f"a task's setup failed (exit {done.exit_code}): {setup[:60]}")
        got = runner(command, work)
        # Each command runs on its own copy: the copy's absolute path (`pwd`, `find "$PWD"`)
        # differs between two runs of the same command and must not count as a difference.
        return Outcome(got.exit_code, got.stdout.replace(str(work), "<workdir>"), got.files,
                       got.stderr.replace(str(work), "."), got.timed_out)
