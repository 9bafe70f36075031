"""Bash builtins and keywords, explained by bash's own `help`.

One `bash` process prints `help -d` and `help` for every builtin and keyword (about 5 ms);
the parsed result is cached in the store keyed by the bash binary's path and mtime.
Help strings are quoted from that output, whitespace-normalised.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field

from ccgpt.explain.manpages import ManCache, norm

SOURCE = "builtin:bash"
_SEP = "@@ccgpt-help@@"
# Each builtin's full text; `help -d` gives the one-line description.
_SCRIPT = (
    "for b in $(compgen -b) $(compgen -k); do "
    f"printf '%s %s\\n' '{_SEP}' \"$b\"; help -d -- \"$b\" 2>/dev/null; "
    f"printf '%s\\n' '{_SEP}-full'; help -- \"$b\" 2>/dev/null; done"
)
# `help for` also matches `for ((`; keywords whose help lives under another name
_ALIASES = {"]]": "[[", "then": "if", "elif": "if", "else": "if", "fi": "if", "do": "for", "done": "for",
            "esac": "case", "in": "for", "}": "{", "[": "["}


@dataclass
class Builtin:
    name: str
    short: str | None                 # "Change the shell working directory."
    full: str                         # the whole `help NAME` text
    options: dict[str, list] = field(default_factory=dict)  # "-e" -> [help, takes_arg]


def _parse_options(full: str) -> dict[str, list]:
    """Option lines of a help text: `  -e  Exit immediately ...` plus indented continuations."""
    opts: dict[str, list] = {}
    lines = full.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i].expandtabs()
        m = re.match(r"^(\s+)(-[A-Za-z@]|-[a-z]{2})( [A-Za-z_][\w-]*)?(?:\s{2,}(\S.*))?$", line)
        if not m:
            i += 1
            continue
        ind = len(m.group(1))
        body = [m.group(4)] if m.group(4) else []
        j = i + 1
        while j < len(lines):
            nxt = lines[j].expandtabs()
            if not nxt.strip() or len(nxt) - len(nxt.lstrip()) <= ind or nxt.strip().startswith("-"):
                break
            body.append(nxt.strip())
            if not m.group(4) and len(body) == 1:  # "-o option-name" then its text below
                pass
            j += 1
            if nxt.rstrip().endswith(":"):
                break
        if body:
            opts.setdefault(m.group(2), [norm(" ".join(body)), bool(m.group(3))])
        i = j
    return opts


def _parse_dump(text: str) -> dict[str, Builtin]:
    out: dict[str, Builtin] = {}
    for block in text.split(_SEP + " ")[1:]:
        head, _, full = block.partition(_SEP + "-full\n")
        first, _, short_line = head.partition("\n")
        name = first.strip()
        m = re.match(r"^.*? - (.*)$", short_line.strip())
        short = norm(m.group(1)) if m else None
        if name in out or not full.strip():
            continue
        out[name] = Builtin(name, short, full, _parse_options(full))
    return out


class Builtins:
    def __init__(self, cache: ManCache | None = None) -> None:
        self.cache = cache
        self._table: dict[str, Builtin] | None = None
        self.bash = shutil.which("bash")

    def table(self) -> dict[str, Builtin]:
        if self._table is not None:
            return self._table
        self._table = {}
        if not self.bash:
            return self._table
        key = "bash-help:" + os.path.realpath(self.bash)
        data = self.cache.get(key, self.bash) if self.cache else None
        if data is None:
            try:
                r = subprocess.run([self.bash, "--norc", "--noprofile", "-c", _SCRIPT], capture_output=True,
                                   timeout=10, env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"})
                dump = r.stdout.decode("utf-8", "replace")
            except (OSError, subprocess.SubprocessError):
                return self._table
            data = {n: [b.short, b.full, b.options] for n, b in _parse_dump(dump).items()}
            if self.cache:
                self.cache.put(key, self.bash, data)
        self._table = {n: Builtin(n, s, f, o) for n, (s, f, o) in data.items()}
        return self._table

    def get(self, name: str) -> Builtin | None:
        t = self.table()
        return t.get(name) or t.get(_ALIASES.get(name, "\0"))

    def is_builtin(self, name: str) -> bool:
        return name in self.table()
