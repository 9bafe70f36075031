"""perl's command line: which words are the program (`-e`/`-E`, through option clusters)."""

from __future__ import annotations

# perl letters that take the rest of their cluster as a value (`-Mstrict`, `-i.bak`, `-l0`); -I,
# -M, -m and -x may also take the next word when nothing is attached
_PERL_ATTACHED = frozenset("0CDdFIilMmx")


def perl_code(argv: list[str]) -> str | None:
    """perl's program text: every -e/-E (joined by newlines, as perl does), read through clusters
    (`-lne`, `-Mstrict -E`, `-e'…'`); None when the program is a file or stdin."""
    code: list[str] = []
    j = 1
    while j < len(argv):
        a = argv[j]
        if a == "--" or not a.startswith("-") or a == "-":
            break
        k = 1
        while k < len(a):
            ch = a[k]
            if ch in "eE":
                rest = a[k + 1:]
                if not rest:
                    j += 1
                    rest = argv[j] if j < len(argv) else ""
                code.append(rest)
                break
            if ch in _PERL_ATTACHED:
                if not a[k + 1:] and ch in "IMmx" and j + 1 < len(argv) and ch != "x":
                    j += 1  # `-M strict`: the module is the next word
                break
            k += 1
        j += 1
    return "\n".join(code) if code else None
