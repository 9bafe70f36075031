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

_XARGS_REQUIRED, _XARGS_OPTIONAL = "adEILnPsJR", "eil"
_XARGS_LONG_REQUIRED = frozenset("--arg-file --delimiter --max-args --max-procs --max-chars "
                                 "--process-slot-var".split())
_XARGS_LONG_OPTIONAL = frozenset(["--eof", "--replace", "--max-lines"])
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
    sep_items = items
    if items is None:
        src = cmd.stdin
        items = [x for x in src.text.splitlines() if x.strip()] if src is not None and src.kind == TEXT else (
            [P.entry(src.text, src.filtered)] if src is not None and src.kind == PATHS else [P.DYNAMIC])
    src = cmd.stdin
    if not words and sep_items is None and src is not None and (src.kind == NET or src.decoded):
        from ccgpt.risk.rules.code import consume_stdin

        consume_stdin(cmd, ctx, shell=True)  # `curl URL | parallel`: each fetched line runs
        return True
    if not words:  # no command: every item is a command line (`parallel ::: 'rm -rf /'`)
        known = [x for x in items if x != P.DYNAMIC and not x.endswith("/" + P.MATCH)]
        for item in list(dict.fromkeys(known))[:8]:
            ctx.nested(item, cmd.span)
        if len(known) < len(items) or not items:
            ctx.add(RUNS_SCRIPT, cmd.span, "parallel runs each input line as a command")
        return True
    line = " ".join(words)
    ref = '"$__parallel_item"'  # bound per item, so an entry or an unknown item stays one word
    for item in list(dict.fromkeys(items))[:8] or [P.DYNAMIC]:
        ctx.bind("__parallel_item", item)
        ctx.nested(line.replace("{}", ref) if "{}" in line else line + " " + ref, cmd.span)
    ctx.bind("__parallel_item", None)
    return True


def xargs(cmd: Cmd, ctx: Context) -> bool:
    argv = cmd.argv
    # GNU xargs' getopt table: -e[EOF], -i[R], -l[N] take a value only when it is attached
    # (`xargs -e rm -rf`: rm is the command); -I, -J (BSD), -E, -L, -n … always take one.
    opts, i = C.getopt(argv, 1, _XARGS_REQUIRED, _XARGS_OPTIONAL, _XARGS_LONG_REQUIRED, _XARGS_LONG_OPTIONAL)
    repl = delim = None
    for name, value in opts:
        if name in ("-I", "-J"):
            repl = value
        elif name in ("-i", "--replace") or (name.startswith("--r") and "--replace".startswith(name)):
            repl = value or "{}"
        elif name in ("-0", "--null"):
            delim = "\0"
        elif name in ("-d", "--delimiter") and value is not None:
            delim = decode_ansi_c(value)[:1] or None
    items = [P.DYNAMIC]
    if cmd.stdin is not None and cmd.stdin.kind == PATHS:
        items = [P.entry(cmd.stdin.text, cmd.stdin.filtered)]
    elif cmd.stdin is not None and cmd.stdin.kind == TEXT and cmd.stdin.text.split():
        # `echo / | xargs rm -rf` deletes exactly that; with -I each line is one item; with
        # -0 or -d the delimiter alone splits (`echo 'rm -rf /' | xargs -0 sh -c` is one item).
        lines = [line for line in cmd.stdin.text.splitlines() if line.strip()]
        items = [x for x in cmd.stdin.text.split(delim) if x] if delim else (lines if repl else cmd.stdin.text.split())
        items = items or [P.DYNAMIC]
    inner = argv[i:] or ["echo"]
    if repl:
        inner = [P.spliced(a, repl, items[0]) for a in inner]
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
    # GNU find's own options come first: -H -L -P, `-D OPTS`/`-DOPTS`, `-O3` (level attached).
    while i < len(argv) and (argv[i] in ("-H", "-L", "-P") or argv[i][:2] in _FIND_GLOBAL_VALUE):
        i += 2 if argv[i] in _FIND_GLOBAL_VALUE and argv[i] == "-D" else 1
    roots = []
    while i < len(argv) and not argv[i].startswith(("-", "(", "!", ")")):
        roots.append(argv[i])
        i += 1
    roots = roots or ["."]
    expr = argv[i:]
    # `-o` makes the filter an alternative: `find / -name x -o -delete` deletes the rest; a
    # pattern that matches every name (`-name '*'`, `-path '*'`, `-regex '.*'`) filters nothing.
    alternative = any(a in ("-o", "-or") for a in expr)

    def filtered_before(j: int) -> bool:  # `find ~ -delete -name x`: -delete runs before the test
        return not alternative and any(a in _FIND_FILTERS and not _matches_all(a, expr[k + 1:k + 2])
                                       for k, a in enumerate(expr[:j]))

    cmd.find_roots, cmd.find_filtered = roots, filtered_before(len(expr))  # type: ignore[attr-defined]
    j = 0
    while j < len(expr):
        a = expr[j]
        filtered = filtered_before(j)
        if a in _FIND_EXEC:
            k = j + 1
            while k < len(expr) and expr[k] not in (";", "+"):
                k += 1
            inner = expr[j + 1:k]
            for root in roots:
                item = P.entry(root, filtered)
                sub_argv = [P.spliced(x, "{}", item) for x in inner]
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
                item = P.entry(root, filtered)
                sub = Cmd(["rm", "-r", "-f", "--", item], [cmd.span] * 5, cmd.span, [], None, True, ctx.cwd)
                ctx.check(sub)
        j += 1
    return False


_FD_REQUIRED = "etEdSocj"
_FD_LONG_REQUIRED = frozenset("--extension --type --exclude --max-depth --min-depth --exact-depth --size "
                              "--changed-within --changed-before --change-newer-than --change-older-than --owner "
                              "--color --threads --max-results --base-directory --path-separator --search-path "
                              "--ignore-file --format --max-buffer-time --batch-size --and".split())
_FD_EXEC = frozenset(["-x", "--exec", "-X", "--exec-batch"])
_FD_FILTERS = frozenset("-e --extension -S --size -o --owner --changed-within --changed-before "
                        "--change-newer-than --change-older-than".split())
_FD_ALL = frozenset(["", ".", "^", ".*", "^.*"])


def fd_search(argv: list[str]) -> tuple[list[str], bool, list[str] | None]:
    """fd's roots, whether its pattern or options filter the names, and the command of its
    `-x`/`-X` (None without one). The command ends at `;`; fd's own words may follow it."""
    k = next((j for j, a in enumerate(argv) if a in _FD_EXEC), len(argv))
    end = argv.index(";", k) if ";" in argv[k:] else len(argv)
    inner = argv[k + 1:end] if k < len(argv) else None
    own = argv[:k] + argv[end + 1:]
    opts, _ = C.getopt(own, 1, _FD_REQUIRED, "", _FD_LONG_REQUIRED, permute=True)
    values = [v for _, v in opts if v is not None]
    operands = [a for a in own[1:] if not a.startswith("-")]
    for v in values:  # an option's value is not an operand
        if v in operands:
            operands.remove(v)
    roots = operands[1:] + [v for n, v in opts if n == "--search-path" and v] or ["."]
    filtered = bool(operands) and operands[0] not in _FD_ALL or any(n in _FD_FILTERS for n, _ in opts)
    return roots, filtered, inner


def fd(cmd: Cmd, ctx: Context) -> bool:
    """`fd [OPTS] [PATTERN] [PATH…] -x|-X CMD… [;]` is `find PATH -exec CMD` (reading 5): CMD
    runs on every entry, `{}` (and `{/}`, `{//}`, `{.}`, `{/.}`) replaced or the entry appended.
    A pattern that matches every name (`.`, `^`) filters nothing: the whole tree."""
    roots, filtered, inner = fd_search(cmd.argv)
    if not inner:
        return False
    for root in roots:
        item = P.entry(root, filtered)
        sub_argv = [_fd_placeholders(x, root, item) for x in inner]
        if sub_argv == inner:
            sub_argv = inner + [item]
        sub = Cmd(sub_argv, [cmd.span] * len(sub_argv), cmd.span, [], None, True, ctx.cwd)
        sub.bases = [cmd.span] * len(sub_argv)  # type: ignore[attr-defined]
        ctx.run(sub)
    return False


def _fd_placeholders(word: str, root: str, item: str) -> str:
    """fd's `{//}` (the parent: the root here), `{/.}`, `{/}`, `{.}` and `{}` (the entry)."""
    for mark, value in (("{//}", root), ("{/.}", item), ("{/}", item), ("{.}", item), ("{}", item)):
        word = P.spliced(word, mark, value)
    return word


HANDLERS = {"xargs": [xargs], "find": [find], "parallel": [parallel], "fd": [fd], "fdfind": [fd]}
