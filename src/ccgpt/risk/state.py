"""What one classification remembers while it walks a line: findings so far, variables,
aliases, functions, the working directory, files written and downloaded, the rule tables and
the caller's probe. Shared by the analyzer and every nested analyzer it starts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk.model import Finding

if TYPE_CHECKING:
    from ccgpt.risk.probes import Probe
    from ccgpt.risk.rules import Registry


class State:
    """Shared by an analyzer and the nested analyzers it starts."""

    __slots__ = ("findings", "env", "inline", "aliases", "used_aliases", "funcs", "expanding", "cwd", "below",
                 "rules", "user_rules", "files", "downloads", "exec_sinks", "length", "probe")

    def __init__(self, rules: Registry, user_rules=None, probe: Probe | None = None):
        self.findings: list[Finding] = []
        self.env: dict[str, str] = {}
        self.inline: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.funcs: dict[str, tuple] = {}
        self.expanding: set[str] = set()
        self.cwd: str | None = None
        # With cwd None: the plain subdirectory of "here" a `cd` moved into (`.claude`), so a
        # write to `settings.json` after it is read as `.claude/settings.json`; None: here itself.
        self.below: str | None = None
        self.rules = rules
        self.user_rules = user_rules
        self.length = 0  # of the top-level command, to keep spans inside it
        self.files: dict[str, str] = {}  # scripts written earlier in the line, with their text
        self.downloads: set[str] = set()  # files saved from the network earlier in the line
        self.exec_sinks: list = []  # `exec > >(C)`: C reads what every later command prints (sinks.py)
        self.probe = probe  # the caller's view of the filesystem (probes.py), or None
