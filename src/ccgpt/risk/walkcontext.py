"""The rule context (context.Context) the walker hands to rules: a narrow view of one Analyzer,
so a rule can report, hand back code and ask for commands to be checked, and nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk.levels import Level
from ccgpt.risk.model import Cmd, Finding, Output

if TYPE_CHECKING:
    from ccgpt.risk.analyze import Analyzer
    from ccgpt.risk.context import Base, Span
    from ccgpt.risk.probes import Probe
    from ccgpt.risk.rules.catalog import Rule


class WalkContext:
    __slots__ = ("_a",)

    def __init__(self, analyzer: Analyzer) -> None:
        self._a = analyzer

    @property
    def line(self) -> str:
        return self._a.text

    @property
    def files(self) -> dict[str, str]:
        return self._a.st.files

    @property
    def downloads(self) -> set[str]:
        return self._a.st.downloads

    @property
    def cwd(self) -> str | None:
        return self._a.st.cwd

    @property
    def probe(self) -> Probe | None:
        return self._a.st.probe

    @property
    def pipe_span(self) -> Span | None:
        return self._a.pipe_span

    def add(self, rule: Rule, span: Span, message: str | None = None) -> None:
        self._a.add(rule, span, message)

    def nested(self, code: str, base: Base, *, positional: list[str] | None = None) -> None:
        self._a.nested(code, base, positional=positional)

    def run(self, cmd: Cmd) -> Output:
        return self._a.run_cmd(cmd)

    def check(self, cmd: Cmd) -> None:
        self._a.apply_rules(cmd)

    def bind(self, name: str, value: str | None) -> None:
        a = self._a
        if value is None:
            a.env.pop(name, None)
            a.inline.discard(name)
        else:
            a.env[name] = value
            a.inline.add(name)

    def value(self, name: str) -> str | None:
        return self._a.env.get(name)

    @property
    def below(self) -> str | None:
        return self._a.st.below

    def chdir(self, directory: str | None, *, scoped: bool = False, below: str | None = None) -> None:
        self._a.st.cwd = directory
        self._a.st.below = below if directory is None else None
        self._a._scoped_cwd = self._a._scoped_cwd or scoped

    def word_base(self, cmd: Cmd, i: int) -> Base:
        return self._a.base_of(cmd, i)

    def mark(self) -> int:
        return len(self._a.st.findings)

    def cap(self, since: int, level: Level, note: str) -> None:
        found = self._a.st.findings
        for k in range(since, len(found)):
            f = found[k]
            if f.level > level:
                found[k] = Finding(f.rule, level, f"{note}: {f.message}", f.span)

    def worst_reading(self, cmd: Cmd, rules: frozenset | None = None) -> Level:
        a = self._a
        st = a.st
        mark, cmds = len(st.findings), len(a._last_cmds)
        env, inline, files, downloads, aliases, cwd, below = (dict(st.env), set(st.inline), dict(st.files),
                                                              set(st.downloads), dict(st.aliases), st.cwd, st.below)
        try:
            a.run_cmd(cmd)
            return max((f.level for f in st.findings[mark:] if rules is None or f.rule in rules), default=Level.SAFE)
        finally:  # the same objects, refilled: the walker and its nested walkers share them
            del st.findings[mark:]
            del a._last_cmds[cmds:]
            st.cwd, st.below = cwd, below
            for live_map, old_map in ((st.env, env), (st.files, files), (st.aliases, aliases)):
                live_map.clear()
                live_map.update(old_map)
            for live_set, old_set in ((st.inline, inline), (st.downloads, downloads)):
                live_set.clear()
                live_set.update(old_set)

    def define_alias(self, name: str, value: str) -> None:
        self._a.st.aliases[name] = value
