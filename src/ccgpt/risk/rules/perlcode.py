"""perl's command line: its option clusters one option a word, and which words are the program."""

from __future__ import annotations

# perl letters that take the rest of their cluster as a value (`-Mstrict`, `-i.bak`); -I, -M and
# -m take the next word when nothing is attached
_PERL_ATTACHED = frozenset("CDdFIiMmx")


def _digits_end(a: str, k: int) -> int:
    """Where the value of `-l[octnum]` or `-0[octal|xHEX]` at a[k] ends: digits only follow."""
    end = k + 1
    digits = "01234567"
    if a[k] == "0" and a[end:end + 1] in ("x", "X"):
        digits, end = "0123456789abcdefABCDEF", end + 1
    while end < len(a) and a[end] in digits:
        end += 1
    return end


def split_clusters(argv: list[str]) -> list[str]:
    """perl's option clusters spelt one option a word (`-lpi.bak` → `-l -p -i.bak`, `-lane CODE` →
    `-l -a -n -e CODE`, `-0777e CODE` → `-0777 -e CODE`); the words after the options are kept."""
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
                end = _digits_end(a, k)
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


def perl_code(argv: list[str]) -> str | None:
    """perl's program text: every -e/-E (joined by newlines, as perl does), read through clusters
    (`-lne`, `-Mstrict -E`, `-e'…'`); None when the program is a file or stdin."""
    words = split_clusters(argv)
    code: list[str] = []
    j = 1
    while j < len(words) and words[j].startswith("-") and words[j] not in ("-", "--"):
        if words[j] in ("-e", "-E", "-I", "-M", "-m"):
            j += 1  # the value is the next word: the code, or `-M strict`'s module
            if words[j - 1] in ("-e", "-E"):
                code.append(words[j] if j < len(words) else "")
        j += 1
    return "\n".join(code) if code else None
