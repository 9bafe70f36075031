"""Man pages: find them, render them, turn them into option tables, cache the tables.

Pipeline: `man -w` finds the page file (sections 1 and 8 first); groff renders it to plain
text with a very long line length, so every paragraph is one line and no word is hyphenated;
the rendered text is read as a list of tagged items (".TP", ".IP", mdoc ".It Fl", DocBook
"term/listitem" all end up the same shape: a tag at one indent, its body at a deeper one).
Rendering instead of parsing roff by hand was chosen by measurement: one parser for man,
mdoc and DocBook-generated pages, 10-60 ms per page, and the text quoted is the text a person
reads with `man`. The parsed table is cached in the store keyed by path and mtime.

Nothing here runs the program being explained: only `man -w` and `groff`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import cast

from ccgpt.explain.manparse import PARSER_VERSION, Item, norm, parse_rendered, parse_synopsis
from ccgpt.store.man_cache import get_entry, put_entry

__all__ = ["Item", "ManCache", "Page", "find_pages", "missing_tools", "norm", "parse_page", "parse_rendered", "render", "synopsis"]

_NAME_OK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+:@-]{0,100}$")
_SECTIONS = "1:8:6:7:5:4:2:3:9"


@dataclass
class Page:
    name: str
    section: str
    path: str
    title: str | None
    items: list[Item] = field(default_factory=list)
    synopsis: list[str] = field(default_factory=list)  # the SYNOPSIS lines, cleaned (manparse)
    _index: dict[str, list[Item]] | None = None

    @property
    def source(self) -> str:
        return f"man:{self.name}({self.section})"

    def lookup(self, tag: str, value: str | None = None) -> Item | None:
        """The item documenting `tag`; with a value, the variant whose placeholder has the
        value's form (find's "-perm -mode" for `-perm -o=w`, "-perm /mode" for `/u+x`)."""
        if self._index is None:
            self._index = {}
            for item in self.items:
                for t in item.tags:
                    self._index.setdefault(t, []).append(item)
        items = self._index.get(tag)
        if not items:
            return None
        if value and len(items) > 1:
            for item in items:
                placeholder = item.tag_text.split(tag, 1)[-1].strip()
                if placeholder[:1] in "-/+" and placeholder[:1] == value[:1]:
                    return item
        return items[0]

    def placeholder_tags(self) -> list[str]:
        """Tags that stand for a family of options: "-SIGNAL" (killall), "-<signal>" (kill)."""
        return [t for it in self.items for t in it.tags if re.match(r"^-(?:<[\w-]+>|[A-Z][A-Z_]{2,})$", t)]

    def long_options(self) -> list[str]:
        return [t for it in self.items for t in it.tags if t.startswith("--")]

    def to_json(self) -> dict:
        return {"parser": PARSER_VERSION, "name": self.name, "section": self.section, "path": self.path,
                "title": self.title, "items": [[i.tags, i.args, i.help, i.tag_text, i.section] for i in self.items],
                "synopsis": self.synopsis}

    @classmethod
    def from_json(cls, d: dict) -> Page | None:
        """The cached page, or None when an older parser wrote it (it is parsed again)."""
        if d.get("parser") != PARSER_VERSION or "synopsis" not in d:
            return None
        return cls(d["name"], d["section"], d["path"], d["title"], [Item(*row) for row in d["items"]],
                   list(d["synopsis"]))


# ---------------------------------------------------------------- finding pages

def missing_tools() -> str | None:
    """Why no page can be read on this machine at all, naming the package that brings the tool."""
    if not shutil.which("man"):
        return "the man command is not installed (package man-db)"
    if not shutil.which("groff"):
        return "`groff`, which renders the pages, is not installed (package groff-base)"
    return None


def _page_id(path: str) -> tuple[str, str]:
    """("git-commit", "1") from /usr/share/man/man1/git-commit.1.gz."""
    base = os.path.basename(path)
    for ext in (".gz", ".bz2", ".xz", ".lzma", ".Z"):
        if base.endswith(ext):
            base = base[: -len(ext)]
    name, _, sect = base.rpartition(".")
    return (name or base), (sect or "1")


def find_pages(names: list[str], cache=None) -> dict[str, str | None]:
    """Map each program name to its page file (or None), with one `man -w` call for the unknown."""
    found: dict[str, str | None] = {}
    todo = []
    for n in dict.fromkeys(names):
        if not _NAME_OK.match(n):
            found[n] = None
            continue
        hit = cache.get_which(n) if cache else None
        if hit:
            found[n] = hit
        elif hit == "" :
            found[n] = None  # known to have no page, and no page directory changed since
        else:
            todo.append(n)
    if todo:
        try:
            r = subprocess.run(["man", "-S", _SECTIONS, "-w", "--", *todo], capture_output=True, text=True,
                               timeout=10, env={**os.environ, "MANOPT": "", "LC_ALL": "C"})
            missing = set(re.findall(r"No manual entry for (\S+)", r.stderr))
            paths = [p for p in r.stdout.splitlines() if p.strip()]
            present = [n for n in todo if n not in missing]
            if cache:
                for n in missing & set(todo):
                    cache.put_which(n, None)
            if len(paths) == len(present):
                for n, p in zip(present, paths):
                    found[n] = p
                    if cache:
                        cache.put_which(n, p)
        except (OSError, subprocess.SubprocessError):
            pass
    for n in names:
        found.setdefault(n, None)
    return found


# ---------------------------------------------------------------- rendering

def _open_page(path: str) -> io.BufferedIOBase:
    """The page file for reading, decompressed according to its extension."""
    ext = os.path.splitext(path)[1]
    if ext == ".gz":
        return gzip.open(path, "rb")
    if ext == ".bz2":
        return bz2.open(path, "rb")
    if ext in (".xz", ".lzma"):
        return lzma.open(path, "rb")
    return open(path, "rb")


def _read_source(path: str, depth: int = 0) -> bytes:
    with _open_page(path) as fh:
        data = fh.read(4_000_000)
    m = re.match(rb"\s*\.so\s+(\S+)", data)
    if m and depth < 3:  # a one-line page that includes another: `.so man1/foo.1`
        root = os.path.dirname(os.path.dirname(path))
        target = os.path.join(root, m.group(1).decode("utf-8", "replace"))
        for cand in (target, *(target + e for e in (".gz", ".bz2", ".xz"))):
            if os.path.exists(cand):
                return _read_source(cand, depth + 1)
    return data


def render(path: str) -> str:
    """The page as plain text: one line per paragraph, no hyphenation, no overstrike."""
    src = _read_source(path)
    cmd = ["groff", "-t", "-K", "utf-8", "-Tutf8", "-mandoc", "-P-cbu", "-rLL=4000n", "-rHY=0"]
    r = subprocess.run(cmd, input=src, capture_output=True, timeout=30,
                       env={**os.environ, "LC_ALL": "C.UTF-8", "GROFF_NO_SGR": "1"})
    return r.stdout.decode("utf-8", "replace")


# ---------------------------------------------------------------- parsing

def parse_page(path: str) -> Page:
    name, sect = _page_id(path)
    text = render(path)
    title, items = parse_rendered(text)
    return Page(name, sect, path, title, items, parse_synopsis(text))


def synopsis(name: str, cache: ManCache | None = None) -> tuple[str | None, list[str]]:
    """(the NAME line's description, the SYNOPSIS lines) of a program's page; (None, []) when it
    has none. Read through the cache like the option tables (one parse serves both)."""
    path = find_pages([name], cache).get(name)
    page = (cache or ManCache(None)).page(path) if path else None
    return (page.title, page.synopsis) if page else (None, [])


# ---------------------------------------------------------------- cache

class ManCache:
    """The store's man_cache table: rows keyed by page path (parsed pages) or `which:NAME`."""

    def __init__(self, store=None):
        self.store = store

    @classmethod
    def open(cls) -> ManCache:
        try:
            from ccgpt.store.db import open_store

            return cls(open_store())
        except Exception:  # an unwritable home must not stop an explanation
            return cls(None)

    def _get(self, key: str) -> tuple[float, object] | None:
        return get_entry(self.store, key) if self.store else None

    def _put(self, key: str, mtime: float, data) -> None:
        if self.store:
            put_entry(self.store, key, mtime, data)

    @staticmethod
    def _mtime(path: str) -> float | None:
        try:
            return os.stat(path).st_mtime
        except OSError:
            return None

    @staticmethod
    def _dirs_stamp() -> float:
        """Latest mtime of the page directories: changes when a package adds or removes a page."""
        roots = [r for r in os.environ.get("MANPATH", "").split(":") if r] or \
            ["/usr/share/man", "/usr/local/share/man", "/usr/local/man"]
        stamp = 0.0
        for root in roots:
            for sub in ("", "/man1", "/man8"):
                try:
                    stamp = max(stamp, os.stat(root + sub).st_mtime)
                except OSError:
                    pass
        return stamp

    def get_which(self, name: str) -> str | None:
        """The cached page path; "" when known to have none; None when unknown."""
        row = self._get("which:" + name)
        if row:
            path = cast("str | None", row[1])  # which: rows hold what put_which stored
            if path is None:
                return "" if row[0] == self._dirs_stamp() else None
            if self._mtime(path) == row[0]:
                return path
        return None

    def put_which(self, name: str, path: str | None) -> None:
        m = self._mtime(path) if path else self._dirs_stamp()
        if m is not None:
            self._put("which:" + name, m, path)

    def get(self, key: str, mtime_of: str):
        row = self._get(key)
        if row and row[0] == self._mtime(mtime_of):
            return row[1]
        return None

    def put(self, key: str, mtime_of: str, data) -> None:
        m = self._mtime(mtime_of)
        if m is not None:
            self._put(key, m, data)

    def page(self, path: str) -> Page | None:
        data = self.get(path, path)
        cached = Page.from_json(data) if isinstance(data, dict) else None
        if cached is not None:
            return cached
        try:
            page = parse_page(path)
        except (OSError, subprocess.SubprocessError, EOFError, lzma.LZMAError):
            return None
        self.put(path, path, page.to_json())
        return page

    def close(self) -> None:
        if self.store:
            self.store.close()
