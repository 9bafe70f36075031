"""`--preview`: run the command against a throwaway copy of the working directory first.

bubblewrap 0.9+ could give a copy-on-write overlay; this machine's 0.8 cannot, and a plain
copy works everywhere, so the preview copies the working directory into a private temporary
directory (`cp -a --reflink=auto`: instant on btrfs/xfs, symlinks kept as symlinks, never
followed out) and mounts that copy *at the real path* inside the sandbox, with the same mounts,
stdin (/dev/null), environment and uid as the real run, so the command sees what it will see for
real wherever the kernel allows (what it does not allow is in docs/sandbox.md). Then it compares the copy with a snapshot taken before
the run and reports what was created, modified and deleted: a tree and a diffstat, plus the
command's output. The network is always off during a preview (nothing leaves the machine for a
look), and a preview never runs without a sandbox.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile

from ccgpt.run.changes import compare, diffstat, render_tree, snapshot

__all__ = ["compare", "diffstat", "make_copy", "remove_copy", "render_tree", "run_preview", "snapshot"]
OUTPUT_LINES = 40

def _tree_size(root: str, cap: int) -> int:
    total = 0
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
            if total > cap:
                return total
    return total


def make_copy(cwd: str, max_mb: int) -> str:
    """A private copy of cwd in a new temporary directory; returns the copy's path."""
    from ccgpt.errors import CcgptError

    if max_mb and _tree_size(cwd, max_mb * 1024 * 1024) > max_mb * 1024 * 1024:
        raise CcgptError(f"the working directory is larger than {max_mb} MB, too large to copy for a preview "
                         "([ccgpt.sandbox] preview_max_mb)")
    # Under the host's /tmp, which the sandbox replaces with its own: the command cannot see the
    # copy's parent. Neutral names (no "preview" to grep for in /proc/self/mountinfo) and the
    # same last component as the real directory.
    base = tempfile.mkdtemp(dir="/tmp" if os.access("/tmp", os.W_OK) else None)
    if os.geteuid() == 0:
        os.chmod(base, 0o711)  # the sandbox may run as the directory's owner, who must reach the copy
    copy = os.path.join(base, os.path.basename(cwd) or "work")
    r = subprocess.run(["cp", "-a", "--reflink=auto", "--", cwd + "/.", copy + "/"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL) if _mkdir(copy) else None
    if r is None or r.returncode != 0:
        remove_copy(copy)
        message = (r.stderr.strip().splitlines() or ["cp failed"])[-1] if r else "could not create a directory"
        raise CcgptError(f"could not copy the working directory for the preview: {message}")
    return copy


def _mkdir(path: str) -> bool:
    try:
        os.mkdir(path, 0o700)
        return True
    except OSError:
        return False


def remove_copy(copy: str) -> None:
    """Remove the copy even when the command made parts of it unreadable (chmod 000)."""

    def fix(func, path, _exc):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
            func(path)
        except OSError:
            pass

    shutil.rmtree(os.path.dirname(copy), onerror=fix)


def run_preview(argv: list[str], *, cwd: str | None, section: dict, limits, color: bool = False,
                unsafe_no_sandbox: bool = False) -> str:
    """Run `argv` against a copy of cwd in the sandbox and return the report to show."""
    from ccgpt.errors import CcgptError
    from ccgpt.run.sandbox import SandboxUnavailable, run_sandboxed
    from ccgpt.term.sanitize import sanitize

    if unsafe_no_sandbox:
        raise SandboxUnavailable("a preview needs a sandbox (without one it would change the real files)")
    cwd = os.path.realpath(cwd or os.getcwd())
    copy = make_copy(cwd, int(section.get("preview_max_mb", 200) or 0))
    try:
        # The original is the reference: a copy taken before, compared with the copy after.
        before = snapshot(cwd)
        out = io.StringIO()
        result = run_sandboxed(argv, cwd=cwd, net=False, section=section, limits=limits,
                               stdout=out, stderr=out, stdin=subprocess.DEVNULL, workdir_source=copy)
        if result.sandbox_error:
            raise CcgptError(f"sandbox failure during the preview ({result.backend}): {result.sandbox_error}", 125)
        after = snapshot(copy)
        changes = compare(before, after, cwd, copy)
    finally:
        remove_copy(copy)

    ending = "timed out" if result.timed_out else f"exit {result.exit_code}"
    lines = [f"preview: ran in a throwaway copy of the working directory ({ending}, "
             f"{result.duration_ms / 1000:.1f} s, no network)"]
    if changes.empty:
        lines.append("no files would be created, modified or deleted")
    else:
        lines.append(render_tree(changes, color=color))
        lines.append(diffstat(changes))
    text = sanitize(out.getvalue())
    if text.strip():
        shown = text.rstrip("\n").split("\n")
        lines.append("output:")
        lines += ["  | " + line for line in shown[:OUTPUT_LINES]]
        if len(shown) > OUTPUT_LINES:
            lines.append(f"  | … {len(shown) - OUTPUT_LINES} more lines")
    else:
        lines.append("output: (none)")
    lines.append("note: only the working directory is compared; the real run may differ if the command "
                 "depends on time, the network or randomness")
    lines.append("note: the preview is a best effort: the command saw the same paths, mounts, stdin (/dev/null) "
                 "and environment as in the real run, but one that looks for it can still tell the two apart "
                 "(inode numbers, where /proc/self/mountinfo says the directory comes from, no network)")
    return "\n".join(lines)
