"""Knowledge about programs: names, wrappers that run another command, shells, and the
read-only programs that need no finding at all."""

from __future__ import annotations

import unicodedata

from ccgpt.shell.lazyre import lazy_re

# Letters from other scripts that look like Latin ones (a short, practical confusables table).
_CONFUSABLE = str.maketrans({
    "а": "a", "с": "c", "е": "e", "о": "o", "р": "p", "х": "x", "у": "y", "ѕ": "s", "і": "i",
    "ј": "j", "ԁ": "d", "һ": "h", "ԛ": "q", "ԝ": "w", "ʀ": "r", "ɡ": "g", "ո": "n", "ᴍ": "m",
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "τ": "t", "κ": "k", "ι": "i", "υ": "u", "ϲ": "c",
    "А": "a", "В": "b", "С": "c", "Е": "e", "Н": "h", "К": "k", "М": "m", "О": "o", "Р": "p",
    "Т": "t", "Х": "x", "Ү": "y",
})
_INVISIBLE = lazy_re("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_VERSIONED = lazy_re(r"^(python|pip|perl|ruby|node|php|bash|zsh|ksh|lua|pypy|mksh)[0-9.]*$")


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


SHELLS = frozenset("sh bash zsh dash ksh ash mksh fish csh tcsh yash busybox-sh".split())
INTERPRETERS = {"python": "-c", "pypy": "-c", "perl": "-e", "ruby": "-e", "node": "-e", "php": "-r",
                "lua": "-e", "deno": "eval", "bun": "-e", "osascript": "-e", "tclsh": None, "awk": None}
NET_FETCH = frozenset("curl wget fetch http https aria2c lynx links w3m".split())
NET_PIPES = frozenset("nc ncat netcat socat telnet openssl cryptcat".split())
NET_SINKS = NET_FETCH | NET_PIPES | frozenset("scp sftp rsync ftp ssh rclone mail sendmail mutt".split())

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
cut dircolors tabs logname : su nice_show sha1 md5 shasum openssl_version json_pp xmllint tidy ccze
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
    "env": (frozenset("-u -C --unset --chdir".split()), 0, False),
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
    "nocache": (frozenset(), 0, False),
    "sg": (frozenset(), 1, False),
    "taskset": (frozenset(), 1, False),
    "numactl": (frozenset(), 0, False),
    "faketime": (frozenset(), 1, False),
}


def skip_options(argv: list[str], start: int, value_opts: frozenset) -> int:
    """Index of the first operand at or after `start`, skipping options (and their values)."""
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
        if a.startswith("--") and "=" in a:
            i += 1
            continue
        if not a.startswith("--") and len(a) > 2 and a[:2] in value_opts:
            i += 1  # -uroot
            continue
        i += 1
    return i


def short_flags(argv: list[str], start: int = 1, stop_at_operand: bool = False) -> tuple[set[str], list[str], list[int]]:
    """Split `-rf`, `-r -f`, `--recursive` and `--` into (flags, operands, operand indexes).

    Long flags are kept whole (`--recursive`); combined short flags are split letter by letter.
    After `--` everything is an operand, even `-f`."""
    flags: set[str] = set()
    operands: list[str] = []
    where: list[int] = []
    only_operands = False
    for i in range(start, len(argv)):
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
            flags.add(a.split("=", 1)[0])
        else:
            flags.update("-" + c for c in a[1:])
    return flags, operands, where
