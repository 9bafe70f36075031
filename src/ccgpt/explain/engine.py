"""Grounded explanation of a command, pipeline, list or script.

The tree-sitter parse tree is walked; every piece becomes a part {text, span, kind, help,
source}. Simple commands go to `argv.CommandExplainer` (man pages, builtins); operators,
redirects and expansions come from `syntax`; keywords from bash's `help`. Spans are [start,
end) character offsets into the command. A part without a source has help None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ccgpt.errors import UsageError
from ccgpt.explain import builtins as _builtins
from ccgpt.explain import syntax
from ccgpt.explain.argv import CommandExplainer, Word
from ccgpt.explain.builtins import Builtins
from ccgpt.explain.manpages import ManCache, find_pages
from ccgpt.risk.cmdwords import WORDISH, command_children, redirect_target

KINDS = ("command", "subcommand", "option", "argument", "operator", "redirect", "assignment",
         "substitution", "keyword")
_SUBST = {"command_substitution", "process_substitution", "simple_expansion", "expansion",
          "arithmetic_expansion"}
_OPERATORS = {"|", "|&", "&&", "||", ";", "&", ";;", "\n"}
_KEYWORDS = {"if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case",
             "esac", "select", "function", "[[", "]]", "[", "]", "!", "{", "}", "time", "coproc", "(", ")", "(("}
_DECLARE = {"export", "local", "declare", "readonly", "typeset", "unset"}
_REDIRECTS = {"file_redirect", "heredoc_redirect", "herestring_redirect"}


@dataclass
class Part:
    text: str
    span: tuple[int, int]
    kind: str
    help: str | None = None
    source: str | None = None
    note: str | None = None
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        d = {"text": self.text, "span": list(self.span), "kind": self.kind, "help": self.help,
             "source": self.source}
        if self.note:
            d["note"] = self.note
        d.update(self.extra)
        return d


class Explainer:
    def __init__(self, cache: ManCache | None = None):
        self.cache = cache
        self.builtins = Builtins(cache)
        self._pages: dict[str, object] = {}
        self._paths: dict[str, str | None] = {}
        self.parts: list[Part] = []
        self.command = ""
        self._b2c: list[int] | None = None  # byte offset -> char offset, for non-ASCII commands

    # ------------------------------------------------------------ sources
    def prefetch(self, names: list[str]) -> None:
        todo = [n for n in dict.fromkeys(names) if n not in self._paths]
        if todo:
            self._paths.update(find_pages(todo, self.cache))

    def page(self, name: str):
        if name not in self._pages:
            self.prefetch([name])
            path = self._paths.get(name)
            if path is None:
                self._pages[name] = None
            else:
                self._pages[name] = (self.cache or ManCache(None)).page(path)
        return self._pages[name]

    # ------------------------------------------------------------ parts
    def add(self, w: Word, kind: str, help=None, source=None, note=None) -> None:
        self.parts.append(Part(self.command[w.start:w.end], (w.start, w.end), kind, help if help else None,
                               source if help else None, note))

    def argument(self, w: Word) -> None:
        node = w.node
        if node is not None and node.type in _SUBST:
            self.walk(node)
            return
        help_ = None
        raw = self.command[w.start:w.end]
        if node is not None and node.type in ("word", "concatenation") and re.search(r"(?<!\\)[*?]|\[.+\]", raw) \
                and not re.search(r"['\"]", raw):
            help_ = syntax.lookup("glob")
        elif raw.startswith("~"):
            help_ = syntax.lookup("~")
        self.add(w, "argument", help=help_, source=syntax.SOURCE)
        self.inner(w)

    def inner(self, w: Word) -> None:
        """Explain the substitutions inside a word ($(…), `…`, $VAR, ${…}, <(…))."""
        stack = [w.node] if w.node is not None else []
        while stack:
            n = stack.pop(0)
            if n.type in _SUBST:
                self.walk(n)
            else:
                stack[0:0] = list(n.children)

    def span(self, node) -> tuple[int, int]:
        if self._b2c is None:
            return node.start_byte, node.end_byte
        return self._b2c[node.start_byte], self._b2c[node.end_byte]

    def word(self, node) -> Word:
        s, e = self.span(node)
        text = self.command[s:e]
        if node.type == "raw_string" or (node.type == "string" and len(node.children) <= 3):
            text = text[1:-1] if len(text) >= 2 else text
        elif node.type == "word":
            text = re.sub(r"\\(.)", r"\1", text)
        return Word(text, s, e, node)

    # ------------------------------------------------------------ the walk
    def explain(self, command: str) -> list[Part]:
        from ccgpt.risk.parse import parse

        self.command = command
        self.parts = []
        data = command.encode("utf-8", "surrogateescape")
        if len(data) != len(command):
            self._b2c = [0] * (len(data) + 1)
            pos = 0
            for ci, ch in enumerate(command):
                n = len(ch.encode("utf-8", "surrogateescape"))
                for k in range(n):
                    self._b2c[pos + k] = ci
                pos += n
            self._b2c[pos] = len(command)
        root = parse(data).root_node
        if root.has_error:
            raise UsageError(self._error_message(root))
        self.prefetch(self._names(root))
        self.walk(root)
        self.parts.sort(key=lambda p: (p.span[0], -p.span[1]))
        return self.parts

    def _error_message(self, root) -> str:
        bad = None
        stack = [root]
        while stack:
            n = stack.pop()
            if n.type == "ERROR" or n.is_missing:
                if bad is None or n.start_byte < bad.start_byte:
                    bad = n
            stack.extend(c for c in n.children if c.has_error or c.is_missing or c.type == "ERROR")
        col = self.span(bad)[0] + 1 if bad is not None else 1
        what = f"missing '{bad.type}'" if bad is not None and bad.is_missing else "unexpected text"
        return f"this does not parse as a shell command ({what} at column {col}); check quotes and brackets"

    def _names(self, root) -> list[str]:
        """Programs (and `prog-sub` pages) to look up with one `man -w` call."""
        names: list[str] = []
        stack = [root]
        table = self.builtins.table()
        while stack:
            n = stack.pop()
            stack.extend(n.children)
            if n.type != "command":
                continue
            words = [c for c in command_children(n) if c.type not in _REDIRECTS and c.type != "variable_assignment"]
            texts = [self.command[slice(*self.span(c))] for c in words]
            if not texts:
                continue
            prog = texts[0].rsplit("/", 1)[-1]
            names.append(prog)  # a builtin too: its man page may document more (echo, kill)
            plain = [t for t in texts[1:] if re.match(r"^[a-z][a-z0-9_-]*$", t)]
            if plain and prog not in table:
                names.append(f"{prog}-{plain[0]}")
            names += [t for t in plain[:2] if prog in ("sudo", "xargs", "env", "nohup", "time", "timeout")]
        return names

    def walk(self, node) -> None:
        t = node.type
        if t == "command":
            return self._command(node)
        if t == "variable_assignment":
            return self._assignment(node, prefix=False)
        if t in _REDIRECTS:
            return self._redirect(node)
        if t in ("declaration_command", "unset_command"):
            return self._declaration(node)
        if t in _SUBST:
            key = {"command_substitution": "$(" if node.text.startswith(b"$(") else "`",
                   "process_substitution": node.text[:2].decode(), "simple_expansion": "$", "expansion": "${",
                   "arithmetic_expansion": "$(("}[t]
            self.add(self.word(node), "substitution", help=syntax.lookup(key), source=syntax.SOURCE)
            if t in ("command_substitution", "process_substitution"):
                for c in node.named_children:
                    self.walk(c)
            return
        if t == "test_command":
            return self._test(node)
        if t == "comment" or t == "heredoc_body":
            return
        if t in ("word", "string", "raw_string", "concatenation", "number", "variable_name", "ansi_c_string"):
            return self.argument(self.word(node))  # for-loop words, case values, function names
        if not node.is_named:
            self._anonymous(node)
            return
        for c in node.children:
            self.walk(c)

    def _anonymous(self, node) -> None:
        t = node.type
        w = self.word(node)
        if t in _OPERATORS and not (t in (";", "\n") and node.parent is not None and node.parent.type == "case_item"):
            self.add(w, "operator", help=syntax.lookup(t), source=syntax.SOURCE)
        elif t in _KEYWORDS:
            if t == "(" and node.parent is not None and node.parent.type == "function_definition":
                return
            if t in ("(", ")") and node.parent is not None and node.parent.type not in ("subshell",):
                return
            b = self.builtins.get(t) if t not in ("in", "then", "do", "elif", "else", "fi", "done", "esac",
                                                  "]]", "]", "}", ")") else None
            if b is not None and b.short:
                self.add(w, "keyword", help=b.short, source=_builtins.SOURCE)
            else:
                self.add(w, "keyword", help=syntax.lookup(t), source=syntax.SOURCE)

    def _command(self, node) -> None:
        name = None
        args: list[Word] = []
        for c in command_children(node):  # with the words a redirect swallowed (risk/cmdwords.py)
            if c.type == "variable_assignment":
                self._assignment(c, prefix=True)
            elif c.type in _REDIRECTS:
                self._redirect(c)
            elif c.type == "command_name":
                inner = c.named_children[0] if c.named_children else c
                name = self.word(inner)
                name.start, name.end = self.span(c)
            elif c.is_named and c.type != "comment":
                args.append(self.word(c))
        if name is None:
            return
        if name.node is not None and name.node.type in _SUBST:
            self.walk(name.node)
            for a in args:
                self.argument(a)
            return
        CommandExplainer(self).explain(name, args)

    def _assignment(self, node, prefix: bool) -> None:
        key = "prefix-assignment" if prefix else "assignment"
        self.add(self.word(node), "assignment", help=syntax.lookup(key), source=syntax.SOURCE)
        for c in node.named_children[1:]:
            if c.type in _SUBST or c.type in ("string", "concatenation", "array"):
                self.walk(c)

    def _redirect(self, node) -> None:
        fd = op = target = None
        target_node = redirect_target(node)[0]  # later words are the command's arguments
        if target_node is not None:
            target = self.command[slice(*self.span(target_node))]
        for c in node.children:
            if c.type == "file_descriptor":
                fd = c.text.decode("utf-8", "replace")
            elif not c.is_named and op is None:
                op = c.type
        if node.type == "heredoc_redirect":
            s = self.span(node)[0]
            start = next((c for c in node.children if c.type == "heredoc_start"), None)
            e = self.span(start)[1] if start is not None else s + len(op or "<<")
            self.add(Word("", s, e), "redirect", help=syntax.lookup(op or "<<"), source=syntax.SOURCE)
            for c in node.children:
                if c.type == "heredoc_body":
                    for sub in c.children:
                        self.walk(sub)
                elif c.is_named and c.type not in ("heredoc_start", "heredoc_end") and c.type not in WORDISH:
                    self.walk(c)  # a pipeline continued inside the heredoc; its words are the command's
            return
        key = syntax.redirect_key(op or "", fd, target)
        part = self.word(node)
        if target_node is not None and target_node.end_byte < node.end_byte:
            end = self.span(target_node)[1]
            part = Word(self.command[part.start:end], part.start, end, node)
        self.add(part, "redirect", help=syntax.lookup(key), source=syntax.SOURCE)
        if target_node is not None:
            for c in [target_node, *target_node.children]:
                if c.type in _SUBST:
                    self.walk(c)

    def _declaration(self, node) -> None:
        kw = node.children[0]
        name = self.word(kw)
        args = []
        for c in node.children[1:]:
            if c.type == "variable_assignment":
                self._assignment(c, prefix=False)
            elif c.is_named:
                args.append(self.word(c))
        CommandExplainer(self).explain(name, args)

    def _test(self, node) -> None:
        test = self.builtins.get("test")
        stack = list(node.children)
        while stack:
            c = stack.pop(0)
            if c.type == "test_operator" or (not c.is_named and c.type.startswith("-")) or \
                    (not c.is_named and c.type in ("=", "==", "!=", "=~", "<", ">", "&&", "||", "!")
                     and c.parent.type != "test_command"):
                op = c.text.decode()
                opt = test.options.get(op) if test else None
                if op in ("&&", "||", "!") and c.parent.type != "test_command":
                    b = self.builtins.get("[[")
                    self.add(self.word(c), "operator", help=None, source=None,
                             note=f"see `help [[` ({_builtins.SOURCE})" if b else None)
                    continue
                self.add(self.word(c), "operator", help=opt[0] if opt else None, source=_builtins.SOURCE)
            elif c.type in ("unary_expression", "binary_expression", "parenthesized_expression"):
                stack[0:0] = list(c.children)
            elif c.is_named:
                self.argument(self.word(c))
            else:
                self._anonymous(c)


def explain(command: str, cache: ManCache | None = None) -> list[Part]:
    return Explainer(cache).explain(command)
