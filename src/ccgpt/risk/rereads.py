"""Parse errors, and second readings of a command line where tree-sitter's tree is not what bash runs: the line is
read again, rewritten the way bash sees it, by a nested analyzer whose findings point at the
whole line."""

from __future__ import annotations

import re

from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.rules.catalog import rule

OBFUSCATION = rule("obfuscation")
PARSE_ERROR = rule("parse-error")


_SPLIT_WORD = lazy_re(r"[^\s;&|()<>]\\\n[^\s;&|()<>]")
# A brace word where a command starts: after the line start, an operator or a keyword.
_BRACE_COMMAND = lazy_re(r"((?:^|[;&|\n(!]|\b(?:then|do|else|time))\s*)(\{[^\s{}'\"]*,[^\s{}]*\}[^\s;&|()<>]*)")


def continuations(a) -> None:
    """`r\\<newline>m -rf /` is `rm -rf /` to bash; tree-sitter sees two words. Read the joined
    text too; splitting a word this way is obfuscation."""
    if _SPLIT_WORD.search(a.text):
        a.add(OBFUSCATION, a.span_all(), "a line continuation splits a word")
    type(a)(a.text.replace("\\\n", ""), a.st, a.span_all(), a.depth + 1).walk()


def brace_commands(a) -> None:
    """`{rm,-rf,/}`: `{` is a keyword only before a blank, so bash reads this as one word and
    brace-expands it into `rm -rf /`; tree-sitter sees a broken group. Read the line again with
    every brace word in command position expanded."""
    from ccgpt.risk.words import _braces

    def expand(m: re.Match) -> str:
        return m.group(1) + " ".join(_braces(m.group(2)))  # raw words: `~` still expands

    text, n = _BRACE_COMMAND.subn(expand, a.text)
    if n:
        a.add(OBFUSCATION, a.span_all(), "brace expansion builds the command line")
        type(a)(text, a.st, a.span_all(), a.depth + 1).walk()


def report_errors(a, root) -> None:
    """A parse-error finding at every ERROR or missing node (or the whole text)."""
    stack = [root]
    found = False
    while stack:
        n = stack.pop()
        if n.type == "ERROR" or n.is_missing:
            s = a.span(n)
            if s[0] == s[1]:
                s = (max(s[0] - 1, 0), s[1]) if s[1] > 0 else (0, min(1, len(a.text)) or 1)
            a.add(PARSE_ERROR, s)
            found = True
            continue
        if n.has_error:
            stack.extend(n.children)
    if not found:
        a.add(PARSE_ERROR, a.span(root))
