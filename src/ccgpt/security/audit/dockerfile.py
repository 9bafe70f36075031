"""A small Dockerfile reader: instructions with their line numbers, grouped into stages.

Enough for auditing (FROM, USER, HEALTHCHECK, ARG defaults); not a full BuildKit parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_VAR = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, USER, ...
    args: str
    line: int  # 1-based line where the instruction starts


@dataclass
class Stage:
    image: str  # as written after FROM (variables expanded from ARG defaults)
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)

    def last(self, keyword: str) -> Instruction | None:
        found = [i for i in self.instructions if i.keyword == keyword]
        return found[-1] if found else None


def instructions(text: str) -> list[Instruction]:
    out: list[Instruction] = []
    escape = "\\"
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        m = re.match(r"^\s*#\s*escape\s*=\s*(\S)\s*$", raw)
        if m and not out and not buf:
            escape = m.group(1)
            continue
        stripped = raw.strip()
        if not buf and (not stripped or stripped.startswith("#")):
            continue
        if buf and stripped.startswith("#"):  # comment lines inside a continuation are dropped
            continue
        if not buf:
            start = number
        if stripped.endswith(escape):
            buf.append(stripped[: -len(escape)].strip())
            continue
        buf.append(stripped)
        joined = " ".join(part for part in buf if part)
        buf = []
        keyword, _, args = joined.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
    if buf:
        joined = " ".join(buf)
        keyword, _, args = joined.partition(" ")
        out.append(Instruction(keyword.upper(), args.strip(), start))
    return out


def stages(text: str) -> list[Stage]:
    args: dict[str, str] = {}
    result: list[Stage] = []
    for ins in instructions(text):
        if ins.keyword == "ARG" and not result:
            name, _, default = ins.args.partition("=")
            args[name.strip()] = default.strip().strip('"\'')
        elif ins.keyword == "FROM":
            words = [w for w in ins.args.split() if not w.startswith("--")]
            image = _expand(words[0], args) if words else ""
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            result.append(Stage(image, name, ins.line))
        elif result:
            result[-1].instructions.append(ins)
    return result


def _expand(word: str, args: dict[str, str]) -> str:
    return _VAR.sub(lambda m: args.get(m.group(1) or m.group(2), m.group(0)), word)


def is_root_user(user: str) -> bool:
    name = user.strip().strip('"\'').split(":", 1)[0]
    return name in ("root", "0", "")
