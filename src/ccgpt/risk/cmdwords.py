"""Which words of the tree belong to which command, read the way bash reads them.

tree-sitter-bash 0.25 attaches the words that follow a redirection inside a command to the
redirect node, as extra `destination` children: `rm -rf 2>/dev/null /` parses as `rm -rf` plus
a redirect whose destinations are `/dev/null` and `/`; `sort > out.txt -r in.txt` as `sort`
with a redirect to `out.txt -r in.txt`. Bash takes one word as the target and the rest as
arguments of the command. Everything that reads commands from the tree (the risk walker, the
explain engine) collects words here, so the fix holds for every user of the parse."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ccgpt.risk.parse import Node

REDIRECTS = frozenset(("file_redirect", "heredoc_redirect", "herestring_redirect"))
WORDISH = frozenset("word string raw_string ansi_c_string concatenation simple_expansion expansion "
                    "command_substitution process_substitution arithmetic_expansion number "
                    "translated_string brace_expression".split())


def redirect_target(redirect: Node) -> tuple[Node | None, list[Node]]:
    """(the redirect's one target word or None, the words after it, which are the command's).

    A heredoc has no target word (its delimiter is `heredoc_start`): every word in it is the
    command's (`cat <<EOF -n`)."""
    target: Node | None = None
    extras: list[Node] = []
    heredoc = redirect.type == "heredoc_redirect"
    for c in redirect.children:
        if c.type not in WORDISH:
            continue
        if target is None and not heredoc:
            target = c
        else:
            extras.append(c)
    return target, extras


def statement_redirects(command: Node) -> list[Node]:
    """The redirects written after `command` in its redirected statement (`cmd ARGS > f`).

    In `a | b 2>/dev/null c` and `a && b 2>/dev/null c` tree-sitter-bash makes the whole
    pipeline or list the statement's body; bash gives the redirect (and `c`) to `b`, the last
    simple command."""
    node, parent = command, command.parent
    while parent is not None and parent.type in ("pipeline", "list"):
        named = [c for c in parent.children if c.is_named and c.type != "comment"]
        if not named or named[-1] != node:
            return []
        node, parent = parent, parent.parent
    if parent is None or parent.type != "redirected_statement":
        return []
    return [c for c in parent.children if c.type in REDIRECTS]


def last_command(node: Node) -> Node | None:
    """The simple command a statement's redirects bind to: the node itself, or the last command
    of a pipeline or list (`a | b 2>/dev/null c`)."""
    while node.type in ("pipeline", "list"):
        named = [c for c in node.children if c.is_named and c.type != "comment"]
        if not named:
            return None
        node = named[-1]
    return node if node.type == "command" else None


def list_items(node: Node) -> list[Node]:
    """The statements of a chain of `&&`/`||` lists, in order, without recursion: tree-sitter
    nests `a && b && c` as `(a && b) && c`, so a long chain is a deep tree."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if n.type == "list":
            stack.extend(reversed(n.children))
        else:
            out.append(n)
    return out


def command_children(command: Node, redirects: list[Node] | None = None) -> list[Node]:
    """The children of a `command` node in source order (name, assignments, words, its own
    redirects), with the words its redirects swallowed put back among them as arguments.
    `redirects`: the statement's redirects (default: found through the parent)."""
    if redirects is None:
        redirects = statement_redirects(command)
    children = command.children
    own = [r for r in children if r.type in REDIRECTS]
    if not own and not redirects:  # the usual command: nothing to put back
        return children
    extras = [w for r in own + redirects for w in redirect_target(r)[1]]
    starts = {r.start_byte for r in own + redirects}
    # tree-sitter-bash reads the `0` of `bash 0< file` as an argument: it is the redirect's
    # descriptor, stdin, which is what a redirect without one means anyway.
    children = [c for c in children if not (c.type == "number" and c.end_byte in starts and c.text == b"0")]
    if not extras:
        return children
    return sorted(children + extras, key=lambda n: n.start_byte)
