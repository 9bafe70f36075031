"""Structural checks of a candidate command: does it parse, and are the programs it calls here?

Uses the same tree-sitter-bash grammar as the risk engine. This is not a safety check (that is
`ccgpt.risk.classify`); it only decides whether a candidate is usable on this machine, so that
broken or impossible candidates are marked and ranked last.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from ccgpt.assist.extract import BUILTINS

# Keywords and builtins that tree-sitter may report as command names.
_NOT_PROGRAMS = BUILTINS | {"do", "done", "then", "fi", "else", "elif", "esac", "in", "function", "select", "}", ")"}


@dataclass
class Analysis:
    parses: bool
    programs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        return self.parses and not self.missing


def walk(node):
    """Every node under `node` (itself first), in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def encoded(command: str) -> bytes | None:
    """The command as the parser reads it; None for text with no UTF-8 (a lone surrogate)."""
    try:
        return command.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return None


def plain_value(node, data: bytes) -> str | None:
    """A word's value when it is plain text (a bare word or a quoted string, no expansion and
    no glob): `'a b'` is `a b`, `\\(` is `(`; None otherwise."""
    import shlex

    text = data[node.start_byte:node.end_byte].decode("utf-8", "surrogateescape")
    if node.type not in ("word", "string", "raw_string", "concatenation") or any(ch in text for ch in "$`*?[{"):
        return None
    try:
        parts = shlex.split(text)
    except ValueError:
        return None
    return parts[0] if len(parts) == 1 else None


def program_names(command: str) -> list[str]:
    """The literal names in command position, in order (dynamic names like `$x` are skipped)."""
    from ccgpt.risk.parse import parse

    data = command.encode("utf-8", "surrogateescape")
    tree = parse(data)
    names = []
    for node in walk(tree.root_node):
        if node.type == "command_name":
            text = data[node.start_byte : node.end_byte].decode("utf-8", "replace")
            if text and not any(ch in text for ch in "$`\"'(") and text not in names:
                names.append(text)
    return names


def analyze(command: str, which=shutil.which) -> Analysis:
    from ccgpt.risk.parse import parse

    tree = parse(command)
    parses = not tree.root_node.has_error and bool(command.strip())
    programs = program_names(command)
    missing = []
    for name in programs:
        bare = name.lstrip("\\")
        if bare in _NOT_PROGRAMS or "=" in bare:
            continue
        if "/" in bare:
            if not os.access(os.path.expanduser(bare), os.X_OK):
                missing.append(bare)
        elif not which(bare):
            missing.append(bare)
    return Analysis(parses, programs, missing)
