"""Fan-out: programs that run a command once per item — `xargs CMD` (items from the pipe),
`find … -exec CMD`/`-delete` (items from a tree), GNU `parallel CMD ::: ITEMS`. The command is
checked with the items substituted in (a root or home item makes a wipe of it); unknown items
are paths.DYNAMIC (rules/unresolved.py reads them as the worst they could be)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.model import NET, PATHS, TEXT, Cmd
from ccgpt.risk.rules.catalog import rule
from ccgpt.risk.words import decode_ansi_c

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

RUNS_SCRIPT = rule("runs-script")

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


_FIND_WRITES = frozenset(["-fprint", "-fprint0", "-fls", "-fprintf"])
_FIND_TESTS_WITH_VALUE = (_FIND_FILTERS - {"-empty", "-nouser", "-nogroup"}) | frozenset(
    "-maxdepth -mindepth -type -xtype -printf -fstype -context -anewer -cnewer".split())
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


def parallel(cmd: Cmd, ctx: Context) -> bool:
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
        ctx.add(RUNS_SCRIPT, cmd.span, "parallel runs each input line as a command")
        return True
    line = " ".join(words)
    ref = '"$__parallel_item"'  # bound per item, so `<match>` or an unknown item stays one word
    for item in list(dict.fromkeys(items))[:8] or [P.DYNAMIC]:
        ctx.bind("__parallel_item", item)
        ctx.nested(line.replace("{}", ref) if "{}" in line else line + " " + ref, cmd.span)
    ctx.bind("__parallel_item", None)
    return True


def xargs(cmd: Cmd, ctx: Context) -> bool:
    argv = cmd.argv
    i, repl = 1, None
    while i < len(argv):
        a = argv[i]
        if a == "--":
            i += 1
            break
        if a in ("-I", "-J") and i + 1 < len(argv):  # GNU -I R, BSD -J R: R is replaced by the item
            repl = argv[i + 1]
            i += 2
            continue
        if a == "--replace":  # optional argument, attached only: alone it means {}
            repl = "{}"
            i += 1
            continue
        if a.startswith("--replace=") or (a.startswith("-i") and len(a) >= 2) or (a.startswith(("-I", "-J")) and len(a) > 2):
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
    if not net and items == [P.DYNAMIC] and inner[:1] and C.program(inner[0]) in C.SHELLS and "-c" in inner[1:3] \
            and inner[inner.index("-c") + 1:inner.index("-c") + 2] == [P.DYNAMIC]:
        # `cat list | xargs sh -c`: the code is the input's lines, like a script file that is run
        ctx.add(RUNS_SCRIPT, cmd.span, "runs each line of its input as shell code")
        return False
    sub = Cmd(inner, [cmd.span] * len(inner), cmd.span, [], None, True, ctx.cwd, cmd.secret_args, net)
    sub.bases = [cmd.span] * len(inner)  # type: ignore[attr-defined]
    ctx.run(sub)
    return False

def find(cmd: Cmd, ctx: Context) -> bool:
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
                    sub = Cmd(sub_argv, [cmd.span] * len(sub_argv), cmd.span, [], None, True, ctx.cwd)
                    sub.bases = [cmd.span] * len(sub_argv)  # type: ignore[attr-defined]
                    ctx.run(sub)
            j = k + 1
            continue
        if a in _FIND_WRITES and j + 1 < len(expr):  # `-fprint FILE`: find writes FILE
            from ccgpt.risk.rules.files import write_target

            write_target(cmd, ctx, expr[j + 1], cmd.span)
            j += 2
            continue
        if a in _FIND_TESTS_WITH_VALUE:
            j += 2  # `find . -name -delete`: -delete is the pattern here, not the action
            continue
        if a == "-delete":
            for root in roots:
                item = root + "/<match>" if filtered else root
                sub = Cmd(["rm", "-r", "-f", "--", item], [cmd.span] * 5, cmd.span, [], None, True, ctx.cwd)
                ctx.check(sub)
        j += 1
    return False


HANDLERS = {"xargs": [xargs], "find": [find], "parallel": [parallel]}
