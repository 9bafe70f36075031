"""What a path argument points at, for the rules that care about *where* something happens.

Paths arrive normalised by the word evaluator: `$HOME`, `${HOME}` and `~` are all `~`; an unset
variable is empty (so `"$UNSET"/` is `/`, exactly what the shell would delete); a value the
engine cannot know is `DYNAMIC`.
"""

from __future__ import annotations

import posixpath
from contextvars import ContextVar

# The absolute home directory the caller's probe reported, for the classification under way
# (`rm -rf /var/lib/jenkins` is a home wipe when that is $HOME). A context variable, so
# threads and async tasks classifying at once do not see each other's.
HOME_DIR: ContextVar[str | None] = ContextVar("ccgpt_risk_home", default=None)
# The absolute directory the line starts in, when the caller's probe knows it: a relative path
# that climbs out of it (`../../etc/passwd`, `rm -rf ..` in ~/proj) is read where it lands.
HERE_DIR: ContextVar[str | None] = ContextVar("ccgpt_risk_here", default=None)

DYNAMIC = "\x00dyn"  # an operand whose value is unknowable statically ($(…), unset alone)
# An entry a filtered `find`/`fd` selects below a root. Spelled with no character a shell
# treats specially in any quoting (braces without a comma do not expand), so spliced into
# `sh -c 'rm -rf {}'` it reads back as the same one word; whether it exists is unknown.
MATCH = "{match}"

ROOT, HOME, SYSTEM, SYSTEM_SUB, HOME_SUB, CWD_ALL, UNKNOWN, OTHER = (
    "root", "home", "system", "system-sub", "home-sub", "cwd-all", "unknown", "other")

SYSTEM_DIRS = frozenset(
    "etc usr bin sbin lib lib32 lib64 libx32 boot var opt root home srv sys proc dev".split())
# Subdirectories the system cannot run without (RISK-POLICY reading 1).
CRITICAL_SUBDIRS = frozenset(
    "/usr/lib /usr/lib32 /usr/lib64 /usr/libexec /usr/bin /usr/sbin /var/lib /boot/efi /boot/grub "
    "/etc/pam.d".split())
CRITICAL_FILES = frozenset(
    "/etc/passwd /etc/shadow /etc/group /etc/gshadow /etc/sudoers /etc/fstab /etc/crypttab "
    "/boot/grub/grub.cfg /etc/default/grub".split())
_GLOB = frozenset("*?[")
# Home as spliced text: the real $HOME when it is plain, else a fixed /home/NAME (which reads
# back as home) so that a quote or a space in $HOME cannot break the quoting it is spliced into.
_HOME_SPELLED = "/home/user"


def entry(root: str, filtered: bool) -> str:
    """What `find ROOT …` hands its command: the root itself, or an entry below it."""
    return root + "/" + MATCH if filtered else root


def placeholder(path: str) -> bool:
    """A stand-in rather than a path: DYNAMIC, an entry, an `<archive member>`."""
    return "\x00" in path or "<" in path or MATCH in path


def spliced(word: str, mark: str, item: str) -> str:
    """`word` with `mark` (find's `{}`) replaced by the path `item` as the program hands it on.
    A whole word is the path itself; inside a longer word (`sh -c 'rm -rf "{}"'`, `{}.bak`) it
    is text a shell may read again in any quoting, and a quoted `~` is a file named `~`, so
    home is spelled as the absolute path the program really receives."""
    if word != mark and mark in word and (item == "~" or item.startswith("~/")):
        home = HOME_DIR.get()
        item = (home if home and all(c.isalnum() or c in "/._+-" for c in home) else _HOME_SPELLED) + item[1:]
    return word.replace(mark, item)


def has_glob(path: str) -> bool:
    return any(c in _GLOB for c in path)


_HOME_STAND_IN = "/home/\x00home"  # home is a directory under /home: `~/..` is /home


def resolve(path: str, cwd: str | None = None) -> str:
    """Lexically normalise: `~user`→`~`, `/home/$USER`→`~`, `//`, `.`, `..`, `x/*`→`x/*`.
    A relative path is joined to `cwd` when a `cd /` or `cd ~` earlier in the line fixed it."""
    if path == DYNAMIC:
        return path
    if path.startswith("~+") and path[2:3] in ("", "/"):
        path = (cwd or ".") + path[2:]  # `~+` is $PWD (bash tilde expansion), not a user's home
    if path.startswith("~"):
        rest = path[1:]
        i = rest.find("/")
        path = "~" + ("" if i < 0 else rest[i:])
    elif not path.startswith("/") and cwd:
        path = cwd + "/" + path
    if path.startswith("~"):
        norm = posixpath.normpath(_HOME_STAND_IN + path[1:])
        if norm == _HOME_STAND_IN or norm.startswith(_HOME_STAND_IN + "/"):
            return "~" + norm[len(_HOME_STAND_IN):]
        # `~/..` climbs out of home into /home (a system directory); `~/../$USER` is home again.
        path = norm
    if path.startswith("/"):
        norm = posixpath.normpath(path)
        if norm.startswith("//"):
            norm = "/" + norm.lstrip("/")
        home = HOME_DIR.get()
        if home is not None and (norm == home or norm.startswith(home + "/")):
            return "~" + norm[len(home):]
        parts = norm.split("/")
        if len(parts) >= 3 and parts[1] == "home" and parts[2] and not has_glob(parts[2]):
            return "~" + norm[len("/home/" + parts[2]):]
        return norm
    if not path:
        return path
    norm = posixpath.normpath(path)
    if norm == ".." or norm.startswith("../"):
        return _climb(norm)
    return "./" + norm if norm.startswith("~") else norm  # a file named "~", not home


# Without a known start, this many `..` are taken to reach `/` (few working directories are
# deeper), and a climb of two or more into a name of the root's own (`../../etc/passwd`,
# `../../../dev/sda`) is taken to be that system path: fail closed (reading 12).
_CLIMB_TO_ROOT = 4


def _climb(norm: str) -> str:
    """A normalised relative path that starts with `..`: where it lands."""
    here = HERE_DIR.get()
    if here is not None:
        return resolve(posixpath.join(here, norm))
    parts = norm.split("/")
    ups = next((i for i, x in enumerate(parts) if x != ".."), len(parts))
    rest = parts[ups:]
    if not rest and ups >= _CLIMB_TO_ROOT:
        return "/"
    if rest and ups >= 2 and rest[0] in SYSTEM_DIRS:
        return "/" + "/".join(rest)
    return norm


def _strip_contents(path: str) -> str:
    """`/usr/*`, `/usr/.*`, `/usr/{*,.*}` and `/usr/.` mean all of `/usr`."""
    while "/" in path and path != "/":
        head, _, last = path.rpartition("/")
        # `*`, `.*`, `{*,.*}`, `.[!.]*` (every hidden entry): all of the directory's contents
        if last == "." or ("*" in last and set(last) <= set("*.{},[]!^?")):
            path = head or "/"
            continue
        break
    return path


def kind(path: str, cwd: str | None = None) -> str:
    """Classify a delete/chmod/move target into one of the categories above."""
    if path == DYNAMIC or not path:
        return UNKNOWN
    p = _strip_contents(resolve(path, cwd))
    if p in ("/", "/*"):
        return ROOT
    if p == "~":
        return HOME
    if p.startswith("~/"):
        return HOME_SUB
    if p.startswith("/"):
        parts = p.split("/")
        top = parts[1]
        if has_glob(top):  # `/u*` may match a system directory
            return ROOT if top.strip("*") == "" else SYSTEM
        if top in SYSTEM_DIRS:
            if len(parts) == 2 or p in CRITICAL_SUBDIRS or top == "home":
                return SYSTEM
            if "/".join(parts[:3]) in CRITICAL_SUBDIRS and len(parts) == 3:
                return SYSTEM
            return SYSTEM_SUB
        return OTHER
    if p in (".", "*", ".*", "..") or p.startswith("../") or p.startswith("*") and "/" not in p and set(p) <= set("*."):
        return CWD_ALL
    return OTHER


def in_system(path: str, cwd: str | None = None) -> bool:
    """True for `/` itself and anything in a system directory (where writes are `dangerous`)."""
    if path == DYNAMIC or not path:
        return False
    p = resolve(path, cwd)
    if p == "/":
        return True
    if not p.startswith("/"):
        return False
    top = p.split("/")[1]
    return top in SYSTEM_DIRS or has_glob(top) or p.count("/") == 1  # a new entry in / itself


def outside_workdir(path: str, cwd: str | None = None) -> bool:
    """Absolute, home-relative or climbing (`..`) paths are outside the working directory."""
    if path == DYNAMIC or not path:
        return False
    p = resolve(path, cwd)
    return p.startswith(("/", "~")) or p == ".." or p.startswith("../")


HARMLESS_SINKS = frozenset(
    "/dev/null /dev/stdout /dev/stderr /dev/tty /dev/zero /dev/random /dev/urandom".split())


def harmless_sink(path: str) -> bool:
    # Not "any number": `>&2` is a descriptor and is skipped by the redirect rule itself, but
    # `cp a 2` or `> 2` writes a file named 2.
    return path in HARMLESS_SINKS or path.startswith(("/dev/fd/", "/proc/self/fd/")) or path == "-"


_BLOCK_DEVICE_PREFIXES = (
    "/dev/sd", "/dev/hd", "/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/mmcblk", "/dev/disk",
    "/dev/md", "/dev/dm-", "/dev/mapper/", "/dev/loop", "/dev/sr", "/dev/mtd", "/dev/root",
    "/dev/rdisk", "/dev/cciss", "/dev/zd", "/dev/ubd", "/dev/by-", "/dev/mem", "/dev/kmem", "/dev/port")


def block_device(path: str) -> bool:
    p = resolve(path) if path.startswith("/") else path
    return p.startswith(_BLOCK_DEVICE_PREFIXES)


def secret_path(path: str) -> bool:
    """Key files, credentials, tokens, shell history: sending one off the machine is exfiltration."""
    if not path or path == DYNAMIC:
        return False
    p = path.lower().lstrip("@<")
    base = p.rstrip("/").rsplit("/", 1)[-1]
    return (
        "/.ssh" in p or p.startswith(".ssh") or "/.aws" in p or p.startswith(".aws") or ".gnupg" in p
        or base == ".env" or base.startswith(".env.") or "token" in base or "secret" in base
        or "credential" in base or base in (".netrc", ".git-credentials", ".pgpass", "shadow", ".npmrc", ".pypirc")
        or base.endswith((".pem", ".key", "_history", ".kdbx")) or base.startswith("id_rsa")
        or base.startswith(("id_ed25519", "id_ecdsa", "id_dsa")) or "/.kube/config" in p
        or "/.docker/config.json" in p or "/.config/gcloud" in p or "/proc/" in p and p.endswith("/environ")
    )


# Top-level directories whose every subdirectory holds what the system runs on; elsewhere
# (/var, /opt, /srv) only the directory itself or a critical subdirectory counts.
_SYSTEM_TREES = frozenset("etc usr bin sbin lib lib32 lib64 libx32 boot proc sys".split())


def start_directory(cwd: str | None, home: str | None) -> str | None:
    """Where the line starts, spelt as a `cd` to it leaves the walker, when that changes what
    a relative path means: `/`, home (`~`), a hidden directory under home (`~/.ssh`), a system
    directory (`/etc/nginx`, `/var`). Anywhere else (a project, /tmp, /srv/app, /var/tmp) is
    "here" (None), as after a plain `cd sub`. `home`: the absolute home, or None."""
    if not cwd or not cwd.startswith("/"):
        return None
    p = posixpath.normpath(cwd)
    if p.startswith("//"):
        p = "/" + p.lstrip("/")
    if home and home != "/" and (p == home or p.startswith(home + "/")):
        rest = p[len(home):]
        return "~" + rest if not rest or rest[1:2] == "." else None
    if p == "/":
        return "/"
    top = p.split("/")[1]
    if top in _SYSTEM_TREES or (p.count("/") == 1 and top in SYSTEM_DIRS) or p in CRITICAL_SUBDIRS:
        return p
    return None
