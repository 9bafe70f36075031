"""A small Dockerfile reader: instructions with their line numbers, grouped into stages, and the
name=value pairs of an `ENV` instruction.

It follows BuildKit's reading where the audit depends on it: parser directives (`# escape=`) only
before anything else; a continuation is the escape character as the last non-blank character,
removed and the next line appended as it is (not a space: `ENV A=\\` + `0.0.0.0` is `A=0.0.0.0`);
comment and blank lines inside a continuation are dropped; a comment line never continues.
Instruction names are case-insensitive. Enough for auditing, not a full BuildKit parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")
_DIRECTIVE = re.compile(r"^#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$")


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, USER, ...
    args: str
    line: int  # 1-based line where the instruction starts
    # (offset in args, line) where each physical line's text begins: which line a word is on
    starts: tuple[tuple[int, int], ...] = ()
    escape: str = "\\"  # the file's escape character (`# escape=` directive)

    def line_at(self, offset: int) -> int:
        line = self.line
        for start, number in self.starts:
            if start > offset:
                break
            line = number
        return line


@dataclass
class Stage:
    image: str  # as written after FROM (variables expanded from ARG defaults)
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None


def _continued(line: str, escape: str) -> str | None:
    """`line` without its continuation (escape as last non-blank, not itself escaped), or None."""
    body = line.rstrip(" \t")
    if not body.endswith(escape) or body.endswith(escape * 2):
        return None
    return body[: -len(escape)]


def instructions(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    escape = "\\"
    directives = True  # parser directives are only read before any instruction or comment
    parts: list[tuple[str, int]] = []  # the physical lines of the instruction being read
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not parts:
            stripped = raw.strip()
            m = _DIRECTIVE.match(stripped) if directives else None
            if m and m.group(1).lower() == "escape" and m.group(2) in ("\\", "`"):
                escape = m.group(2)
                continue
            if not m:  # a comment, a blank line or an instruction ends the directives
                directives = False
            if not stripped or stripped.startswith("#"):
                continue
            raw = raw.lstrip()
        elif not raw.strip() or raw.lstrip().startswith("#"):
            continue  # dropped inside a continuation, as BuildKit does
        body = _continued(raw, escape)
        parts.append((raw if body is None else body, number))
        if body is None:
            out.append(_instruction(parts, escape))
            parts = []
    if parts:
        out.append(_instruction(parts, escape))
    return out


def _instruction(parts: list[tuple[str, int]], escape: str) -> Instruction:
    joined = "".join(text for text, _ in parts)
    m = re.match(r"(\S+)\s*", joined)
    keyword, args_at = (m.group(1), m.end()) if m else ("", 0)
    starts, offset = [], 0
    for text, number in parts:
        starts.append((max(offset - args_at, 0), number))
        offset += len(text)
    return Instruction(keyword.upper(), joined[args_at:].rstrip(), parts[0][1], tuple(starts), escape)


def stages(text: str) -> list[Stage]:
    args: dict[str, str] = {}
    result: list[Stage] = []
    for ins in instructions(text):
        if ins.keyword == "ARG" and not result:
            for name, raw, _ in words_of(ins):
                if raw is not None:
                    args[name] = expand(raw, args, ins.escape)
        elif ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            image = _expand(words[0], args) if words else ""
            alias = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            result.append(Stage(image, alias, ins.line))
        elif result:
            result[-1].instructions.append(ins)
    return result


def _expand(word: str, args: dict[str, str]) -> str:
    return _VAR.sub(lambda m: args.get(m.group(1) or m.group(2), m.group(0)), word)


def is_root_user(user: str) -> bool:
    name = user.strip().strip('"\'').split(":", 1)[0]
    return name in ("root", "0", "")


# ---- ENV and ARG: name=value words, quoting and ${VAR} as Docker's shell lexer reads them ------

@dataclass
class EnvSetting:
    name: str
    value: str  # quotes removed, ${VAR} expanded where the file gives VAR a value
    line: int  # the physical line the name is on


def _split_words(args: str, escape: str) -> list[tuple[str, int]]:
    """Whitespace-separated words (quotes and escapes kept), each with its offset in `args`."""
    words: list[tuple[str, int]] = []
    word, start, quote, i = "", -1, "", 0
    while i < len(args):
        ch = args[i]
        if not quote and ch in " \t":
            if start >= 0:
                words.append((word, start))
            word, start = "", -1
            i += 1
            continue
        if start < 0:
            start = i
        if ch == escape and quote != "'" and i + 1 < len(args):
            word += ch + args[i + 1]
            i += 2
            continue
        if ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        word += ch
        i += 1
    if start >= 0:
        words.append((word, start))
    return words


def words_of(ins: Instruction) -> list[tuple[str, str | None, int]]:
    """(name, raw value or None for a bare ARG NAME, offset) of an ENV or ARG instruction; the
    legacy `ENV NAME the rest is the value` form too (no `=` in the first word)."""
    words = _split_words(ins.args, ins.escape)
    if not words:
        return []
    if ins.keyword == "ENV" and "=" not in words[0][0]:
        rest = ins.args[words[0][1] + len(words[0][0]):].lstrip(" \t")
        return [(words[0][0], rest, words[0][1])]
    out: list[tuple[str, str | None, int]] = []
    for word, offset in words:
        name, sep, raw = word.partition("=")
        if name:
            out.append((name, raw if sep else None, offset))
    return out


def expand(raw: str, known: dict[str, str], escape: str = "\\") -> str:
    """One word as Docker's shell lexer reads it: quotes removed, escapes applied, $NAME and
    ${NAME}, ${NAME:-default}, ${NAME:+alt} expanded from `known`; a reference to a name not in
    `known` stays as written (its value comes from the build, not from this file)."""
    out, quote, i = [], "", 0
    while i < len(raw):
        ch = raw[i]
        if quote != "'" and ch == escape:
            nxt = raw[i + 1: i + 2]
            if quote == '"' and nxt not in ('"', "$", escape):
                out.append(ch)  # inside double quotes an escape only escapes " $ and itself
            else:
                out.append(nxt)
                i += 1
        elif ch in "\"'" and (not quote or quote == ch):
            quote = "" if quote else ch
        elif ch == "$" and quote != "'" and (m := _VAR.match(raw, i)):
            out.append(_substitute(m, known))
            i = m.end()
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_OPERATOR = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-+])(.*)\}$", re.S)


def _substitute(m: re.Match[str], known: dict[str, str]) -> str:
    name = m.group(1) or m.group(2)
    op = _OPERATOR.match(m.group(0))
    value = known.get(name)
    if op is None:
        return m.group(0) if value is None else value
    kind, word = op.group(1), op.group(2)
    is_set = value is not None and (value != "" or not kind.startswith(":"))
    if kind.endswith("-"):
        return value if is_set and value is not None else word
    return word if is_set else ""


def env_settings(text: str) -> list[EnvSetting]:
    """Every name=value an ENV instruction sets, in every stage, in order. Values are expanded
    from the ARG defaults in scope (a global ARG only where a stage declares it again, as Docker
    does) and the stage's earlier ENV values; all pairs of one ENV see the values before it."""
    global_args: dict[str, str] = {}
    scope: dict[str, str] | None = None  # None: before the first FROM
    found: list[EnvSetting] = []
    for ins in instructions(text):
        if ins.keyword == "FROM":
            scope = {}
        elif ins.keyword == "ARG":
            target = global_args if scope is None else scope
            for name, raw, _ in words_of(ins):
                if raw is not None:
                    target[name] = expand(raw, target, ins.escape)
                elif scope is not None and name in global_args:
                    scope[name] = global_args[name]
        elif ins.keyword == "ENV" and scope is not None:
            before = dict(scope)
            for name, raw, offset in words_of(ins):
                value = expand(raw or "", before, ins.escape)
                found.append(EnvSetting(name, value, ins.line_at(offset)))
                scope[name] = value
    return found
