"""From one `command` node to rules: evaluate words, see through aliases, functions and
wrappers, recurse into code-carrying arguments, then run the rules on what really executes."""

from __future__ import annotations

import shlex

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.decode import static_output
from ccgpt.risk.model import NET, PATHS, TEXT, UNKNOWN, Cmd, Output, UNKNOWN_OUTPUT
from ccgpt.risk.recurse import SPECIAL as _SPECIAL
from ccgpt.risk.recurse import Recursion
from ccgpt.risk.words import WordInfo

# Filters whose output still carries the secret they read (`xxd -p key | head -c 32`).
_SECRET_CARRIERS = frozenset("cat tar gzip bzip2 xz zstd base64 base32 xxd od hexdump zip tee gpg openssl head tail cut tr "
                             "rev fold sort uniq sed awk gawk strings".split())
_DECOMPRESSORS = frozenset("gunzip zcat bunzip2 bzcat unxz xzcat zstdcat unzstd lz4cat funzip".split())
_RESERVED = frozenset("then do done fi else elif esac in { } !".split())


class Dispatcher(Recursion):
    # ---- the command node ------------------------------------------------------------
    def visit_command(self, node, redirects, stdin: Output | None) -> Output:
        argv: list[str] = []
        spans: list[tuple[int, int]] = []
        bases: list = []
        name_node = None
        name_info = WordInfo()
        info = WordInfo()
        assigns = []
        for c in node.children:
            t = c.type
            if t == "variable_assignment":
                assigns.append(c)
            elif t == "command_name":
                name_node = c.children[0] if c.child_count else c
                fields = self.word_fields(name_node, name_info)
                sp = self.span(c)
                for f in fields:
                    argv.append(f)
                    spans.append(sp)
                    bases.append(name_node if len(fields) == 1 else sp)  # resolved lazily by base_of
            elif t in ("file_redirect", "herestring_redirect", "heredoc_redirect"):
                redirects = redirects + [self.redirect(c, [])]
            elif t in ("subshell", "compound_statement", "list", "pipeline", "command", "redirected_statement"):
                # `env (rm -rf x)`: bash rejects it; the statement inside is still read.
                self.add("parse-error", self.span(c), "a statement where an argument belongs")
                self.visit(c)
            elif c.is_named and t != "comment":
                fields = self.word_fields(c, info)
                sp = self.span(c)
                for f in fields:
                    argv.append(f)
                    spans.append(sp)
                    bases.append(c if len(fields) == 1 else sp)
        span = self.span(node)
        while argv and argv[0] == "" and not name_info.quoted:
            argv, spans, bases = argv[1:], spans[1:], bases[1:]  # a missing name (parse error)
        if not argv:
            for a in assigns:
                self.assign(a)
            self.check_redirects_only(span, redirects)
            return UNKNOWN_OUTPUT
        for a in assigns:  # prefix assignments only affect the command's environment
            self.visit_nested(a)
        if name_node is not None:
            self.check_name(name_node, name_info, argv[0], spans[0])
        if info.ifs:
            self.add("obfuscation", span, "${IFS} used to hide spaces between words")
        # Redirects override the pipe: a heredoc or here-string is the command's stdin.
        for r in redirects:
            if r.op == "<<<" and r.info is not None and r.info.net:
                stdin = Output(NET)  # `source /dev/stdin <<< "$(curl …)"`
            elif r.op in ("<<", "<<-", "<<<") and r.text is not None:
                stdin = Output(TEXT, r.text)
                stdin.origin = r.base  # type: ignore[attr-defined]
                stdin.decoded = bool(r.info is not None and r.info.decoded)
            elif r.op == "<" and P.secret_path(r.target):
                stdin = Output(UNKNOWN, secret=True)
        prog = C.program(argv[0])
        alias = self.st.aliases.get(argv[0])
        if alias is not None and argv[0] not in self.st.expanding:
            self.add("obfuscation", spans[0], f"alias '{argv[0]}' defined in the same line hides what runs")
            self.st.expanding.add(argv[0])
            self.nested(alias + " " + " ".join(shlex.quote(a) for a in argv[1:]), span)
            self.st.expanding.discard(argv[0])
            return UNKNOWN_OUTPUT
        func = self.st.funcs.get(argv[0])
        if func is not None and argv[0] not in self.st.expanding:
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
        if prog == "alias":
            for a in argv[1:]:
                if "=" in a:
                    k, v = a.split("=", 1)
                    self.st.aliases[k] = v
            return UNKNOWN_OUTPUT
        cmd = Cmd(argv, spans, span, redirects, stdin, False, self.st.cwd, info.secret, info.net or name_info.net,
                  info.decoded or name_info.decoded)
        cmd.procsub = info.procsub
        cmd.bases = bases  # type: ignore[attr-defined]
        return self.run_cmd(cmd)

    def check_name(self, node, info: WordInfo, name: str, span) -> None:
        t = node.type
        raw = self.raw(node)
        if info.ifs or info.ansi_c or info.inline_var or info.subst:
            self.add("obfuscation", span, "the command name is computed (variables, $'…', $(…) or ${IFS}) to hide what runs")
        elif t == "concatenation" and any(c.type in ("string", "raw_string", "ansi_c_string") for c in node.children):
            self.add("obfuscation", span, "quotes inside the command name hide what runs")
        elif t == "word" and "\\" in raw[1:]:
            self.add("obfuscation", span, "backslashes inside the command name hide what runs")
        elif info.dynamic:
            self.add("dynamic-command", span)
        if C.confusable(name):
            self.add("homoglyph", span)

    # ---- wrappers and code-carrying commands -----------------------------------------
    def run_cmd(self, cmd: Cmd) -> Output:
        before, outer = self.st.cwd, getattr(self, "_env_chdir", False)
        self._env_chdir = False
        try:
            return self._run_cmd(cmd)
        finally:
            if self._env_chdir:  # `env -C DIR cmd` changes the directory of cmd only
                self.st.cwd = before
            self._env_chdir = outer

    def _run_cmd(self, cmd: Cmd) -> Output:
        argv, spans, bases = cmd.argv, cmd.spans, getattr(cmd, "bases", None) or [cmd.span] * len(cmd.argv)
        while argv:
            prog = C.program(argv[0])
            if prog in _RESERVED:
                # bash rejects a reserved word here; read on pessimistically.
                self.add("parse-error", spans[0], f"'{prog}' is a shell keyword out of place")
                argv, spans, bases = argv[1:], spans[1:], bases[1:]
                continue
            if prog in ("cd", "pushd"):
                self.change_dir(argv)
                return UNKNOWN_OUTPUT
            if prog == "popd":
                self.st.cwd = None
                return UNKNOWN_OUTPUT
            w = C.WRAPPERS.get(prog)
            if w is None:
                break
            value_opts, positional, privileged = w
            flags = set(argv[1:3])
            if privileged:
                self.add("privileged", cmd.span, f"runs as another user or root through {prog}")
            if prog == "command" and ("-v" in flags or "-V" in flags):
                names = [x for x in argv[1:] if not x.startswith("-")]
                return Output(TEXT, "/usr/bin/" + names[0] + "\n") if names else UNKNOWN_OUTPUT
            if prog == "flock" and ("-c" in argv or "--command" in argv):
                k = argv.index("-c") if "-c" in argv else argv.index("--command")
                if k + 1 < len(argv):
                    self.nested(argv[k + 1], self.base_of(cmd, k + 1))  # `flock LOCK -c CMD` runs CMD with sh -c
                return UNKNOWN_OUTPUT
            if prog == "env":
                i = 1
                while i < len(argv):
                    a = argv[i]
                    if a in ("-C", "--chdir") and i + 1 < len(argv) or a.startswith(("--chdir=", "-C")) and len(a) > 2:
                        d = argv[i + 1] if a in ("-C", "--chdir") else a.split("=", 1)[1] if "=" in a else a[2:]
                        self.change_dir(["cd", d])  # `env -C / rm -rf *` runs in /
                        self._env_chdir = True
                    if a in ("-S", "--split-string") and i + 1 < len(argv):
                        self.nested(" ".join(argv[i + 1:]), cmd.span)
                        return UNKNOWN_OUTPUT
                    if a.startswith("-S") and len(a) > 2:
                        self.nested(a[2:] + " " + " ".join(argv[i + 1:]), cmd.span)
                        return UNKNOWN_OUTPUT
                    if a in value_opts:
                        i += 2
                    elif a.startswith("-") or ("=" in a and not a.startswith("=")):
                        i += 1
                    else:
                        break
            else:
                i = C.skip_options(argv, 1, value_opts)
                i += positional
            if i >= len(argv):
                if prog == "exec":
                    self.check_redirects_only(cmd.span, cmd.redirects)  # `exec 3>/etc/passwd` truncates it
                if prog == "env":
                    return Output(UNKNOWN, secret=True)  # bare `env` prints the environment
                if prog in ("sudo", "doas", "run0", "pkexec") and flags & {"-i", "-s", "--login", "--shell", "-e"}:
                    self.add("privileged", cmd.span, f"opens a root shell through {prog}")
                return UNKNOWN_OUTPUT
            argv, spans, bases = argv[i:], spans[i:], bases[i:]
        if not argv:
            return UNKNOWN_OUTPUT
        cmd.argv, cmd.spans = argv, spans
        cmd.bases = bases  # type: ignore[attr-defined]
        prog = C.program(argv[0])
        path = argv[0]
        argv[0] = prog
        cmd.cwd = self.st.cwd
        if "/" in path and (P.resolve(path) in self.st.files or P.resolve(path) in self.st.downloads):
            self.run_file(cmd, path, shell=True)
            return UNKNOWN_OUTPUT
        if prog == "set" and "--" in argv:
            rest = argv[argv.index("--") + 1:]
            for k, v in enumerate(rest[:6], 1):
                self.env[str(k)] = v
                self.inline.add(str(k))
            self.env["@"] = self.env["*"] = " ".join(rest)
            self.inline.update(("@", "*"))
        if prog in ("which", "whereis") and len(argv) > 1 and not argv[1].startswith("-"):
            self.apply_rules(cmd)
            return Output(TEXT, "/usr/bin/" + argv[1] + "\n")  # `$(which rm)` is rm
        if any(ch in prog for ch in "*?["):
            return self.globbed_program(cmd, prog)
        handler = _SPECIAL.get(prog)
        if handler is not None and handler(self, cmd) is True:
            return UNKNOWN_OUTPUT
        if prog in C.SHELLS or prog == "eval" or prog in ("source", ".") or prog in C.INTERPRETERS:
            if cmd.net_args:
                self.add("remote-code", cmd.span)
            if cmd.decoded_args:
                self.add("decoded-payload", cmd.span)
        self.apply_rules(cmd)
        return self.output_of(cmd)

    def base_of(self, cmd: Cmd, i: int):
        """Where word i's text starts in the top-level command (or the span to clamp to)."""
        b = cmd.bases[i] if cmd.bases and i < len(cmd.bases) else cmd.span
        return b if type(b) is tuple else self.exact_base(b, cmd.argv[i])

    def globbed_program(self, cmd: Cmd, pattern: str) -> Output:
        """`/???/r? -rf /`: the shell picks the program by glob. Try every known program the
        pattern matches (a handful at most) and keep the strictest reading."""
        import fnmatch

        self.add("obfuscation", cmd.spans[0], "a glob chooses the program to run")
        by_prog, _, known = self.st.rules
        rx = fnmatch.translate(pattern)
        import re

        matcher = re.compile(rx)
        candidates = sorted(p for p in known if matcher.match(p))[:8]
        for p in candidates:
            sub = Cmd([p] + cmd.argv[1:], cmd.spans, cmd.span, cmd.redirects, cmd.stdin, cmd.tree, cmd.cwd,
                      cmd.secret_args, cmd.net_args, cmd.decoded_args)
            sub.bases = cmd.bases
            self.run_cmd(sub)
        return UNKNOWN_OUTPUT

    def apply_rules(self, cmd: Cmd) -> None:
        self._last_cmds.append(cmd)
        by_prog, generic, known = self.st.rules
        prog = cmd.argv[0]
        checks = by_prog.get(prog)
        if checks is None and prog.startswith("mkfs"):
            checks = by_prog.get("mkfs")
        if checks and cmd.argv[1:] in (["--help"], ["--version"]) and not cmd.redirects:
            checks = ()  # `mkfs --help`, `rm --version`: GNU tools print and exit
            known = known | {prog}
        if checks:
            for check in checks:
                check(cmd, self)
        elif prog not in known and not prog.startswith("mkfs"):
            self.add("unknown-command", cmd.spans[0], f"'{prog}' is not a known read-only program; it may change state")
        for check in generic:
            check(cmd, self)
        if self.st.user_rules:
            self.st.user_rules(cmd, self)

    def change_dir(self, argv: list[str]) -> None:
        target = argv[1] if len(argv) > 1 and argv[1] != "--" else (argv[2] if len(argv) > 2 else "~")
        if target == "-" or target == P.DYNAMIC or not target or "{" in target:
            self.st.cwd = None
            return
        p = P.resolve(target, self.st.cwd)
        # Absolute, home and climbing (`cd ..`) directories are kept: relative writes after them
        # land outside the working directory. A plain subdirectory stays "here" (None).
        self.st.cwd = p if p.startswith(("/", "~")) or P.outside_workdir(p) else None

    # ---- what a stage writes to the next one -----------------------------------------
    def output_of(self, cmd: Cmd) -> Output:
        prog = cmd.argv[0]
        if cmd.inner_output is not None:  # `docker exec c curl URL | sh`: the container's output
            return cmd.inner_output
        if prog == "openssl" and cmd.argv[1:2] not in (["s_client"], ["s_server"]):
            pass  # openssl base64 -d, enc, dgst …: not a network pipe
        elif prog in C.NET_FETCH or prog in C.NET_PIPES:
            for r in cmd.redirects:  # `curl URL > i.sh; sh i.sh` runs what was downloaded
                if r.op in (">", ">>", ">|", "&>") and r.fd in ("", "1") and r.target and not P.harmless_sink(r.target):
                    self.st.downloads.add(P.resolve(r.target))
            if prog == "curl":
                flags = C.short_flags(cmd.argv)[0]
                out = C.option_value(cmd.argv, "-o", "--output")
                if out not in (None, "-") or flags & {"-O", "--remote-name", "--remote-name-all"}:
                    return UNKNOWN_OUTPUT
            return Output(NET)
        if prog in ("tee", "pv", "cat") and cmd.stdin is not None and (prog != "cat" or len(cmd.argv) == 1):
            return cmd.stdin
        if cmd.stdin is not None and cmd.stdin.kind == NET and (prog in _DECOMPRESSORS or (
                prog in ("gzip", "bzip2", "xz", "zstd", "lz4") and ("-d" in cmd.argv or "--decompress" in cmd.argv))):
            return cmd.stdin  # `curl URL | gunzip | sh` is still network code
        out = static_output(cmd)
        if out is not None:
            return out
        if prog == "find":
            roots = cmd.find_roots or ["."]
            return Output(PATHS, roots[0], filtered=cmd.find_filtered)
        if prog in ("ls", "fd", "fdfind", "locate"):
            ops = [a for a in cmd.argv[1:] if not a.startswith("-")]
            return Output(PATHS, ops[0] if ops else ".", filtered=prog != "ls")
        if prog in ("env", "printenv", "set", "history", "export", "declare"):
            return Output(UNKNOWN, secret=True)
        secret = cmd.secret_args or (
            cmd.stdin is not None and prog in _SECRET_CARRIERS and cmd.stdin.secret)
        return Output(UNKNOWN, secret=True) if secret else Output(UNKNOWN, args=cmd.argv[1:])

    def check_reverse_pipeline(self, cmds, span) -> None:
        if len(cmds) < 2:
            return
        progs = {c.argv[0] for c in cmds if c.argv and not (c.argv[0] == "openssl" and c.argv[1:2] != ["s_client"])}
        if progs & C.SHELLS and progs & (C.NET_PIPES | {"telnet"}):
            self.add("reverse-shell", span)

    def check_redirects_only(self, span, redirects) -> None:
        if redirects:
            cmd = Cmd([], [], span, redirects, cwd=self.st.cwd)
            for check in self.st.rules[1]:
                check(cmd, self)
