"""Walk the tree-sitter tree of a command line and hand every simple command, normalised and
unwrapped, to the rules.

Recursion: lists, pipelines, subshells, compound statements, function bodies (and calls, with
their arguments bound), command substitutions, process substitutions and here-documents are
walked in place; strings that become code (`bash -c`, `eval`, `su -c`, `env -S`, `watch`,
`ssh host …`, aliases, decoded payloads piped into a shell) are parsed again by a nested
analyzer that shares this one's findings, variables and depth budget.
"""

from __future__ import annotations

import re

from ccgpt.risk import paths as P
from ccgpt.risk import rereads
from ccgpt.risk.cmdwords import REDIRECTS, WORDISH, last_command, list_items, redirect_target
from ccgpt.risk.dispatch import Dispatcher
from ccgpt.risk.loops import BACKGROUND, check_loop, visit_for
from ccgpt.risk.model import UNKNOWN_OUTPUT, Cmd, Finding, Output, Redirect
from ccgpt.risk.parse import parse
from ccgpt.risk.plainline import plain_words
from ccgpt.risk.rules.catalog import Rule, rule
from ccgpt.risk.rules.envcode import CODE_VARIABLES, check_variable
from ccgpt.risk.state import State
from ccgpt.risk.unparsed import backtick_code, visit_word
from ccgpt.risk.walkcontext import WalkContext
from ccgpt.risk.words import ARRAY, FROM_NET, WordEvaluator, WordInfo

TOO_DEEP = rule("too-deep")
UNRESOLVED_CODE = rule("unresolved-code")
ERASE_TRACES = rule("erase-traces")
OBFUSCATION = rule("obfuscation")
FORK_BOMB = rule("fork-bomb")
MAX_DEPTH = 10


def settle(out: Output | None, stage: int) -> None:
    """Work out a lazy stage output (rules/outputs.py `_Pending`) now and then along a pipeline:
    each one reads its stdin's when asked, so a long chain of unread ones would be worked out
    by one recursion as deep as the pipeline is long (`cat f | cat | … | sh`)."""
    if out is not None and stage % 32 == 0:
        out.kind  # noqa: B018  (reading a slot fills a pending output)


class Analyzer(Dispatcher, WordEvaluator):
    """The tree walker. Rules see it only through `self.ctx` (walkcontext.py)."""

    def __init__(self, text: str, state: State, base=0, depth: int = 0):
        self.text = text
        self.src = text.encode("utf-8", "surrogateescape")
        self.base = base  # int: offset of `text` in the top-level command; tuple: clamp span
        self.st = state
        self.env = state.env
        self.inline = state.inline
        self.depth = depth
        self._b2c = None if len(self.src) == len(text) else self._byte_map()
        self._last_cmds: list[Cmd] = []
        self.pipe_span: tuple[int, int] | None = None  # the pipeline being walked: where "fed from …" findings point
        self._scoped_cwd = False  # the cwd was changed for the command being peeled only
        self.ctx = WalkContext(self)  # all that rules see of this walker
        self.tail_redirects: dict[int, list] = {}  # command node id -> its statement's redirect nodes
        self.tail_objects: dict[int, list] = {}  # … and those redirects read, when it is a list's last
        self.visited: dict[int, Output | None] = {}  # substitutions of the `${…}` being evaluated (words.py)

    # ---- positions -------------------------------------------------------------------
    def _byte_map(self) -> list[int]:
        m: list[int] = []
        for i, ch in enumerate(self.text):
            m.extend([i] * len(ch.encode("utf-8", "surrogateescape")))
        m.append(len(self.text))
        return m

    def char(self, b: int) -> int:
        return b if self._b2c is None else self._b2c[min(b, len(self._b2c) - 1)]

    def span(self, node) -> tuple[int, int]:
        base = self.base
        if type(base) is tuple:
            return base
        if self._b2c is None:  # ASCII text (the usual case): byte offsets are character offsets
            return (base + node.start_byte, base + node.end_byte)
        return (base + self.char(node.start_byte), base + self.char(node.end_byte))

    def exact_base(self, node, value: str):
        """Where `value` (a word's evaluated text) starts in the top-level command, if the
        word is written literally; otherwise the word's span, to which nested findings clamp."""
        if type(self.base) is tuple:
            return self.base
        raw = self.raw(node)
        start = self.base + self.char(node.start_byte)
        if raw == value:
            return start
        if len(raw) >= 2 and raw[0] in "'\"" and raw[-1] == raw[0] and raw[1:-1] == value:
            return start + 1
        return self.span(node)

    def add(self, rule: Rule, span, message: str | None = None) -> None:
        s, e = span
        if e <= s:  # a zero-width place (a missing token at the end): mark the character before it
            n = self.st.length
            s, e = (s - 1, s) if s > 0 else (0, min(1, n))
        self.st.findings.append(Finding(rule.name, rule.level, message or rule.message, (s, e)))

    # ---- entry -----------------------------------------------------------------------
    def walk(self) -> Output:
        """Walk the text; what it prints (for a substitution read again, unparsed.py)."""
        if (words := plain_words(self.text)) is not None:  # one command of literal words: no tree needed
            return self.visit_plain(words)
        data = self.src
        tree = parse(data)  # parse() guards against tree-sitter's crash on plane-4+ characters
        if b"\\\n" in data and self.depth < MAX_DEPTH:
            rereads.continuations(self)
        root = tree.root_node
        out = self.visit(root)
        if root.has_error:
            rereads.report_errors(self, root)
            if "{" in self.text and self.depth < MAX_DEPTH:
                rereads.brace_commands(self)
        return out

    def span_all(self):
        return self.base if type(self.base) is tuple else (self.base, self.base + len(self.text))

    def nested(self, text: str, base, *, positional: list[str] | None = None) -> None:
        """Analyze `text` as shell code that runs (bash -c, eval, a decoded payload, …)."""
        if self.depth >= MAX_DEPTH:
            self.add(TOO_DEEP, base if type(base) is tuple else (base, base + len(text)))
            return
        if P.DYNAMIC in text:
            if not text.replace(P.DYNAMIC, "").strip():
                # Fail closed: the code itself is unknown (`bash -c "$CMD"`, `eval $X`).
                self.add(UNRESOLVED_CODE, base if type(base) is tuple else (base, base + 1))
                return
            text = text.replace(P.DYNAMIC, '"$__ccgpt_unknown"')  # an unknown word stays one
        saved: dict[str, str | None] | None = None
        if positional is not None:
            saved = {k: self.env.get(k) for k in ("0", "1", "2", "3", "4", "5", "@", "*")}
            for i, word in enumerate(positional[:6]):
                self.env[str(i)] = word
            self.env["@"] = self.env["*"] = " ".join(positional[1:])
        type(self)(text, self.st, base, self.depth + 1).walk()
        if saved is not None:
            for k, old in saved.items():
                if old is None:
                    self.env.pop(k, None)
                else:
                    self.env[k] = old

    def nested_output(self, code: str, base) -> Output:
        """Walk `code`, a substitution's body that the tree did not parse (unparsed.py); what it prints."""
        if self.depth >= MAX_DEPTH:
            self.add(TOO_DEEP, base if type(base) is tuple else (base, base + len(code)))
            return UNKNOWN_OUTPUT
        return type(self)(code, self.st, base, self.depth + 1).walk()

    # ---- tree walk -------------------------------------------------------------------
    def visit(self, node) -> Output:
        t = node.type
        if t == "command":
            return self.visit_command(node, [], None)
        if t == "pipeline":
            return self.visit_pipeline(node)
        if t == "redirected_statement":
            return self.visit_redirected(node, None)
        if t == "variable_assignment":
            self.assign(node)
            return UNKNOWN_OUTPUT
        if t == "declaration_command":
            self.visit_declaration(node)
            return UNKNOWN_OUTPUT
        if t == "unset_command":
            for c in node.children:
                if c.is_named and self.raw(c) in ("HISTFILE", "HISTSIZE", "HISTFILESIZE"):
                    self.add(ERASE_TRACES, self.span(node))
            return UNKNOWN_OUTPUT
        if t == "function_definition":
            self.visit_function(node)
            return UNKNOWN_OUTPUT
        if t == "for_statement":
            check_loop(self, node)
            return visit_for(self, node)
        if t in ("while_statement", "c_style_for_statement"):
            check_loop(self, node)
        elif t == "comment":
            return UNKNOWN_OUTPUT
        elif t in WORDISH:
            self.visit_nested(node)
            return UNKNOWN_OUTPUT
        out = UNKNOWN_OUTPUT
        # `a && b && c` nests as ((a && b) && c): a chain of any length is read flat, in order
        for c in list_items(node) if t == "list" else node.children:
            if c.is_named:
                out = self.visit(c)
        return out if t in ("subshell", "compound_statement", "list", "program") else UNKNOWN_OUTPUT

    def visit_nested(self, node) -> None:
        """Visit the command and process substitutions anywhere inside a word, those
        tree-sitter leaves as text included (unparsed.py)."""
        visit_word(self, node)

    def substitute(self, node) -> Output:
        if (done := self.visited.get(node.id)) is not None:  # visited for the `${…}` around it
            return done
        if (code := backtick_code(self, node)) is not None:  # `` `echo \`rm -rf /\`` ``
            return self.nested_output(code, self.span(node))
        out = UNKNOWN_OUTPUT
        for c in node.children:
            if c.is_named and c.type != "comment":
                out = self.visit(c)
        return out

    def visit_pipeline(self, node) -> Output:
        prev: Output | None = None
        progs: list[Cmd] = []
        outer, self.pipe_span = self.pipe_span, self.span(node)
        stage = 0
        for c in node.children:
            if not c.is_named or c.type == "comment":
                continue
            before = len(self._last_cmds)
            if c.type == "command":
                prev = self.visit_command(c, [], prev)
            elif c.type == "redirected_statement":
                prev = self.visit_redirected(c, prev)
            elif c.type in ("subshell", "compound_statement"):
                prev = self.visit(c)  # what the group prints last (`(crontab -l; echo …) | crontab -`)
            else:
                self.visit(c)
                prev = UNKNOWN_OUTPUT
            progs.extend(self._last_cmds[before:])
            stage += 1
            settle(prev, stage)
        self.check_pipeline(progs, self.span(node))
        self.pipe_span = outer
        return prev or UNKNOWN_OUTPUT

    def visit_redirected(self, node, stdin: Output | None) -> Output:
        body = None
        redirects: list[Redirect] = []
        rest: list = []
        nodes = []
        for c in node.children:
            if c.type in REDIRECTS:
                redirects.extend(self.redirects_of(c, rest))
                nodes.append(c)
            elif c.is_named and body is None:
                body = c
        last = last_command(body) if body is not None else None
        if last is not None:
            self.tail_redirects[last.id] = nodes  # words these swallowed are `last`'s (cmdwords.py)
        if body is not None and body.type == "command":
            out = self.visit_command(body, redirects, stdin)
        elif last is not None:  # `a && printf X > f`: bash binds the redirects to the last command
            self.tail_objects[last.id] = redirects
            out = self.visit(body)
        else:
            out = self.visit(body) if body is not None else UNKNOWN_OUTPUT
            group = Cmd([], [], self.span(node), redirects, cwd=self.st.cwd)
            self.apply_rules(group)
            if sinks := [s for r in redirects if r.info is not None for s in r.info.sinks or []]:
                from ccgpt.risk.sinks import feed_sinks

                feed_sinks(self, group, out, sinks)  # `{ echo 'rm -rf /'; } > >(sh)`
        for r in rest:  # `cat <<EOF | bash`: the pipeline continues inside the heredoc node
            before = len(self._last_cmds)
            if r.type == "pipeline":
                prev = out
                for i, c in enumerate([c for c in r.children if c.is_named], 1):
                    prev = self.visit_command(c, [], prev) if c.type == "command" else (
                        self.visit_redirected(c, prev) if c.type == "redirected_statement" else self.visit(c))
                    settle(prev, i)
                out = prev
            else:
                out = self.visit(r)
            self.check_pipeline(self._last_cmds[before - 1 if before else 0:], self.span(node))
        return out

    def redirects_of(self, node, rest: list) -> list[Redirect]:
        """A redirect node, and the redirects tree-sitter-bash nests inside a heredoc's
        (`cat <<EOF >> ~/.zshrc`: the write is a child of the heredoc redirect)."""
        out = [self.redirect(node, rest)]
        if node.type == "heredoc_redirect":
            out += [self.redirect(c, rest) for c in node.children if c.type in REDIRECTS]
        return out

    def redirect(self, node, rest: list) -> Redirect:
        op, fd, target, text, base, here = "", "", "", None, None, None
        tnode = redirect_target(node)[0]
        for c in node.children:
            t = c.type
            if t == "file_descriptor":
                fd = self.raw(c)
            elif t == "heredoc_start":
                op = "<<"
            elif t == "heredoc_body":
                text = self.raw(c)
                base = self.exact_base(c, text)
                self.visit_nested(c)
            elif t in ("pipeline", "command", "list", "redirected_statement"):
                rest.append(c)
            elif t in ("heredoc_end", "comment"):
                continue
            elif t == "ERROR" and op == "<" and self.raw(c).strip() == ">":
                op = "<>"  # tree-sitter-bash does not know `<>` (open read-write): it still writes
            elif not c.is_named:
                if not op:
                    op = t
            elif c == tnode:  # the words after it belong to the command (cmdwords.py)
                here = info = WordInfo()
                if text is None:
                    value = self.word_value(c, info)
                    if node.type == "herestring_redirect":
                        text = value
                        base = self.exact_base(c, value)
                    else:
                        target = P.DYNAMIC if value == "" and info.dynamic else value
        span = self.span(node)
        if tnode is not None and tnode.end_byte < node.end_byte and type(self.base) is not tuple:
            span = (span[0], self.span(tnode)[1])
        r = Redirect(op, target, span, fd, text)
        r.base = base  # type: ignore[attr-defined]
        r.info = here
        return r

    # ---- assignments, declarations, functions, loops ---------------------------------
    def assign(self, node) -> None:
        name, value = "", ""
        for c in node.children:
            if c.type == "variable_name":
                name = self.raw(c)
            elif c.type == "array":
                items = [f for e in c.children if e.is_named for f in self.word_fields(e, WordInfo())]
                value = " ".join(items)
                if name:
                    self.env[name + ARRAY] = ARRAY.join(items)  # `a=(rm -rf /); "${a[@]}"`
            elif c.is_named:
                value = self.word_value(c, info := WordInfo()).replace("\x01", " ")
                if info.net and name:  # `c=$(curl URL)`: what `$c` holds came from the network
                    self.env[name + FROM_NET] = "1"
        if name:
            self.env[name] = value
            self.inline.add(name)
            if name in CODE_VARIABLES:
                check_variable(name, value, self.span(node), self.ctx)
            if name == "IFS":
                self.add(OBFUSCATION, self.span(node), "IFS is changed so words split in unexpected places")
            if name in ("HISTFILE", "HISTSIZE", "HISTFILESIZE") and (value in ("/dev/null", "0", "")):
                self.add(ERASE_TRACES, self.span(node))

    def visit_declaration(self, node) -> None:
        nameref = any(c.type == "word" and self.raw(c).startswith("-") and "n" in self.raw(c) for c in node.children)
        for c in node.children:
            if c.type == "variable_assignment":
                self.assign(c)
                name = self.raw(c.children[0]) if c.child_count else ""
                if nameref and name in self.env:  # `declare -n R=HOME`: R is HOME under another name
                    target = self.env[name]
                    self.env[name] = self.env.get(target, "~" if target == "HOME" else P.DYNAMIC)
            elif c.is_named:
                self.visit_nested(c)

    def visit_function(self, node) -> None:
        name, body = "", None
        for c in node.children:
            if c.type == "word" and not name:
                name = self.raw(c)
            elif c.type in ("compound_statement", "subshell", "if_statement", "while_statement", "for_statement"):
                body = c
        redirects = [r for c in node.children if c.type in REDIRECTS for r in self.redirects_of(c, [])]
        self.check_redirects_only(self.span(node), redirects)  # `f() { …; } > /etc/passwd`: each call writes there
        if body is None:
            return
        text = self.raw(body)
        if name and re.search(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text) and ("|" in text or BACKGROUND.search(text)):
            self.add(FORK_BOMB, self.span(node))
        self.st.funcs[name] = (self, body)
        self.visit(body)
