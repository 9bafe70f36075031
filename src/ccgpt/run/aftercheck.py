"""The second line after the mounts: what appeared during the run that would run code later.

Mounts keep every *existing* `.git`, start-up file and PATH directory read-only
(`ccgpt.run.protect`). What did not exist before cannot be mounted over without creating it, so
after the run ccgpt looks again:

- a new `.git` anywhere below the working directory whose hooks or config could run a program
  (any hook that is not a `.sample`, any config key outside a short list of inert ones, a
  gitfile, a `commondir`) is renamed to `.git.ccgpt-untrusted-TIME`, so git no longer uses it;
  a plain `git init` or `git clone` (no hooks, only the keys git writes itself) is left alone;
- a start-up file or PATH directory that did not exist before is renamed the same way.
Each rename is reported; nothing is deleted, so the person can inspect and restore it.
"""

from __future__ import annotations

import fnmatch
import os
import time

from ccgpt.run import gitfiles
from ccgpt.run.protect import Plan

# Keys git itself writes on init/clone/checkout; anything else in a new repository is suspect.
INERT_KEYS = (
    "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates",
    "core.ignorecase", "core.precomposeunicode", "core.symlinks", "extensions.objectformat",
    "remote.*.url", "remote.*.fetch", "branch.*.remote", "branch.*.merge", "init.defaultbranch",
    "submodule.*.url", "submodule.*.active", "user.name", "user.email",
)
STANDARD_ENTRIES = {"HEAD", "config", "description", "hooks", "info", "objects", "refs", "logs", "index",
                    "packed-refs", "FETCH_HEAD", "ORIG_HEAD", "COMMIT_EDITMSG", "branches", "shallow",
                    "MERGE_HEAD", "MERGE_MSG", "MERGE_MODE", "AUTO_MERGE", "REBASE_HEAD", "CHERRY_PICK_HEAD",
                    "index.lock", "gitk.cache", "lfs"}


def check(cwd: str, before: Plan) -> list[str]:
    """Quarantine what appeared and could run code later; one message per action."""
    messages = []
    stamp = time.strftime("%Y%m%d%H%M%S")
    after = gitfiles.find_gits(cwd)
    known = dict(zip(before.gits, before.fingerprints))
    # New entries, and old ones that are not what they were (a symlinked .git re-pointed).
    changed = [g for g in after.gits if known.get(g) != gitfiles.fingerprint(os.path.join(cwd, g))]
    for rel in sorted(changed):
        why = untrusted_repo(os.path.join(cwd, rel))
        if why:
            messages.append(_quarantine(cwd, rel, stamp, f"a new git repository whose {why}"))
    for rel in before.absent:
        if os.path.lexists(os.path.join(cwd, rel)):
            messages.append(_quarantine(cwd, rel, stamp, "a start-up file or PATH directory that did not exist"))
    if not (after.complete and before.complete):
        messages.append(f"ccgpt: note: more than {gitfiles.MAX_ENTRIES} entries below the working directory; "
                        "new git repositories deeper in were not checked")
    return messages


def untrusted_repo(entry: str) -> str | None:
    """Why a new `.git` could make git run something, or None for a plain init/clone."""
    if not os.path.isdir(entry) or os.path.islink(entry):
        return "`.git` is a file or link pointing elsewhere"
    hooks = os.path.join(entry, "hooks")
    try:
        live = [n for n in os.listdir(hooks) if not n.endswith(".sample")]
    except OSError:
        live = []
    if live:
        return f"hooks include {live[0]}"
    try:
        extra = sorted(set(os.listdir(entry)) - STANDARD_ENTRIES)
    except OSError:
        return "contents cannot be read"
    if extra:
        return f"`.git` holds {extra[0]}"
    for key, _value in gitfiles.parse_config(gitfiles.read_text(os.path.join(entry, "config"))):
        if not any(fnmatch.fnmatchcase(key, pattern) for pattern in INERT_KEYS):
            return f"config sets {key}"
    return None


def _real_parents(cwd: str, rel: str) -> bool:
    """No directory on the way from cwd to `rel` is a symlink (the command could have planted
    one to make us rename something outside the working directory)."""
    here = cwd
    for part in rel.split("/")[:-1]:
        here = os.path.join(here, part)
        if os.path.islink(here) or not os.path.isdir(here):
            return False
    return True


def _quarantine(cwd: str, rel: str, stamp: str, what: str) -> str:
    from ccgpt.term.sanitize import sanitize_line

    src = os.path.join(cwd, rel)
    if not _real_parents(cwd, rel):
        return (f"ccgpt: WARNING: the command created {sanitize_line(rel)} ({what}) behind a symbolic link; "
                "it was left in place: inspect it before using git or a new shell there")
    dst = f"{src}.ccgpt-untrusted-{stamp}"
    try:
        os.rename(src, dst)
    except OSError as exc:
        return (f"ccgpt: WARNING: the command created {sanitize_line(rel)} ({what}) and it could not be "
                f"moved aside ({exc.strerror}); inspect it before using git or a new shell there")
    return (f"ccgpt: WARNING: the command created {sanitize_line(rel)} ({what}); it would run outside the "
            f"sandbox, so it was renamed to {sanitize_line(os.path.relpath(dst, cwd))}; inspect it before restoring it")
