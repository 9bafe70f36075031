"""Word evaluation: turn a tree-sitter word node into the string(s) the shell would pass.

This is where most evasions die. Quotes are removed (`r''m`, `"rm"`), backslashes resolved
(`\\rm`), ANSI-C strings decoded (`$'\\x72\\x6d'`), variables assigned earlier in the line
substituted (`x=rm; $x`), `$HOME`/`${HOME}` mapped to `~`, `${IFS}` turned back into the
whitespace it stands for, and statically computable command substitutions (`$(printf rm)`,
`$(echo cm0= | base64 -d)`) replaced by their output. What cannot be known is marked
dynamic so rules can be pessimistic instead of guessing "harmless".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ccgpt.risk.lazyre import lazy_re

from ccgpt.risk.model import NET, TEXT, Output
from ccgpt.risk.paths import DYNAMIC
from ccgpt.risk.unparsed import evaluate_expansion

if TYPE_CHECKING:
    from typing import Callable

    from ccgpt.risk.parse import Node

# Whitespace produced by an *unquoted* expansion: the shell splits the word there.
SPLIT = "\x01"
_WS = lazy_re(r"[ \t\n]+")
_SECRET_VAR = lazy_re(r"SECRET|TOKEN|PASSW|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH", re.I)
_BACKSLASH = lazy_re(r"\\(\n|.)", re.S)
_DQ_ESCAPE = lazy_re(r'\\([$`"\\\n])')
_EXPANSION = lazy_re(r"^\$\{([!#]?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(.*)\}$", re.S)
_ANSI_C = lazy_re(r"\\(x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{1,4}|U[0-9a-fA-F]{1,8}|[0-7]{1,3}|c.|.)", re.S)
_SIMPLE_ESC = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b",
               "f": "\f", "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}


class WordInfo:
    """What evaluating one word revealed, beyond its value."""

    __slots__ = ("quoted", "dynamic", "expanded", "inline_var", "subst", "ifs", "net", "secret", "ansi_c", "decoded", "procsub", "sinks")

    def __init__(self) -> None:
        self.quoted = self.dynamic = self.expanded = self.inline_var = False
        self.subst = self.ifs = self.net = self.secret = self.ansi_c = self.decoded = False
        self.procsub: Output | None = None
        self.sinks: list[tuple[str, tuple[int, int]]] | None = None  # `>(CODE)`: code that reads what is written


def decode_ansi_c(body: str) -> str:
    def one(m: re.Match) -> str:
        e = m.group(1)
        c = e[0]
        try:
            if c in "xuU" and len(e) > 1:
                return chr(int(e[1:], 16))
            if c in "01234567":
                return chr(int(e, 8) & 0xFF)
        except (ValueError, OverflowError):
            return ""
        if c == "c" and len(e) == 2:
            return chr(ord(e[1]) & 0x1F)
        return _SIMPLE_ESC.get(e, "\\" + e)

    # a C string ends at its first NUL: bash passes `$'/\x00tmp'` on as `/`
    return _ANSI_C.sub(one, body).split("\x00", 1)[0]


SUBST = "_subst_"  # the output of a command substitution that cannot be computed
ARRAY = "\x1f"  # env[name + ARRAY]: an array's elements, joined by ARRAY
FROM_NET = "\x1e"  # env[name + FROM_NET]: set when the value came from the network (`c=$(curl URL)`)


def _string_op(value: str, rest: str) -> str | None:
    """bash's ${x#p} ${x##p} ${x%p} ${x%%p} ${x/p/s} ${x//p/s} ${x^^} ${x,,} ${x:o:l} on a
    known value; None for anything else (left dynamic)."""
    import fnmatch

    def match(pat: str, text: str) -> bool:
        return fnmatch.fnmatchcase(text, pat)

    if rest[:2] in ("##", "%%") or rest[:1] in ("#", "%"):
        op = rest[:2] if rest[:2] in ("##", "%%") else rest[:1]
        pat = rest[len(op):]
        cuts = range(len(value) + 1)
        if op[0] == "#":
            order = cuts if op == "#" else reversed(cuts)
            return next((value[k:] for k in order if match(pat, value[:k])), value)
        order = reversed(cuts) if op == "%" else cuts
        return next((value[:k] for k in order if match(pat, value[k:])), value)
    if rest[:1] == "/":
        body = rest[1:]
        every = body.startswith("/")
        body = body[1:] if every or body[:1] in ("#", "%") else body
        anchor = rest[1] if rest[1:2] in ("#", "%") else ""
        pat, _, rep = body.partition("/")
        if not pat or any(c in pat for c in "*?["):
            return None
        if anchor == "#":
            return rep + value[len(pat):] if value.startswith(pat) else value
        if anchor == "%":
            return value[:-len(pat)] + rep if value.endswith(pat) else value
        return value.replace(pat, rep) if every else value.replace(pat, rep, 1)
    if rest in ("^^", ",,", "^", ",", "~~"):
        if rest == "^^":
            return value.upper()
        if rest == ",,":
            return value.lower()
        if rest == "~~":
            return value.swapcase()
        return (value[:1].upper() if rest == "^" else value[:1].lower()) + value[1:]
    m = re.match(r"^:\s*(-?\d+)(?::\s*(-?\d+))?$", rest)
    if m:
        off = int(m.group(1))
        out = value[off:] if off >= 0 else value[len(value) + off:]
        if m.group(2) is not None:
            n = int(m.group(2))
            out = out[:n] if n >= 0 else out[:len(out) + n]
        return out
    return None


_BRACE = lazy_re(r"\{([^{}]*,[^{}]*)\}")


def _braces(value: str, limit: int = 64) -> list[str]:
    """`{/,}` → ['/', ''], `a{b,c}d` → ['abd', 'acd'] (bounded, innermost first)."""
    out: list[str] = []
    todo = [value]
    while todo and len(out) + len(todo) <= limit:
        v = todo.pop()
        m = _BRACE.search(v)
        if not m:
            out.append(v)
            continue
        todo.extend(v[:m.start()] + alt + v[m.end():] for alt in reversed(m.group(1).split(",")))
    return (out + todo) or [value]


def argv_line(words: list[str]) -> str:
    """Evaluated words as one shell line that reads back as the same words (for code built
    from them: an alias's expansion, an interpreter's argument list). A word starting with `~`
    keeps it unquoted: evaluated words spell a quoted tilde `./~`, so a leading `~` is home."""
    import shlex

    return " ".join(("~" + shlex.quote(w[1:]) if len(w) > 1 else "~") if w == "~" or w.startswith("~/")
                    else shlex.quote(w) for w in words)


def _unescape_word(text: str) -> str:
    if "\\" not in text:
        return text
    return _BACKSLASH.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


class WordEvaluator:
    """Mixin for the analyzer: needs `src` (bytes), `env` (dict) and `substitute(node)`."""

    src: bytes
    env: dict
    inline: set
    substitute: Callable[[Node], Output]
    visited: dict[int, Output | None]  # substitutions visited for the `${…}` being evaluated, by node id
    visit_nested: Callable[[Node], None]
    span: Callable[[Node], tuple[int, int]]

    def raw(self, node) -> str:
        return self.src[node.start_byte:node.end_byte].decode("utf-8", "surrogateescape")

    def word_fields(self, node, info: WordInfo) -> list[str]:
        """The fields a word expands to (usually one; more when an unquoted expansion splits)."""
        if node.type == "word":
            text = self.raw(node)
            if "\\" not in text:
                return [text]
        before, info.dynamic = info.dynamic, False
        value = self.word_value(node, info)
        dynamic, info.dynamic = info.dynamic, before or info.dynamic
        if dynamic and value in ("", SUBST):
            # Nothing of the word is known (`$DIR`, `"${X}"`, `$(cmd)`): it may be empty or
            # anything at all. Fail closed: rules see DYNAMIC, never a vanished word.
            return [DYNAMIC]
        if "{" in value and "," in value and not info.quoted:
            value = SPLIT.join(_braces(value))
        if SPLIT in value:
            return [f for f in value.split(SPLIT) if f]
        return [value]

    def word_value(self, node, info: WordInfo) -> str:
        t = node.type
        if t == "word" or t == "number":
            return _unescape_word(self.raw(node))
        if t == "``":  # `r``m`: an empty backquote substitution, which the grammar leaves as a token
            info.expanded = info.subst = True
            return ""
        if t == "raw_string":
            info.quoted = True
            value = self.raw(node)[1:-1]
            return "./" + value if value.startswith("~") else value  # a file named "~"
        if t == "string":
            info.quoted = True
            return self._string(node, info)
        if t == "ansi_c_string":
            info.quoted = info.ansi_c = True
            return decode_ansi_c(self.raw(node)[2:-1])
        if t == "concatenation":
            return "".join(self.word_value(c, info) for c in node.children)
        if t == "simple_expansion":
            return self._lookup(self.raw(node)[1:], info, quoted=False)
        if t == "expansion":
            return self._expansion(node, info, quoted=False)
        if t == "command_substitution":
            return self._substitution(node, info, quoted=False)
        if t == "process_substitution":
            out = self.substitute(node)
            info.expanded = True
            if out.kind == NET:
                info.net = True
            info.secret |= out.secret
            info.decoded |= out.decoded
            info.procsub = out
            raw = self.raw(node)
            if raw.startswith(">(") and raw.endswith(")"):
                info.sinks = (info.sinks or []) + [(raw[2:-1], self.span(node))]
            return "/dev/fd/63"
        if t == "arithmetic_expansion":
            self.visit_nested(node)
            info.dynamic = info.expanded = True
            return "0"
        if t == "translated_string":
            info.quoted = True
            return self._string(node, info)
        text = self.raw(node)
        if "$" in text or "`" in text:
            self.visit_nested(node)
            info.dynamic = True
        return _unescape_word(text)

    def _string(self, node, info: WordInfo) -> str:
        out: list[str] = []
        for c in node.children:
            t = c.type
            if t == "string_content":
                text = _DQ_ESCAPE.sub(r"\1", self.raw(c)).replace("\\\n", "")
                if not out and text.startswith("~"):
                    text = "./" + text  # a quoted ~ is a file named "~", not home
                out.append(text)
            elif t == "simple_expansion":
                out.append(self._lookup(self.raw(c)[1:], info, quoted=True))
            elif t == "expansion":
                out.append(self._expansion(c, info, quoted=True))
            elif t == "command_substitution":
                out.append(self._substitution(c, info, quoted=True))
            elif t in ('"', "$"):
                continue
            elif c.is_named:
                out.append(self.word_value(c, info))
        return "".join(out)

    def _lookup(self, name: str, info: WordInfo, *, quoted: bool, bare: bool = True) -> str:
        info.expanded = True
        if _SECRET_VAR.search(name):
            info.secret = True
        value = self.env.get(name)
        if value is not None:
            if name in self.inline:
                info.inline_var = True
            if name + FROM_NET in self.env:
                info.net = True
        elif name == "HOME":
            value = "~"
        elif name == "IFS":
            info.ifs = True
            value = " \t\n"
        elif name in ("USER", "LOGNAME"):
            value = "$USER"  # /home/$USER is still a home directory
        elif name == "PWD":
            value = "."
        else:
            info.dynamic = True
            return ""  # unset: empty, exactly what `rm -rf "$UNSET"/` relies on
        if name in ("@", "*") and (not quoted or name == "@"):
            return _WS.sub(SPLIT, value)  # "$@" keeps the words apart
        if quoted:
            return value
        ifs = self.env.get("IFS")
        if ifs:
            return "".join(SPLIT if ch in ifs else ch for ch in value)
        return _WS.sub(SPLIT, value)

    def _expansion(self, node, info: WordInfo, *, quoted: bool) -> str:
        raw = self.raw(node)
        if "`" not in raw and "(" not in raw:
            return self._expansion_value(node, raw, info, quoted)
        # Every substitution inside runs, evaluated operand or not (`${a[$(cmd)]}`), tree-sitter's
        # text ones too (``${x:-`cmd`}``): None when what one of those prints is not known
        value = evaluate_expansion(self, node, quoted, lambda: self._expansion_value(node, raw, info, quoted))
        if value is None:
            info.dynamic = info.subst = True
            return SUBST
        return value

    def _expansion_value(self, node, raw: str, info: WordInfo, quoted: bool) -> str:
        m = _EXPANSION.match(raw)
        info.expanded = True
        if not m:
            self.visit_nested(node)
            info.dynamic = True
            return ""
        prefix, name, rest = m.groups()
        if rest.startswith("[") and "]" in rest and not prefix:
            return self._element(name, rest, info, quoted)
        if prefix:
            info.dynamic = True
            return "1" if prefix == "#" else "{" + name + "}"
        is_set = name in self.env or name in ("HOME", "IFS", "USER", "LOGNAME", "PWD")
        if not rest:
            return self._lookup(name, info, quoted=quoted)
        op = rest[:2] if rest[:2] in (":-", ":=", ":?", ":+") else rest[:1]
        if op in (":-", "-", ":=", "="):
            if is_set:
                return self._lookup(name, info, quoted=quoted)
            value = self._after_operator(node, info, quoted)
            if op in (":=", "="):  # `: ${D:=/}` assigns the default for the rest of the line
                self.env[name] = value.replace(SPLIT, " ")
                self.inline.add(name)
            return value
        if op in (":?", "?"):
            if is_set:
                return self._lookup(name, info, quoted=quoted)
            info.dynamic = True
            return "{" + name + "}"  # unset aborts the command: never empty
        if op in (":+", "+"):
            return self._after_operator(node, info, quoted) if is_set else ""
        if name in ("PWD", "OLDPWD") and name not in self.env and rest == "%%/*":
            return ""  # an absolute path cut at its first `/`: always empty (`${PWD%%/*}/` is `/`)
        if is_set and "$" not in rest and "`" not in rest:
            done = _string_op(self._lookup(name, info, quoted=True), rest)
            if done is not None:  # `x=xrm; ${x#x}`, `${x/a/r}`, `${x,,}`: computed as bash does
                return done if quoted else _WS.sub(SPLIT, done)
        info.dynamic = True
        value = self._lookup(name, info, quoted=quoted)
        return value or "{" + name + "}"

    def _element(self, name: str, rest: str, info: WordInfo, quoted: bool) -> str:
        """`${a[@]}`, `${a[*]}`, `${a[1]}` of an array assigned earlier in the line."""
        idx, tail = rest[1:].split("]", 1)
        arr = self.env.get(name + ARRAY)
        if arr is None or tail:
            info.dynamic = True
            return ""
        info.expanded = True
        if name in self.inline:
            info.inline_var = True
        items = arr.split(ARRAY)
        if idx == "@" or idx == "*" and not quoted:
            return SPLIT.join(items)
        if idx == "*":
            return " ".join(items)
        if idx.isdigit():
            return items[int(idx)] if int(idx) < len(items) else ""
        info.dynamic = True
        return ""

    def _after_operator(self, node, info: WordInfo, quoted: bool) -> str:
        parts, seen_op = [], False
        for c in node.children:
            if not seen_op:
                seen_op = not c.is_named and c.type not in ("${", "#", "!")
                continue
            if c.type == "}":
                break
            done = self.visited.get(c.id) if c.type == "word" else None  # hidden `…` (unparsed.py)
            if done is not None:
                info.subst = True
                parts.append(done.text.rstrip("\n"))
            else:
                parts.append(self.word_value(c, info) if c.is_named else self.raw(c))
        value = "".join(parts)
        return value if quoted else _WS.sub(SPLIT, value)

    def _substitution(self, node, info: WordInfo, *, quoted: bool) -> str:
        info.expanded = info.subst = True
        if not self.raw(node)[1:].strip("$()` \t\n"):
            return ""  # `r$()m`, `r$( )m`: an empty substitution is the empty string
        out = self.substitute(node)
        info.secret |= out.secret
        info.decoded |= out.decoded
        if out.kind == NET:
            info.net = True
        if out.kind == TEXT:
            value = out.text.rstrip("\n")
            return value if quoted else _WS.sub(SPLIT, value)
        info.dynamic = True
        return SUBST
