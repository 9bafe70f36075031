"""Rule registry: checkers grouped by the program they look at, plus generic checkers that see
every command. Rule metadata (level, message, examples) lives in `catalog.py`."""

from __future__ import annotations

from functools import lru_cache

from ccgpt.risk.rules.catalog import CATALOG, RULES, Rule  # noqa: F401


@lru_cache(maxsize=1)
def registry():
    """(checks by program, generic checks, every program name known to the engine)."""
    from ccgpt.risk import commands as C
    from ccgpt.risk.rules import cloud, containers, delete, disk, files, gtfo, network, system, tools

    by_prog: dict[str, list] = {}
    generic: list = []
    for module in (files, delete, disk, system, network, tools, containers, cloud, gtfo):
        for prog, checks in module.PROGRAMS.items():
            by_prog.setdefault(prog, []).extend(checks)
        generic.extend(module.GENERIC)
    known = set(C.READ_ONLY) | set(by_prog) | set(C.WRAPPERS) | set(C.SHELLS) | set(C.INTERPRETERS)
    known |= {"eval", "source", ".", "xargs", "find", "cd", "alias", "exec", "echo", "printf"}
    return by_prog, tuple(generic), frozenset(known)
