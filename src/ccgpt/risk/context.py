"""What a rule may ask of the engine while it checks one command: the small protocol between
the tree walker (analyze.py, dispatch.py) and the rules (rules/*.py).

A rule gets the command as a `Cmd` (words already resolved: quotes removed, variables and
`~` substituted, wrappers peeled; paths are read with `paths.resolve`/`paths.kind`) and this
context. Through it, and only through it, a rule reports findings, hands back code to analyse
(`bash -c CODE`, a `git -c core.pager=CODE`, a payload piped into a shell), asks for another
command to be checked (`xargs rm`, `find -exec`, `docker exec c CMD`) and reads or extends
what the line has done so far (files written, downloads, the working directory)."""

from __future__ import annotations

from typing import Protocol, Union

from ccgpt.risk.levels import Level
from ccgpt.risk.model import Cmd, Output
from ccgpt.risk.probes import Probe
from ccgpt.risk.rules.catalog import Rule

Span = tuple[int, int]
# Where nested code sits in the top-level command: an offset when written literally, else a
# span its findings are clamped to.
Base = Union[int, Span]


class Context(Protocol):
    @property
    def pipe_span(self) -> Span | None:
        """The pipeline the command is in, if any."""

    @property
    def line(self) -> str:
        """The text being analysed (the whole line, or the nested code)."""

    @property
    def files(self) -> dict[str, str]:
        """Scripts written earlier in the line, path -> text (rules may add to it)."""

    @property
    def downloads(self) -> set[str]:
        """Files saved from the network earlier in the line (rules may add to it)."""

    @property
    def cwd(self) -> str | None:
        """'/', '~' or a path after a `cd` earlier in the line; None: here."""

    @property
    def probe(self) -> Probe | None:
        """The caller's filesystem probe (probes.py), or None: then assume the worst."""

    def add(self, rule: Rule, span: Span, message: str | None = None) -> None:
        """Report `rule` at `span` (its catalogue message unless a specific one is given)."""

    def nested(self, code: str, base: Base, *, positional: list[str] | None = None) -> None:
        """Analyse `code` as shell code that runs (with `$0 $1 …` bound to `positional`)."""

    def run(self, cmd: Cmd) -> Output:
        """Analyse a command the checked one runs: wrappers peeled, every rule applied."""

    def check(self, cmd: Cmd) -> None:
        """Apply the rules to `cmd` as it stands (no wrapper peeling): `find -delete` is `rm -rf`."""

    def bind(self, name: str, value: str | None) -> None:
        """Set (None: unset) a shell variable for the rest of the line."""

    def value(self, name: str) -> str | None:
        """A shell variable's value as far as the line sets it (None: not set here)."""

    @property
    def below(self) -> str | None:
        """With `cwd` None: the plain subdirectory of here a `cd` moved into (`.git/hooks`)."""

    def chdir(self, directory: str | None, *, scoped: bool = False, below: str | None = None) -> None:
        """The directory later relative paths are in (None: unknown/here; then `below`: a plain
        subdirectory of here, when known); `scoped`: only for the command being peeled
        (`env -C DIR cmd`)."""

    def word_base(self, cmd: Cmd, i: int) -> Base:
        """Where word i of `cmd` starts in the top-level command (or the span to clamp to)."""

    def mark(self) -> int:
        """A bookmark into the findings, for `cap`."""

    def cap(self, since: int, level: Level, note: str) -> None:
        """Lower every finding reported since `since` to at most `level`, prefixing `note`."""

    def worst_reading(self, cmd: Cmd, rules: frozenset | None = None) -> Level:
        """The level `cmd` would get, analysed on a scratch copy of the line's state (nothing is
        reported): for trying what an unknown word could be. With `rules`, only findings of
        those rules count."""

    def define_alias(self, name: str, value: str) -> None:
        """`alias name=value` earlier in the line."""
