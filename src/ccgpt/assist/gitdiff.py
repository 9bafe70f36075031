"""Git diffs as data: run git, parse a unified diff into files with new-file line numbers.

Shared by `commit` (what is staged) and `review` (a diff, a revision or whole files). Every
added line is kept with its line number *in the new file*, and every new-file line a hunk
shows (added or context) is remembered: a review finding may only point at those.
Git is run with external diff drivers, text conversion and colour off, and paths unquoted,
so the parsed text is exactly the repository's content.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from ccgpt.errors import CcgptError

DIFF_FLAGS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M", "--unified=3")
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class GitError(CcgptError):
    pass


@dataclass
class Row:
    kind: str  # "+" added, "-" removed, " " context, "@" hunk header, "\\" no-newline marker
    new: int | None  # line number in the new file (None for removed lines and markers)
    text: str


@dataclass
class FileDiff:
    path: str  # the new path (the old one for a deletion)
    old_path: str | None = None
    status: str = "modified"  # added | modified | deleted | renamed
    binary: bool = False
    generated: bool = False
    rows: list[Row] = field(default_factory=list)
    header: list[str] = field(default_factory=list)  # the `diff --git` line and what follows it

    @property
    def added(self) -> dict[int, str]:
        return {r.new: r.text for r in self.rows if r.kind == "+" and r.new is not None}

    @property
    def shown(self) -> set[int]:
        """New-file lines that the diff shows: added and context lines."""
        return {r.new for r in self.rows if r.kind in "+ " and r.new is not None}

    @property
    def removed(self) -> int:
        return sum(1 for r in self.rows if r.kind == "-")

    def stat(self) -> str:
        if self.binary:
            return f"{self.path} ({self.status}, binary)"
        return f"{self.path} ({self.status}, +{len(self.added)} -{self.removed})"

    def text(self) -> str:
        """This file's part of the unified diff, as git printed it."""
        body = [("@@" + r.text) if r.kind == "@" else (r.kind + r.text) if r.kind != "\\" else r.text for r in self.rows]
        return "\n".join(self.header + body) + "\n"


def _unquote(path: str) -> str:
    """Git C-quotes unusual paths ("a\\tb"); with core.quotepath=off only controls stay quoted."""
    if len(path) >= 2 and path[0] == '"' and path[-1] == '"':
        raw = path[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
        return raw.encode("latin-1", "replace").decode("utf-8", "replace")
    return path


def _strip_prefix(path: str) -> str | None:
    path = _unquote(path.split("\t", 1)[0])
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def _header_path(line: str) -> str:
    # `diff --git a/X b/X`: when old and new are the same path its length is known exactly.
    rest = line[len("diff --git "):]
    if len(rest) % 2 == 1:
        half = (len(rest) - 1) // 2
        if rest[:2] == "a/" and rest[half + 1 : half + 3] == "b/" and rest[2:half] == rest[half + 3 :]:
            return rest[2:half]
    return _strip_prefix(rest.rsplit(" b/", 1)[-1] if " b/" in rest else rest) or rest


def parse_diff(text: str) -> list[FileDiff]:
    """Parse `git diff` output (several files) into FileDiffs with new-file line numbers."""
    files: list[FileDiff] = []
    current: FileDiff | None = None
    new_line = 0
    in_hunk = False
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("diff --git "):
            current = FileDiff(_header_path(line), header=[line])
            files.append(current)
            in_hunk = False
            continue
        if current is None:
            continue
        hunk = _HUNK.match(line)
        if hunk:
            new_line = int(hunk.group(1))
            in_hunk = True
            current.rows.append(Row("@", None, line[2:]))
            continue
        if in_hunk and line[:1] in ("+", "-", " ", "\\"):
            kind = line[0]
            if kind == "+":
                current.rows.append(Row("+", new_line, line[1:]))
                new_line += 1
            elif kind == " ":
                current.rows.append(Row(" ", new_line, line[1:]))
                new_line += 1
            elif kind == "-":
                current.rows.append(Row("-", None, line[1:]))
            else:
                current.rows.append(Row("\\", None, line))
            continue
        if in_hunk and line == "":
            continue  # the empty string after the final newline
        in_hunk = False
        current.header.append(line)
        if line.startswith("new file mode"):
            current.status = "added"
        elif line.startswith("deleted file mode"):
            current.status = "deleted"
        elif line.startswith("rename from "):
            current.old_path, current.status = line[len("rename from "):], "renamed"
        elif line.startswith("rename to "):
            current.path = line[len("rename to "):]
        elif line.startswith("Binary files ") or line == "GIT binary patch":
            current.binary = True
        elif line.startswith("--- "):
            old = _strip_prefix(line[4:])
            if old and current.old_path is None and current.status != "renamed":
                current.old_path = old
        elif line.startswith("+++ "):
            new = _strip_prefix(line[4:])
            if new:
                current.path = new
    return files


# -- generated files: named, never sent to a model ---------------------------------------------
_GENERATED_NAMES = frozenset({
    "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock",
    "pipfile.lock", "cargo.lock", "go.sum", "composer.lock", "gemfile.lock", "pdm.lock", "flake.lock",
    "packages.lock.json", "podfile.lock", "mix.lock", "pubspec.lock",
})
_GENERATED_SUFFIXES = (".min.js", ".min.css", ".map", ".pb.go", "_pb2.py", "_pb2.pyi", ".pyc", ".snap")
_GENERATED_MARK = re.compile(r"@generated|do not edit|code generated by|auto-?generated", re.IGNORECASE)


def looks_generated(path: str, first_lines: list[str]) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    if name in _GENERATED_NAMES or name.endswith(_GENERATED_SUFFIXES):
        return True
    return any(_GENERATED_MARK.search(line) for line in first_lines[:5])


def mark_generated(files: list[FileDiff], attributes: dict[str, bool] | None = None) -> None:
    for f in files:
        head = [r.text for r in f.rows if r.kind in "+ " and r.new is not None and r.new <= 5]
        f.generated = bool((attributes or {}).get(f.path)) or looks_generated(f.path, head)


# -- running git ---------------------------------------------------------------------------------
def git(args: list[str], cwd: Path | str | None = None, check: bool = True) -> str:
    try:
        proc = subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=60)
    except FileNotFoundError:
        raise GitError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than 60 s") from None
    if check and proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or ["failed"])[0]
        raise GitError(f"git {args[0]}: {first}")
    return proc.stdout


def repo_root(cwd: Path | str | None = None) -> Path:
    try:
        out = git(["rev-parse", "--show-toplevel"], cwd)
    except GitError:
        raise GitError("not a git repository (run this inside one)") from None
    return Path(out.strip())


def has_head(root: Path) -> bool:
    return bool(git(["rev-parse", "--verify", "--quiet", "HEAD"], root, check=False).strip())


def is_revision(root: Path, rev: str) -> bool:
    if ".." in rev:
        return all(not part or is_revision(root, part) for part in rev.replace("...", "..").split("..", 1))
    return bool(git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root, check=False).strip())


def generated_attributes(root: Path, paths: list[str]) -> dict[str, bool]:
    """`linguist-generated` from .gitattributes, the convention code hosts use."""
    if not paths:
        return {}
    out = git(["check-attr", "-z", "linguist-generated", "--", *paths], root, check=False)
    parts = out.split("\0")
    result = {}
    for i in range(0, len(parts) - 2, 3):
        result[parts[i]] = parts[i + 2] in ("set", "true")
    return result


def read_diff(root: Path, args: list[str], command: str = "diff") -> list[FileDiff]:
    """`git diff ARGS` (or `git diff-tree ARGS`) parsed, generated files marked."""
    files = parse_diff(git([command, *DIFF_FLAGS, *args], root))
    mark_generated(files, generated_attributes(root, [f.path for f in files]))
    return files


def show_file(root: Path, spec: str) -> str | None:
    """`git show REV:PATH` (or `:PATH` for the index); None when it is not there."""
    proc = subprocess.run(["git", "show", "--no-textconv", spec], cwd=root, capture_output=True, timeout=60)
    if proc.returncode != 0 or b"\0" in proc.stdout[:8192]:
        return None
    return proc.stdout.decode("utf-8", "replace")
