"""perl's command line: which words are the program (`-e`/`-E`, through option clusters)."""

from __future__ import annotations

# perl letters that take the rest of their cluster as a value (`-Mstrict`, `-i.bak`); -I,
# -M, -m and -x may also take the next word when nothing is attached
_PERL_ATTACHED = frozenset("CDdFIiMmx")


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
            if ch in "l0":  # `-l[octnum]`, `-0[digits]`: only digits follow (`-lne`, `-0777e`, `-lane`)
                k += 1
                digits = "0123456789abcdefABCDEF" if ch == "0" and a[k:k + 1] in ("x", "X") else "01234567"
                k += 1 if digits[-1] == "F" else 0  # the `x` of `-0xHH`
                while k < len(a) and a[k] in digits:
                    k += 1
                continue
            if ch in _PERL_ATTACHED:
                if not a[k + 1:] and ch in "IMmx" and j + 1 < len(argv) and ch != "x":
                    j += 1  # `-M strict`: the module is the next word
                break
            k += 1
        j += 1
    return "\n".join(code) if code else None


def split_clusters(argv: list[str]) -> list[str]:
    """perl's option clusters spelt one option a word (`-lpi.bak` → `-l -p -i.bak`, `-lane CODE` →
    `-l -a -n -e CODE`), so a getopt reading sees each; the words after the options are kept."""
    out = argv[:1]
    j = 1
    while j < len(argv):
        a = argv[j]
        if a == "--" or not a.startswith("-") or a == "-" or a.startswith("--"):
            return out + argv[j:]
        k = 1
        while k < len(a):
            ch = a[k]
            if ch in "eE":
                out += ["-" + ch, a[k + 1:]] if a[k + 1:] else ["-" + ch]
                break
            if ch in "l0":
                end = k + 1
                while end < len(a) and a[end] in "0123456789abcdefABCDEFxX" and (ch == "0" or a[end].isdigit()):
                    end += 1
                out.append("-" + a[k:end])
                k = end
                continue
            if ch in _PERL_ATTACHED:
                out.append("-" + a[k:])
                break
            out.append("-" + ch)
            k += 1
        j += 1
    return out
