"""A diff cut to fit a model's context: every file named, the biggest ones summarised.

Small models have small context windows (2,048 tokens for the embedded model by default), and
a diff that does not fit is silently truncated by the server, or refused. So the text sent is
planned: binary and generated files (lock files, minified code, `@generated`) are named with
their status, never sent; the other files share the budget, the smallest first, and a file
whose diff does not fit keeps its first lines and says how many were left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ccgpt.assist.gitdiff import FileDiff

CHARS_PER_TOKEN = 3  # code tokenises worse than prose: a cautious estimate
MIN_BUDGET_CHARS = 1_000


@dataclass
class Digest:
    text: str  # what goes inside <diff>
    sent: list[str] = field(default_factory=list)  # files whose whole diff was sent
    cut: list[str] = field(default_factory=list)  # files sent in part
    skipped: list[str] = field(default_factory=list)  # files named only (binary, generated, no room)


def budget_chars(context_tokens: int, reserved_tokens: int) -> int:
    """Characters of diff that fit a context of `context_tokens` after `reserved_tokens`."""
    return max(MIN_BUDGET_CHARS, (context_tokens - reserved_tokens) * CHARS_PER_TOKEN)


def context_tokens(cfg, backend) -> int:
    """The model's context window: the embedded backend's n_ctx, else `[ccgpt.commit] context_tokens`."""
    n_ctx = getattr(backend, "n_ctx", None)
    if getattr(backend, "name", None) == "embedded" and n_ctx:
        return int(n_ctx)
    return int(cfg.get("commit.context_tokens", 8192) or 8192)


def _numbered(f: FileDiff) -> list[str]:
    """The file's hunks with every line led by `PATH:LINE:` (new-file numbers): a model that
    cites a line copies that prefix, which small models do far more reliably than counting."""
    out = []
    for r in f.rows:
        if r.kind == "@":
            out.append("@@" + r.text)
        elif r.kind == "+":
            out.append(f"{f.path}:{r.new}: + {r.text}")
        elif r.kind == " ":
            out.append(f"{f.path}:{r.new}:   {r.text}")
        elif r.kind == "-":
            out.append(f"{f.path}: - {r.text}")
    return out


def _body(f: FileDiff, numbered: bool) -> list[str]:
    return _numbered(f) if numbered else f.text().rstrip("\n").split("\n")


_NOTE_ROOM = 80  # "[... N more line(s) ...]"


def _cut(lines: list[str], room: int) -> tuple[list[str], bool]:
    if sum(len(line) + 1 for line in lines) <= room:
        return lines, False
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + 1 > room - _NOTE_ROOM:
            left = len(lines) - len(kept)
            return kept + [f"[... {left} more line(s) of this file's diff not sent: too long]"], True
        kept.append(line)
        used += len(line) + 1
    return kept, False


def digest(files: list[FileDiff], budget: int, *, numbered: bool = False) -> Digest:
    """Plan the text for `files` within `budget` characters."""
    result = Digest("")
    listing = ["Files changed:"]
    sendable = []
    for f in files:
        why = "binary, not sent" if f.binary else "generated, not sent" if f.generated else None
        if why is None and not f.rows:
            why = "no text changes"  # a mode change or an empty new file
        if why:
            result.skipped.append(f.path)
        else:
            sendable.append(f)
        listing.append(f"- {f.stat()}" + (f": {why}" if why else ""))
    room = budget - sum(len(line) + 1 for line in listing) - 60  # - a "not sent for lack of room" line
    bodies: dict[str, list[str]] = {}
    # Smallest first: many small files fit whole, and the big ones share what is left.
    order = sorted(sendable, key=lambda f: sum(len(r.text) for r in f.rows))
    for i, f in enumerate(order):
        lines = ([f"--- {f.path}"] if numbered else []) + _body(f, numbered)
        share = room // (len(order) - i) if room > 0 else 0
        if share < 80:
            result.skipped.append(f.path)
            continue
        kept, was_cut = _cut(lines, share)
        bodies[f.path] = kept
        (result.cut if was_cut else result.sent).append(f.path)
        room -= sum(len(line) + 1 for line in kept) + 2  # + the blank line between files
    no_room = [f.path for f in sendable if f.path not in bodies]
    if no_room:
        listing.append("Not sent for lack of room: " + ", ".join(no_room))
    parts = ["\n".join(listing)] + ["\n".join(bodies[f.path]) for f in sendable if f.path in bodies]
    result.text = "\n\n".join(parts)
    return result
