"""Knowledge about programs: names, wrappers that run another command, shells, and the
read-only programs that need no finding at all."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from ccgpt.risk.lazyre import lazy_re
from ccgpt.term.invisible import INVISIBLE

# Letters from other scripts that look like Latin ones (a short, practical confusables table).
_CONFUSABLE = str.maketrans({
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "ѕ": "s", "і": "i",
    "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ʀ": "r", "ɡ": "g", "ո": "n", "ᴍ": "m",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "υ": "u", "ϲ": "c",
    "А": "a", "В": "b", "С": "c", "Е": "e", "Н": "h", "К": "k", "М": "m", "О": "o", "Р": "p",
    "Т": "t", "Х": "x", "Ү": "y",
})
_INVISIBLE = lazy_re(f"[{INVISIBLE}]")
_VERSIONED = lazy_re(r"^(python|pip|perl|ruby|node|php|bash|zsh|ksh|lua|pypy|mksh)[0-9.]*$")


@lru_cache(maxsize=4096)  # the hottest call of a classification; command names repeat
def program(word: str) -> str:
    """`/usr/bin/rm` → `rm`, `python3.12` → `python`, `ｒｍ`/Cyrillic `гm` look-alikes → Latin."""
    name = word.rsplit("/", 1)[-1] if "/" in word else word
    if not name.isascii():
        name = unicodedata.normalize("NFKC", _INVISIBLE.sub("", name)).translate(_CONFUSABLE)
    name = name.lower()
    m = _VERSIONED.match(name)
    return m.group(1) if m else name


def confusable(word: str) -> bool:
    """True when a command name mixes in look-alike or invisible characters."""
    if word.isascii():
        return False
    return program(word).isascii()


SHELLS = frozenset("sh bash rbash zsh dash ksh ash mksh pdksh oksh loksh fish csh tcsh yash busybox-sh".split())
INTERPRETERS = {"python": "-c", "pypy": "-c", "perl": "-e", "ruby": "-e", "node": "-e", "php": "-r",
                "lua": "-e", "deno": "eval", "bun": "-e", "osascript": "-e", "tclsh": None, "awk": None,
                "rscript": "-e", "julia": "-e", "expect": "-c", "wish": None, "emacs": "--eval",
                "guile": "-c", "racket": "-e", "elixir": "-e", "groovy": "-e", "pwsh": "-c", "powershell": "-c"}
NET_FETCH = frozenset("curl wget fetch http https aria2c lynx links w3m".split())
NET_PIPES = frozenset("nc ncat netcat socat telnet openssl cryptcat".split())
# A secret in the arguments of a DNS lookup or ping leaves the machine too (`dig $(cat .env).x.io`).
NET_SINKS = NET_FETCH | NET_PIPES | frozenset("scp sftp rsync ftp ssh rclone mail sendmail mutt dig nslookup host drill "
                                              "ping ping6 traceroute".split())

# Programs that only read and print: no finding. Anything not known here or to a rule is
# `review` (an unknown program may change anything).
READ_ONLY = frozenset("""
ls dir vdir cat tac less more most head tail grep egrep fgrep rg ag ack wc du df stat file ps top htop
btop uname whoami id date echo printf sort uniq cut tr which type whereis locate man info help pwd cd
true false test [ [[ hostname uptime free lsblk lscpu lsusb lspci lsof ss netstat ping dig nslookup host
traceroute tracepath tree basename dirname realpath readlink md5sum sha1sum sha224sum sha256sum
sha384sum sha512sum b2sum cksum sum diff cmp comm column jq yq xxd od hexdump strings nl fold fmt paste join
expand unexpand rev seq yes sleep printenv env set declare local read wait jobs exit return shift break continue
getopts let vmstat iostat mpstat pidstat last lastlog w who groups nproc arch tty locale cal bc dc expr factor
base64 base32 basenc zcat zless zmore zgrep bzcat xzcat zstdcat lzcat tldr apropos whatis pgrep pstree
stty tput clear reset colordiff delta bat batcat fd fdfind fzf exa eza lsattr getfacl namei whois
numfmt shuf tsort pr look ldd nm objdump readelf size uptime users pinky timedatectl hostnamectl
lsmod modinfo sensors dmidecode lshw inxi neofetch screenfetch free iconv awk gawk mawk nawk sed
alias unalias hash compgen complete shopt trap umask ulimit times caller dirs popd pushd disown fg bg
cut dircolors tabs logname : blkid getent lslocks lsns lsipc findmnt su nice_show sha1 md5 shasum openssl_version json_pp xmllint tidy ccze
""".split())


# wrapper -> (options that take a value, positional operands before the command, privileged)
WRAPPERS: dict[str, tuple[frozenset, int, bool]] = {
    "sudo": (frozenset("-u -g -h -p -C -D -r -t -U -T -R --user --group --host --prompt --close-from "
                       "--chdir --role --type --other-user --command-timeout --chroot".split()), 0, True),
    "doas": (frozenset(["-u", "-C"]), 0, True),
    "pkexec": (frozenset(["--user"]), 0, True),
    "run0": (frozenset("-u --user -g --group -D --chdir --unit --property --description --setenv".split()), 0, True),
    "runuser": (frozenset("-u -g -G --user --group --supp-group -s --shell".split()), 0, True),
    "chroot": (frozenset(["--userspec", "--groups"]), 1, True),
    "env": (frozenset("-u -C -P --unset --chdir".split()), 0, False),
    "nohup": (frozenset(), 0, False),
    "setsid": (frozenset(), 0, False),
    "timeout": (frozenset("-s -k --signal --kill-after".split()), 1, False),
    "nice": (frozenset(["-n", "--adjustment"]), 0, False),
    "ionice": (frozenset("-c -n -p -P -u --class --classdata".split()), 0, False),
    "stdbuf": (frozenset("-i -o -e --input --output --error".split()), 0, False),
    "time": (frozenset("-f -o --format --output".split()), 0, False),
    "command": (frozenset(), 0, False),
    "builtin": (frozenset(), 0, False),
    "exec": (frozenset(["-a"]), 0, False),
    "busybox": (frozenset(), 0, False),
    "flock": (frozenset("-w -E --timeout --conflict-exit-code".split()), 1, False),
    "unbuffer": (frozenset(), 0, False),
    "caffeinate": (frozenset(["-t", "-w"]), 0, False),
    "xvfb-run": (frozenset(["-n", "-s", "-f", "-e"]), 0, False),
    "torsocks": (frozenset(), 0, False),
    "proxychains": (frozenset(["-f"]), 0, False),
    "proxychains4": (frozenset(["-f"]), 0, False),
    "firejail": (frozenset(), 0, False),
    "strace": (frozenset("-o -e -p -s -u -P -I".split()), 0, False),
    "ltrace": (frozenset("-o -e -p -s -u".split()), 0, False),
    "chronic": (frozenset(), 0, False),
    "systemd-run": (frozenset("-u --unit -p --property -E --setenv --uid --gid -M --machine --slice "
                              "--description".split()), 0, True),
    "catchsegv": (frozenset(), 0, False),
    # run the command they are given, after their own options (red-team round 6: they capped it)
    "systemd-inhibit": (frozenset("--what --who --why --mode".split()), 0, False),
    "dbus-launch": (frozenset(["--config-file", "--autolaunch"]), 0, False),
    "dbus-run-session": (frozenset(["--config-file", "--dbus-daemon"]), 0, False),
    "cpulimit": (frozenset("-l -p -e --limit --pid --exe".split()), 0, False),
    "trickle": (frozenset("-u -d -w -t -l -n".split()), 0, False),
    "schedtool": (frozenset("-a -p -n -R -F -B -D -I -N".split()), 0, False),
    "nocache": (frozenset(), 0, False),
    "taskset": (frozenset(), 1, False),
    "numactl": (frozenset(), 0, False),
    "faketime": (frozenset(), 1, False),
    "toybox": (frozenset(), 0, False),
    "coproc": (frozenset(), 0, False),
    "valgrind": (frozenset(), 0, False),
    "chrt": (frozenset("-T -P -D --sched-runtime --sched-period --sched-deadline".split()), 1, False),
    "unshare": (frozenset("-S -G -R -w --setuid --setgid --root --wd --map-user --map-group --map-users "
                          "--map-groups --propagation --setgroups".split()), 0, False),
    "nsenter": (frozenset("-t -S -G --target --setuid --setgid".split()), 0, True),
    "setpriv": (frozenset(), 0, False),
    "prlimit": (frozenset(["-p", "--pid"]), 0, False),
    "cgexec": (frozenset(["-g"]), 0, False),
    "gosu": (frozenset(), 1, True),
    "su-exec": (frozenset(), 1, True),
    "screen": (frozenset("-S -c -e -h -p -t -T -s".split()), 0, False),
    # a line-editing front end and a user-space chroot: both run the command they are given
    "rlwrap": (frozenset("-a -b -C -D -e -f -F -g -H -l -M -o -O -p -P -q -s -S -t -w -z".split()), 0, False),
    "proot": (frozenset("-r -b -m -w -q -k --rootfs --bind --mount --cwd --qemu --kernel-release".split()), 0, False),
}


# Options of a wrapper that set the wrapped command's directory (`sudo -D / rm -rf *` runs in /).
WRAPPER_CHDIR = {"sudo": ("-D", "--chdir"), "run0": ("-D", "--chdir"), "unshare": ("-w", "--wd"),
                 "systemd-run": ("", "--working-directory")}
# Programs that are another command under a new name (`npx rimraf /` is `rm -rf /`).
EQUIVALENTS = {"rimraf": ["rm", "-rf"], "del-cli": ["rm", "-rf"]}


def skip_options(argv: list[str], start: int, value_opts: frozenset) -> int:
    """Index of the first operand at or after `start`, skipping options (and their values).

    Read as getopt does: in a cluster (`-Eu root`, `-Euroot`) the first letter that takes a
    value ends the cluster and owns the rest of it or the next word; a long option may be
    abbreviated to any prefix (`--us root` is `--user root`)."""
    i, n = start, len(argv)
    while i < n:
        a = argv[i]
        if a == "--":
            return i + 1
        if not a.startswith("-") or a == "-":
            return i
        if a in value_opts:
            i += 2
            continue
        if a.startswith("--"):
            if "=" not in a and any(v.startswith(a) for v in value_opts if v.startswith("--")):
                i += 2
                continue
            i += 1
            continue
        for k in range(1, len(a)):
            if "-" + a[k] in value_opts:
                i += 1 if k + 1 < len(a) else 2  # -uroot / -Eu root
                break
        else:
            i += 1
    return i


def getopt(argv: list[str], start: int, required: str, optional: str = "",
           long_required: frozenset = frozenset(), long_optional: frozenset = frozenset(),
           permute: bool = False) -> tuple[list[tuple[str, str | None]], int]:
    """Options of argv[start:] read as GNU getopt_long does, and the index of the first operand.

    `required` letters take the rest of the cluster or the next word (`-n1`, `-n 1`); `optional`
    letters take a value only when it is attached (`xargs -e rm`: -e has no value, rm is the
    command; `-eEND` sets it); long options in `long_optional` take one only after `=`. With
    `permute` false the scan stops at the first operand (POSIXLY_CORRECT, xargs, sudo)."""
    opts: list[tuple[str, str | None]] = []
    i, n = start, len(argv)
    while i < n:
        a = argv[i]
        if a == "--":
            return opts, i + 1
        if not a.startswith("-") or a == "-":
            if not permute:
                return opts, i
            i += 1
            continue
        if a.startswith("--"):
            name, eq, val = a.partition("=")
            if eq:
                opts.append((name, val))
            elif name in long_required or (name not in long_optional and any(
                    x.startswith(name) for x in long_required) and not any(x == name for x in long_optional)):
                opts.append((name, argv[i + 1] if i + 1 < n else None))
                i += 1
            else:
                opts.append((name, None))
            i += 1
            continue
        for k in range(1, len(a)):
            ch = a[k]
            if ch in required:
                attached: str | None = a[k + 1:] or (argv[i + 1] if i + 1 < n else None)
                opts.append(("-" + ch, attached))
                i += 0 if a[k + 1:] else 1
                break
            if ch in optional:
                opts.append(("-" + ch, a[k + 1:] or None))
                break
            opts.append(("-" + ch, None))
        i += 1
    return opts, i


def long_option(word: str, longs: tuple | None) -> list[str]:
    """`--rec` → ['--recursive'] when the program's long options make the prefix unique, as
    getopt_long does; an ambiguous prefix (which getopt refuses) reads as every candidate."""
    name = word.split("=", 1)[0]
    if not longs or name[2:] in longs:
        return [name]
    hits = ["--" + x for x in longs if x.startswith(name[2:])]
    return hits or [name]


def short_flags(argv: list[str], start: int = 1, stop_at_operand: bool = False,
                prog: str | None = None) -> tuple[set[str], list[str], list[int]]:
    """Split `-rf`, `-r -f`, `--recursive` and `--` into (flags, operands, operand indexes).

    Long flags are kept whole (`--recursive`), abbreviations expanded (`--rec`) for programs in
    LONG_OPTIONS; combined short flags are split letter by letter, except that a letter in
    SHORT_VALUES takes the rest of the cluster or the next word as its value (never an operand).
    After `--` everything is an operand, even `-f`."""
    flags: set[str] = set()
    operands: list[str] = []
    where: list[int] = []
    only_operands = False
    if prog is None and start == 1 and argv:
        prog = argv[0]
    longs = LONG_OPTIONS.get(prog) if prog else None
    values = SHORT_VALUES.get(prog, "") if prog else ""
    skip = -1
    for i in range(start, len(argv)):
        if i == skip:
            continue
        a = argv[i]
        if only_operands or not a.startswith("-") or a == "-":
            operands.append(a)
            where.append(i)
            if stop_at_operand:
                only_operands = True
            continue
        if a == "--":
            only_operands = True
        elif a.startswith("--"):
            flags.update(long_option(a, longs))
        else:
            for k in range(1, len(a)):
                flags.add("-" + a[k])
                if a[k] in values:
                    if k + 1 == len(a):
                        skip = i + 1
                    break
    return flags, operands, where


def option_value(argv: list[str], short: str, long: str, start: int = 1) -> str | None:
    """The value of `-t DIR`/`-tDIR`/`-xtDIR`/`--target-directory DIR`/`--target-dir=DIR`
    (the last one given), read as getopt does; None when the option is absent."""
    prog = argv[0] if argv else ""
    longs = LONG_OPTIONS.get(prog)
    values = SHORT_VALUES.get(prog, "")
    found = None
    i = start
    while i < len(argv):
        a = argv[i]
        if a == "--":
            break
        if a.startswith("--"):
            if long in long_option(a, longs) or a.split("=", 1)[0] == long:
                found = a.split("=", 1)[1] if "=" in a else (argv[i + 1] if i + 1 < len(argv) else None)
                i += 1 if "=" in a else 2
                continue
        elif a.startswith("-") and len(a) > 1:
            for k in range(1, len(a)):
                if a[k] == short[1]:
                    found = a[k + 1:] or (argv[i + 1] if i + 1 < len(argv) else None)
                    i += 0 if a[k + 1:] else 1
                    break
                if a[k] in values:
                    i += 0 if a[k + 1:] else 1
                    break
        i += 1
    return found


# GNU long options of the programs whose rules read long flags: getopt_long accepts any
# unambiguous prefix (`rm --rec --for /`, `chmod --recur`, `mv --target=/tmp`).
_COREUTILS_COMMON = "help version verbose "
LONG_OPTIONS: dict[str, tuple] = {k: tuple((_COREUTILS_COMMON + v).split()) for k, v in {
    "rm": "force interactive one-file-system no-preserve-root preserve-root recursive dir",
    "chmod": "changes quiet silent no-preserve-root preserve-root reference recursive",
    "chown": "changes quiet silent dereference no-dereference from no-preserve-root preserve-root reference recursive",
    "chgrp": "changes quiet silent dereference no-dereference no-preserve-root preserve-root reference recursive",
    "mv": "backup force interactive no-clobber no-copy strip-trailing-slashes suffix target-directory "
          "no-target-directory update context exchange debug",
    "cp": "archive attributes-only backup copy-contents dereference force interactive link no-dereference "
          "no-clobber preserve no-preserve parents recursive reflink remove-destination sparse "
          "strip-trailing-slashes symbolic-link suffix target-directory no-target-directory update "
          "one-file-system context debug keep-directory-symlink",
    "ln": "backup directory force interactive logical no-dereference physical relative symbolic suffix "
          "target-directory no-target-directory",
    "install": "backup compare directory group mode owner preserve-timestamps strip strip-program suffix "
               "target-directory no-target-directory context debug",
    "shred": "force iterations random-source size remove exact zero",
    "truncate": "no-create io-blocks reference size",
    "tar": "extract get create list append update concatenate delete diff compare directory file "
           "to-command checkpoint checkpoint-action use-compress-program overwrite gzip bzip2 xz zstd "
           "auto-compress exclude transform strip-components keep-old-files skip-old-files",
    "unzip": "",
    "wget": "output-document output-file post-data post-file body-data body-file method directory-prefix "
            "quiet spider input-file",
    # git's parse-options accepts unambiguous prefixes too (`git push --forc`, `git reset --har`).
    "git-push": "force force-with-lease force-if-includes mirror delete prune all tags follow-tags dry-run "
                "porcelain set-upstream no-verify atomic repo receive-pack exec push-option quiet progress",
    "git-reset": "hard soft mixed merge keep quiet no-refresh refresh pathspec-from-file recurse-submodules",
    "git-clean": "force dry-run quiet exclude interactive",
    "git-branch": "delete force create-reflog move copy list show-current all remotes contains merged "
                  "no-merged set-upstream-to unset-upstream track no-track edit-description sort points-at",
    "git-checkout": "quiet force ours theirs track no-track detach orphan merge conflict patch progress "
                    "pathspec-from-file pathspec-file-nul",
    "git-restore": "source staged worktree ours theirs merge conflict patch progress overlay no-overlay "
                   "pathspec-from-file pathspec-file-nul",
    "git-switch": "create force-create detach guess discard-changes force merge conflict quiet progress track orphan",
    "setfacl": "modify modify-file remove remove-file remove-all remove-default set set-file recursive",
}.items()}
# Short options that take a value: the rest of the cluster or the next word is that value.
SHORT_VALUES = {"setfattr": "nvxh", "curl": "AbcCdDeEFHKmoPQrTuUwxXyYzt", "mv": "tS", "cp": "tS", "ln": "tS", "install": "tSgmo", "tar": "CfbTXIFgKLNV",
                "unzip": "dx", "shred": "ns", "truncate": "sr", "chmod": "", "chown": "", "setfacl": "mMxX",
                # database clients (rules/databases.py reads their query options with these)
                "psql": "cdfFhLopPRTUv", "mysql": "eDhPSu", "mariadb": "eDhPSu", "sqlcmd": "QqSUPdiot",
                "clickhouse-client": "qhud", "mongo": "up", "mongosh": "up", "redis-cli": "hpanu"}
