"""What inside the writable working directory must not change: code that runs later, outside.

A planted git hook, a `core.fsmonitor` in a repository's config, a new `~/.bashrc` or a program
dropped into a PATH directory would all run *after* the sandbox, with the person's full rights.
So the sandbox mounts, for the working directory and every repository nested anywhere below it:

- each `.git` (directory or gitfile) read-only, as a mount point of its own: a mount point
  cannot be renamed or replaced, so `mv .git .git_old; mv .gitnew .git` fails with EBUSY;
- every existing file inside the working directory that a git config (the repository's, the
  global ones, and what they include) or a shell start-up file names: an fsmonitor script, a
  pager, an included config, a sourced file;
- when the working directory contains the home: the shell start-up files, `~/.gitconfig`,
  `~/.config/{fish,git,autostart,systemd}`, `~/.local/bin`;
- every PATH directory inside the working directory;
- and every directory between the working directory and those, bound onto itself (writable,
  but a mount point: no renaming a parent out of the way and putting a look-alike in its place).

What mounts cannot cover (a *new* repository, a start-up file or PATH directory that did not
exist) is looked at after the run by `ccgpt.run.aftercheck`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ccgpt.run import gitfiles
from ccgpt.run.mounts import STARTUP_FILES, home, inside

SHELL_FILES = (".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zshenv", ".zprofile",
               ".zlogin", ".config/fish/config.fish")
MAX_MOUNTS = 256


@dataclass(frozen=True)
class Mount:
    kind: str  # "ro": read-only bind onto itself; "pin": writable bind onto itself (cannot move)
    src: str  # the host path (for the preview: inside its copy)
    dst: str  # the path inside the sandbox


@dataclass(frozen=True)
class Plan:
    mounts: tuple[Mount, ...]
    gits: tuple[str, ...]  # `.git` entries found, relative to cwd
    absent: tuple[str, ...]  # start-up files and PATH directories that do not exist yet (relative)
    complete: bool  # the walk for repositories saw everything
    left_out: int = 0  # read-only targets beyond MAX_MOUNTS (checked after the run only)
    fingerprints: tuple[str, ...] = ()  # gitfiles.fingerprint() of each of `gits`, in order


def plan(cwd: str, source: str, *, protect_git: bool, path_env: str) -> Plan:
    """The mounts for a run in `cwd` (whose content is `source`: itself, or the preview's copy)."""
    base = os.path.realpath(str(home()))
    targets: set[str] = set()  # relative to cwd
    absent: list[str] = []
    walk = gitfiles.find_gits(source) if protect_git else gitfiles.Walk((), True)
    configs: list[str] = gitfiles.global_config_files(base)
    for rel in walk.gits:
        targets.add(rel)
        gitdir = gitfiles.gitdir_of(os.path.join(source, rel))
        if gitdir is None:
            continue
        real = os.path.realpath(gitdir)  # a symlinked .git or a gitfile may point elsewhere in the tree
        if inside(real, source) and not inside(real, os.path.join(source, rel)):
            targets.add(os.path.relpath(real, source))
        configs += gitfiles.config_files(gitdir)
    if inside(base, cwd):
        for name in STARTUP_FILES:
            rel = os.path.normpath(os.path.join(os.path.relpath(base, cwd), name))
            (targets.add(rel) if os.path.lexists(os.path.join(source, rel)) else absent.append(rel))
    for entry in path_env.split(":"):
        real = os.path.realpath(entry) if entry.startswith("/") else ""
        if real and inside(real, cwd) and real != cwd:
            rel = os.path.relpath(real, cwd)
            (targets.add(rel) if os.path.isdir(os.path.join(source, rel)) else absent.append(rel))
    tops = {os.path.dirname(os.path.join(source, rel)) for rel in walk.gits}  # where git runs hooks from
    targets |= _named_by(configs, [os.path.join(base, n) for n in SHELL_FILES], cwd, source, base, tops)
    return _mounts(sorted(targets), cwd, source, walk, tuple(sorted(set(absent))))


def _named_by(configs: list[str], shell_files: list[str], cwd: str, source: str, home_dir: str,
              tops: set[str]) -> set[str]:
    """Files inside cwd that git configs or shell start-up files name (relative to cwd)."""
    out: set[str] = set()
    seen: set[str] = set()
    queue = list(configs) + [p for p in shell_files if os.path.isfile(p)]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        text = gitfiles.read_text(path)
        # A relative value is taken from the file's own directory and from the repositories' tops.
        bases = {os.path.dirname(path), os.path.dirname(os.path.dirname(path))} | (tops if path in configs else set())
        pieces = " ".join(v if v.startswith(("/", "~")) else f"./{v}" for v in gitfiles.path_values(text))
        for b in bases:
            for named in gitfiles.mentioned_paths(text + "\n" + pieces, base=b, home=home_dir):
                real = _as_cwd_path(named, cwd, source)
                if real is None or not os.path.lexists(os.path.join(source, real)):
                    continue
                out.add(real)
                if os.path.isfile(os.path.join(source, real)) and path in configs:
                    queue.append(os.path.join(source, real))  # an included config names more
    return out


def _as_cwd_path(path: str, cwd: str, source: str) -> str | None:
    """`path` relative to cwd, when it is inside it (given as a cwd or a source path)."""
    for root in (cwd, source):
        if inside(path, root) and path != root:
            return os.path.relpath(path, root)
    return None


def _mounts(targets: list[str], cwd: str, source: str, walk: gitfiles.Walk, absent: tuple[str, ...]) -> Plan:
    kept: list[str] = []
    for rel in targets:  # sorted: a parent comes before what is inside it
        if rel != "." and not any(inside(rel, k) for k in kept) and not os.path.islink(os.path.join(source, rel)):
            kept.append(rel)
    left_out = max(len(kept) - MAX_MOUNTS, 0)
    kept = kept[:MAX_MOUNTS]
    pins: set[str] = set()
    for rel in kept:
        parent = os.path.dirname(rel)
        while parent and parent not in pins:
            pins.add(parent)
            parent = os.path.dirname(parent)
    pins -= set(kept)
    mounts = [Mount("pin", os.path.join(source, p), os.path.join(cwd, p)) for p in sorted(pins, key=_depth)]
    mounts += [Mount("ro", os.path.join(source, r), os.path.join(cwd, r)) for r in sorted(kept, key=_depth)]
    prints = tuple(gitfiles.fingerprint(os.path.join(source, g)) for g in walk.gits)
    return Plan(tuple(mounts), walk.gits, absent, walk.complete, left_out, prints)


def _depth(rel: str) -> tuple[int, str]:
    return rel.count("/"), rel
