"""What a command changed in a directory: snapshots, their comparison, a tree and a diffstat.

Used by the preview (the throwaway copy against the real directory) and by anyone who wants to
show what a run changed.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import stat
from dataclasses import dataclass, field

HASH_MAX = 1024 * 1024  # files up to this size are compared by content; larger by size+mtime
DIFF_MAX = 256 * 1024  # text files up to this size get line counts in the diffstat


@dataclass(frozen=True)
class Entry:
    kind: str  # "file" | "dir" | "link" | "other"
    size: int
    mode: int
    mtime_ns: int
    digest: str | None  # content hash for small files, link target for links


@dataclass
class Changes:
    created: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (+lines, -lines)
    dirs: set[str] = field(default_factory=set)  # changed paths that are directories

    @property
    def empty(self) -> bool:
        return not (self.created or self.modified or self.deleted)


def snapshot(root: str) -> dict[str, Entry]:
    """Every path under root (relative), without following symlinks."""
    out: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            try:
                st = os.lstat(full)
            except OSError:
                continue
            out[rel] = _entry(full, st)
    return out


def _entry(path: str, st: os.stat_result) -> Entry:
    digest = None
    if stat.S_ISLNK(st.st_mode):
        kind = "link"
        try:
            digest = os.readlink(path)
        except OSError:
            pass
    elif stat.S_ISDIR(st.st_mode):
        kind = "dir"
    elif stat.S_ISREG(st.st_mode):
        kind = "file"
        if st.st_size <= HASH_MAX:
            try:
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                digest = "unreadable"
    else:
        kind = "other"
    return Entry(kind, st.st_size, stat.S_IMODE(st.st_mode), st.st_mtime_ns, digest)


def _changed(a: Entry, b: Entry) -> bool:
    if a.kind != b.kind or a.mode != b.mode:
        return True
    if a.kind == "dir":
        return False  # a directory "changes" when its children do; those are listed themselves
    if a.digest is not None and b.digest is not None:
        return a.digest != b.digest or a.size != b.size
    return a.size != b.size or a.mtime_ns != b.mtime_ns


def compare(before: dict[str, Entry], after: dict[str, Entry], before_root: str, after_root: str) -> Changes:
    ch = Changes()
    for rel in sorted(set(before) | set(after)):
        a, b = before.get(rel), after.get(rel)
        either = a or b
        if either is not None and either.kind == "dir":
            ch.dirs.add(rel)
        if a is None:
            ch.created.append(rel)
            ch.stats[rel] = (_lines(os.path.join(after_root, rel), b), 0)
        elif b is None:
            ch.deleted.append(rel)
            ch.stats[rel] = (0, _lines(os.path.join(before_root, rel), a))
        elif _changed(a, b):
            ch.modified.append(rel)
            ch.stats[rel] = _diff_lines(os.path.join(before_root, rel), os.path.join(after_root, rel), a, b)
    return ch


def _read_text(path: str, entry: Entry | None) -> list[str] | None:
    if entry is None or entry.kind != "file" or entry.size > DIFF_MAX:
        return None
    try:
        with open(path, "rb") as fh:
            data = fh.read(DIFF_MAX + 1)
    except OSError:
        return None
    if b"\0" in data:
        return None
    return data.decode("utf-8", "replace").splitlines()


def _lines(path: str, entry: Entry | None) -> int:
    text = _read_text(path, entry)
    return len(text) if text is not None else 0


def _diff_lines(old: str, new: str, a: Entry, b: Entry) -> tuple[int, int]:
    x, y = _read_text(old, a), _read_text(new, b)
    if x is None or y is None:
        return (0, 0)
    plus = minus = 0
    for line in difflib.unified_diff(x, y, lineterm="", n=0):
        if line.startswith("+") and not line.startswith("+++"):
            plus += 1
        elif line.startswith("-") and not line.startswith("---"):
            minus += 1
    return plus, minus


def render_tree(ch: Changes, *, color: bool = False) -> str:
    """The changed paths as a tree, each marked + created, ~ modified, - deleted."""
    from ccgpt.term.sanitize import sanitize_line

    marks = {}
    for rel in ch.created:
        marks[rel] = "+"
    for rel in ch.modified:
        marks[rel] = "~"
    for rel in ch.deleted:
        marks[rel] = "-"
    paint = {"+": "32", "~": "33", "-": "31"}
    # Build a nested dict of path parts; intermediate directories appear unmarked.
    tree: dict = {}
    for rel in marks:
        node = tree
        for part in rel.split(os.sep):
            node = node.setdefault(part, {})
    lines = ["."]
    width = max((len(sanitize_line(r)) for r in marks), default=0) + 8

    def walk(node: dict, prefix: str, path: str) -> None:
        names = sorted(node)
        for i, name in enumerate(names):
            last = i == len(names) - 1
            rel = os.path.join(path, name) if path else name
            mark = marks.get(rel, " ")
            label = sanitize_line(name) + ("/" if rel in ch.dirs or rel not in marks else "")
            text = f"{prefix}{'└── ' if last else '├── '}{mark} {label}"
            plus, minus = ch.stats.get(rel, (0, 0))
            if plus or minus:
                text = f"{text:<{width}} " + " ".join(s for s in (f"+{plus}" if plus else "", f"-{minus}" if minus else "") if s)
            if color and mark in paint:
                text = f"\x1b[{paint[mark]}m{text}\x1b[0m"
            lines.append(text)
            walk(node[name], prefix + ("    " if last else "│   "), rel)

    walk(tree, "", "")
    return "\n".join(lines)


def diffstat(ch: Changes) -> str:
    plus = sum(p for p, _ in ch.stats.values())
    minus = sum(m for _, m in ch.stats.values())
    n = len(ch.created) + len(ch.modified) + len(ch.deleted)
    return (f"{n} path{'s' if n != 1 else ''} changed: {len(ch.created)} created, {len(ch.modified)} modified, "
            f"{len(ch.deleted)} deleted; {plus} insertion{'s' if plus != 1 else ''}(+), "
            f"{minus} deletion{'s' if minus != 1 else ''}(-)")
