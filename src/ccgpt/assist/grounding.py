"""Grounding: the SYNOPSIS lines of the programs a task names, put into the prompt.

A small model knows `tar` well and `gzip`'s `-k` less well; the page on this machine says which
forms the installed program takes. The programs are the task's words that are installed
programs ("sort names.txt with sort -u", "use rsync"), minus English words that merely happen
to be program names ("the last file", "the first column"), plus a few verbs that clearly imply
one ("compress" -> tar, gzip). Each one's NAME line and SYNOPSIS come from the explain engine's
man-page reader, through the same store cache as the option tables, bounded (MAX_PROGRAMS
programs, MAX_LINES lines of MAX_CHARS each) and cleaned of control characters by the parser;
a synopsis that only says "[OPTION]... [FILE]..." is left out (it cost a right answer: with it,
"the total disk usage of this directory" became `du -sh <the directory's name>`).

The block goes into the task's context (after the fixed prefix of worked examples, which the
embedded model keeps evaluated on disk): it never changes that prefix. It is data, like the
rest of the context: a page could say anything.
"""

from __future__ import annotations

import re
import shutil

from ccgpt.term.sanitize import sanitize_line

MAX_PROGRAMS = 3
MAX_LINES = 6
MAX_CHARS = 200

# Words of everyday tasks that are also program names but almost never mean the program:
# "the last file", "the first column", "its size", "make it executable", "which user".
NOT_MEANT = frozenset({
    "as", "at", "column", "convert", "env", "expand", "file", "free", "groups", "id", "info", "install",
    "join", "last", "less", "line", "link", "look", "make", "man", "more", "nice", "open", "paste",
    "script", "see", "size", "split", "sum", "test", "time", "top", "true", "false", "users", "watch",
    "which", "who", "write", "yes",
})
# Words that name no program but clearly call for one.
IMPLIED: dict[str, tuple[str, ...]] = {
    "compress": ("tar", "gzip"), "compressed": ("tar", "gzip"), "decompress": ("gzip",),
    "archive": ("tar",), "archives": ("tar",), "extract": ("tar",), "unpack": ("tar",),
    "search": ("grep",), "containing": ("grep",), "contain": ("grep",), "contains": ("grep",),
    "replace": ("sed",), "substitute": ("sed",),
    "count": ("wc",),
    "permission": ("chmod",), "permissions": ("chmod",), "executable": ("chmod",),
    "owner": ("chown",), "ownership": ("chown",),
    "process": ("ps",), "processes": ("ps",),
    "duplicate": ("sort", "uniq"), "duplicates": ("sort", "uniq"),
    "download": ("curl",),
    "disk": ("df", "du"),
    "modified": ("find",), "changed": ("find",),
    "commit": ("git",), "commits": ("git",), "branch": ("git",), "repository": ("git",),
}
_WORD = re.compile(r"[A-Za-z0-9][\w.+-]*")
_KIND_OF_FILE = {"file", "files", "script", "scripts", "source", "sources"}  # "python files"


def programs_for(task: str, which=shutil.which) -> list[str]:
    """Installed programs the task names, then those its verbs imply, in task order."""
    words = [w.rstrip(".").lower() for w in _WORD.findall(task)]
    named: list[str] = []
    implied: list[str] = []
    for k, word in enumerate(words):
        following = words[k + 1] if k + 1 < len(words) else ""
        # A word with a verb entry means the verb ("count", "duplicates"), whatever is installed.
        if "." not in word and word not in NOT_MEANT and word not in IMPLIED and following not in _KIND_OF_FILE:
            named.append(word)
        implied += IMPLIED.get(word, ())
    return [p for p in dict.fromkeys(named + implied) if which(p)]


# GNU's generic forms ("[OPTION]... [FILE]...", "[OPTION]... [INPUT [OUTPUT]]", "--files0-from=F")
# say nothing a model does not know, and tempt it to fill in a FILE the task did not ask for.
_GENERIC = re.compile(r"^(?:\s*(?:\[?[A-Z][A-Z_]*\]?(?:\.\.\.)?|\[[A-Z][A-Z_ ]*(?:\[[A-Z_]+\])?\](?:\.\.\.)?"
                      r"|--files0-from=F))*\s*$")


def _says_something(line: str) -> bool:
    # Sub-headings ("Traditional usage", "GNU-style usage") give no form; generic forms no option.
    rest = line.partition(" ")[2]
    return bool(re.search(r"[-\[<{]", rest)) and not _GENERIC.match(rest)


def _usage_lines(lines: list[str]) -> list[str]:
    kept = [ln for ln in lines if _says_something(ln)]
    return [ln if len(ln) <= MAX_CHARS else ln[: MAX_CHARS - 1] + "…" for ln in kept[:MAX_LINES]]


class Grounder:
    """One per suggest session: reads pages through the store's man-page cache."""

    def __init__(self, cache=None, which=shutil.which):
        self._cache = cache
        self._which = which

    def _synopsis(self, program: str) -> tuple[str | None, list[str]]:
        from ccgpt.explain.manpages import ManCache, synopsis

        if self._cache is None:
            self._cache = ManCache.open()
        try:
            return synopsis(program, self._cache)
        except Exception:  # a broken page or store costs the grounding, never the suggestion
            return None, []

    def block(self, task: str) -> str:
        """The lines for the prompt's context, or "" when the task names no program with a page."""
        out = []
        shown = 0
        for program in programs_for(task, self._which):
            if shown == MAX_PROGRAMS:
                break
            title, lines = self._synopsis(program)
            if not lines:
                continue
            shown += 1
            usage = _usage_lines(lines)
            if not usage and not title:
                continue
            out.append(f"{program}: {sanitize_line(title)}" if title else program)
            out += ["  " + ln for ln in usage]
        return ("Synopsis from this machine's manual pages:\n" + "\n".join(out)) if out else ""
