"""find's `-o` alternatives put in `\\( \\)` when the action would apply to the last one only.

`find . -name '*.o' -o -name core -delete` deletes only the files named `core`: `-o` binds
looser than the implicit `-a` before `-delete` (ShellCheck's SC2146). The fix is mechanical,
`find . \\( -name '*.o' -o -name core \\) -delete`, and the default model, told exactly that,
answers with the same command, so the suggester applies it itself.

The alternatives are taken to be the tests joined by `-o`: the last test before the first `-o`,
each test between, and the first test after the last `-o`, so tests that come before them stay
outside (`-type f \\( -name A -o -name B \\) -exec ...`). A form this reading does not fit
(an action before an `-o`, the `-prune` idiom, several tests between two `-o`, a negated
alternative, an option it does not know) is left as it is, marked when ShellCheck sees it.
"""

from __future__ import annotations

from ccgpt.assist.analysis import encoded, plain_value, walk

# The primaries by the number of words they take after them; actions separately.
_ZERO = {"-empty", "-executable", "-readable", "-writable", "-nouser", "-nogroup", "-true", "-false",
         "-daystart", "-depth", "-xdev", "-mount", "-follow", "-noleaf", "-ignore_readdir_race",
         "-noignore_readdir_race", "-warn", "-nowarn"}
_ONE = {"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
        "-type", "-xtype", "-size", "-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-newer",
        "-anewer", "-cnewer", "-perm", "-user", "-group", "-uid", "-gid", "-links", "-inum",
        "-samefile", "-maxdepth", "-mindepth", "-used", "-fstype", "-lname", "-ilname", "-regextype",
        "-context"}
_ACTIONS_ZERO = {"-delete", "-print", "-print0", "-ls", "-quit"}
_ACTIONS_ONE = {"-printf", "-fprint", "-fprint0", "-fls"}
_ACTIONS_TWO = {"-fprintf"}
_ACTIONS_LIST = {"-exec", "-execdir", "-ok", "-okdir"}  # up to `;` or `+`
_OR, _AND, _NOT = {"-o", "-or"}, {"-a", "-and"}, {"!", "-not"}
# Alternatives are grouped only when they test the same thing (names, times, types, ...):
# `-type f -name A -o -type d -name B -exec` could mean either grouping, so it is left alone.
_FAMILIES = [{"-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
              "-lname", "-ilname"},
             {"-mtime", "-mmin", "-atime", "-amin", "-ctime", "-cmin", "-newer", "-anewer", "-cnewer", "-used"},
             {"-type", "-xtype"}, {"-size"}, {"-user", "-uid", "-nouser"}, {"-group", "-gid", "-nogroup"},
             {"-perm", "-readable", "-writable", "-executable"}]


def _arity(word: str) -> int | None:
    if word in _ZERO or word in _ACTIONS_ZERO:
        return 0
    if word in _ONE or word in _ACTIONS_ONE or word.startswith("-newer"):
        return 1
    if word in _ACTIONS_TWO:
        return 2
    return None


def _items(words: list[str]) -> list[tuple[str, int, int]] | None:
    """find's expression at the top level as (kind, first word, last word + 1), kinds `or`,
    `and`, `not`, `test`, `group` and `action`; None for a form it cannot read."""
    items, i = [], 0
    while i < len(words):
        w = words[i]
        if w in _OR or w in _AND or w in _NOT:
            kind = "or" if w in _OR else "and" if w in _AND else "not"
            items.append((kind, i, i + 1))
            i += 1
        elif w == "(":
            depth, j = 0, i
            while j < len(words):
                depth += (words[j] == "(") - (words[j] == ")")
                if depth == 0:
                    break
                j += 1
            if j == len(words):
                return None
            items.append(("group", i, j + 1))
            i = j + 1
        elif w in _ACTIONS_LIST:
            j = i + 1
            while j < len(words) and words[j] not in (";", "+"):
                j += 1
            if j == len(words):
                return None
            items.append(("action", i, j + 1))
            i = j + 1
        else:
            arity = _arity(w)
            if arity is None or i + 1 + arity > len(words):  # -prune has none: its idiom is left as it is
                return None
            kind = "action" if w in _ACTIONS_ZERO | _ACTIONS_ONE | _ACTIONS_TWO else "test"
            items.append((kind, i, i + 1 + arity))
            i += 1 + arity
    return items


def _unit_at_end(items) -> tuple[int, int] | None:
    """The last test (with a `!` before it) of an operand: its (first, last + 1) item index."""
    if not items or items[-1][0] not in ("test", "group"):
        return None
    start = len(items) - 1
    if start > 0 and items[start - 1][0] == "not":
        start -= 1
    return start, len(items)


def _family(word: str) -> int | None:
    word = "-newer" if word.startswith("-newer") else word
    return next((i for i, family in enumerate(_FAMILIES) if word in family), None)


def _alternatives(words: list[str]) -> tuple[int, int] | None:
    """The words (first, last + 1) to put in parentheses, or None when nothing needs it."""
    items = _items(words)
    if items is None:
        return None
    operands: list[list] = [[]]
    for item in items:
        if item[0] == "or":
            operands.append([])
        else:
            operands[-1].append(item)
    if len(operands) < 2 or any(not o for o in operands):
        return None
    if any(kind == "action" for o in operands[:-1] for kind, _, _ in o):
        return None
    last = operands[-1]
    if not any(kind == "action" for kind, _, _ in last):
        return None
    for middle in operands[1:-1]:
        if _unit_at_end(middle) != (0, len(middle)):
            return None
    first = _unit_at_end(operands[0])
    head = 1 if last[0][0] == "not" else 0
    if first is None or last[head][0] != "test" or head + 1 >= len(last):
        return None
    # `! -name a -o ! -name b -delete` was meant as `! -name a ! -name b`; grouped, it would
    # delete everything. A negated alternative is left as written.
    if head == 1 or first[1] - first[0] == 2 or any(len(middle) == 2 for middle in operands[1:-1]):
        return None
    units = [operands[0][first[1] - 1]] + [o[-1] for o in operands[1:-1]] + [last[head]]
    families = {_family(words[start]) if kind == "test" else None for kind, start, _ in units}
    if len(families) != 1 or None in families:
        return None
    return operands[0][first[0]][1], last[head][2]


def _find_at(argv: list[str]) -> int | None:
    """Where `find` is in one simple command's words, past the wrappers the risk engine knows
    (`sudo find`, `nice -n 5 find`, `env LC_ALL=C find`); None when it is not find."""
    from ccgpt.risk.commands import WRAPPERS, program, skip_options

    i = 0
    while i < len(argv) and program(argv[i]) in WRAPPERS:
        value_opts, operands, _ = WRAPPERS[program(argv[i])]
        i = skip_options(argv, i + 1, value_opts) + operands
        while i < len(argv) and "=" in argv[i] and not argv[i].startswith("-"):  # env NAME=value
            i += 1
    return i if i < len(argv) and program(argv[i]) == "find" else None


def group_alternatives(command: str) -> str | None:
    """`command` with each find's `-o` alternatives in `\\( \\)` when an action follows them,
    or None when no find in it needs that (or reads in a way this does not follow)."""
    from ccgpt.risk.parse import parse

    data = encoded(command)
    if data is None:  # a lone surrogate
        return None
    edits = []  # (byte offset, text to insert)
    for node in walk(parse(data).root_node):
        if node.type != "command":
            continue
        parts = [c for c in node.children if "redirect" not in c.type and c.type != "variable_assignment"]
        # Operators and primaries are plain words; a test's value may be a glob (its text then).
        words = [plain_value(c, data) or data[c.start_byte:c.end_byte].decode("utf-8", "surrogateescape") for c in parts]
        at = _find_at(words)
        if at is None:
            continue
        args, words = parts[at + 1:], words[at + 1:]
        begin = next((i for i, w in enumerate(words) if w.startswith("-") or w in ("(", "!")), len(words))
        span = _alternatives(words[begin:])
        if span is not None:
            edits += [(args[begin + span[0]].start_byte, b"\\( "), (args[begin + span[1] - 1].end_byte, b" \\)")]
    if not edits:
        return None
    for offset, text in sorted(edits, reverse=True):
        data = data[:offset] + text + data[offset:]
    return data.decode("utf-8", "surrogateescape")
