"""Whether `run_command` may run a command at a level: run, ask the person, or refuse.

`max_level` is the highest level that runs without asking (default `review`: the sandbox is the
boundary). Above it, the person confirms through MCP elicitation; a client that cannot ask gets
a refusal that says why. `blocked` never runs, whatever the flags. An unknown level counts as
`dangerous`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ccgpt.risk.levels import LEVELS, RANK

RUN, ASK, REFUSE = "run", "ask", "refuse"
MAX_LEVELS = ("safe", "review", "dangerous")  # what --max-level accepts: never "blocked"


@dataclass(frozen=True)
class Gate:
    action: str  # RUN | ASK | REFUSE
    reason: str | None = None


def gate(level: str, max_level: str = "review") -> Gate:
    if max_level not in MAX_LEVELS:
        raise ValueError(f"--max-level must be one of {', '.join(MAX_LEVELS)}")
    if level not in LEVELS:
        level = "dangerous"
    if level == "blocked":
        return Gate(REFUSE, "blocked by the risk policy: this command never runs, under any setting")
    if RANK[level] <= RANK[max_level]:
        return Gate(RUN)
    return Gate(ASK, f"a {level} command runs only after the person confirms it")


def no_elicitation(level: str, max_level: str) -> str:
    """The refusal given when the person would have to confirm but the client cannot ask."""
    return (f"not run: a {level} command needs the person's confirmation, and this MCP client cannot ask "
            f"(no elicitation support). Show the command to the person and let them run it, or start the "
            f"server with --max-level {level if level != 'blocked' else 'dangerous'} (now {max_level}).")


def declined(action: str) -> str:
    return f"not run: the person {'declined' if action == 'decline' else 'cancelled'} the confirmation"
