"""Command substitutions that tree-sitter-bash 0.25 leaves as text, found and read as code.

bash runs every substitution in a word, wherever it sits. tree-sitter does not always make it a
`command_substitution` node:

- a backtick (or `$(…)` after `#`/`%`) in the word of a `${…}` operator is a plain `word` or
  `regex` leaf: ``${x:-`rm -rf /`}``, ``${x/a/`cmd`}``, `${x#$(cmd)}`;
- inside a backtick substitution, `` \\` ``, `\\$` and `\\\\` are escapes that bash removes
  *before* it parses the body, so ``echo `echo \\`rm -rf /\\``` runs `rm -rf /`; tree-sitter
  reads the escaped backticks as characters of words.

`visit_word` walks a word's subtree: substitution nodes are visited (anywhere: in a subscript,
an operand that is not evaluated, a nested `${…}`), and the text of every leaf inside a `${…}` is
scanned for substitutions, each read as nested code (`Analyzer.nested`). Text that opens a
substitution and never closes it cannot be read: fail closed (RISK-POLICY reading 12).
`backtick_code` gives the body of a backtick substitution as bash parses it, when the escapes
change it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk.model import TEXT
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.model import Output
    from ccgpt.risk.parse import Node

UNRESOLVED_CODE = rule("unresolved-code")
SUBSTITUTIONS = frozenset(("command_substitution", "process_substitution"))
_BACKTICK_ESCAPE = lazy_re(r"\\([\\`$])")


def unescape_backticks(body: str) -> str:
    """The body of `` `…` `` as bash parses it: `\\`` → `` ` ``, `\\$` → `$`, `\\\\` → `\\`."""
    return _BACKTICK_ESCAPE.sub(r"\1", body) if "\\" in body else body


def backtick_code(a: Any, node: Node) -> str | None:
    """The code of a backtick substitution when bash's escapes change it (None otherwise: the
    tree already is what runs)."""
    raw: str = a.raw(node)
    if "\\" not in raw or not raw.startswith("`") or not raw.endswith("`") or len(raw) < 2:
        return None
    body = raw[1:-1]
    code = unescape_backticks(body)
    return None if code == body else code


def _closing_paren(text: str, i: int) -> int:
    """The index after the `)` that closes the `(` before `i`, or -1."""
    depth, n = 1, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":  # a quoted `)` does not close
            j = text.find("'", i + 1)
            i = n if j < 0 else j + 1
            continue
        depth += (c == "(") - (c == ")")
        i += 1
        if not depth:
            return i
    return -1


def scan(text: str) -> list[tuple[int, str]] | None:
    """(offset of the code in `text`, the code) for each backtick or `$(…)` substitution written
    in `text`; None when one is opened and never closed."""
    out: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            j = i + 1
            while j < n and text[j] != "`":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                return None
            out.append((i + 1, unescape_backticks(text[i + 1:j])))
            i = j + 1
        elif text.startswith("$(", i) and not text.startswith("$((", i):
            j = _closing_paren(text, i + 2)
            if j < 0:
                return None
            out.append((i + 2, text[i + 2:j - 1]))
            i = j
        else:
            i += 1
    return out


def _read_text(a: Any, leaf: Node, text: str) -> Output | None:
    """Read the substitutions in a leaf's text as code; what the leaf prints when it is one
    substitution (``${x:-`echo -rf`}``), else None."""
    found = scan(text)
    span = a.span(leaf)
    if found is None:  # fail closed: something runs here that cannot be read
        a.add(UNRESOLVED_CODE, span, "a command substitution inside ${…} that cannot be read")
        return None
    out = None
    for offset, code in found:
        if not code.strip():
            continue
        literal = type(a.base) is not tuple and text[offset:offset + len(code)] == code and text.isascii()
        out = a.nested_output(code, span[0] + offset if literal else span)
    whole = len(found) == 1 and (text[0] == "`" and text[-1] == "`" or text[:2] == "$(" and text[-1] == ")")
    return out if whole and out is not None and out.kind == TEXT else None


def visit_word(a: Any, node: Node, keep: dict[int, Output | None] | None = None, quoted: bool = False) -> bool:
    """Visit every substitution inside the word `node` (see the module's doc). `keep`: where to
    put what each substitution node printed, by node id, for the evaluation that follows;
    `quoted`: `node` is inside double quotes. True when text inside a `${…}` held a
    substitution, whose output is then unknown."""
    hidden = False
    stack: list[tuple[Node, bool, bool]] = [(node, False, quoted)]  # node, inside ${…}, inside "…"
    while stack:
        n, in_exp, in_dq = stack.pop()
        t = n.type
        if t in SUBSTITUTIONS:
            out = a.substitute(n)
            if keep is not None:
                keep[n.id] = out
        elif n.child_count:
            in_exp = in_exp or t == "expansion"
            in_dq = in_dq or t == "string"
            stack.extend((c, in_exp, in_dq) for c in n.children)
        elif in_exp and (t != "raw_string" or in_dq) and n.id not in a.visited:
            text = a.raw(n)  # a single-quoted string is literal, except inside "${…}"
            if "`" in text or "$(" in text:
                out = _read_text(a, n, text)
                if keep is not None:  # read once, even when a nested ${…} is evaluated again
                    keep[n.id] = out  # what it prints, when known (words.py `_after_operator`)
                hidden = hidden or out is None
    return hidden


def evaluate_expansion(a: Any, node: Node, quoted: bool, evaluate: Callable[[], str]) -> str | None:
    """Evaluate a `${…}` (`evaluate`) after visiting every substitution inside it, once: the
    evaluation reuses what they printed (`a.visited`, by node id) instead of visiting them
    again. None when text inside held a substitution whose output is not known."""
    keep: dict[int, Output | None] = {}
    hidden = visit_word(a, node, keep, quoted)
    added = [k for k in keep if k not in a.visited]
    a.visited.update((k, keep[k]) for k in added)
    try:
        value = evaluate()
    finally:
        for k in added:
            del a.visited[k]
    return None if hidden else value
