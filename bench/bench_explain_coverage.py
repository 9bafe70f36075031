"""Coverage of `ccgpt explain --no-llm` over a corpus of real one-liners.

For every option part whose program has a man page on this machine, does it get a
man-page-sourced help string? Prints the share (target >= 95 %) and the misses, and the
option parts whose "value" is itself an option of the same page (`diff -u -N` read as -u
taking -N): a help that is present but attached to the wrong words.

    PYTHONPATH=src python bench/bench_explain_coverage.py [bench/data/oneliners.txt]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _value_is_an_option(ex, part) -> bool:
    words = part.text.split(None, 1)
    if len(words) < 2 or not words[1].startswith("-") or not part.source.startswith("man:"):
        return False
    page = ex.page(part.source[4:].rsplit("(", 1)[0])
    return page is not None and page.lookup(words[1]) is not None


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "data" / "oneliners.txt"
    os.environ.setdefault("CCGPT_DATA_DIR", tempfile.mkdtemp(prefix="ccgpt-cov-"))
    from ccgpt.errors import CcgptError
    from ccgpt.explain.engine import Explainer
    from ccgpt.explain.manpages import ManCache

    lines = [ln for ln in corpus.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    cache = ManCache.open()
    total = grounded = 0
    errors = []
    misses = []
    swallowed = []
    for line in lines:
        ex = Explainer(cache)
        try:
            parts = ex.explain(line)
        except CcgptError as exc:
            errors.append(f"{line}: {exc}")
            continue
        owner = None  # the man page of the command each option belongs to
        for p in parts:
            if p.kind in ("command", "subcommand"):
                if p.kind == "command":
                    owner = p.source if (p.source or "").startswith("man:") else None
                elif (p.source or "").startswith("man:"):
                    owner = owner or p.source
            elif p.kind == "option" and owner:
                total += 1
                if p.help and (p.source or "").startswith("man:"):
                    grounded += 1
                    if _value_is_an_option(ex, p):
                        swallowed.append(f"{p.text!r} in {line!r}")
                else:
                    misses.append(f"{p.text!r} in {line!r}" + (f" ({p.note})" if p.note else ""))
    cache.close()
    share = 100.0 * grounded / total if total else 0.0
    print(f"corpus: {len(lines)} one-liners ({corpus.name})")
    print(f"options whose program has a man page: {total}")
    print(f"  with a man-page-sourced help:       {grounded}  ({share:.1f} %, target >= 95 %)")
    print(f"  of which the value is itself an option: {len(swallowed)}")
    for m in swallowed:
        print("    -", m)
    if misses:
        print("misses:")
        for m in misses:
            print("  -", m)
    if errors:
        print("did not parse:")
        for e in errors:
            print("  -", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
