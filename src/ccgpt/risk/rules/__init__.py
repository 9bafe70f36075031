"""The rule registry: program tables from every rule module, merged once.

Each module under rules/ offers some of:
  PROGRAMS  {program: [check]}  a check(cmd, ctx) looks at one command and reports findings;
  HANDLERS  {program: [handler]} run first, for programs whose words are code or change the line
            (returns True: nothing more to say; an Output: what the command prints);
  GENERIC   [check]              seen by every command (redirections, exfiltration);
  PIPELINES [check(cmds, span, ctx)] seen by every pipeline;
  PREFIXES  {prefix: [check]}    program families (`mkfs.ext4`, `mkfs.xfs` …).
Rule metadata (level, message, examples) lives in `catalog.py`."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ccgpt.risk.rules.catalog import CATALOG, RULES, Rule, rule  # noqa: F401

if TYPE_CHECKING:
    from typing import Any, Callable

    Check = Callable[..., Any]


class Registry:
    __slots__ = ("programs", "handlers", "generic", "pipelines", "prefixes", "known", "_by_prefix")

    def __init__(self) -> None:
        self.programs: dict[str, list[Check]] = {}
        self.handlers: dict[str, list[Check]] = {}
        self.generic: list[Check] = []
        self.pipelines: list[Check] = []
        self.prefixes: dict[str, list[Check]] = {}
        self.known: frozenset[str] = frozenset()
        # program -> the checks of the first prefix it starts with (or None): asked for every
        # command not in `programs`, and names repeat, so the scan over prefixes runs once each.
        self._by_prefix: dict[str, list[Check] | None] = {}

    def _prefixed(self, prog: str) -> list[Check] | None:
        try:
            return self._by_prefix[prog]
        except KeyError:
            pass
        found = next((checks for prefix, checks in self.prefixes.items() if prog.startswith(prefix)), None)
        if len(self._by_prefix) < 4096:  # bounded: names come from untrusted text
            self._by_prefix[prog] = found
        return found

    def checks(self, prog: str) -> list[Check] | None:
        found = self.programs.get(prog)
        return self._prefixed(prog) if found is None else found

    def is_known(self, prog: str) -> bool:
        return prog in self.known or self._prefixed(prog) is not None


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every rule module's tables, merged (once per process)."""
    from ccgpt.risk import commands as C
    from ccgpt.risk.rules import (builtins, cloud, code, containers, databases, delete, disk, envcode, fanout, files,
                                  gitcode, gtfo, network, system, tools, terminal, unresolved)

    reg = Registry()
    for module in (files, delete, disk, system, envcode, network, tools, databases, gitcode, containers, cloud, gtfo, code,
                   fanout, builtins, terminal, unresolved):
        for prog, checks in getattr(module, "PROGRAMS", {}).items():
            reg.programs.setdefault(prog, []).extend(checks)
        for prog, checks in getattr(module, "HANDLERS", {}).items():
            reg.handlers.setdefault(prog, []).extend(checks)
        for prefix, checks in getattr(module, "PREFIXES", {}).items():
            reg.prefixes.setdefault(prefix, []).extend(checks)
        reg.generic.extend(getattr(module, "GENERIC", ()))
        reg.pipelines.extend(getattr(module, "PIPELINES", ()))
    known = set(C.READ_ONLY) | set(reg.programs) | set(reg.handlers) | set(C.WRAPPERS)
    known |= {"exec", "echo", "printf"}
    reg.known = frozenset(known)
    return reg
