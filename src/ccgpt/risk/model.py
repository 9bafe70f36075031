"""Data shapes shared by the risk engine: findings, verdicts, and the simple-command record
that rules look at.

Plain classes with __slots__ rather than dataclasses: importing `dataclasses` (and with it
`inspect`) costs more start-up time than all of `ccgpt check`'s own work."""

from __future__ import annotations

from collections import namedtuple

from ccgpt.risk.levels import EXIT_CODES, Level

_FindingBase = namedtuple("_FindingBase", "rule level message span")


class Finding(_FindingBase):
    """rule, level, message, span: [start, end) character offsets into Verdict.command."""

    __slots__ = ()

    def to_json(self) -> dict:
        return {"rule": self.rule, "level": self.level, "message": self.message, "span": [self.span[0], self.span[1]]}


_VerdictBase = namedtuple("_VerdictBase", "command level findings probe", defaults=(None,))


class Verdict(_VerdictBase):
    """command, level, findings (a tuple of Finding, sorted and deduplicated), probe (None, or
    "filesystem" when the caller's filesystem probe informed the verdict)."""

    __slots__ = ()

    def with_probe(self, probe: str) -> Verdict:
        return self._replace(probe=probe)

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.level]

    def to_json(self) -> dict:
        out = {"command": self.command, "level": self.level, "findings": [f.to_json() for f in self.findings]}
        if self.probe is not None:
            out["probe"] = self.probe
        return out


def verdict_from(command: str, findings) -> Verdict:
    """Sort (by position, strictest first), deduplicate, and take the strictest level."""
    if not findings:
        return Verdict(command, Level.SAFE, ())
    if len(findings) == 1:
        return Verdict(command, findings[0].level, (findings[0],))
    unique = {(f.span, f.rule, f.level, f.message): f for f in findings}
    ordered = sorted(unique.values(), key=lambda f: (f.span[0], -f.level._rank, f.span[1], f.rule, f.message))
    # Several findings of one rule on one span (e.g. a function body seen at its definition and
    # again at a call) collapse to the strictest one.
    seen: dict[tuple, Finding] = {}
    for f in ordered:
        key = (f.span, f.rule)
        if key not in seen:
            seen[key] = f
    result = tuple(f for f in ordered if seen[(f.span, f.rule)] is f)
    level = max((f.level for f in result), default=Level.SAFE)
    return Verdict(command, level, result)


# What one pipeline stage writes to its stdout, as far as the engine can tell.
NET, TEXT, PATHS, UNKNOWN = "net", "text", "paths", "unknown"


class Output:
    """kind (NET/TEXT/PATHS/UNKNOWN); text: TEXT's bytes or the PATHS root; secret: carries a
    secret; decoded: came out of base64/hex decoding; filtered: PATHS is name-filtered;
    origin: where TEXT sits in the top-level command (for spans)."""

    __slots__ = ("kind", "text", "_secret", "decoded", "filtered", "origin", "_args")

    def __init__(self, kind=UNKNOWN, text="", secret=False, decoded=False, filtered=False, origin=None, args=None):
        self.kind, self.text, self._secret, self.decoded, self.filtered, self.origin = kind, text, secret, decoded, filtered, origin
        self._args = args  # checked for secret paths only if a consumer asks (most never do)

    @property
    def secret(self) -> bool:
        if self._args is not None:
            from ccgpt.risk.paths import DYNAMIC, secret_path

            # A file the engine cannot name may be a secret one (fail closed: `cat $F | nc …`).
            self._secret = self._secret or any(a == DYNAMIC or secret_path(a) for a in self._args)
            self._args = None
        return self._secret

    @secret.setter
    def secret(self, value: bool) -> None:
        self._secret = value


UNKNOWN_OUTPUT = Output()


class Redirect:
    """op ('>', '>>', '<', '&>', '>|', '>&', '<<', '<<<'), normalised target, span, fd,
    text (heredoc / here-string content) and base (where that text sits)."""

    __slots__ = ("op", "target", "span", "fd", "text", "base", "info")

    def __init__(self, op, target, span, fd="", text=None, base=None):
        self.op, self.target, self.span, self.fd, self.text, self.base = op, target, span, fd, text, base
        self.info = None  # its target's or here-string's WordInfo: from the network, a decoder, a <(…) …


class Cmd:
    """One simple command after normalisation and wrapper removal, as rules see it.

    argv/spans: words and their top-level spans; span: the whole command with wrappers and
    redirects; stdin: what feeds it; tree: driven by find/xargs over a tree (the recursive
    form); cwd: '/', '~' or a path after a `cd` earlier in the line; secret_args / net_args /
    decoded_args: an argument expands a secret, network content or a decoded payload; bases:
    per word, where its literal text starts (or a span to clamp nested findings to)."""

    __slots__ = ("argv", "spans", "span", "redirects", "stdin", "tree", "cwd", "secret_args", "net_args",
                 "decoded_args", "bases", "procsub", "find_roots", "find_filtered", "inner_output")

    def __init__(self, argv, spans, span, redirects=None, stdin=None, tree=False, cwd=None, secret_args=False,
                 net_args=False, decoded_args=False):
        self.argv, self.spans, self.span = argv, spans, span
        self.redirects = redirects if redirects is not None else []
        self.stdin, self.tree, self.cwd = stdin, tree, cwd
        self.secret_args, self.net_args, self.decoded_args = secret_args, net_args, decoded_args
        self.bases = self.procsub = self.find_roots = self.inner_output = None
        self.find_filtered = False

    @property
    def prog(self) -> str:
        return self.argv[0] if self.argv else ""
