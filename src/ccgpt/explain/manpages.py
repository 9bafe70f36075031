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
import lzma
import os
import re
import subprocess
from dataclasses import dataclass, field

from ccgpt.store.man_cache import get_entry, put_entry

_NAME_OK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+:@-]{0,100}$")
_SECTIONS = "1:8:6:7:5:4:2:3:9"
_SKIP_SECTIONS = ("SEE ALSO", "HISTORY", "BUGS", "EXAMPLE", "AUTHOR", "COPYRIGHT", "STANDARDS",
                  "REPORTING BUGS", "EXIT STATUS", "FILES", "NOTES", "COLOPHON")
_WS = re.compile(r"\s+")
# One variant of a tag: "-a", "--all", "--color[=WHEN]", "-n NUM", "--lines=[+]NUM", "-C <commit>".
_VARIANT = re.compile(r"^(--?[A-Za-z0-9?#@][A-Za-z0-9_.?#@+-]*|[+][A-Za-z0-9]+|[A-Za-z0-9][A-Za-z0-9_-]*)(.*)$")


def norm(text: str) -> str:
    """Whitespace-normalise: the form in which help text is quoted and compared."""
    return _WS.sub(" ", text).strip()


@dataclass
class Item:
    tags: list[str]      # option names or words, e.g. ["-a", "--all"] or ["restart"]
    arg: str | None      # "required", "optional" or None
    help: str            # first paragraph of the body, whitespace-normalised
    tag_text: str        # the tag line as printed
    section: str = ""


@dataclass
class Page:
    name: str
    section: str
    path: str
    title: str | None
    items: list[Item] = field(default_factory=list)
    _index: dict[str, Item] | None = None

    @property
    def source(self) -> str:
        return f"man:{self.name}({self.section})"

    def lookup(self, tag: str) -> Item | None:
        if self._index is None:
            self._index = {}
            for item in self.items:
                for t in item.tags:
                    self._index.setdefault(t, item)
        return self._index.get(tag)

    def long_options(self) -> list[str]:
        return [t for it in self.items for t in it.tags if t.startswith("--")]

    def to_json(self) -> dict:
        return {"name": self.name, "section": self.section, "path": self.path, "title": self.title,
                "items": [[i.tags, i.arg, i.help, i.tag_text, i.section] for i in self.items]}

    @classmethod
    def from_json(cls, d: dict) -> Page:
        return cls(d["name"], d["section"], d["path"], d["title"], [Item(*row) for row in d["items"]])


# ---------------------------------------------------------------- finding pages

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

def _read_source(path: str, depth: int = 0) -> bytes:
    opener = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".lzma": lzma.open}.get(
        os.path.splitext(path)[1], open)
    with opener(path, "rb") as fh:
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


# ---------------------------------------------------------------- parsing rendered text

def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _variants(tag: str) -> tuple[list[str], str | None]:
    """Option names in a tag line and whether they take an argument."""
    tags: list[str] = []
    arg = None
    tag = re.sub(r"^(?:expr\d*|!)\s+(?=-)", "", tag)  # find's "expr1 -o expr2"
    # split "-a, --all" / "-e script, --expression=script" / "install, reinstall" / "-# --fast --best"
    chunks: list[str] = []
    for chunk in re.split(r",\s+|\s+\|\s+|\s+or\s+", tag):
        chunks += re.split(r"\s+(?=--?[A-Za-z#])", chunk.strip()) if chunk.startswith("-") else [chunk.strip()]
    for chunk in chunks:
        m = _VARIANT.match(chunk)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        if name.startswith("-") and "=" in name:
            name, rest = name.split("=", 1)[0], "=" + name.split("=", 1)[1] + rest
        if not name.startswith(("-", "+")) and rest.startswith("="):
            name, rest = name + "=", ""  # dd's operands: if=FILE
        tags.append(name)
        if re.match(r"^-[A-Za-z][a-z]{2,}$", name) and re.search(r"--[\w-]+=", tag):
            tags.append(name[:2])  # patch's "-pnum or --strip=num": -p takes num
            arg = "required"
        rest = rest.strip()
        if rest.startswith("[=") or rest.startswith("[ ") or (rest.startswith("[") and name.startswith("--")):
            arg = arg or "optional"
        elif rest and name.startswith("-") and not rest.startswith("("):
            arg = "required"
    return tags, arg


def _looks_like_tag(text: str, limit: int = 90) -> bool:
    if text.startswith(("-", "+")):
        return len(text) < limit
    # a word tag (`restart PATTERN...`, `a`, `install, reinstall`): short, no sentence punctuation
    return bool(re.match(r"^[A-Za-z0-9][\w-]*(?:=\S+)?(?:,? [\w<>\[\]().,|=-]+){0,4}$", text)) and len(text) < 60 \
        and (not text.endswith(".") or text.endswith("..."))


def parse_rendered(text: str) -> tuple[str | None, list[Item]]:
    lines = text.splitlines()
    title = None
    section = ""
    # body columns seen after a tag-only line, per tag indent (learned from the page itself)
    bodies: dict[int, dict[int, int]] = {}
    nonblank = [(i, l) for i, l in enumerate(lines) if l.strip()]
    for (i, a), (j, b) in zip(nonblank, nonblank[1:]):
        ia, ib = _indent(a), _indent(b)
        if 0 < ia < ib and j == i + 1 and _looks_like_tag(a.strip()):
            bodies.setdefault(ia, {}).setdefault(ib, 0)
            bodies[ia][ib] += 1
    items: list[Item] = []
    n = len(lines)
    k = 0
    while k < n:
        line = lines[k]
        ind = _indent(line)
        stripped = line.strip()
        if not stripped:
            k += 1
            continue
        if ind == 0:
            section = stripped
            k += 1
            continue
        if section.startswith("NAME") and title is None:
            m = re.search(r"\s(?:\\?-|—|–)\s+(.+)$", stripped)
            title = norm(m.group(1)) if m else None
        if any(section.startswith(s) for s in _SKIP_SECTIONS):
            k += 1
            continue
        tag = body = None
        nxt = lines[k + 1] if k + 1 < n else ""
        if not nxt.strip() and stripped[0] in "-+" and k + 2 < n:
            nxt = lines[k + 2]  # sed's pages: a blank line between tag and body
        if ind < 4 and not stripped.startswith("-"):  # .SS sub-headings sit at indent 3
            k += 1
            continue
        extra = 0
        while stripped[0] in "-+" and k + 1 + extra < n and _indent(lines[k + 1 + extra]) == ind \
                and lines[k + 1 + extra].strip().startswith("-") and len(lines[k + 1 + extra]) < 80 + ind:
            extra += 1  # wget's pages: "-q" and "--quiet" on lines of their own, then the body
        if extra:
            stripped = ", ".join(lines[j].strip() for j in range(k, k + extra + 1))
            k += extra
            nxt = lines[k + 1] if k + 1 < n else ""
        if nxt.strip() and _indent(nxt) > ind and _looks_like_tag(stripped, 90 * (extra + 1)):
            tag, body = stripped, nxt.strip()
        else:
            cols = sorted(bodies.get(ind, {}).items(), key=lambda kv: -kv[1])
            for col, _ in cols or [(ind + 7, 0), (ind + 8, 0)]:
                if len(line) > col and line[col - 1] == " " and line[col] != " ":
                    head = line[ind:col].rstrip()
                    gap = col - ind - len(head)
                    if head and _looks_like_tag(head) and (head[0] in "-+" or gap >= 2) and "  " not in head:
                        tag, body = head, line[col:].strip()
                        break
            if tag is None:  # "-F value       sets the field separator": a tag wider than usual
                m = re.match(r"^([-+]\S+(?: \S+)?) {2,}(\S.*)$", stripped)
                if m and _looks_like_tag(m.group(1)):
                    tag, body = m.group(1), m.group(2)
        if tag is None:
            k += 1
            continue
        names, arg = _variants(tag)
        if names:
            items.append(Item(names, arg, norm(body), tag, section))
        k += 1
    return title, items


def parse_page(path: str) -> Page:
    name, sect = _page_id(path)
    title, items = parse_rendered(render(path))
    return Page(name, sect, path, title, items)


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
            path = row[1]
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
        if data:
            return Page.from_json(data)
        try:
            page = parse_page(path)
        except (OSError, subprocess.SubprocessError, EOFError, lzma.LZMAError):
            return None
        self.put(path, path, page.to_json())
        return page

    def close(self) -> None:
        if self.store:
            self.store.close()
