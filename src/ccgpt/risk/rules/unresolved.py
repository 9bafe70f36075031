"""Fail closed (RISK-POLICY reading 12): a word the engine cannot evaluate — a variable set
outside the line, a `$(…)` whose output is unknown — is read as the worst thing it could be.

Every command holding such a word (`paths.DYNAMIC`) is checked again with the word replaced by
stand-ins that bring out the worst in each position: a root target, recursive/force flags, a
find action, a block device, a shell flag, and the words the catalogue's examples give that
program (`git $SUB --force` is read as `git push --force`); an unknown program name is read as
`rm` and as `sh`.
If a reading is destructive, the command gets `unresolved-operand` (or `unresolved-program`)
at `dangerous`: hard-to-undo at worst, but not known to be a wipe (that stays reserved for
targets the engine sees reduce to a root or home, like `"$UNSET"/`)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ccgpt.risk import paths as P
from ccgpt.risk.levels import Level
from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

UNRESOLVED_OPERAND = rule("unresolved-operand")
UNRESOLVED_PROGRAM = rule("unresolved-program")
DYNAMIC_COMMAND = rule("dynamic-command")

OPERAND_READINGS = ("/", "-rf", "--force", "-delete", "of=/dev/sda", "-c")
PROGRAM_READINGS = ("rm", "sh")


@lru_cache(maxsize=256)
def program_words(prog: str) -> tuple[str, ...]:
    """The words the catalogue's own examples give `prog` (`git`: push, --force, reset, --hard
    …): what an unknown word in its command line may well be (`git $SUB --force`)."""
    import shlex

    from ccgpt.risk.rules.catalog import RULES

    words: dict[str, None] = {}
    for r in RULES:
        for ex in r.must_match:
            try:
                argv = shlex.split(ex)
            except ValueError:
                continue
            if argv and argv[0].rsplit("/", 1)[-1] == prog:
                words.update((w, None) for w in argv[1:] if w.isprintable() and "$" not in w)
    return tuple(words)[:24]


def _variant(cmd: Cmd, argv: list[str]) -> Cmd:
    v = Cmd(argv, list(cmd.spans), cmd.span, cmd.redirects, cmd.stdin, cmd.tree, cmd.cwd,
            cmd.secret_args, cmd.net_args, cmd.decoded_args)
    v.bases = cmd.bases
    return v


def _readings(cmd: Cmd) -> list[list[str]]:
    argv = cmd.argv
    progs = PROGRAM_READINGS if argv[0] == P.DYNAMIC else (argv[0],)
    out = []
    # The first operand is where a path goes (`find $DIR -name x`, `rm -rf $DIR`): read as a
    # path there, not as an option; later unknown words may be options too (`find . $ACTION`).
    first = next((k for k, w in enumerate(argv[1:], 1) if not w.startswith("-")), None)
    for prog in progs:
        if P.DYNAMIC in argv[1:]:
            stand_ins = OPERAND_READINGS + program_words(prog)
            out += [[prog] + [("/" if k == first and s.startswith("-") else s) if w == P.DYNAMIC else w
                              for k, w in enumerate(argv[1:], 1)] for s in stand_ins]
        else:
            out.append([prog] + argv[1:])
    return out


def unresolved(cmd: Cmd, ctx: Context) -> None:
    """Generic: see the module docstring."""
    if not cmd.argv or P.DYNAMIC not in cmd.argv:
        return
    worst = max((ctx.worst_reading(_variant(cmd, argv)) for argv in _readings(cmd)), default=Level.SAFE)
    if cmd.argv[0] == P.DYNAMIC:
        # `env $X`, `sudo "$CMD"`: some program runs; at least `review` (it may change anything)
        ctx.add(UNRESOLVED_PROGRAM if worst >= Level.DANGEROUS else DYNAMIC_COMMAND, cmd.spans[0])
        return
    if worst < Level.DANGEROUS:
        return
    k = cmd.argv.index(P.DYNAMIC, 1)
    ctx.add(UNRESOLVED_OPERAND, cmd.spans[k] if k < len(cmd.spans) else cmd.span)


GENERIC = [unresolved]
