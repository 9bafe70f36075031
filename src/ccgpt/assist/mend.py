"""The mechanical fixes made to a candidate without the model, in order.

Each is a mistake the default model makes and does not put right when told (measured by hand:
asked to group find's `-o` alternatives it answers with the same command), and each is decided
from the command's syntax and the working directory alone:

- named_paths.py: a name with a space the task gives, where the command split it into words;
- find_grouping.py: find's `-o` alternatives in `\\( \\)` when the action would miss them.

The suggester classifies and checks the result again and keeps it only when it is usable and no
check finds anything new in it (suggest.py, `_mend`).
"""

from __future__ import annotations


def mended(command: str, task: str, workdir=None) -> str | None:
    """`command` with the fixes made, or None when none applies."""
    from ccgpt.assist.find_grouping import group_alternatives
    from ccgpt.assist.named_paths import use_task_paths

    fixed = command
    if workdir is not None:
        fixed = use_task_paths(fixed, task, workdir) or fixed
    if "find" in fixed:
        fixed = group_alternatives(fixed) or fixed
    return fixed if fixed != command else None
