"""The paths a task names, held against the command the model wrote.

- A name with a space split into words: `cat data/Report Final.txt` reads `data/Report` and
  `Final.txt` (with `rm`, it would delete those). When the words, joined with spaces, make a
  path the task names and that is here, and the first of them is no path here, they become that
  path, quoted (`use_task_paths`, one of the mechanical fixes in mend.py).
- A file the task names, left out: "search for ERROR in server.log" answered with `grep -rn
  ERROR --include='*.log' .`. That is a verdict for the repair round, not a rewrite
  (`unused_paths`).

A dropped directory (`tar -xzf bundle.tar.gz` for "extract archive/bundle.tar.gz") is not put
back: a bare name that is not here may be one the command makes first (`cp archive/bundle.tar.gz
. && tar -xzf bundle.tar.gz && rm bundle.tar.gz`), or be relative to a `cd`, or not be a path
at all (a grep pattern), and a rewrite there would point the command at the user's original.
On the dev set it would have changed three answers and solved none of them.

Every file test here is one that cannot raise (a task word too long to be a file name is just
not a file).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from ccgpt.assist.analysis import encoded, plain_value, walk

_QUOTED = re.compile(r"'([^'\n]+)'|\"([^\"\n]+)\"|`([^`\n]+)`")
_SPECIAL = set("$`*?[]{}<>|&;()\\!~")


def _words(task: str) -> list[str]:
    bare = [w.strip("'\"`,;:!?()") for w in task.split()]
    return [w.rstrip(".") if not w.endswith("..") else w for w in bare]


def _plain(word: str) -> bool:
    return bool(word) and not word.startswith(("-", "/")) and not any(ch in _SPECIAL for ch in word)


def task_paths(task: str, cwd) -> list[str]:
    """The relative paths with a `/` or a space that the task names and that are here: its
    quoted strings, its words, and runs of two to four of its words (a name with a space the
    task did not quote)."""
    bare = _words(task)
    runs = [" ".join(bare[i:i + k]) for k in (4, 3, 2) for i in range(len(bare) - k + 1)]
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(task)]
    found: list[str] = []
    for word in quoted + runs + bare:
        if (_plain(word) and ("/" in word or " " in word) and word not in found
                and not any(f.startswith(word + " ") for f in found) and os.path.lexists(os.path.join(cwd, word))):
            found.append(word)
    return found


def _parsed(command: str):
    from ccgpt.risk.parse import parse

    data = encoded(command)
    return (data, parse(data).root_node) if data is not None else (None, None)


def unused_paths(command: str, task: str, cwd) -> list[str]:
    """The files the task names that are here (`server.log`, `data/users.csv`) and that no word
    of the command mentions, as the path or its last part (`cd data && cat a.txt` uses
    `data/a.txt`; `cat data.txt` does not use `a.txt`)."""
    named = task_paths(task, cwd)
    named += [w for w in _words(task) if _plain(w) and "." in w.strip(".") and w not in named
              and os.path.isfile(os.path.join(cwd, w))]
    data, root = _parsed(command)
    if not named or data is None or root is None:
        return []
    words = []
    for node in walk(root):
        if node.type in ("word", "string", "raw_string", "concatenation"):
            value = plain_value(node, data)
            words.append(value if value is not None else data[node.start_byte:node.end_byte].decode("utf-8", "replace"))

    def mentioned(path: str) -> bool:
        name = Path(path).name
        return any(path in w or w == name or w.endswith(("/" + name, "=" + name)) for w in words)

    return [p for p in named if not mentioned(p)]


def _joined(node, data: bytes, spaced: list[str], cwd) -> list[tuple[int, int, str]]:
    """(start byte, end byte, quoted path) for each run of the command's words that spells one
    of the spaced paths and whose first word is no path here."""
    args = [c for c in node.children[1:] if "redirect" not in c.type]
    values = [plain_value(c, data) for c in args]
    edits, i = [], 0
    while i < len(values):
        first = values[i]
        target = next((p for p in spaced if first and p.startswith(first + " ")), None)
        if first is None or target is None or os.path.lexists(os.path.join(cwd, first)):
            i += 1
            continue
        joined, j = first, i
        while joined != target and j + 1 < len(values):
            following = values[j + 1]
            if not following or not target.startswith(f"{joined} {following}"):
                break
            j, joined = j + 1, f"{joined} {following}"
        if joined == target:
            edits.append((args[i].start_byte, args[j].end_byte, shlex.quote(target)))
        i = j + 1
    return edits


def use_task_paths(command: str, task: str, cwd) -> str | None:
    """`command` with each run of words that spells a spaced path the task names quoted as that
    path (see the module's doc), or None when nothing changes."""
    spaced = [p for p in task_paths(task, cwd) if " " in p]
    data, root = _parsed(command) if spaced else (None, None)
    if data is None or root is None:
        return None
    edits = []
    for node in walk(root):
        if node.type == "command" and node.children and node.children[0].type == "command_name":
            edits += _joined(node, data, spaced, cwd)
    if not edits:
        return None
    for start, end, text in sorted(edits, reverse=True):
        data = data[:start] + text.encode("utf-8", "surrogateescape") + data[end:]
    return data.decode("utf-8", "surrogateescape")
