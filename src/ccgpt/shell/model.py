"""Data shapes shared by the risk engine: findings, verdicts, and the simple-command record
that rules look at."""

from __future__ import annotations

from dataclasses import dataclass, field

from ccgpt.shell.levels import EXIT_CODES, LEVELS, RANK


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    level: str
    message: str
    span: tuple[int, int]  # [start, end) character offsets into Verdict.command

    def to_json(self) -> dict:
        return {"rule": self.rule, "level": self.level, "message": self.message, "span": [self.span[0], self.span[1]]}


@dataclass(frozen=True, slots=True)
class Verdict:
    command: str
    level: str
    findings: tuple[Finding, ...] = ()

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.level]

    def to_json(self) -> dict:
        return {"command": self.command, "level": self.level, "findings": [f.to_json() for f in self.findings]}


def verdict_from(command: str, findings) -> Verdict:
    """Sort (by position, strictest first), deduplicate, and take the strictest level."""
    unique = {(f.span, f.rule, f.level, f.message): f for f in findings}
    ordered = sorted(unique.values(), key=lambda f: (f.span[0], -RANK[f.level], f.span[1], f.rule, f.message))
    # Several findings of one rule on one span (e.g. a function body seen at its definition and
    # again at a call) collapse to the strictest one.
    seen: dict[tuple, Finding] = {}
    for f in ordered:
        key = (f.span, f.rule)
        if key not in seen:
            seen[key] = f
    result = tuple(f for f in ordered if seen[(f.span, f.rule)] is f)
    level = LEVELS[max((RANK[f.level] for f in result), default=0)]
    return Verdict(command, level, result)


# What one pipeline stage writes to its stdout, as far as the engine can tell.
NET, TEXT, PATHS, UNKNOWN = "net", "text", "paths", "unknown"


@dataclass(slots=True)
class Output:
    kind: str = UNKNOWN
    text: str = ""  # TEXT: the bytes; PATHS: the tree root being listed
    secret: bool = False  # carries a secret (key file, credentials, environment, history)
    decoded: bool = False  # came out of base64/hex/rev decoding: obfuscation when executed
    filtered: bool = False  # PATHS: a name-filtered listing (find -name …)
    origin: object = None  # TEXT: where the text sits in the top-level command (for spans)


UNKNOWN_OUTPUT = Output()


@dataclass(slots=True)
class Redirect:
    op: str  # '>', '>>', '<', '&>', '>|', '>&', '<<', '<<<'
    target: str  # normalised target word ('' for heredocs)
    span: tuple[int, int]
    fd: str = ""
    text: str | None = None  # heredoc / here-string content
    base: object = None  # where `text` sits in the top-level command


@dataclass(slots=True)
class Cmd:
    """One simple command after normalisation and wrapper removal, as rules see it."""

    argv: list[str]
    spans: list[tuple[int, int]]  # per word, in top-level character offsets
    span: tuple[int, int]  # the whole command including its wrappers and redirects
    redirects: list[Redirect] = field(default_factory=list)
    stdin: Output | None = None
    tree: bool = False  # driven by find/xargs over a tree: the recursive form
    cwd: str | None = None  # '/' or '~' after a `cd` earlier in the line
    secret_args: bool = False  # an argument expands a secret ($(cat ~/.ssh/id_rsa))
    net_args: bool = False  # an argument expands network content ($(curl …))
    decoded_args: bool = False  # an argument expands a decoded payload ($(… | base64 -d))
    bases: list | None = None  # per word: offset of its literal text, or a span to clamp to
    procsub: Output | None = None  # what a <(…) argument produces
    find_roots: list | None = None
    find_filtered: bool = False

    @property
    def prog(self) -> str:
        return self.argv[0] if self.argv else ""
