"""What `ccgpt review` reviews: the staged diff, a revision or range, the working tree, or files.

Each target yields the parsed diff and a way to read a file's new text (for the risk engine
and ShellCheck, which need the whole script): the index for `--staged`, the revision for a
commit or range, the working tree otherwise. Whole files are reviewed as if every line were
added.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ccgpt.assist import gitdiff
from ccgpt.assist.gitdiff import FileDiff, Row
from ccgpt.errors import CcgptError, UsageError

MAX_FILES = 500
MAX_FILE_BYTES = 2_000_000


@dataclass
class Target:
    files: list[FileDiff]
    content_of: Callable[[str], str | None]
    root: Path
    what: str  # for messages: "the staged changes", "commit abc", ...


def _read_text(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if b"\0" in data[:8192]:
        return None
    return data.decode("utf-8", "replace")


def whole_file(path: str, text: str | None) -> FileDiff:
    """A file reviewed as a whole: every line is an added line."""
    f = FileDiff(path, status="added", binary=text is None)
    if text is not None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        f.rows = [Row("@", None, f" -0,0 +1,{len(lines)} @@")] + [Row("+", i, l) for i, l in enumerate(lines, 1)]
    gitdiff.mark_generated([f])
    return f


def _walk(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths:
        if os.path.isdir(p):
            for folder, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in (".git", "node_modules", "__pycache__", ".venv"))
                out += [os.path.join(folder, n) for n in sorted(names)]
        else:
            out.append(p)
        if len(out) > MAX_FILES:
            raise UsageError(f"more than {MAX_FILES} files to review; name fewer files or a smaller directory")
    return out


def files_target(paths: list[str]) -> Target:
    names = _walk(paths)
    texts = {os.path.normpath(n): _read_text(Path(n)) for n in names}
    return Target([whole_file(n, t) for n, t in texts.items()], texts.get, Path.cwd(), "the files given")


def _from_tree(root: Path, rev: str) -> Callable[[str], str | None]:
    return lambda path: gitdiff.show_file(root, f"{rev}:{path}")


def _from_worktree(root: Path) -> Callable[[str], str | None]:
    return lambda path: _read_text(root / path)


def resolve(targets: list[str], staged: bool) -> Target:
    if staged and targets:
        raise UsageError("give either --staged or REV/PATH, not both")
    existing = [t for t in targets if os.path.exists(t)]
    if targets and len(existing) == len(targets):
        return files_target(targets)
    root = gitdiff.repo_root()
    if staged:
        return Target(gitdiff.read_diff(root, ["--cached"]), lambda p: gitdiff.show_file(root, f":{p}"), root,
                      "the staged changes")
    if not targets:
        if gitdiff.has_head(root):
            return Target(gitdiff.read_diff(root, ["HEAD"]), _from_worktree(root), root, "the uncommitted changes")
        return Target(gitdiff.read_diff(root, ["--cached"]), lambda p: gitdiff.show_file(root, f":{p}"), root,
                      "the staged changes")
    if len(targets) > 1 or existing:
        missing = next(t for t in targets if t not in existing)
        raise UsageError(f"no such file: {missing} (review one revision, or files and directories)")
    rev = targets[0]
    if not gitdiff.is_revision(root, rev):
        raise CcgptError(f"no such file or revision: {rev}")
    if ".." in rev:
        new = rev.replace("...", "..").split("..", 1)[1] or "HEAD"
        return Target(gitdiff.read_diff(root, [rev]), _from_tree(root, new), root, f"the changes in {rev}")
    files = gitdiff.read_diff(root, ["--no-commit-id", "-r", "-p", "--root", rev], command="diff-tree")
    return Target(files, _from_tree(root, rev), root, f"commit {rev}")
