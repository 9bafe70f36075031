"""How complete are the option tables read from this machine's man pages?

For every section-1/8 page of a program on PATH (or an even sample of N of them), the options its SYNOPSIS names (`-x`, `--long`,
`[-d exdir]`, BSD clusters such as `[-cflptTuvz]`) are looked up in the table the explain
engine reads from the same page. Prints the share found, the pages with the most holes and a
sample of the missing options, so a layout the parser does not know shows up by itself.

    PYTHONPATH=src python bench/bench_manpage_tables.py [MAX_PAGES]
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sys
import time

_OPT = re.compile(r"(?<![\w/=.-])(--?[A-Za-z][\w-]*)")


def synopsis_options(text: str) -> list[str]:
    lines = text.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
        if line and not line.startswith(" "):
            inside = line.strip().startswith("SYNOPSIS")
            continue
        if inside:
            out += _OPT.findall(line)
    return list(dict.fromkeys(out))


def documented(page, opt: str) -> bool:
    if page.lookup(opt) is not None:
        return True
    if opt.startswith("--") and opt.startswith("--no-") and page.lookup("--" + opt[5:]) is not None:
        return True
    # a BSD cluster in the synopsis (`-cflptTuvz`): every letter has an entry
    return not opt.startswith("--") and len(opt) > 2 and all(page.lookup("-" + c) for c in opt[1:])


def main() -> int:
    from ccgpt.explain.manpages import Page, _page_id, parse_rendered, render

    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    paths = sorted(glob.glob("/usr/share/man/man1/*") + glob.glob("/usr/share/man/man8/*"))
    # pages of programs this machine can run (a cloud SDK's thousands of generated pages aside)
    paths = [p for p in paths if os.path.isfile(p) and shutil.which(_page_id(p)[0])]
    step = max(1, len(paths) // limit)
    sample = paths[::step][:limit]
    total = found = pages = 0
    holes: list[tuple[int, str, list[str]]] = []
    t0 = time.perf_counter()
    for path in sample:
        try:
            text = render(path)
        except Exception:  # an unreadable page is not part of the measure
            continue
        title, items = parse_rendered(text)
        name, sect = _page_id(path)
        page = Page(name, sect, path, title, items)
        opts = synopsis_options(text)
        if not opts:
            continue
        pages += 1
        missing = [o for o in opts if not documented(page, o)]
        total += len(opts)
        found += len(opts) - len(missing)
        if missing:
            holes.append((len(missing), f"{name}({sect})", missing))
    secs = time.perf_counter() - t0
    share = 100.0 * found / total if total else 0.0
    print(f"pages with options in SYNOPSIS: {pages} (of {len(sample)} sampled, {secs:.1f} s)")
    print(f"synopsis options with an entry in the table: {found} of {total} ({share:.1f} %)")
    print("pages with the most holes:")
    for n, name, missing in sorted(holes, reverse=True)[:25]:
        print(f"  {n:3d} {name}: {' '.join(missing[:12])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
