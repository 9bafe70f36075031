"""Loops: a `for` body read once per value of its list, and infinite loops that fork
(`while true; do … & done`, a fork bomb)."""

from __future__ import annotations

from ccgpt.risk import paths as P
from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.model import UNKNOWN_OUTPUT, Output
from ccgpt.risk.rules.catalog import rule
from ccgpt.risk.words import WordInfo

FORK_BOMB = rule("fork-bomb")
BACKGROUND = lazy_re(r"(?<![&>|])&(?![&>])")
_INFINITE = lazy_re(r"^\s*(true|:|\[\s*1\s*\]|\(\(\s*1\s*\)\))\s*;?\s*$")


def visit_for(a, node) -> Output:
    """`for d in / ~; do rm -rf "$d"; done`: the body runs once per value, so it is read
    once per value (a few at most) with the variable bound; values that cannot be known
    (`$(ls)`, no `in` list) bind it to DYNAMIC, never to "unset"."""
    name, seen_in, body = "", False, None
    values: list[str] = []
    for c in node.children:
        t = c.type
        if t == "variable_name" and not name:
            name = a.raw(c)
        elif t == "in":
            seen_in = True
        elif t == "do_group":
            body = c
        elif seen_in and c.is_named and t != "comment":
            values.extend(a.word_fields(c, WordInfo()) or [P.DYNAMIC])
    if not seen_in:
        at = a.env.get("@")
        values = at.split() if at else [P.DYNAMIC]
    if body is None:
        return UNKNOWN_OUTPUT
    distinct = list(dict.fromkeys(values))[:8] or [P.DYNAMIC]
    for v in distinct:
        if name:
            a.env[name] = v
            a.inline.add(name)
        a.visit(body)
    return UNKNOWN_OUTPUT


def check_loop(a, node) -> None:
    cond = body = None
    for c in node.children:
        if c.type == "do_group":
            body = c
        elif c.is_named and cond is None:
            cond = c
    if body is None:
        return
    infinite = node.type == "c_style_for_statement" and ";;" in a.raw(node).replace(" ", "")[:12]
    if node.type == "while_statement" and cond is not None and _INFINITE.match(a.raw(cond)):
        infinite = True
    if infinite and BACKGROUND.search(a.raw(body)):
        a.add(FORK_BOMB, a.span(node))
