"""Dry runs: options with which a destructive command only says what it would do.

`rsync -n --delete`, `git push --dry-run --force`, `aws s3 rm --recursive --dryrun`, `kubectl
delete --dry-run=client`, `apt-get -s remove`: nothing is deleted or changed (issue 13, false
alarms). One table, keyed by program or program and subcommand; the checkers of those
programs ask `dry_run` before they report a destructive finding. Code a dry run still runs
(`rsync -n -e 'sh -c …'`, git hooks) is another checker's business and is not excused."""

from __future__ import annotations

from collections.abc import Iterable

_APT = "-s --simulate --dry-run --just-print --no-act --recon --assumeno"
_TABLE: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "rsync": "-n --dry-run",
    "rclone": "-n --dry-run",
    "git push": "-n --dry-run",
    "git clean": "-n --dry-run",
    "git rm": "-n --dry-run",
    "git mv": "-n --dry-run",
    "git fetch": "--dry-run",
    "aws": "--dryrun --dry-run",
    "gsutil rsync": "-n",
    "kubectl": "--dry-run",
    "oc": "--dry-run",
    "helm": "--dry-run",
    **{p: _APT for p in ("apt", "apt-get", "aptitude", "dnf", "yum")},
}.items()}
_NOT_DRY = ("none", "false", "0", "no")  # `kubectl --dry-run=none` really applies


def dry_run(key: str, flags: Iterable[str], args: Iterable[str] = ()) -> bool:
    """Whether `key`'s command (`"git push"`, `"aws"`) is a dry run. `flags` are the command's
    flags split as `commands.short_flags` gives them (clusters split, long prefixes expanded);
    `args` the raw words, read for `--dry-run=none`-style values that turn it off."""
    table = _TABLE.get(key)
    if not table:
        return False
    for a in args:
        name, eq, value = a.partition("=")
        if eq and name in table and value.lower() in _NOT_DRY:
            return False
    return any(f in table for f in flags)
