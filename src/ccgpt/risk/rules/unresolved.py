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

from ccgpt.risk import commands as C
from ccgpt.risk import paths as P
from ccgpt.risk.levels import Level
from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

UNRESOLVED_OPERAND = rule("unresolved-operand")
UNRESOLVED_PROGRAM = rule("unresolved-program")
DYNAMIC_COMMAND = rule("dynamic-command")

# What an unknown word can do in a position that matters (reading 12): destroy or overwrite a
# target, run code. A reading that only writes into a system directory (`touch $F` as `touch /`),
# kills a process (`kill $PID` as `kill 1`), asks for privilege (`docker run $IMAGE` as
# `--privileged`), opens a tunnel (`ssh $HOST`) or names a secret where no file is read
# (`curl $URL` as `curl @~/.ssh/id_rsa`) does not make the word's position one that matters.
TARGET_RULES = frozenset("wipe-root wipe-home wipe-system critical-file recursive-delete forced-delete destroy-data "
                         "disk-write disk-format system-perms permissions git-destructive container-destructive "
                         "cloud-destructive sql-destructive overwrite-outside remote-code reverse-shell unresolved-code "
                         "takeover decoded-payload fork-bomb sysrq unresolved-operand unresolved-program".split())
_LIST_RULES = frozenset(["kill-processes"])
_SEND_RULES = frozenset(["exfiltration"])
_OVERWRITE_RULES = frozenset(["system-write"])  # an in-place edit or extraction there overwrites
_CREATE_ONLY = frozenset("mkdir touch mkfifo mknod ln".split())
_COPY_SINKS = frozenset("scp sftp rsync rclone mail mutt sendmail".split())
_SUBCOMMAND_TOOLS = frozenset("git docker podman nerdctl kubectl oc helm systemctl launchctl apt apt-get dnf yum "
                              "zypper pacman snap flatpak brew npm pnpm yarn pip pip3 cargo gem aws gcloud az terraform "
                              "tofu ip nmcli ufw firewall-cmd crontab journalctl loginctl".split())
_VERB_AT = {"service": 2}
_OPTIONS_AFTER_OPERANDS = frozenset("find fd fdfind xargs parallel rm rmdir shred".split())
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
    skip = 1 if argv[0] in _SUBCOMMAND_TOOLS else 0  # `git checkout -b $B`: after the subcommand
    first = next((k for k, w in enumerate(argv[1:], 1) if not w.startswith("-") and k > skip), None)
    for prog in progs:
        if P.DYNAMIC in argv[1:]:
            stand_ins = OPERAND_READINGS + program_words(prog)
            # After the first operand an unknown word is an operand too (`chmod +x $F`, `git push
            # origin $B`), except for programs whose expression goes on after paths (`find . $ACT`).
            late = first if first is not None and prog not in _OPTIONS_AFTER_OPERANDS else len(argv)
            out += [[prog] + [("/" if (k == first or k > late) and s.startswith("-") else s)
                              if w == P.DYNAMIC else w for k, w in enumerate(argv[1:], 1)] for s in stand_ins]
        else:
            out.append([prog] + argv[1:])
    return out


def _rules_that_matter(cmd: Cmd) -> frozenset | None:
    """Which findings of a reading make the unknown word's position one that matters."""
    from ccgpt.risk.subcommands import GLOBAL_VALUES, positional_indexes

    argv = cmd.argv
    k = argv.index(P.DYNAMIC, 1) if P.DYNAMIC in argv[1:] else 0
    verb_at = _VERB_AT.get(argv[0], 1 if argv[0] in _SUBCOMMAND_TOOLS else -1)
    if argv[0] in GLOBAL_VALUES:  # after global options and their values: `systemctl -H h $OP sshd`
        verb_at = next(iter(positional_indexes(argv)), verb_at)
    if k == verb_at:
        return None  # the action itself (`systemctl $OP sshd`, `git $SUB --force`): anything
    rules = TARGET_RULES if argv[0] in _CREATE_ONLY else TARGET_RULES | _OVERWRITE_RULES
    if _from_output(cmd):
        rules = rules | _LIST_RULES
    if argv[0] in _COPY_SINKS or k > 1 and _takes_value(argv[0], argv[k - 1]):
        rules = rules | _SEND_RULES  # a file sent (`scp $F host:`) or an option's data (`curl -d $X`)
    return rules


def _takes_value(prog: str, option: str) -> bool:
    """Whether the word after `option` is its value (`curl -d $X`), not an operand (`curl -sI $X`)."""
    if not option.startswith("-") or option == "-":
        return False
    if option.startswith("--"):
        return "=" not in option
    values = C.SHORT_VALUES.get(prog)
    return values is None or option[-1] in values


def _from_output(cmd: Cmd) -> bool:
    """Whether the unknown words are another command's output (`kill $(pgrep x)`, `pgrep x |
    xargs kill`): a list of any length, so `kill` of them is a mass kill."""
    if cmd.tree:
        return True
    bases = getattr(cmd, "bases", None) or ()
    return any(not isinstance(b, tuple) and b is not None and (b"$(" in b.text or b"`" in b.text)
               for w, b in zip(cmd.argv, bases) if w == P.DYNAMIC)


def unresolved(cmd: Cmd, ctx: Context) -> None:
    """Generic: see the module docstring."""
    if not cmd.argv or P.DYNAMIC not in cmd.argv:
        return
    rules = _rules_that_matter(cmd)
    worst = max((ctx.worst_reading(_variant(cmd, argv), rules) for argv in _readings(cmd)), default=Level.SAFE)
    if cmd.argv[0] == P.DYNAMIC:
        # `env $X`, `sudo "$CMD"`: some program runs; at least `review` (it may change anything)
        ctx.add(UNRESOLVED_PROGRAM if worst >= Level.DANGEROUS else DYNAMIC_COMMAND, cmd.spans[0])
        return
    if worst < Level.DANGEROUS:
        return
    k = cmd.argv.index(P.DYNAMIC, 1)
    ctx.add(UNRESOLVED_OPERAND, cmd.spans[k] if k < len(cmd.spans) else cmd.span)


GENERIC = [unresolved]
