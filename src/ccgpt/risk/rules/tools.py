"""Everyday tools: git, SQL clients, builds and installs, and the file writers
(touch, mkdir, cp, ln, tee, sed -i, tar -x, unzip, patch, awk)."""

from __future__ import annotations

import re

from ccgpt.risk.lazyre import lazy_re

from ccgpt.risk import paths as P
from ccgpt.risk.commands import option_value, short_flags
from ccgpt.risk.rules.files import write_target
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.awkprog import awk
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

PERSISTENCE = rule("persistence")
GIT_CHANGE = rule("git-change")
GIT_DESTRUCTIVE = rule("git-destructive")
INSTALL_BUILD = rule("install-build")
TAKEOVER = rule("takeover")
SYSTEM_WRITE = rule("system-write")
WRITE_FILES = rule("write-files")
REMOTE_CODE = rule("remote-code")
DELETE_FILES = rule("delete-files")
RECURSIVE_DELETE = rule("recursive-delete")
RUNS_SCRIPT = rule("runs-script")
REVERSE_SHELL = rule("reverse-shell")


_COMPRESSORS = frozenset("gzip bzip2 xz zstd lz4 pigz pbzip2 lzma brotli".split())
_GIT_READ = frozenset("status log diff show blame shortlog describe rev-parse rev-list ls-files ls-tree ls-remote "
                      "grep cat-file reflog whatchanged show-ref for-each-ref count-objects version help name-rev "
                      "merge-base cherry var check-ignore fsck verify-commit".split())
_GIT_VALUE = frozenset(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--attr-source",
                        "--super-prefix"])


# Configuration keys whose value git runs (or that point git at code to run) on later commands:
# setting one is persistence. Editor/pager/alias/credential values are code only when they
# look like shell (`!…`, metacharacters), so `core.editor vim` stays routine.
_GIT_CODE_KEYS = lazy_re(r"^(core\.(hookspath|sshcommand|fsmonitor|askpass|gitproxy)|filter\..+\.(clean|smudge|process)|"
                         r"diff\..+\.(textconv|command)|diff\.external|merge\..+\.driver|gpg\.(.+\.)?program|"
                         r"include\.path|includeif\..+|uploadpack\.packobjectshook|sendemail\..*cmd)$", re.I)
_GIT_MAYBE_CODE = lazy_re(r"^(core\.(editor|pager)|sequence\.editor|pager\..+|alias\..+|credential\.(.+\.)?helper|"
                          r"web\.browser|browser\..+\.(cmd|path)|difftool\..+\.cmd|mergetool\..+\.cmd)$", re.I)
_SHELLISH = lazy_re(r"^!|[;|&$`<>()]")


def _git_config_code(cmd: Cmd, ctx: Context, key: str, value: str) -> bool:
    code = _GIT_CODE_KEYS.match(key)
    maybe = not code and _GIT_MAYBE_CODE.match(key)
    if not code and not maybe:
        return False
    if code or _SHELLISH.search(value):
        ctx.add(PERSISTENCE, cmd.span, f"git config {key} makes git run a program on later commands")
    else:
        ctx.add(GIT_CHANGE, cmd.span, f"git config {key} sets a program git runs later")
    k = key.lower()
    if not k.startswith(("core.hookspath", "include")) and (not k.startswith(("credential", "alias")) or value.startswith("!")):
        ctx.nested(value.lstrip("!"), cmd.span)  # the value runs through sh: `core.pager 'rm -rf ~'`
    return True


def _git_discards(sub: str, rest: list[str], flags: set[str], ops: list[str]) -> str | None:
    """checkout/restore/switch forms that overwrite uncommitted changes in the working tree."""
    from_file = any(f.startswith("--pathspec-from-file") for f in flags)
    if sub == "restore" and (ops or from_file) and ("--staged" not in flags or "--worktree" in flags or "-W" in flags):
        return "git restore overwrites uncommitted changes in those paths"
    if sub == "checkout":
        creating = flags & {"-b", "-B", "--orphan", "-t", "--track"}
        paths = ops[1:] if creating else ops  # `checkout -b NAME`: NAME is a branch, not a path
        if flags & {"-f", "--force"} or from_file or "--" in rest and ops or "." in paths or len(ops) >= 2 and not creating:
            return "git checkout with paths or --force overwrites uncommitted changes"
        if "-B" in flags:
            return "git checkout -B resets an existing branch to another commit (its commits may be lost)"
    if sub == "rm" and flags & {"-f", "--force"} and (flags & {"-r"} or "." in ops) and "--cached" not in flags:
        return "git rm -rf deletes files with uncommitted changes from the working tree"
    if sub == "checkout-index" and flags & {"-f", "--force"}:
        return "git checkout-index -f overwrites files in the working tree"
    if sub == "read-tree" and "-u" in flags and flags & {"--reset", "--force"}:
        return "git read-tree -u --reset overwrites uncommitted changes"
    if sub == "worktree" and ops[:1] == ["remove"] and flags & {"-f", "--force"}:
        return "git worktree remove --force deletes a worktree with its uncommitted changes"
    if sub == "switch" and flags & {"-f", "--force", "--discard-changes", "-C", "--force-create"}:
        return "git switch --discard-changes/-C throws uncommitted changes or a branch's commits away"
    return None


def git(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.dryrun import dry_run

    argv = cmd.argv
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        i += 2 if argv[i] in _GIT_VALUE else 1
    if i >= len(argv):
        return
    sub, rest = argv[i], argv[i + 1:]
    flags, ops, _ = short_flags(rest, 0, prog="git-" + sub)
    if sub == "config" and len(ops) >= 2 and _git_config_code(cmd, ctx, ops[0], ops[1]):
        return
    if sub == "clone" and ops:  # what is cloned is code from the network: `git clone URL && ./x/install.sh`
        dest = ops[1] if len(ops) > 1 else ops[0].rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
        ctx.downloads.add(P.resolve(dest, cmd.cwd).rstrip("/") + "/")
    destructive = _git_discards(sub, rest, flags, ops)
    if destructive:
        pass
    elif sub == "clean" and flags & {"-n", "--dry-run"}:
        return  # lists what it would delete
    elif sub == "clean" and flags & {"-f", "--force"}:
        destructive = "git clean -f deletes untracked files"
    elif sub == "reset" and "--hard" in flags:
        destructive = "git reset --hard discards uncommitted work"
    elif sub == "push" and (flags & {"-f", "--force", "--force-with-lease", "--mirror", "--delete", "-d", "--prune"} or any(o.startswith("+") or o.startswith(":") for o in ops)):
        destructive = "force-push rewrites or deletes remote history"
    elif sub == "branch" and ("-D" in flags or flags >= {"-d", "-f"} or flags >= {"--delete", "--force"}):
        destructive = "git branch -D deletes an unmerged branch"
    elif sub == "stash" and ops[:1] in (["drop"], ["clear"]):
        destructive = "git stash drop/clear deletes stashed work"
    elif sub in ("filter-branch", "filter-repo") or (sub == "reflog" and ops[:1] == ["expire"]) or (sub == "gc" and any(f.startswith("--prune") for f in flags)):
        destructive = f"git {sub} rewrites or prunes history"
    elif sub == "update-ref" and "-d" in flags:
        destructive = "git update-ref -d deletes a ref"
    if destructive and dry_run("git " + sub, flags, rest):
        destructive = None  # `git push -n --force` only reports; its hooks still run (git-change)
    if destructive:
        ctx.add(GIT_DESTRUCTIVE, cmd.span, destructive)
        return
    out = next((rest[k + 1] if w == "--output" and k + 1 < len(rest) else w.split("=", 1)[1]
                for k, w in enumerate(rest) if w == "--output" or w.startswith("--output=")), None)
    if out is not None and sub in ("log", "diff", "show", "format-patch", "range-diff", "whatchanged"):
        write_target(cmd, ctx, out, cmd.span)  # `git log --output=FILE` writes FILE
        return
    if sub in _GIT_READ or sub == "fetch" and "--dry-run" in flags:
        return  # `git fetch --dry-run` contacts the remote and changes no ref
    if sub == "branch" and not ops or sub == "branch" and flags & {"-a", "-r", "-v", "-vv", "--list", "--show-current", "--contains", "--merged"}:
        return
    if sub == "stash" and ops[:1] in (["list"], ["show"]):
        return
    if sub in ("remote", "tag", "config", "worktree", "submodule") and (not ops or ops[0] in ("-v", "list", "show", "get-url") or flags & {"-l", "--list", "--get", "--get-all", "-v"}):
        return
    ctx.add(GIT_CHANGE, cmd.span, f"git {sub} changes the repository or working tree")


_SETUID_RISKY = frozenset("python python3 perl ruby node php lua find vim vi env busybox awk gawk".split())
_VERSION_ONLY = frozenset(["-version", "--version", "version", "-help", "--help", "-h", "help", "-showversion"])


def build(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    args = cmd.argv[1:]
    if cmd.cwd is not None and any(d.endswith("/") and (cmd.cwd + "/").startswith(d) for d in ctx.downloads):
        ctx.add(REMOTE_CODE, cmd.span, f"{prog} builds and runs code cloned from the network in this line")
    if args and all(x in _VERSION_ONLY for x in args):
        return  # `java -version`, `go version`, `mvn --version`: print and exit
    words = [x for x in args if not x.startswith("-")]
    sub = words[0] if words else ""
    if prog in ("pip", "pipx", "uv", "poetry", "npm", "pnpm", "yarn", "gem", "cargo", "go", "conda", "mamba", "bundle", "composer"):
        if sub in ("list", "show", "freeze", "ls", "search", "info", "outdated", "view", "version", "check", "why", "env", "config", "--version", "help", "doctor", "audit") or "--version" in args or (not args and prog != "yarn"):
            return
        if sub in ("uninstall", "remove", "rm") and prog in ("pip", "npm", "conda", "gem"):
            ctx.add(INSTALL_BUILD, cmd.span, f"{prog} {sub} removes packages")
            return
    ctx.add(INSTALL_BUILD, cmd.span, f"{prog} {sub} installs, builds or runs project code".replace("  ", " "))


def _sed_writer(cmd: Cmd, ctx: Context, flags: set[str]) -> None:
    """`sed -i` writes its file operands; `w FILE` (a command or an `s` flag) writes FILE."""
    from ccgpt.risk.rules.sedscript import sed_commands, sed_files, sed_scripts

    for script in sed_scripts(cmd.argv):
        for c in sed_commands(script):
            if c.file and c.file not in ("/dev/stdout", "/dev/stderr"):
                write_target(cmd, ctx, c.file, cmd.span)
    if not (flags & {"-i", "--in-place"} or any(x.startswith(("-i", "--in-place")) for x in cmd.argv[1:])):
        return
    for op in sed_files(cmd.argv):
        write_target(cmd, ctx, op, cmd.span)


def writer(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    flags, ops, _ = short_flags(cmd.argv)
    if prog in ("cp", "install", "ln"):
        if _copy_writer(cmd, ctx, prog, flags, ops):
            return
    elif prog in ("tee",):
        if not ops:
            return
        content = cmd.stdin.text if cmd.stdin is not None and cmd.stdin.kind == "text" else None
        for op in ops:
            write_target(cmd, ctx, op, cmd.span, append=bool(flags & {"-a", "--append"}), content=content)
        return
    elif prog in ("touch", "mkdir", "mkfifo", "mknod"):
        for op in ops:
            if P.in_system(op, cmd.cwd) or P.outside_workdir(op, cmd.cwd) and P.resolve(op, cmd.cwd).startswith("/") and P.in_system(op, cmd.cwd):
                ctx.add(SYSTEM_WRITE, cmd.span, f"creates {op} in a system location")
                return
    elif prog == "sed":
        _sed_writer(cmd, ctx, flags)
        return
    elif prog in ("tar", "bsdtar"):
        if _tar_writer(cmd, ctx, flags):
            return
    elif prog == "zip" and (flags & {"-m", "--move"}) and len(ops) > 1:
        _deletes_originals(cmd, ctx, ops[1:])  # `zip -rm out.zip ~` deletes what it archived
    elif prog == "rar" and ops[:1] in (["a"], ["m"]) and (ops[0] == "m" or any(a.startswith("-df") for a in cmd.argv)):
        _deletes_originals(cmd, ctx, ops[2:])  # `rar a -df x.rar ~`, `rar m x.rar ~` move files into it
    elif prog in _COMPRESSORS and flags & {"-r", "--recursive"} and not flags & {"-c", "--stdout", "-l", "--list", "-t"}:
        from ccgpt.risk.rules.wipes import catastrophic

        for src in ops:  # `gzip -r ~` replaces every file of the tree by its compressed copy
            if catastrophic(cmd, ctx, src, f"{prog} -r replaces every file of"):
                return
    elif prog == "7z" and "-sdel" in cmd.argv and len(ops) > 2:
        _deletes_originals(cmd, ctx, ops[2:])  # `7z a -sdel out.7z ~`
    elif prog in ("unzip",):
        if flags & {"-l", "-v", "-t", "-Z"}:
            return
        into = option_value(cmd.argv, "-d", "--exdir")
        if into is not None or cmd.cwd is not None:
            write_target(cmd, ctx, _members_in(into), cmd.span)  # `unzip x.zip -d ~`, `cd ~ && unzip x.zip`
            return
    ctx.add(WRITE_FILES, cmd.span, f"{prog} creates or changes files")



def _copy_writer(cmd: Cmd, ctx: Context, prog: str, flags: set, ops: list) -> bool:
    """cp, install, ln: a copy onto its destination (True when read here)."""
    target = option_value(cmd.argv, "-t", "--target-directory")
    if len(ops) >= 2 or ((prog == "ln" or target is not None) and ops):
        dest = ops[-1] if len(ops) >= 2 else "."
        if target is not None:
            dest = target or P.DYNAMIC
        from ccgpt.risk.commands import SHELLS
        from ccgpt.risk.rules.delete import copy_like

        mode = option_value(cmd.argv, "-m", "--mode") if prog == "install" else None
        from ccgpt.risk.rules.files import setuid_mode

        if mode and setuid_mode(mode) and any(o.rsplit("/", 1)[-1] in SHELLS | _SETUID_RISKY for o in ops[:-1]):
            # `install -m 4755 /bin/sh /tmp/x`: a setuid copy of a shell (Reading 9)
            ctx.add(TAKEOVER, cmd.span, "installs a setuid copy of a shell or interpreter: anyone becomes root")
        if any(o.rsplit("/", 1)[-1] in SHELLS for o in ops[:-1]):
            # Remember copies of a shell: `chmod u+s` on one later is a setuid shell.
            key = "\x00shell-copies"
            ctx.files[key] = ctx.files.get(key, "") + "\x00" + P.resolve(dest, cmd.cwd)
        copy_like(cmd, ctx, dest, flags, ops[:-1] if target is None else ops)
        return True
    return False


def _members_in(into: str | None) -> str:
    """Where an archive's members land: below `-C DIR`/`-d DIR`, else the working directory
    (which the caller knows only after a `cd` or from a probe: `cmd.cwd`)."""
    return (into.rstrip("/") if into is not None else ".") + "/<archive member>"


def _tar_writer(cmd: Cmd, ctx: Context, flags: set) -> bool:
    """tar: what an archive run creates, extracts into or deletes (True when read here)."""
    first = cmd.argv[1] if len(cmd.argv) > 1 else ""
    letters = first.lstrip("-") if first and not first.startswith("--") else ""
    if "t" in letters or "--list" in flags or "-t" in flags:
        return True
    extract = "x" in letters or flags & {"-x", "--extract", "--get"}
    into = option_value(cmd.argv, "-C", "--directory")
    archive = option_value(cmd.argv, "-f", "--file")
    if "f" in letters and archive is None and not first.startswith("-"):
        rest = [x for x in cmd.argv[2:] if not x.startswith("-")]
        archive = rest[0] if rest else None  # old style: `tar czf OUT.tgz src`
    if extract and (into is not None or cmd.cwd is not None):
        # `tar -xf x -C /usr`, and `cd / && tar -xf x`: members land in the working directory
        write_target(cmd, ctx, _members_in(into), cmd.span)
        return True
    if not extract and "--remove-files" in flags:
        sources = [x for x in cmd.argv[1:] if not x.startswith("-") and x != archive and x != first]
        _deletes_originals(cmd, ctx, sources)
    if not extract and archive not in (None, "-"):
        write_target(cmd, ctx, archive, cmd.span)  # creating an archive writes it: `tar -cf /dev/sda`
        return True
    return False


def _deletes_originals(cmd: Cmd, ctx: Context, sources: list[str]) -> None:
    """Archivers that remove what they archived (`tar --remove-files`, `zip -m`, `7z -sdel`)
    delete those trees: read as `rm -rf` of each, so an archive of home or root is a wipe."""
    for src in sources:
        ctx.check(Cmd(["rm", "-r", "-f", "--", src], [cmd.span] * 5, cmd.span, [], None, False, cmd.cwd))


def trash(cmd: Cmd, ctx: Context) -> None:
    """`gio trash PATH`, `gio remove PATH`, `trash-put PATH`: gone from where it was, whole trees."""
    args = cmd.argv[1:]
    if cmd.argv[0] == "gio":
        if not args or args[0] not in ("trash", "remove", "rm", "move", "mv"):
            return
        args = args[1:] if args[0] not in ("move", "mv") else args[1:-1]
    from ccgpt.risk.rules.wipes import catastrophic

    sources = [a for a in args if not a.startswith("-")]
    if any(catastrophic(cmd, ctx, src, "moves to the trash") for src in sources) or not sources:
        return
    # A trash command takes directories whole, without a flag (reading 4: a tree is not "a few
    # named files"); a name without an extension or with a trailing slash reads as one.
    trees = [src for src in sources if src.endswith("/") or "." not in src.rsplit("/", 1)[-1].lstrip(".")]
    if trees:
        ctx.add(RECURSIVE_DELETE, cmd.span, f"{cmd.argv[0]} moves {trees[0]} (a directory, whole) to the trash")
    else:
        ctx.add(DELETE_FILES, cmd.span, f"{cmd.argv[0]} moves files to the trash (recoverable)")


PROGRAMS = {
    "git": [git],
    **{p: [build] for p in ("pip", "pipx", "uv", "poetry", "npm", "npx", "pnpm", "yarn", "gem", "cargo", "go", "make",
                             "cmake", "ninja", "mvn", "gradle", "conda", "mamba", "bundle", "composer", "rustc", "gcc",
                             "g++", "clang", "javac", "tsc", "pytest", "tox", "nox", "meson", "bazel", "dotnet", "deno",
                             "rake", "ant", "just", "task", "java", "kotlin", "kotlinc", "scala", "sbt")},
    **{p: [writer] for p in ("cp", "install", "ln", "tee", "touch", "mkdir", "mkfifo", "mknod", "sed", "tar", "bsdtar",
                              "unzip", "gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz", "zstd", "zip", "7z", "patch",
                              "split", "csplit", "unrar", "rar", "cpio", "rename", "chmodx", "git-lfs", "ar", "tic")},
    **{p: [awk] for p in ("awk", "gawk", "mawk", "nawk")},
    **{p: [trash] for p in ("gio", "trash-put", "trash", "gvfs-trash", "kioclient5")},
}
GENERIC: list = []
