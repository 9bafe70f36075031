"""The catastrophic reading of a path: a whole-tree change (delete, move away, truncate every
file) of the root, the home directory or a system directory is a wipe of it (`blocked`).
Shared by the rules of every program that can do that to a tree."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context
    from ccgpt.risk.model import Cmd

_WIPE = {P.ROOT: rule("wipe-root"), P.HOME: rule("wipe-home"), P.SYSTEM: rule("wipe-system")}
_WHAT = {P.ROOT: "the root filesystem", P.HOME: "the home directory", P.SYSTEM: "a system directory"}


def catastrophic(cmd: Cmd, ctx: Context, path: str, verb: str) -> bool:
    k = P.kind(path, cmd.cwd)
    found = _WIPE.get(k)
    if found is None and k == P.CWD_ALL and cmd.cwd in ("/", "~"):
        k = P.ROOT if cmd.cwd == "/" else P.HOME
        found = _WIPE[k]
    if found is None:
        return False
    ctx.add(found, cmd.span, f"{verb} {_WHAT[k]} ({path})")
    return True
