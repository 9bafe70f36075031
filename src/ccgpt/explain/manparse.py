"""A groff-rendered man page (one line per paragraph) read as a list of tagged items.

`man` (.TP, .IP), mdoc (.It Fl) and DocBook-generated pages all render to the same shape: a
tag at one indent, its body at a deeper one (or on the same line for a short tag). Tags also
come as bullets (jq: "○ --slurp/-s:"), bracketed synopsis pieces (unzip: "[-d exdir]") and
expression operators (find, test: "( expr )", "! expr", "expr1 -o expr2"). The body is the
help text: its first paragraph, and the ones after it while they still belong to the same item
(a list introduced by "File is of type c:" is part of the answer), whitespace-normalised so it
stays a verbatim quote of the page.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ccgpt.term.sanitize import sanitize_line

# Changes with this file, so tables cached by an older parser are parsed again.
PARSER_VERSION = zlib.crc32(Path(__file__).read_bytes())
SKIP_SECTIONS = ("SEE ALSO", "HISTORY", "BUGS", "EXAMPLE", "AUTHOR", "COPYRIGHT", "STANDARDS",
                 "REPORTING BUGS", "EXIT STATUS", "FILES", "NOTES", "COLOPHON")
# Paragraphs after the first are added while the help is shorter than this (a list announced by
# a trailing ":" is always finished, up to HELP_MAX): enough for a whole item, not a whole page.
HELP_SOFT = 600
HELP_MAX = 2000
_WS = re.compile(r"\s+")
# One variant of a tag: "-a", "--all", "--color[=WHEN]", "-n NUM", "--lines=[+]NUM", "-C <commit>".
_VARIANT = re.compile(r"^(-<[\w-]+>|--?[A-Za-z0-9?#@][A-Za-z0-9_.?#@+-]*|[+][A-Za-z0-9]+|[A-Za-z0-9][A-Za-z0-9_-]*)(.*)$")
_BULLET_CHARS = "○•·◦‣∙●*"
_BULLET = re.compile(rf"^[{_BULLET_CHARS}]\s+")
# An operand that is an expression, not a value: find's and test's operators.
_EXPR = r"(?:expr|EXPRESSION|expression)\d*"
_PREFIX_OP = re.compile(rf"^(!|-[a-z]+)\s+{_EXPR}$")
_INFIX_OP = re.compile(rf"^{_EXPR}\s+(\S+)\s+{_EXPR}$")
_GROUP_OP = re.compile(rf"^\(\s+{_EXPR}\s+\)$")


def norm(text: str) -> str:
    """Whitespace-normalise: the form in which help text is quoted and compared."""
    return _WS.sub(" ", text).strip()


@dataclass
class Item:
    tags: list[str]      # option names or words, e.g. ["-a", "--all"] or ["restart"]
    args: list[str | None]  # per tag: "required", "optional" or None (diff's -u vs -U NUM)
    help: str            # the item's body, whitespace-normalised
    tag_text: str        # the tag line as printed
    section: str = ""

    def arg_for(self, tag: str) -> str | None:
        return self.args[self.tags.index(tag)] if tag in self.tags else None

    @property
    def arg(self) -> str | None:
        return next((a for a in self.args if a), None)


def clean_tag(text: str) -> str:
    """A tag as the option table reads it: no bullet, no synopsis brackets, no trailing colon."""
    text = text.strip()
    if text[:1] in _BULLET_CHARS:
        text = _BULLET.sub("", text)
    if len(text) > 2 and text[0] == '"' and text[-1] == '"' and text[1] in "-+":
        text = text[1:-1]  # pod2man's "-I dirs" (gprof, perl tools)
    if text.startswith("[-") and text.endswith("]") and text.count("[") == 1:
        text = text[1:-1]  # unzip's "[-d exdir]"
    if text.startswith("-") and text.endswith(":") and not text.endswith("::"):
        text = text[:-1].rstrip()  # jq's "--slurp/-s:"
    return text


def _value_arg(name: str, rest: str) -> str | None:
    """Whether a variant's text after its name announces a value, and whether it is optional."""
    rest = rest.strip()
    if not rest or rest.startswith("("):
        return None
    if rest.startswith("="):
        return "required"  # "--file=ARCHIVE", "--lines=[+]NUM"
    if rest.startswith("[=") or re.fullmatch(r"\[[^\[\]]*\](?:\.\.\.)?", rest):
        return "optional"  # "--color[=WHEN]", "-i[SUFFIX]": the whole value is bracketed
    return "required" if name.startswith("-") else None  # "--proxy [protocol://]host[:port]"


def _expand(chunk: str) -> list[str]:
    """One written variant as the options it stands for: sqlite3's "-[no]header", "--[no-]verify",
    xz's "-0 ... -9"."""
    m = re.match(r"^(--?)\[(no-?)\]([A-Za-z][\w-]*)(.*)$", chunk)
    if m:
        return [m.group(1) + m.group(3) + m.group(4), m.group(1) + m.group(2) + m.group(3) + m.group(4)]
    m = re.match(r"^-(\d) \.\.\.? -(\d)$", chunk)
    if m and m.group(1) < m.group(2):
        return [f"-{d}" for d in range(int(m.group(1)), int(m.group(2)) + 1)]
    return [chunk]


def _operator_tags(tag: str) -> list[str] | None:
    if _GROUP_OP.match(tag):
        return ["(", ")"]
    m = _PREFIX_OP.match(tag) or _INFIX_OP.match(tag)
    return [m.group(1)] if m else None


def variants(tag: str) -> tuple[list[str], list[str | None]]:
    """Option names in a tag line and, for each, whether it takes a value."""
    ops = _operator_tags(tag)
    if ops:
        return ops, [None] * len(ops)  # the operand is an expression, never this option's value
    chunks: list[str] = []
    # "-a, --all" / "-e script, --expression=script" / "install, reinstall" / "--slurp/-s"
    for chunk in re.split(r",\s*(?=[-+])|,\s+|\s+\|\s+|\|(?=-)|\s+or\s+|\s*/\s*(?=--?[A-Za-z])", tag):
        chunk = chunk.strip()
        chunks += re.split(r"\s+(?=--?[A-Za-z#])", chunk) if chunk.startswith("-") else [chunk]
    chunks = [c for chunk in chunks for c in _expand(chunk)]
    tags: list[str] = []
    args: list[str | None] = []
    own: list[bool] = []  # whether the variant's own text says what follows it
    for chunk in chunks:
        m = _VARIANT.match(chunk)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        if name.startswith("-") and "=" in name:
            name, rest = name.split("=", 1)[0], "=" + name.split("=", 1)[1] + rest
        if not name.startswith(("-", "+")) and rest.startswith("="):
            name, rest = name + "=", ""  # dd's operands: if=FILE
        if re.match(r"^-[A-Za-z][a-z]{2,}$", name) and re.search(r"--[\w-]+=", tag):
            tags.append(name[:2])  # patch's "-pnum or --strip=num": -p takes num
            args.append("required")
            own.append(True)
        tags.append(name)
        args.append(_value_arg(name, rest))
        own.append(bool(rest.strip()))
    # "-x, --proxy URL", "-f, --file=ARCHIVE": a short alias takes what its long form takes
    # (never what another short variant takes: diff's "-u, -U NUM, --unified[=NUM]").
    longs = [a for t, a, o in zip(tags, args, own) if o and t.startswith("--")]
    for k, t in enumerate(tags):
        if not own[k] and re.match(r"^-[^-<]", t) and longs:
            args[k] = longs[-1]
    return tags, args


def looks_like_tag(text: str, limit: int = 90) -> bool:
    if text.startswith(("-", "+")):
        return len(text) < limit
    if _operator_tags(text):
        return True
    # a word tag (`restart PATTERN...`, `a`, `install, reinstall`): short, no sentence punctuation
    return bool(re.match(r"^[A-Za-z0-9][\w-]*(?:=\S+)?(?:,? [\w<>\[\]().,|=-]+){0,4}$", text)) and len(text) < 60 \
        and (not text.endswith(".") or text.endswith("..."))


_LEAD = re.compile(r" *")
# Text after two spaces that is not another variant ("-c  --format=FORMAT", "-pnum  or  --strip=num"):
# the body sits on the tag's line ("-b, --binary      read in binary mode").
_INLINE_BODY = re.compile(r"\S {2,}(?![-+]|or\s)\S")


def _indent(line: str) -> int:
    m = _LEAD.match(line)  # no copy of the line (a paragraph can be thousands of characters)
    return m.end() if m else 0  # " *" matches every line: the test is for the type checker


def _body_columns(lines: list[str]) -> dict[int, dict[int, int]]:
    """Body columns seen after a tag-only line, per tag indent (learnt from the page itself)."""
    bodies: dict[int, dict[int, int]] = {}
    nonblank = [(i, ln) for i, ln in enumerate(lines) if ln.strip()]
    for (i, a), (j, b) in zip(nonblank, nonblank[1:]):
        ia, ib = _indent(a), _indent(b)
        if 0 < ia < ib and j == i + 1 and looks_like_tag(clean_tag(a)):
            bodies.setdefault(ia, {}).setdefault(ib, 0)
            bodies[ia][ib] += 1
    return bodies


def _body(lines: list[str], first: str, start: int, col: int) -> str:
    """`first` and the paragraphs after it (from line `start`) indented to the body's column `col`
    or deeper (a line less deep is the next tag or the page's own text)."""
    paras = [first.strip()]
    size = len(paras[0])
    for line in lines[start:]:
        if not line.strip():
            continue
        if _indent(line) < col:
            break
        if size >= HELP_MAX or (size >= HELP_SOFT and not paras[-1].endswith(":")):
            break
        paras.append(line.strip())
        size += len(paras[-1]) + 1
    return norm(" ".join(paras))


def _same_line_tag(line: str, ind: int, cols: dict[int, int]) -> tuple[str, str, int] | None:
    """A tag and its body on one line: "-n     do not output the trailing newline"."""
    for col, _ in sorted(cols.items(), key=lambda kv: -kv[1]) or [(ind + 7, 0), (ind + 8, 0)]:
        if len(line) > col and line[col - 1] == " " and line[col] != " ":
            head = clean_tag(line[ind:col])
            gap = col - ind - len(line[ind:col].rstrip())
            if head and looks_like_tag(head) and (head[0] in "-+" or gap >= 2 or _operator_tags(head)) \
                    and "  " not in head and not head.endswith(","):  # "-a, --algorithm": the tag goes on
                return head, line[col:], col
    m = re.match(r"^([-+]\S+(?: \S+)?) {2,}(\S.*)$", line.strip())  # "-F value       sets the separator"
    if m and looks_like_tag(m.group(1)):
        return m.group(1), m.group(2), ind + m.start(2)  # a hand-made table (shasum's usage dump)
    return None


def _tag_lines(lines: list[str], k: int, ind: int) -> int:
    """How many more lines at the same indent continue a tag (wget: "-q" then "--quiet")."""
    extra = 0
    while k + 1 + extra < len(lines) and _indent(lines[k + 1 + extra]) == ind:
        nxt = clean_tag(lines[k + 1 + extra])
        if not nxt.startswith(("-", "(-")) or len(nxt) >= 80 or "  " in nxt:  # a tag, not "-a   text"
            break
        extra += 1  # zip's "-#" then "(-0, -1, ..., -9)"
    return extra


def _item_at(lines: list[str], k: int, bodies, section: str) -> tuple[Item | None, int]:
    """The item whose tag is on line k (or None), and the index of the tag's last line."""
    line = lines[k]
    ind = _indent(line)
    stripped = clean_tag(line)
    if ind < 4 and not stripped.startswith("-"):  # .SS sub-headings sit at indent 3
        return None, k
    extra = _tag_lines(lines, k, ind) if stripped[0] in "-+" else 0
    if extra:
        stripped = ", ".join(clean_tag(lines[j]).strip("()") for j in range(k, k + extra + 1))
        k += extra
    nxt = k + 1
    if nxt < len(lines) and not lines[nxt].strip() and (stripped[0] in "-+" or _operator_tags(stripped)):
        nxt += 1  # sed's and jq's pages: a blank line between tag and body
    tag = body = None
    if nxt < len(lines) and lines[nxt].strip() and _indent(lines[nxt]) > ind and not _INLINE_BODY.search(stripped) \
            and looks_like_tag(stripped, 90 * (extra + 1)):
        tag, body, start, col = stripped, lines[nxt], nxt + 1, _indent(lines[nxt])
    else:
        same = _same_line_tag(line, ind, bodies.get(ind, {}))
        if same is None:
            return None, k
        (tag, body, col), start = same, k + 1
    names, args = variants(tag)
    if not names:
        return None, k
    return Item(names, args, _body(lines, body, start, col), tag, section), k


def _bare_tag(lines: list[str], k: int) -> tuple[list[str], list[str | None]] | None:
    """A tag line without a body whose item follows at the same indent (gpg: "--armor" above
    "-a     Create ASCII armored output."): its names belong to the next item."""
    if not lines[k].lstrip().startswith(("-", '"')):
        return None  # the common case, decided without cleaning anything
    tag = clean_tag(lines[k])
    if not tag.startswith("-") or len(tag) > 60:
        return None
    nxt = next((ln for ln in lines[k + 1:k + 3] if ln.strip()), "")
    if _indent(nxt) != _indent(lines[k]) or not clean_tag(nxt).startswith("-") or not looks_like_tag(tag):
        return None
    return variants(tag)


def _merge(item: Item, tags: list[str], args: list[str | None]) -> None:
    for t, a in zip(tags, args):
        if t not in item.tags:
            item.tags.append(t)
            item.args.append(a)


def _synopsis_aliases(lines: list[str], items: list[Item]) -> None:
    """SYNOPSIS groups such as "[-a, --arguments]" or "[-n|--notable]" name one option twice;
    pages that describe only one of the names (pstree, peekfd) get the other as an alias."""
    text = []
    inside = False
    for line in lines:
        if line.strip() and _indent(line) == 0:
            inside = line.strip().startswith("SYNOPSIS")
        elif inside:
            text.append(line)
    index = {t: it for it in reversed(items) for t in it.tags}
    for group in re.findall(r"\[\s*(-[^\[\]]*?--[^\[\]]*?)\s*\]", " ".join(text)):
        tags, args = variants(group)
        # pstree's "[-h, --highlight-all, -H pid, --highlight-pid=pid]": each long names the short before it
        for k in range(1, len(tags)):
            pair = [tags[k - 1], tags[k]]
            if not (re.match(r"^-[^-]", pair[0]) and pair[1].startswith("--")):
                continue
            known = [index[t] for t in pair if t in index]
            if len(known) == 1:
                _merge(known[0], pair, args[k - 1:k + 1])


# More SYNOPSIS lines than anyone quotes (git's runs to dozens): the rest is not kept.
SYNOPSIS_MAX = 20


def parse_synopsis(text: str) -> list[str]:
    """The SYNOPSIS section's lines as printed (sub-headings such as tar's "UNIX-style usage"
    included), whitespace-normalised, escape sequences and control characters removed: a page
    is text from a package, and these lines go into prompts."""
    out: list[str] = []
    inside = False
    last = 0  # indent of the last line that started an entry
    for line in text.splitlines():
        if not line.strip():
            continue
        ind = _indent(line)
        if ind == 0:
            if inside:
                break
            inside = line.strip().startswith("SYNOPSIS")
            continue
        clean = norm(sanitize_line(line)) if inside else ""
        if not clean:
            continue
        if out and ind > last >= 4:
            out[-1] += " " + clean  # a continuation line (sed's, git's long synopses)
            continue
        if len(out) == SYNOPSIS_MAX:
            break
        out.append(clean)
        last = ind
    return out


def parse_rendered(text: str) -> tuple[str | None, list[Item]]:
    """The page's title (from NAME) and its tagged items, in page order."""
    lines = text.splitlines()
    title = None
    section = ""
    bodies = _body_columns(lines)
    items: list[Item] = []
    pending = None
    skipping = False
    k = 0
    while k < len(lines):
        line = lines[k]
        stripped = line.strip()
        if not stripped:
            k += 1
            continue
        if _indent(line) == 0:
            section = stripped
            skipping = section.startswith(SKIP_SECTIONS)
            k += 1
            continue
        if section.startswith("NAME") and title is None:
            m = re.search(r"\s(?:\\?-|—|–)\s+(.+)$", stripped)
            title = norm(m.group(1)) if m else None
        if not skipping:
            item, k = _item_at(lines, k, bodies, section)
            if item is not None:
                if pending:
                    _merge(item, *pending)
                items.append(item)
            pending = _bare_tag(lines, k) if item is None else None
        k += 1
    _synopsis_aliases(lines, items)
    return title, items
