"""The paths a task names, put back into a command that lost them.

A small model often drops the directory the user wrote ("extract archive/bundle.tar.gz" answered
with `tar -xzf bundle.tar.gz`) or splits a name with a space into two words (`cat data/Report
Final.txt`, which reads `data/Report` and `Final.txt`; with `rm`, it would delete those). Both are
mechanical to put right when the working directory shows which is meant:

- a word of the command that is no path here, when the task names a path here ending in it
  (`bundle.tar.gz` and the task's `archive/bundle.tar.gz`), becomes the task's path;
- words that, joined with spaces, make a path the task names and that is here, become that path,
  quoted.

A task's path counts when it is here, or when its directory is (a destination the user named:
"rename data/a.txt to data/b.txt"). A word that is a path here is never changed, nor one the
task says on its own ("delete a.txt but keep data/a.txt"), nor find's tests (`-name x.txt`
names no path), options, or a word with `$`, a glob or a command substitution in it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|`([^`\n]+)`")
_SPECIAL = set("$`*?[]{}<>|&;()\\!~")


def _words(task: str) -> list[str]:
    bare = [w.strip("'\"`,;:!?()") for w in task.split()]
    return [w.rstrip(".") if not w.endswith("..") else w for w in bare]


def task_paths(task: str, cwd: Path) -> list[str]:
    """The relative paths the task names that are here or whose directory is."""
    bare = _words(task)
    # A name with a space may be written unquoted in the task too: runs of 2-4 words that are here.
    runs = [" ".join(bare[i:i + k]) for k in (4, 3, 2) for i in range(len(bare) - k + 1)]
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(task)]
    found: list[str] = []
    for word in quoted + [r for r in runs if os.path.lexists(cwd / r)] + bare:
        if (not word or word.startswith(("-", "/")) or any(ch in _SPECIAL for ch in word) or word in found
                or not ("/" in word or " " in word) or any(f.startswith(word + " ") for f in found)):
            continue
        here = cwd / word
        # A destination: its directory is here and it is named like a file (`data/b.txt`).
        named = "/" in word.rstrip("/") and " " not in word and "." in here.name and here.parent.is_dir()
        if os.path.lexists(here) or named:
            found.append(word)
    return found


def unused_paths(command: str, task: str, cwd) -> list[str]:
    """The files the task names that are here (`server.log`, `data/users.csv`) and that the
    command does not mention, neither the path nor its last part: "search for ERROR in
    server.log" answered with `grep -r ERROR --include='*.log' .` (a repair-round verdict)."""
    cwd = Path(cwd)
    named = [p for p in task_paths(task, cwd) if os.path.lexists(cwd / p)]
    named += [w for w in _words(task) if "." in w.strip(".") and not w.startswith("-") and w not in named
              and not any(ch in _SPECIAL for ch in w) and (cwd / w).is_file()]
    return [p for p in named if p not in command and Path(p).name not in command]


def _literal(node, data: bytes) -> str | None:
    """The word's value when it is plain text (a bare word or a quoted string without expansions)."""
    text = data[node.start_byte:node.end_byte].decode("utf-8", "surrogateescape")
    if node.type not in ("word", "string", "raw_string", "concatenation") or any(ch in text for ch in "$`*?[{"):
        return None
    try:
        parts = shlex.split(text)
    except ValueError:
        return None
    return parts[0] if len(parts) == 1 else None


def _edits(node, data: bytes, paths: list[str], cwd: Path, said: set[str]) -> list[tuple[int, int, str]]:
    args = [c for c in node.children[1:] if "redirect" not in c.type]
    name = data[node.children[0].start_byte:node.children[0].end_byte].decode("utf-8", "replace")
    if name.rsplit("/", 1)[-1] == "find":  # only find's start points are paths
        args = args[:next((i for i, c in enumerate(args) if data[c.start_byte:c.start_byte + 1] in b"-(!\\"), len(args))]
    values = [_literal(c, data) for c in args]
    edits = []
    for i, value in enumerate(values):
        if value is None or value.startswith("-") or value in (".", "..") or os.path.lexists(cwd / value):
            continue
        spaced = next((p for p in paths if " " in p and p.startswith(value + " ")), None)
        if spaced is not None:
            j, joined = i, value
            while joined != spaced and j + 1 < len(values) and spaced.startswith(joined + " "):
                following = values[j + 1]
                if not following:
                    break
                j += 1
                joined += " " + following
            if joined == spaced:
                edits.append((args[i].start_byte, args[j].end_byte, shlex.quote(spaced)))
                continue
        ends = [p for p in paths if p.rstrip("/").endswith("/" + value.rstrip("/"))]
        if len(ends) == 1 and value not in said:  # a word the task says on its own is the user's
            edits.append((args[i].start_byte, args[i].end_byte, shlex.quote(ends[0])))
    taken: list[tuple[int, int, str]] = []
    for edit in edits:  # a word the joined span already covers is not edited again
        if not any(start <= edit[0] < end for start, end, _ in taken):
            taken.append(edit)
    return taken


def use_task_paths(command: str, task: str, cwd) -> str | None:
    """`command` with the task's paths put back (see the module's doc), or None when nothing changes."""
    from ccgpt.risk.parse import parse

    paths = task_paths(task, Path(cwd))
    if not paths:
        return None
    data = command.encode("utf-8", "surrogateescape")
    edits, stack = [], [parse(data).root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type == "command" and node.children and node.children[0].type == "command_name":
            edits += _edits(node, data, paths, Path(cwd), set(_words(task)))
    if not edits:
        return None
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode("utf-8", "surrogateescape") + data[end:]
    return data.decode("utf-8", "surrogateescape")
