"""Commands whose arguments or input are code: shells (`bash -c`, a script, a heredoc or
pipe fed to `sh`), interpreters (`python -c`), `eval`, `source`, `su -c`, `watch`, `xargs` and
`find -exec/-delete`. Each hands the code it carries back to the analyzer."""

from __future__ import annotations

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.model import NET, PATHS, TEXT, Cmd
from ccgpt.risk.words import decode_ansi_c

_SHELL_VALUE_OPTS = frozenset(["-o", "+o", "-O", "+O", "--rcfile", "--init-file"])
_XARGS_VALUE_OPTS = frozenset("-a -d -E -e -I -L -l -n -P -s --arg-file --delimiter --eof "
                              "--max-lines --max-args --max-procs --max-chars --process-slot-var".split())
_PARALLEL_VALUE_OPTS = frozenset("-j --jobs -S --sshlogin -a --arg-file -d --delimiter -I --colsep -C -N -n -L "
                                  "--joblog --results --tmpdir -E --timeout --retries --delay --halt --memfree "
                                  "--load --nice --tag-string --workdir --wd --env".split())
_FIND_GLOBAL_VALUE = frozenset(["-D", "-O"])
_FIND_EXEC = frozenset(["-exec", "-execdir", "-ok", "-okdir"])
_FIND_FILTERS = frozenset("-name -iname -path -ipath -wholename -iwholename -regex -iregex -newer -mtime "
                          "-mmin -atime -amin -ctime -cmin -size -empty -user -group -uid -gid -perm -links "
                          "-inum -samefile -lname -ilname -newermt -used -nouser -nogroup".split())


_FIND_GLOBS = frozenset("-name -iname -path -ipath -wholename -iwholename -lname -ilname".split())


def _matches_all(test: str, value: list[str]) -> bool:
    """`-name '*'`, `-iname '**'`, `-path '*'`, `-regex '.*'`: a test every file passes."""
    v = value[0] if value else None
    if v is None:
        return False
    if test in _FIND_GLOBS and test not in ("-lname", "-ilname"):
        return v != "" and set(v) == {"*"}
    if test in ("-regex", "-iregex"):
        return v in (".*", "^.*", ".*$", "^.*$", "(.*)", ".*.*")
    return False


def _cluster_has(word: str, letter: str, value_letters: str) -> bool:
    """Whether a short-option cluster (`-0r`, `-rt0`) sets `letter` before a value letter
    (`-n10` is -n with value 10, not -0)."""
    if not word.startswith("-") or word.startswith("--"):
        return False
    for ch in word[1:]:
        if ch == letter:
            return True
        if ch in value_letters:
            return False
    return False


class Recursion:
    def shell(self, cmd: Cmd) -> bool:
        """`bash -c CODE`, `bash script`, `bash` reading a pipe or heredoc, `bash -i`."""
        argv = cmd.argv
        flags: set[str] = set()
        i = 1
        while i < len(argv):
            a = argv[i]
            if a in _SHELL_VALUE_OPTS:
                i += 2
                continue
            if a == "--" or a == "-":
                i += 1
                break
            if a.startswith("--"):
                flags.add(a)
            elif a.startswith(("-", "+")) and len(a) > 1:
                flags.update(a[1:])
            else:
                break
            i += 1
        if "c" in flags:
            if i < len(argv) and argv[i] == P.DYNAMIC:
                if not cmd.net_args:
                    self.add("runs-script", cmd.span, "runs shell code that is not known here")
            elif i < len(argv):
                self.nested(argv[i], self.base_of(cmd, i), positional=argv[i + 1:] or [argv[0]])
            return False
        if i < len(argv) and "s" not in flags:
            self.run_file(cmd, argv[i], shell=True)
            return False
        self.consume_stdin(cmd, shell=True)
        if cmd.stdin is None and "i" not in flags and not cmd.redirects:
            self.add("runs-script", cmd.span, "starts a new shell")
        return False

    def consume_stdin(self, cmd: Cmd, shell: bool) -> None:
        src = cmd.stdin
        if src is None:
            return
        if src.kind == NET:
            self.add("remote-code", self._pipe_span or cmd.span)
        elif src.kind == TEXT:
            if src.decoded:
                self.add("decoded-payload", self._pipe_span or cmd.span)
            if shell:
                self.nested(src.text, getattr(src, "origin", None) or cmd.span)
            else:
                from ccgpt.risk.rules.inline import check_code_text

                check_code_text(src.text, cmd, self)
        elif src.decoded:
            self.add("decoded-payload", cmd.span)
        elif shell:
            self.add("runs-script", cmd.span, "runs commands read from a pipe")

    def interpreter(self, cmd: Cmd) -> bool:
        """python -c CODE / perl -e CODE / node -e CODE …, a script file, or code on stdin."""
        from ccgpt.risk.rules.inline import check_code_text

        flag = C.INTERPRETERS.get(cmd.argv[0])
        argv = cmd.argv
        for j in range(1, len(argv)):
            a = argv[j]
            if not flag or not a.startswith("-") or a.startswith("--") and a != "--eval":
                continue
            if a == flag or a == "--eval" or (len(a) <= 4 and a.endswith(flag[1:])):  # -c, -uc, -ne
                if j + 1 < len(argv):
                    check_code_text(argv[j + 1], cmd, self)
                return False
            if a.startswith(flag):  # -c'print(1)'
                check_code_text(a[len(flag):], cmd, self)
                return False
        if argv[1:2] in (["--version"], ["-V"], ["--help"]) or argv[1:3] in (["-m", "json.tool"], ["-m", "site"]):
            return False  # prints a version, help or pretty-printed JSON
        operands = [a for a in argv[1:] if not a.startswith("-")]
        if not operands or operands[0] in ("-", "/dev/stdin"):
            self.consume_stdin(cmd, shell=False)
        else:
            self.run_file(cmd, operands[0], shell=False)
        return False

    def source(self, cmd: Cmd) -> bool:
        if len(cmd.argv) > 1:
            self.run_file(cmd, cmd.argv[1], shell=True)
        return False

    def run_file(self, cmd: Cmd, path: str, shell: bool) -> None:
        """A script argument: a <(…) substitution, a file written or downloaded earlier in the
        line, or an unknown file."""
        if path in ("/dev/fd/63", "/dev/stdin", "-"):
            if path == "/dev/fd/63" and cmd.procsub is not None:
                cmd.stdin = cmd.procsub
            self.consume_stdin(cmd, shell=shell)
            return
        key = P.resolve(path)
        if key in self.st.downloads:
            self.add("remote-code", cmd.span, f"runs {path}, downloaded from the network in the same line")
        elif key in self.st.files:
            if shell:
                self.nested(self.st.files[key], cmd.span)
            else:
                from ccgpt.risk.rules.inline import check_code_text

                check_code_text(self.st.files[key], cmd, self)
        else:
            self.add("runs-script", cmd.span, f"runs the script {path}")

    def read_(self, cmd: Cmd) -> bool:
        """`read -r d <<< /` binds d to `/`; from any other input the value is unknown
        (DYNAMIC), never "unset": `while read f; do rm -rf "$f"; done` deletes what it reads."""
        argv, names, i = cmd.argv, [], 1
        while i < len(argv):
            a = argv[i]
            if a in ("-a", "-d", "-i", "-n", "-N", "-p", "-t", "-u") or (cmd.argv[0] != "read" and a in ("-C", "-c", "-O", "-s")):
                i += 2
                continue
            if not a.startswith("-"):
                names.append(a)
            i += 1
        if not names:
            names = ["REPLY"] if argv[0] == "read" else ["MAPFILE"]
        text = cmd.stdin.text if cmd.stdin is not None and cmd.stdin.kind == TEXT and argv[0] == "read" else None
        fields = text.splitlines()[0].split() if text and text.strip() else []
        for k, name in enumerate(names):
            if text is None:
                value = P.DYNAMIC
            elif k == len(names) - 1:
                value = " ".join(fields[k:])
            else:
                value = fields[k] if k < len(fields) else ""
            self.env[name] = value
            self.inline.add(name)
        return False

    def trap(self, cmd: Cmd) -> bool:
        """`trap 'CMD' EXIT`: CMD runs when the shell exits or gets the signal."""
        argv = cmd.argv
        if len(argv) > 2 and argv[1] not in ("-", "--", "-p", "-l", "-P"):
            self.nested(argv[1], self.base_of(cmd, 1))
        return True

    def parallel(self, cmd: Cmd) -> bool:
        """GNU parallel runs its command line through a shell once per item (`::: ITEMS`, or
        lines from stdin), `{}` replaced by the item or the item appended."""
        argv = cmd.argv
        i = C.skip_options(argv, 1, _PARALLEL_VALUE_OPTS)
        words, items = argv[i:], None
        for sep in (":::", "::::", ":::+"):
            if sep in words:
                k = words.index(sep)
                words, items = words[:k], [x for x in words[k + 1:] if x not in (":::", ":::+")]
                if sep == "::::":
                    items = [P.DYNAMIC]
                break
        if items is None:
            src = cmd.stdin
            items = [x for x in src.text.splitlines() if x.strip()] if src is not None and src.kind == TEXT else (
                [src.text + ("/<match>" if src.filtered else "")] if src is not None and src.kind == PATHS else [P.DYNAMIC])
        if not words:
            self.add("runs-script", cmd.span, "parallel runs each input line as a command")
            return True
        line = " ".join(words)
        ref = '"$__parallel_item"'  # bound per item, so `<match>` or an unknown item stays one word
        for item in list(dict.fromkeys(items))[:8] or [P.DYNAMIC]:
            self.env["__parallel_item"] = item
            self.nested(line.replace("{}", ref) if "{}" in line else line + " " + ref, cmd.span)
        self.env.pop("__parallel_item", None)
        return True

    def watch(self, cmd: Cmd) -> bool:
        """`watch [-n N] CMD…` runs CMD through `sh -c` again and again."""
        i = C.skip_options(cmd.argv, 1, frozenset(["-n", "--interval", "-q", "--equexit"]))
        if i < len(cmd.argv):
            base = self.base_of(cmd, i) if len(cmd.argv) == i + 1 else cmd.span
            self.nested(" ".join(cmd.argv[i:]), base)
        return True

    def su(self, cmd: Cmd) -> bool:
        self.add("privileged", cmd.span, "runs as another user or root through su")
        argv = cmd.argv
        for j, a in enumerate(argv[1:], 1):
            if a in ("-c", "--command") and j + 1 < len(argv):
                self.nested(argv[j + 1], self.base_of(cmd, j + 1))
            elif a.startswith("--command="):
                self.nested(a.split("=", 1)[1], cmd.span)
        return True

    def eval_(self, cmd: Cmd) -> bool:
        if len(cmd.argv) > 1:
            base = self.base_of(cmd, 1) if len(cmd.argv) == 2 else cmd.span
            self.nested(" ".join(cmd.argv[1:]), base)
        return False

    def xargs(self, cmd: Cmd) -> bool:
        argv = cmd.argv
        i, repl = 1, None
        while i < len(argv):
            a = argv[i]
            if a == "--":
                i += 1
                break
            if a in ("-I", "--replace") and i + 1 < len(argv):
                repl = argv[i + 1]
                i += 2
                continue
            if a.startswith("--replace=") or (a.startswith("-i") and len(a) >= 2) or (a.startswith("-I") and len(a) > 2):
                repl = a.split("=", 1)[1] if "=" in a else (a[2:] or "{}")
                i += 1
                continue
            if a in _XARGS_VALUE_OPTS:
                i += 2
                continue
            if not a.startswith("-"):
                break
            i += 1
        items = [P.DYNAMIC]
        delim = "\0" if any(a == "--null" or _cluster_has(a, "0", "adEeIiLlnPs") for a in argv[1:i]) else None
        d = next((argv[k + 1] for k in range(1, i - 1) if argv[k] in ("-d", "--delimiter")), None)
        if d is not None:
            delim = decode_ansi_c(d)[:1] or None
        if cmd.stdin is not None and cmd.stdin.kind == PATHS:
            items = [cmd.stdin.text + ("/<match>" if cmd.stdin.filtered else "")]
        elif cmd.stdin is not None and cmd.stdin.kind == TEXT and cmd.stdin.text.split():
            # `echo / | xargs rm -rf` deletes exactly that; with -I each line is one item; with
            # -0 or -d the delimiter alone splits (`echo 'rm -rf /' | xargs -0 sh -c` is one item).
            lines = [line for line in cmd.stdin.text.splitlines() if line.strip()]
            items = [x for x in cmd.stdin.text.split(delim) if x] if delim else (lines if repl else cmd.stdin.text.split())
            items = items or [P.DYNAMIC]
        inner = argv[i:] or ["echo"]
        if repl:
            inner = [a.replace(repl, items[0]) for a in inner]
        else:
            inner = inner + items
        # Items read from the network are network content in the command's arguments:
        # `curl URL | xargs sh -c` runs what the server sent.
        net = cmd.net_args or (cmd.stdin is not None and cmd.stdin.kind == NET)
        sub = Cmd(inner, [cmd.span] * len(inner), cmd.span, [], None, True, self.st.cwd, cmd.secret_args, net)
        sub.bases = [cmd.span] * len(inner)  # type: ignore[attr-defined]
        self.run_cmd(sub)
        return False

    def find(self, cmd: Cmd) -> bool:
        argv = cmd.argv
        i = 1
        while i < len(argv) and argv[i] in ("-H", "-L", "-P") or (i < len(argv) and argv[i] in _FIND_GLOBAL_VALUE):
            i += 2 if argv[i] in _FIND_GLOBAL_VALUE else 1
        roots = []
        while i < len(argv) and not argv[i].startswith(("-", "(", "!", ")")):
            roots.append(argv[i])
            i += 1
        roots = roots or ["."]
        expr = argv[i:]
        # `-o` makes the filter an alternative: `find / -name x -o -delete` deletes the rest; a
        # pattern that matches every name (`-name '*'`, `-path '*'`, `-regex '.*'`) filters nothing.
        filtered = any(a in _FIND_FILTERS and not _matches_all(a, expr[k + 1:k + 2]) for k, a in enumerate(expr)) and \
            not any(a in ("-o", "-or") for a in expr)
        cmd.find_roots, cmd.find_filtered = roots, filtered  # type: ignore[attr-defined]
        j = 0
        while j < len(expr):
            a = expr[j]
            if a in _FIND_EXEC:
                k = j + 1
                while k < len(expr) and expr[k] not in (";", "+"):
                    k += 1
                inner = expr[j + 1:k]
                for root in roots:
                    item = root + "/<match>" if filtered else root
                    sub_argv = [x.replace("{}", item) for x in inner]
                    if sub_argv:
                        sub = Cmd(sub_argv, [cmd.span] * len(sub_argv), cmd.span, [], None, True, self.st.cwd)
                        sub.bases = [cmd.span] * len(sub_argv)  # type: ignore[attr-defined]
                        self.run_cmd(sub)
                j = k + 1
                continue
            if a == "-delete":
                for root in roots:
                    item = root + "/<match>" if filtered else root
                    sub = Cmd(["rm", "-r", "-f", "--", item], [cmd.span] * 5, cmd.span, [], None, True, self.st.cwd)
                    self.apply_rules(sub)
            j += 1
        return False


SPECIAL = {
    "eval": Recursion.eval_,
    "xargs": Recursion.xargs,
    "find": Recursion.find,
    "source": Recursion.source,
    ".": Recursion.source,
    "su": Recursion.su,
    "watch": Recursion.watch,
    "read": Recursion.read_,
    "trap": Recursion.trap,
    "parallel": Recursion.parallel,
    "mapfile": Recursion.read_,
    "readarray": Recursion.read_,
}
for _s in C.SHELLS:
    SPECIAL[_s] = Recursion.shell
for _s in C.INTERPRETERS:
    if _s != "awk":
        SPECIAL[_s] = Recursion.interpreter
