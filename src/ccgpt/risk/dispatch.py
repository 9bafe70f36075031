"""From one `command` node to rules: evaluate words, see through aliases, functions and
wrappers (rules/wrappers.py), run the handlers of code-carrying programs (rules/code.py) and
the rules on what really executes. No program is known here by name: that is the rule tables'
job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.cmdwords import command_children
from ccgpt.risk.levels import Level
from ccgpt.risk.model import NET, TEXT, UNKNOWN, Cmd, Output, Redirect, UNKNOWN_OUTPUT
from ccgpt.risk.rules.catalog import rule
from ccgpt.risk.rules.code import downloaded, run_file
from ccgpt.risk.rules.envcode import CODE_VARIABLES, check_variable
from ccgpt.risk.rules.outputs import output_of
from ccgpt.risk.rules.wrappers import peel
from ccgpt.risk.words import WordInfo, argv_line

if TYPE_CHECKING:
    from typing import Any, Callable

    from ccgpt.risk.state import State
    from ccgpt.risk.walkcontext import WalkContext
    from ccgpt.risk.parse import Node

PARSE_ERROR = rule("parse-error")
OBFUSCATION = rule("obfuscation")
UNKNOWN_COMMAND = rule("unknown-command")
DYNAMIC_COMMAND = rule("dynamic-command")
HOMOGLYPH = rule("homoglyph")
_RESERVED = frozenset("then do done fi else elif esac in { } !".split())
# Node types of a command's ordinary arguments: read as words by the last branch of visit_command too.
_PLAIN_WORDS = frozenset(("word", "raw_string", "number", "string", "concatenation", "simple_expansion", "expansion"))


def _stdin_of(redirects: list[Redirect], stdin: Output | None) -> Output | None:
    """Redirects override the pipe: a heredoc or here-string is the command's stdin."""
    for r in redirects:
        if r.op == "<<<" and r.info is not None and r.info.net:
            stdin = Output(NET)  # `source /dev/stdin <<< "$(curl …)"`
        elif r.op in ("<<", "<<-", "<<<") and r.text is not None:
            stdin = Output(TEXT, r.text)
            stdin.origin = r.base
            stdin.decoded = bool(r.info is not None and r.info.decoded)
        elif r.op == "<" and P.secret_path(r.target):
            stdin = Output(UNKNOWN, secret=True)
    return stdin


class Dispatcher:
    """Mixed into the Analyzer (analyze.py), which provides what is declared here."""

    ctx: WalkContext  # all that rules see of the walker
    st: State
    env: dict[str, str]
    base: Any  # int offset in the top-level command, or a span to clamp to (analyze.py)
    pipe_span: tuple[int, int] | None
    _scoped_cwd: bool
    _last_cmds: list[Cmd]
    tail_redirects: dict[int, list]
    tail_objects: dict[int, list]
    add: Callable[..., None]
    span: Callable[[Node], tuple[int, int]]
    raw: Callable[[Node], str]
    word_fields: Callable[[Node, WordInfo], list[str]]
    word_value: Callable[[Node, WordInfo], str]
    visit: Callable[[Node], Output]
    visit_nested: Callable[[Node], None]
    redirects_of: Callable[[Node, list], list[Redirect]]
    nested: Callable[..., None]
    exact_base: Callable[[Node, str], Any]
    assign: Callable[[Node], None]
    # ---- the command node ------------------------------------------------------------
    def visit_command(self, node, redirects, stdin: Output | None) -> Output:
        argv: list[str] = []
        spans: list[tuple[int, int]] = []
        bases: list = []
        name_node = None
        name_info = WordInfo()
        info = WordInfo()
        assigns = []
        stmt = self.tail_redirects.pop(node.id, []) if self.tail_redirects else []
        if self.tail_objects:
            redirects = redirects + self.tail_objects.pop(node.id, [])
        for c in command_children(node, stmt):  # words swallowed by a redirect are arguments
            t = c.type
            word, word_info = c, info
            if t not in _PLAIN_WORDS:  # most children are plain words: they skip these tests
                if t == "command_name":
                    word = name_node = c.children[0] if c.child_count else c
                    word_info = name_info
                elif t == "variable_assignment":
                    assigns.append(c)
                    continue
                elif t in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                    redirects = redirects + self.redirects_of(c, [])
                    continue
                elif t in ("subshell", "compound_statement", "list", "pipeline", "command", "redirected_statement"):
                    # `env (rm -rf x)`: bash rejects it; the statement inside is still read.
                    self.add(PARSE_ERROR, self.span(c), "a statement where an argument belongs")
                    self.visit(c)
                    continue
                elif not c.is_named or t == "comment":
                    continue
            fields = self.word_fields(word, word_info)
            sp = self.span(c)
            for f in fields:
                argv.append(f)
                spans.append(sp)
                bases.append(word if len(fields) == 1 else sp)  # a node is resolved lazily by base_of
        span = self.span(node)
        if spans and spans[-1][1] > span[1]:  # arguments after a redirect (`rm -rf 2>/dev/null /`)
            span = (span[0], max(s[1] for s in spans))
        while argv and argv[0] == "" and not name_info.quoted:
            argv, spans, bases = argv[1:], spans[1:], bases[1:]  # a missing name (parse error)
        if not argv:
            for a in assigns:
                self.assign(a)
            self.check_redirects_only(span, redirects)
            return UNKNOWN_OUTPUT
        for a in assigns:  # prefix assignments only affect the command's environment
            self.visit_nested(a)
            self.code_variable(a)
        return self.dispatch_words(argv, spans, bases, span, name_node, name_info, info, _stdin_of(redirects, stdin),
                                   redirects)

    def visit_plain(self, words: list) -> Output:
        """A line of plain words (plainline.py): the same dispatch as a parsed command's."""
        base = self.base
        clamp = type(base) is tuple
        name_info, info = WordInfo(), WordInfo()
        argv = [self.word_fields(w, info if i else name_info)[0] for i, w in enumerate(words)]  # one field each
        spans = [base if clamp else (base + w.start_byte, base + w.end_byte) for w in words]
        span = base if clamp else (spans[0][0], spans[-1][1])
        return self.dispatch_words(argv, spans, list(words), span, words[0], name_info, info, None, [])

    def dispatch_words(self, argv: list[str], spans: list, bases: list, span, name_node, name_info: WordInfo,
                       info: WordInfo, stdin: Output | None, redirects: list[Redirect]) -> Output:
        """An evaluated command line: see through aliases and functions of the same line, then
        wrappers and rules (run_cmd)."""
        if name_node is not None:
            self.check_name(name_node, name_info, argv[0], spans[0])
        if info.ifs:
            self.add(OBFUSCATION, span, "${IFS} used to hide spaces between words")
        alias, func = self.st.aliases.get(argv[0]), self.st.funcs.get(argv[0])
        if (alias is not None or func is not None) and argv[0] not in self.st.expanding:
            self.check_redirects_only(span, redirects)  # `f > /etc/passwd`: the call's redirects still open
            if alias is None:
                return self.call_function(argv, func)
            self.add(OBFUSCATION, spans[0], f"alias '{argv[0]}' defined in the same line hides what runs")
            self.st.expanding.add(argv[0])
            self.nested(alias + " " + argv_line(argv[1:]), span)
            self.st.expanding.discard(argv[0])
            return UNKNOWN_OUTPUT
        cmd = Cmd(argv, spans, span, redirects, stdin, False, self.st.cwd, info.secret, info.net or name_info.net,
                  info.decoded or name_info.decoded)
        cmd.procsub = info.procsub
        cmd.bases = bases  # type: ignore[attr-defined]
        out = self.run_cmd(cmd)
        sinks = list(info.sinks or []) + [s for r in redirects if r.info is not None for s in r.info.sinks or []]
        if self.st.exec_sinks or argv == ["exec"] and sinks:
            sinks += self.exec_sinks(argv, redirects)
        if sinks:
            from ccgpt.risk.sinks import feed_sinks

            held, self.st.exec_sinks = self.st.exec_sinks, []  # the stand-in's own output is not fed again
            try:
                feed_sinks(self, cmd, out, sinks)  # type: ignore[arg-type]
            finally:
                self.st.exec_sinks = held
        return out

    def exec_sinks(self, argv: list[str], redirects: list[Redirect]) -> list[tuple[str, tuple[int, int]]]:
        """`exec > >(C)` sends the rest of the line's output into C (sinks.py): the sinks this
        command's output also reaches."""
        from ccgpt.risk.sinks import stdout_elsewhere, stdout_sinks

        if argv == ["exec"]:
            self.st.exec_sinks = stdout_sinks(redirects) or ([] if stdout_elsewhere(redirects) else self.st.exec_sinks)
            return []
        return [] if stdout_elsewhere(redirects) else list(self.st.exec_sinks)

    def call_function(self, argv: list[str], func) -> Output:
        """A function defined in the same line, called: its body read with $1… $@ bound."""
        owner, body = func
        self.st.expanding.add(argv[0])
        saved = {k: owner.env.get(k) for k in ("1", "2", "3", "4", "5", "@", "*")}
        for i, v in enumerate(argv[1:6], 1):
            owner.env[str(i)] = v
        owner.env["@"] = owner.env["*"] = " ".join(argv[1:])
        owner.visit(body)
        for k, v in saved.items():
            if v is None:
                owner.env.pop(k, None)
            else:
                owner.env[k] = v
        self.st.expanding.discard(argv[0])
        return UNKNOWN_OUTPUT

    def code_variable(self, node) -> None:
        """`GIT_SSH_COMMAND='rm -rf ~' git fetch`: a prefix whose value the program runs."""
        kids = [c for c in node.children if c.is_named]
        if len(kids) == 2 and kids[0].type == "variable_name" and self.raw(kids[0]) in CODE_VARIABLES:
            value = self.word_value(kids[1], WordInfo()).replace("\x01", " ")
            check_variable(self.raw(kids[0]), value, self.span(node), self.ctx)

    def check_name(self, node, info: WordInfo, name: str, span) -> None:
        t = node.type
        raw = self.raw(node)
        if info.ifs or info.ansi_c or info.inline_var or info.subst:
            self.add(OBFUSCATION, span, "the command name is computed (variables, $'…', $(…) or ${IFS}) to hide what runs")
        elif t == "concatenation" and any(c.type in ("string", "raw_string", "ansi_c_string") for c in node.children):
            self.add(OBFUSCATION, span, "quotes inside the command name hide what runs")
        elif t == "word" and "\\" in raw[1:]:
            self.add(OBFUSCATION, span, "backslashes inside the command name hide what runs")
        elif info.dynamic:
            self.add(DYNAMIC_COMMAND, span)
        if C.confusable(name):
            self.add(HOMOGLYPH, span)

    # ---- wrappers, handlers, rules ---------------------------------------------------
    def run_cmd(self, cmd: Cmd) -> Output:
        before, below, outer = self.st.cwd, self.st.below, self._scoped_cwd
        self._scoped_cwd = False
        ruled = len(self._last_cmds)
        try:
            out = self._run_cmd(cmd)
            if cmd.redirects and len(self._last_cmds) == ruled:
                # No rule saw this command (`env > /etc/passwd`, `watch ls > /dev/sda`, an alias
                # or a handler that took over): the shell still opens its redirects.
                self.check_redirects_only(cmd.span, cmd.redirects)
            return out
        finally:
            if self._scoped_cwd:  # `env -C DIR cmd` changes the directory of cmd only
                self.st.cwd, self.st.below = before, below
            self._scoped_cwd = outer

    def _run_cmd(self, cmd: Cmd) -> Output:
        ctx = self.ctx
        argv, spans, bases = cmd.argv, cmd.spans, cmd.bases or [cmd.span] * len(cmd.argv)
        first = bases[0] if bases else None
        while argv:
            prog = C.program(argv[0])
            if prog in _RESERVED:
                # bash rejects a reserved word here; read on pessimistically.
                self.add(PARSE_ERROR, spans[0], f"'{prog}' is a shell keyword out of place")
                argv, spans, bases = argv[1:], spans[1:], bases[1:]
                continue
            if "=" in argv[0] and bases[0] is not first and argv[0].partition("=")[0].isidentifier():
                # `env BASH_ENV=x bash`, `sudo PAGER=… man`: the wrapper sets it for the command
                name, _, value = argv[0].partition("=")
                check_variable(name, value, spans[0], ctx)
                argv, spans, bases = argv[1:], spans[1:], bases[1:]
                continue
            cmd.argv, cmd.spans, cmd.bases = argv, spans, bases
            peeled = peel(prog, cmd, ctx)
            if peeled is None:
                break
            if isinstance(peeled, Output):
                return peeled
            argv, spans, bases = argv[peeled:], spans[peeled:], bases[peeled:]
        if not argv:
            return UNKNOWN_OUTPUT
        same = C.EQUIVALENTS.get(prog)  # `prog` is argv[0]'s: the loop above stopped there
        if same is not None:  # `npx rimraf /` is `rm -rf /`
            k = len(same)
            argv, spans, bases = same + argv[1:], spans[:1] * k + spans[1:], bases[:1] * k + bases[1:]
            prog = same[0]
        cmd.argv, cmd.spans, cmd.bases = argv, spans, bases
        if bases[0] is not first and not isinstance(bases[0], tuple):
            # A wrapper was peeled: its command word is a command name too (`sudo l''s`).
            info = WordInfo()
            self.word_value(bases[0], info)
            self.check_name(bases[0], info, argv[0], spans[0])
        path = argv[0]
        if path.startswith(("/etc/init.d/", "/etc/rc.d/")) and len(argv) > 1:
            # `/etc/init.d/ssh stop` is `service ssh stop`, not ssh to a host called stop
            argv, spans, bases = ["service", prog] + argv[1:], spans[:1] * 2 + spans[1:], bases[:1] * 2 + bases[1:]
            cmd.argv, cmd.spans, cmd.bases = argv, spans, bases
            prog = path = "service"
        argv[0] = prog
        cmd.cwd = self.st.cwd
        if "/" in path and (P.resolve(path) in self.st.files or downloaded(ctx, P.resolve(path, self.st.cwd)) or (
                self.st.probe is not None and not self.st.rules.is_known(prog) and self.st.probe.is_file(P.resolve(path)))):
            run_file(cmd, ctx, path, shell=True)  # `echo 'rm -rf /' > x.sh; ./x.sh`, `./deploy.sh`
            return UNKNOWN_OUTPUT
        if "*" in prog or "?" in prog or "[" in prog:  # (not any() over a generator: every command passes here)
            return self.globbed_program(cmd, prog)
        shown: Output | None = None
        for handler in self.st.rules.handlers.get(prog, ()):
            done = handler(cmd, ctx)
            if done is True:
                return UNKNOWN_OUTPUT
            if isinstance(done, Output):
                shown = done
        self.apply_rules(cmd)
        return shown if shown is not None else output_of(cmd, ctx)

    def base_of(self, cmd: Cmd, i: int):
        """Where word i's text starts in the top-level command (or the span to clamp to)."""
        b = cmd.bases[i] if cmd.bases and i < len(cmd.bases) else cmd.span
        return b if type(b) is tuple else self.exact_base(b, cmd.argv[i])

    def globbed_program(self, cmd: Cmd, pattern: str) -> Output:
        """`/???/r? -rf /`: the shell picks the program by glob. Try every known program the
        pattern matches (a handful at most) and keep the strictest reading."""
        import fnmatch
        import re

        self.add(OBFUSCATION, cmd.spans[0], "a glob chooses the program to run")
        matcher = re.compile(fnmatch.translate(pattern))
        candidates = sorted(p for p in self.st.rules.known if matcher.match(p))[:8]
        for p in candidates:
            sub = Cmd([p] + cmd.argv[1:], cmd.spans, cmd.span, cmd.redirects, cmd.stdin, cmd.tree, cmd.cwd,
                      cmd.secret_args, cmd.net_args, cmd.decoded_args)
            sub.bases = cmd.bases
            self.run_cmd(sub)
        return UNKNOWN_OUTPUT

    def apply_rules(self, cmd: Cmd) -> None:
        reg = self.st.rules
        if not cmd.argv:  # redirections alone: `> file`, `exec 3>/etc/passwd`
            for check in reg.generic:
                check(cmd, self.ctx)
            return
        self._last_cmds.append(cmd)
        prog = cmd.argv[0]
        checks = reg.checks(prog)
        known = reg.is_known(prog)
        if checks and cmd.argv[1:] in (["--help"], ["--version"]) and not cmd.redirects:
            checks, known = None, True  # `mkfs --help`, `rm --version`: GNU tools print and exit
        if checks:
            for check in checks:
                check(cmd, self.ctx)
        elif not known and prog != P.DYNAMIC:  # an unknown name is rules/unresolved.py's
            self.add(UNKNOWN_COMMAND, cmd.spans[0], f"'{prog}' is not a known read-only program; it may change state")
            self.embedded_command(cmd)
        for check in reg.generic:
            check(cmd, self.ctx)
        if self.st.user_rules:
            self.st.user_rules(cmd, self)

    def embedded_command(self, cmd: Cmd) -> None:
        """Fail closed on runners nobody listed (rules/runners.py): when an unknown program's
        words from the second to the fifth start a known command line that is destructive
        (`hatch run rm -rf /`, `tox exec -- rm -rf ~`), that command is read as run, at most
        `dangerous`: the program may as well only print those words (`figlet rm -rf /`)."""
        reg, argv = self.st.rules, cmd.argv
        for k in range(1, min(len(argv), 5)):
            name = C.program(argv[k])
            if argv[k].startswith("-") or name in C.READ_ONLY or not reg.is_known(name):
                continue
            sub = Cmd(argv[k:], cmd.spans[k:], cmd.span, cmd.redirects, cmd.stdin, cmd.tree, cmd.cwd,
                      cmd.secret_args, cmd.net_args, cmd.decoded_args)
            sub.bases = (cmd.bases or [cmd.span] * len(argv))[k:]  # type: ignore[attr-defined]
            if self.ctx.worst_reading(sub) >= Level.DANGEROUS:
                since = self.ctx.mark()
                self.run_cmd(sub)
                self.ctx.cap(since, Level.DANGEROUS, f"if {C.program(argv[0])} runs its arguments")
            return

    def check_pipeline(self, cmds: list[Cmd], span) -> None:
        for check in self.st.rules.pipelines:
            check(cmds, span, self.ctx)

    def check_redirects_only(self, span, redirects) -> None:
        if redirects:
            self.apply_rules(Cmd([], [], span, redirects, cwd=self.st.cwd))
