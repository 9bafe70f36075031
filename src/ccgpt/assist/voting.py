"""Execution-checked voting: candidates that print the same thing agree.

Several sampled candidates that the risk engine rates `safe` run in the preview sandbox, each
on its own throwaway copy of the working directory, with no network and a short time limit.
Candidates whose outcomes (exit status, output, files) agree with other candidates' get those
candidates' sample counts as votes (an answer sampled twice counts twice); a lone or failing one
gets none. Nothing above `safe` ever runs here, and
a directory too big to copy cheaply is not copied: then there is no vote at all.
"""

from __future__ import annotations

import os
from pathlib import Path

MAX_FILES = 2000
MAX_BYTES = 64 * 1024 * 1024
TIMEOUT_S = 3.0


def small_enough(root: Path) -> bool:
    files = size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        for name in filenames:
            files += 1
            try:
                size += os.lstat(os.path.join(dirpath, name)).st_size
            except OSError:
                pass
            if files > MAX_FILES or size > MAX_BYTES:
                return False
    return True


def _outcome_key(outcome) -> tuple | None:
    from ccgpt.assist.copyrun import normalize

    if outcome.exit_code != 0:
        return None
    lines = normalize(outcome.stdout)
    if not lines:
        return None  # printing nothing agrees with anything: no evidence
    # Order counts here: "largest first" and "newest first" print the same names in other orders.
    return tuple(lines), tuple(sorted(outcome.files.items()))


def execution_votes(candidates, cwd: Path, runner=None) -> dict[int, int]:
    """index in `candidates` -> how many sampled answers (other candidates, each weighted by its
    `votes`) produced the same outcome."""
    from ccgpt.assist.copyrun import SandboxRunner, run_on_copy

    runnable = [i for i, c in enumerate(candidates) if c.level == "safe" and c.usable]
    if len(runnable) < 2 or not small_enough(cwd):
        return {}
    runner = runner or SandboxRunner({}, timeout=TIMEOUT_S)
    keys: dict[int, tuple | None] = {}
    for i in runnable:
        try:
            keys[i] = _outcome_key(run_on_copy(runner, candidates[i].command, cwd))
        except Exception:  # a sandbox failure means no vote, never a run outside it
            keys[i] = None
    return {i: sum(max(1, candidates[j].votes) for j, k in keys.items() if j != i and k is not None and k == keys[i])
            for i in runnable}
