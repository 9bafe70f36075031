"""Confirmation by risk level: what must happen before a command runs.

`decide` is a pure function of the level and the situation, so the rules can be tested without
a terminal; `ask` performs the question it chose.

| level      | at a terminal                          | --yes at a terminal | no terminal, --yes | no terminal |
|------------|----------------------------------------|---------------------|--------------------|-------------|
| safe       | y/N                                    | runs                | runs               | refused     |
| review     | y/N                                    | runs                | runs               | refused     |
| dangerous  | type the command's first word          | still typed         | refused            | refused     |
| blocked    | never runs; the findings say why       | never               | never              | never       |
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

LEVELS = ("safe", "review", "dangerous", "blocked")

RUN = "run"  # no question needed
ASK_YES_NO = "ask-yes-no"
ASK_WORD = "ask-word"
REFUSE = "refuse"


@dataclass(frozen=True)
class Decision:
    action: str  # RUN | ASK_YES_NO | ASK_WORD | REFUSE
    reason: str = ""  # for REFUSE: one line for the person


def decide(level: str, *, tty: bool, assume_yes: bool) -> Decision:
    if level not in LEVELS:
        # An unknown level is treated as the worst that can still be confirmed, never as safe.
        level = "dangerous"
    if level == "blocked":
        return Decision(REFUSE, "blocked: this command is never run (see the findings above)")
    if level == "dangerous":
        if not tty:
            return Decision(REFUSE, "dangerous commands need a typed confirmation at a terminal; not run")
        return Decision(ASK_WORD)
    if assume_yes:
        return Decision(RUN)
    if not tty:
        return Decision(REFUSE, "no terminal to ask for confirmation; nothing was run (pass --yes to confirm)")
    return Decision(ASK_YES_NO)


def first_word(command: str | list[str]) -> str:
    """The word a person must type for a dangerous command: its program name."""
    if isinstance(command, list):
        words = command
    else:
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
    # Skip leading assignments (FOO=1 rm -rf x): the program is what matters.
    for word in words:
        if "=" in word and not word.startswith("=") and word.split("=", 1)[0].isidentifier():
            continue
        return word
    return command if isinstance(command, str) else ""


def ask(decision: Decision, command: str | list[str], *, read, write) -> bool:
    """Ask the question `decision` names; True when the person agreed.

    read(): one line from the person, or "" on end of input; write(text): to the terminal.
    """
    if decision.action == RUN:
        return True
    if decision.action == REFUSE:
        return False
    if decision.action == ASK_YES_NO:
        write("Run it? [y/N] ")
        return read().strip().lower() in ("y", "yes")
    word = first_word(command)
    from ccgpt.term.sanitize import sanitize_line

    write(f"This is dangerous. Type {sanitize_line(word)!r} to run it, anything else to cancel: ")
    return read().strip() == word
