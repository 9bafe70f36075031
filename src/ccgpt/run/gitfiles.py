"""Finding git repositories below a directory, and reading what their config points at.

Used to decide what must stay read-only in the sandbox (`ccgpt.run.protect`) and what to look
at again after a run (`ccgpt.run.aftercheck`). A bounded walk: it never follows symlinks, never
descends into a `.git`, and stops after `MAX_ENTRIES` (saying so).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

MAX_ENTRIES = 50_000
MAX_CONFIG_BYTES = 256 * 1024
# A path-looking piece of a config value or shell line: ~/…, $HOME/…, /…, ./…, ../…, dir/…
_PATHISH = re.compile(r"""(?:~|\$HOME|\$\{HOME\}|[\w.+-]+)?/[^\s:;'"|&<>()`,=]*""")


@dataclass(frozen=True)
class Walk:
    gits: tuple[str, ...]  # paths relative to the root of every `.git` entry (dir or gitfile)
    complete: bool  # False when the entry budget ran out


def find_gits(root: str, max_entries: int = MAX_ENTRIES) -> Walk:
    found: list[str] = []
    budget = max_entries
    stack = [""]
    while stack:
        rel = stack.pop()
        try:
            entries = list(os.scandir(os.path.join(root, rel) if rel else root))
        except OSError:
            continue
        for entry in entries:
            budget -= 1
            if budget < 0:
                return Walk(tuple(sorted(found)), False)
            sub = os.path.join(rel, entry.name) if rel else entry.name
            if entry.name == ".git":
                found.append(sub)
            elif entry.is_dir(follow_symlinks=False):
                stack.append(sub)
    return Walk(tuple(sorted(found)), True)


def gitdir_of(git_entry: str) -> str | None:
    """The directory a `.git` entry stands for: itself, or where a gitfile points."""
    if os.path.isdir(git_entry):
        return git_entry  # a directory, or a link to one (the caller resolves it)
    try:
        with open(git_entry, encoding="utf-8", errors="replace") as fh:
            first = fh.readline(4096).strip()
    except OSError:
        return None
    if not first.startswith("gitdir:"):
        return None
    target = first.split(":", 1)[1].strip()
    return os.path.normpath(os.path.join(os.path.dirname(git_entry), target))


def config_files(gitdir: str) -> list[str]:
    """The config files git reads for this repository (local ones; globals are separate)."""
    out = [os.path.join(gitdir, "config"), os.path.join(gitdir, "config.worktree")]
    try:
        with open(os.path.join(gitdir, "commondir"), encoding="utf-8") as fh:
            common = os.path.normpath(os.path.join(gitdir, fh.read().strip()))
        out.append(os.path.join(common, "config"))
    except OSError:
        pass
    return [p for p in out if os.path.isfile(p)]


def global_config_files(home: str) -> list[str]:
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    names = [os.path.join(home, ".gitconfig"), os.path.join(xdg, "git", "config"), "/etc/gitconfig"]
    return [p for p in names if os.path.isfile(p)]


def read_text(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_CONFIG_BYTES).decode("utf-8", "replace")
    except OSError:
        return ""


def parse_config(text: str) -> list[tuple[str, str]]:
    """(section.key, value) pairs of a git config file, keys lower-cased (subsections kept)."""
    pairs = []
    section = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        header = re.match(r'^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]\s*(.*)$', line)
        if header:
            section = header.group(1).lower() + (f".{header.group(2)}" if header.group(2) is not None else "")
            line = header.group(3).strip()
            if not line:
                continue
        key, _, value = line.partition("=")
        pairs.append((f"{section}.{key.strip().lower()}", value.strip().strip('"')))
    return pairs


# Keys whose whole value is a path (relative ones from the repository's top or the config's directory).
PATH_KEYS = ("core.hookspath", "core.fsmonitor", "core.excludesfile", "core.attributesfile", "core.worktree",
             "include.path", "commit.template", "core.sshcommand", "core.pager", "core.editor")


def path_values(text: str) -> list[str]:
    """The values of path-valued keys (`include.path`, `includeIf.*.path`, `core.hooksPath`, …)."""
    out = []
    for key, value in parse_config(text):
        if value and (key in PATH_KEYS or (key.startswith("includeif.") and key.endswith(".path"))):
            out.append(value.split()[0])
    return out


def fingerprint(path: str) -> str:
    """What a `.git` entry is now: kind, inode and (for a link) its target; '' when gone."""
    try:
        st = os.lstat(path)
    except OSError:
        return ""
    target = os.readlink(path) if os.path.islink(path) else ""
    return f"{st.st_mode >> 12}:{st.st_dev}:{st.st_ino}:{target}"


def mentioned_paths(text: str, *, base: str, home: str) -> list[str]:
    """Absolute paths that pieces of `text` name (relative ones taken from `base`)."""
    out = []
    for piece in _PATHISH.findall(text):
        for prefix in ("${HOME}", "$HOME", "~"):
            if piece.startswith(prefix):
                piece = home + piece[len(prefix):]
                break
        out.append(os.path.normpath(piece if piece.startswith("/") else os.path.join(base, piece)))
    return out
