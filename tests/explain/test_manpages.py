"""The rendered-page parser and the man_cache table."""

from __future__ import annotations

import gzip
import os
import shutil

import pytest

from explain_helpers import man_path

from ccgpt.explain import manpages
from ccgpt.explain.manpages import ManCache, parse_rendered

RENDERED = """\
NAME
       frob - twiddle the bits

OPTIONS
       -a, --all
              twiddle every bit, even the hidden ones

       -c     count the bits instead

       -n NUM, --lines=NUM
              twiddle only NUM bits

       --color[=WHEN]
              colour the output WHEN

       -q
       --quiet
              say nothing

       -F value       sets the field separator

       expr1 -o expr2
              Or; expr2 is not evaluated if expr1 is true.

       if=FILE
              read from FILE instead of stdin

   Commands
       restart PATTERN...
           Stop and then start units.

SEE ALSO
       -z     not an option of frob
"""


def test_parse_rendered_shapes():
    title, items = parse_rendered(RENDERED)
    assert title == "twiddle the bits"
    table = {t: it for it in items for t in it.tags}
    assert table["-a"].help == "twiddle every bit, even the hidden ones" and table["--all"] is table["-a"]
    assert table["-c"].help == "count the bits instead" and table["-c"].arg is None
    assert table["-n"].arg == "required" and table["--lines"].arg == "required"
    assert table["--color"].arg == "optional"
    assert table["--quiet"].help == "say nothing" and table["-q"] is table["--quiet"]
    assert table["-F"].arg == "required" and table["-F"].help == "sets the field separator"
    assert table["-o"].help.startswith("Or; expr2")
    assert table["if="].help == "read from FILE instead of stdin"
    assert table["restart"].help == "Stop and then start units."
    assert "-z" not in table  # SEE ALSO is not an option table


def test_find_pages_rejects_paths_and_flags():
    found = manpages.find_pages(["./ls", "/etc/passwd", "-rf", "no-such-program-xyz"])
    assert found == {"./ls": None, "/etc/passwd": None, "-rf": None, "no-such-program-xyz": None}


def test_real_page_found_and_parsed():
    path = man_path("ls")
    found = manpages.find_pages(["ls"])["ls"]
    if path is None:
        assert found is None
        return
    assert os.path.realpath(found) == os.path.realpath(path)
    page = manpages.parse_page(found)
    assert page.source == "man:ls(1)" and page.lookup("-l").help == "use a long listing format"


@pytest.mark.needs("man", "groff")
def test_cache_keyed_by_path_and_mtime(tmp_path, monkeypatch):
    src = man_path("ls")
    page_file = tmp_path / "man1" / "frob.1.gz"
    page_file.parent.mkdir()
    if src:
        shutil.copy(src, page_file)
    else:  # a machine without man pages: a tiny page of our own
        with gzip.open(page_file, "wb") as fh:
            fh.write(b".TH FROB 1\n.SH NAME\nfrob \\- twiddle\n.SH OPTIONS\n.TP\n\\fB\\-l\\fR\nuse a long listing format\n")
    from ccgpt.store.db import open_store

    cache = ManCache(open_store(tmp_path / "store.db"))
    renders = []
    real_render = manpages.render
    monkeypatch.setattr(manpages, "render", lambda p: renders.append(p) or real_render(p))
    first = cache.page(str(page_file))
    assert first.lookup("-l").help == "use a long listing format"
    second = cache.page(str(page_file))  # from the store, not rendered again
    assert len(renders) == 1 and second.lookup("-l").help == first.lookup("-l").help
    st = page_file.stat()
    os.utime(page_file, (st.st_atime, st.st_mtime + 10))  # the page changed: render again
    cache.page(str(page_file))
    assert len(renders) == 2
    from ccgpt.store.man_cache import get_entry

    assert get_entry(cache.store, str(page_file))[0] == page_file.stat().st_mtime
    cache.close()


def test_cache_works_without_a_store(tmp_path):
    cache = ManCache(None)
    assert cache.get_which("ls") is None
    if man_path("ls"):
        assert cache.page(man_path("ls")).lookup("-a") is not None


@pytest.mark.needs("man", "groff")
def test_negative_lookups_are_cached(tmp_path):
    from ccgpt.store.db import open_store

    cache = ManCache(open_store(tmp_path / "s.db"))
    assert manpages.find_pages(["no-such-program-xyz"], cache)["no-such-program-xyz"] is None
    assert cache.get_which("no-such-program-xyz") == ""  # remembered: no `man -w` next time
    cache.close()
