"""Helpers for the explain tests: independent views of the sources (man, bash help)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import lru_cache

from ccgpt.explain.manpages import norm


@lru_cache(maxsize=None)
def man_path(name: str) -> str | None:
    """Independent of the code under test: ask `man -w` directly."""
    if not shutil.which("man"):
        return None
    r = subprocess.run(["man", "-w", name], capture_output=True, text=True)
    return r.stdout.strip().splitlines()[0] if r.returncode == 0 and r.stdout.strip() else None


@lru_cache(maxsize=None)
def man_text(name: str, section: str) -> str:
    """The page as `man` shows it (very wide, so nothing is hyphenated), whitespace-normalised."""
    env = {**os.environ, "MANWIDTH": "4000", "MANPAGER": "cat", "PAGER": "cat", "LC_ALL": "C.UTF-8"}
    env.pop("MAN_KEEP_FORMATTING", None)
    r = subprocess.run(["man", "-P", "cat", section, name], capture_output=True, env=env)
    text = r.stdout.decode("utf-8", "replace")
    # overstrike (bold/underline) if the pager path kept it
    text = re.sub(r".\x08", "", text)
    return norm(text)


@lru_cache(maxsize=None)
def bash_help_text() -> str:
    script = 'for b in $(compgen -b) $(compgen -k); do help -d -- "$b"; help -- "$b"; done 2>/dev/null'
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], capture_output=True, text=True)
    return norm(r.stdout)


def part(parts: list[dict], text: str, kind: str | None = None) -> dict:
    for p in parts:
        if p["text"] == text and (kind is None or p["kind"] == kind):
            return p
    raise AssertionError(f"no part {text!r} ({kind}) in {[(p['text'], p['kind']) for p in parts]}")


def expect(p: dict, program: str, fragment: str, section: str = "1", page: str | None = None) -> None:
    """A part quoted from `page`'s man page, or, where the page is absent, a part without help."""
    page = page or program
    if man_path(page) is None:
        assert p["help"] is None and p["source"] is None, p
        return
    assert p["source"] == f"man:{page}({section})", p
    assert fragment in p["help"], p
