"""Infrastructure and cloud CLIs: terraform/tofu, aws, gsutil, gcloud, az.

The policy does not name them; read by analogy. Reads (`terraform show`, `aws s3 ls`,
`… describe-*`/`list-*`/`get-*`) are `safe`. Deleting remote resources is the remote form of a
delete: one named object is `review` (`rm notes.txt`), recursive or whole-bucket deletes,
`--delete` syncs, `terminate-*`/`delete-*` of resources, `terraform destroy`/`apply` (which may
destroy and recreate anything in the plan) are `dangerous` (hard to undo). Everything else
(`terraform init`/`plan`, which run provider plugins and `external` data sources — project code —
and `aws … create-*`) is `review`."""

from __future__ import annotations

from ccgpt.risk.commands import short_flags
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

CLOUD_DESTRUCTIVE = rule("cloud-destructive")
CLOUD_CHANGE = rule("cloud-change")


_TF_READ = frozenset("show validate version output providers graph console metadata -version --version -help --help".split())
_TF_DESTRUCTIVE = frozenset("apply destroy import taint untaint force-unlock".split())
_READ_VERB = ("describe", "list", "get", "show", "ls", "info", "version", "help", "wait", "lookup", "search", "head",
              "cat", "du", "stat", "whoami", "account", "print", "read", "check", "validate", "query")
_DESTRUCTIVE_VERB = ("delete", "terminate", "remove", "purge", "deregister", "destroy", "drop", "revoke", "disable",
                     "reset", "rb", "abandon", "wipe", "erase", "empty")


def _verbs(argv: list[str]) -> list[str]:
    """The command path and operands, global options and their values skipped (`aws --profile
    prod s3 rm …` → s3, rm, …; subcommands.GLOBAL_VALUES)."""
    from ccgpt.risk.subcommands import positionals

    return positionals(argv)


def terraform(cmd: Cmd, ctx: Context) -> None:
    words = _verbs(cmd.argv)
    sub = words[0] if words else ""
    flags = set(cmd.argv[1:])
    if not cmd.argv[1:] or sub in _TF_READ or flags & {"-version", "--version", "-help", "--help"} and not words:
        return
    if sub == "state" and words[1:2] in (["list"], ["show"], ["pull"]) or sub == "workspace" and words[1:2] in (["list"], ["show"]):
        return
    if sub == "fmt" and flags & {"-check", "--check"}:
        return
    if sub in _TF_DESTRUCTIVE or sub == "state" and words[1:2] in (["rm"], ["mv"], ["push"], ["replace-provider"]) \
            or sub == "workspace" and words[1:2] == ["delete"]:
        ctx.add(CLOUD_DESTRUCTIVE, cmd.span, f"{cmd.argv[0]} {sub} changes or destroys real infrastructure")
        return
    ctx.add(CLOUD_CHANGE, cmd.span, f"{cmd.argv[0]} {sub} runs provider code or changes local state".replace("  ", " "))


def aws(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.dryrun import dry_run

    words = _verbs(cmd.argv)
    flags = short_flags(cmd.argv)[0]
    if not words or flags & {"--version", "--help"} and len(words) < 2:
        return
    service, op = words[0], (words[1] if len(words) > 1 else "")
    if dry_run("aws", flags, cmd.argv):
        return  # `--dryrun` (s3) / `--dry-run` (ec2 …) only report what would happen
    if service == "s3":
        if op in ("ls", "presign"):
            return
        if op == "rm" and "--recursive" in flags or op == "rb" and "--force" in flags or op == "sync" and "--delete" in flags:
            ctx.add(CLOUD_DESTRUCTIVE, cmd.span, f"aws s3 {op} deletes many objects or a whole bucket")
        else:
            ctx.add(CLOUD_CHANGE, cmd.span, f"aws s3 {op} changes objects in a bucket")
        return
    _by_verb(cmd, ctx, op, f"aws {service} {op}")


def gsutil(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.dryrun import dry_run

    words = _verbs(cmd.argv)
    flags = short_flags(cmd.argv)[0]
    sub = words[0] if words else ""
    if not sub or sub in ("ls", "cat", "du", "stat", "version", "help", "hash", "signurl"):
        return
    if sub == "rsync" and dry_run("gsutil rsync", flags):
        return
    if sub == "rm" and flags & {"-r", "-R", "-a"} or sub == "rb" or sub == "rsync" and "-d" in flags:
        ctx.add(CLOUD_DESTRUCTIVE, cmd.span, f"gsutil {sub} deletes many objects or a whole bucket")
        return
    ctx.add(CLOUD_CHANGE, cmd.span, f"gsutil {sub} changes objects in a bucket")


_RCLONE_READ = frozenset("ls lsd lsl lsf lsjson cat size about check cryptcheck hashsum md5sum sha1sum listremotes "
                         "version tree ncdu config help authorize obscure genautocomplete".split())
_RCLONE_DESTRUCTIVE = frozenset("delete purge sync rmdirs cleanup bisync dedupe".split())


def rclone(cmd: Cmd, ctx: Context) -> None:
    """`rclone delete|purge|sync|rmdirs REMOTE:…` delete many remote files (sync: every file
    the source lacks); `deletefile`/`rmdir`/`copy`/`move` change named objects."""
    from ccgpt.risk.dryrun import dry_run

    words = _verbs(cmd.argv)
    sub = words[0] if words else ""
    if not sub or sub in _RCLONE_READ and (sub != "config" or words[1:2] in (["show"], ["file"], ["dump"], ["paths"])):
        return  # (a bare `rclone config` is the interactive editor)
    if dry_run("rclone", short_flags(cmd.argv)[0]):
        return  # `-n`/`--dry-run`: lists what it would transfer or delete
    if sub in _RCLONE_DESTRUCTIVE:
        ctx.add(CLOUD_DESTRUCTIVE, cmd.span, f"rclone {sub} deletes many remote files")
        return
    ctx.add(CLOUD_CHANGE, cmd.span, f"rclone {sub} changes remote files")


def gcloud_like(cmd: Cmd, ctx: Context) -> None:
    """gcloud/az/doctl…: the verb is the last word of the command group path."""
    words = _verbs(cmd.argv)
    if words[:2] == ["storage", "rm"]:  # `gcloud storage rm` is `gsutil rm`
        flags = short_flags(cmd.argv)[0]
        recursive = flags & {"-r", "-R", "--recursive", "-a", "--all-versions"} or any("**" in w for w in words)
        ctx.add(CLOUD_DESTRUCTIVE if recursive else CLOUD_CHANGE, cmd.span,
                "gcloud storage rm deletes " + ("many objects" if recursive else "objects"))
        return
    verb = next((w for w in words if w.startswith(_DESTRUCTIVE_VERB)), None) or next(
        (w for w in words if w.startswith(_READ_VERB)), words[-1] if words else "")
    _by_verb(cmd, ctx, verb, f"{cmd.argv[0]} {' '.join(words[:3])}")


def _by_verb(cmd: Cmd, ctx: Context, verb: str, what: str) -> None:
    if not verb or verb.startswith(_READ_VERB):
        return
    if verb.startswith(_DESTRUCTIVE_VERB) or verb in ("rm", "rb"):
        ctx.add(CLOUD_DESTRUCTIVE, cmd.span, f"{what} deletes or stops cloud resources")
    else:
        ctx.add(CLOUD_CHANGE, cmd.span, f"{what} changes cloud resources")


PROGRAMS = {"terraform": [terraform], "tofu": [terraform], "terragrunt": [terraform], "aws": [aws],
            "gsutil": [gsutil], "rclone": [rclone], "gcloud": [gcloud_like], "az": [gcloud_like], "doctl": [gcloud_like]}
GENERIC: list = []
