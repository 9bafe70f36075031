"""Permissions, power, processes, guards, persistence, traces and system packages."""

from __future__ import annotations

import re

from ccgpt.risk.lazyre import lazy_re
from ccgpt.risk import paths as P
from ccgpt.risk.commands import SHELLS, getopt, short_flags
from ccgpt.risk.rules.files import setuid_mode
from typing import TYPE_CHECKING

from ccgpt.risk.model import Cmd
from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

TAKEOVER = rule("takeover")
SYSTEM_PERMS = rule("system-perms")
PERMISSIONS = rule("permissions")
PERMISSIONS_NAMED = rule("permissions-named")
SYSTEM_CHANGE = rule("system-change")
STOP_SYSTEM = rule("stop-system")
KILL_PROCESSES = rule("kill-processes")
PROCESSES = rule("processes")
DISABLE_GUARD = rule("disable-guard")
ERASE_TRACES = rule("erase-traces")
PERSISTENCE = rule("persistence")
INSTALL_BUILD = rule("install-build")
SYSTEM_PACKAGES = rule("system-packages")
WRITE_FILES = rule("write-files")
PRIVILEGED = rule("privileged")


def chmod_like(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    flags, ops, _ = short_flags(cmd.argv)
    recursive = cmd.tree or bool(flags & {"-R", "--recursive"}) or (prog == "setfacl" and "-r" not in flags and "-R" in flags) \
        or (prog == "xattr" and "-r" in flags)
    if prog in ("xattr", "setfattr"):  # the values of -n/-v/-x/-w are attribute names, not targets
        _, ops, _ = short_flags(cmd.argv, prog="setfattr")
        if prog == "xattr" and not flags & {"-w", "-d", "-c"}:
            return  # lists or prints attributes
    mode = ops[0] if ops and prog in ("chmod", "chown", "chgrp") else ""
    targets = ops[1:] if prog in ("chmod", "chown", "chgrp") else ops
    if "--reference" in flags and prog in ("chmod", "chown", "chgrp"):
        mode, targets = "", _after_reference(cmd.argv)  # the mode/owner comes from RFILE: every operand is a target
    copies = ctx.files.get("\x00shell-copies", "").split("\x00")
    if prog == "chmod" and setuid_mode(mode) and any(
            t.rsplit("/", 1)[-1] in SHELLS or t.rsplit("/", 1)[-1] in ("python", "python3", "perl", "find", "vim", "env")
            or P.resolve(t, cmd.cwd) in copies for t in targets):
        ctx.add(TAKEOVER, cmd.span, "makes a shell or interpreter setuid: anyone becomes root")
        return
    if recursive:
        for t in targets:
            k = P.kind(t, cmd.cwd)
            if k in (P.ROOT, P.SYSTEM) or (k == P.CWD_ALL and cmd.cwd == "/"):
                ctx.add(SYSTEM_PERMS, cmd.span, f"recursive {prog} of {t}")
                return
        ctx.add(PERMISSIONS, cmd.span, f"recursive {prog} changes a whole tree")
        return
    if prog == "chmod" and (mode.endswith("777") or mode in ("a+rwx", "ugo+rwx", "o+w", "a+w") or setuid_mode(mode)):
        ctx.add(PERMISSIONS, cmd.span, f"chmod {mode} opens files to everyone or sets setuid")
        return
    if any(P.in_system(t, cmd.cwd) for t in targets):
        ctx.add(PERMISSIONS, cmd.span, f"{prog} on a system path")
        return
    ctx.add(PERMISSIONS_NAMED, cmd.span)


def _after_reference(argv: list[str]) -> list[str]:
    """The operands of `chown --reference=RFILE FILE…` / `--reference RFILE FILE…` (RFILE left out)."""
    _, ops, where = short_flags(argv)
    value_at = {k + 1 for k, a in enumerate(argv) if a.startswith("--ref") and "=" not in a and "--reference".startswith(a)}
    return [op for op, k in zip(ops, where) if k not in value_at]


def audit(cmd: Cmd, ctx: Context) -> None:
    args = cmd.argv[1:]
    if not args or set(args) <= {"-l", "-s", "-v", "--help"}:
        return
    if "-D" in args or any(a == "-e" and b == "0" for a, b in zip(args, args[1:])):
        ctx.add(DISABLE_GUARD, cmd.span, "auditctl -D / -e 0 removes or stops the audit rules")
        return
    ctx.add(SYSTEM_CHANGE, cmd.span, "auditctl changes the audit rules")


def sudoedit(cmd: Cmd, ctx: Context) -> None:
    ctx.add(PRIVILEGED, cmd.span, "sudoedit edits files as root")
    ctx.add(WRITE_FILES, cmd.span, "sudoedit changes the files it opens")


def power(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    if prog in ("init", "telinit") and not any(x in ("0", "6") for x in cmd.argv[1:]):
        ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes the runlevel")
        return
    if prog == "shutdown" and "-c" in cmd.argv:
        return
    ctx.add(STOP_SYSTEM, cmd.span, f"{prog} stops or restarts the machine")


def _signal_zero(prog: str, args: list[str]) -> bool:
    """Whether the signal sent is 0, which only tests that the processes exist (`kill -0 PID`,
    `kill -s 0`, `pkill -0 name`, `killall --signal 0`). Read as the tools do: the `-SIGNAL`
    form counts only as the first word (procps, psmisc), the last `--signal`/`-s` wins."""
    sig = args[0].removeprefix("-").upper().removeprefix("SIG") if args and args[0].startswith("-") else ""
    letters = ("-s", "-n") if prog == "kill" else ("-s",) if prog == "killall" else ()
    for k, a in enumerate(args):
        if a == "--" or prog == "kill" and k > 1:
            break
        name, eq, value = a.partition("=")
        if name == "--signal" or a in letters:
            sig = value if eq else (args[k + 1] if k + 1 < len(args) else "")
        elif a[:2] in letters and len(a) > 2:
            sig = a[2:]
    return sig == "0"


def kill(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    if prog in ("kill", "killall", "pkill") and _signal_zero(prog, cmd.argv[1:]):
        return  # signal 0: nothing is sent
    if prog in ("killall", "pkill", "killall5", "skill", "slay"):
        ctx.add(KILL_PROCESSES, cmd.span, f"{prog} kills every process matching a name")
        return
    args = cmd.argv[1:]
    if not args or args[0] in ("-l", "-L", "--list", "--table"):
        return
    i = 0
    if args[0] in ("-s", "-n", "--signal") and len(args) > 1:
        i = 2
    elif args[0].startswith("-") and args[0] != "--" and len(args) > 1:
        i = 1  # the signal: `kill -1 123` sends SIGHUP; `kill -9 -1` targets every process
    if args[i:i + 1] == ["--"]:
        i += 1
    targets = args[i:]
    if "-1" in targets or "1" in targets:
        ctx.add(KILL_PROCESSES, cmd.span, "kills every process (or init)")
        return
    ctx.add(PROCESSES, cmd.span, "kills a process")


def systemctl(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.subcommands import positionals

    args = positionals(cmd.argv)  # `systemctl -H prod stop sshd`: `prod` is -H's value
    verb = args[0] if args else ""
    if verb in ("poweroff", "reboot", "halt", "kexec", "suspend", "hibernate", "emergency", "rescue", "isolate", "soft-reboot"):
        ctx.add(STOP_SYSTEM, cmd.span, f"systemctl {verb} stops or restarts the machine")
    elif verb in ("stop", "disable", "mask", "kill", "unmask", "enable", "link", "edit", "set-default", "revert", "daemon-reexec"):
        ctx.add(DISABLE_GUARD if verb in ("stop", "disable", "mask", "kill") else PERSISTENCE, cmd.span,
              f"systemctl {verb} changes which services run")
    elif verb in ("status", "is-active", "is-enabled", "is-failed", "list-units", "list-unit-files", "show", "cat",
                  "list-timers", "list-sockets", "list-dependencies", "get-default", "help", "") or "--version" in cmd.argv:
        return
    else:
        ctx.add(PROCESSES, cmd.span, f"systemctl {verb} starts or reloads services")


def service(cmd: Cmd, ctx: Context) -> None:
    verb = cmd.argv[2] if len(cmd.argv) > 2 else ""
    if verb in ("stop",):
        ctx.add(DISABLE_GUARD, cmd.span, "stops a service")
    elif verb in ("status", "") or "--status-all" in cmd.argv:
        return
    else:
        ctx.add(PROCESSES, cmd.span, f"service {verb}")


def firewall(cmd: Cmd, ctx: Context) -> None:
    prog, args = cmd.argv[0], cmd.argv[1:]
    if prog == "ufw":
        if args[:1] in (["status"], ["app"], ["show"], ["version"], ["--version"]):
            return
        ctx.add(DISABLE_GUARD, cmd.span, f"ufw {' '.join(args[:1])} changes the firewall")
    elif prog in ("setenforce",):
        if args and args[0] in ("0", "Permissive", "permissive"):
            ctx.add(DISABLE_GUARD, cmd.span, "setenforce 0 turns SELinux enforcement off")
        else:
            ctx.add(SYSTEM_CHANGE, cmd.span)
    elif prog in ("iptables", "ip6tables", "nft", "firewall-cmd", "ebtables", "arptables", "iptables-restore"):
        flags = set(args)
        if prog in ("iptables", "ip6tables") and flags & {"-L", "--list", "-S", "--list-rules"} and not flags & {"-F", "-X", "-D", "-A", "-I", "-P", "-Z"}:
            return
        if prog == "nft" and args[:2] in (["list", "ruleset"], ["list", "tables"]) or (prog == "firewall-cmd" and any(x.startswith(("--list", "--get", "--query", "--state")) for x in args)):
            return
        ctx.add(DISABLE_GUARD, cmd.span, f"{prog} changes the firewall")
    elif prog in ("aa-disable", "aa-complain", "apparmor_parser", "aa-teardown"):
        ctx.add(DISABLE_GUARD, cmd.span, "weakens AppArmor")


# Capabilities that make a program root in all but name (reading 9: like a setuid shell).
_ROOT_CAPS = lazy_re(r"cap_(setuid|setgid|sys_admin|dac_override|dac_read_search|sys_ptrace|sys_module|chown|fowner)"
                     r"|^all[+=]|^=ep$", re.I)


def setcap(cmd: Cmd, ctx: Context) -> None:
    ops = [a for a in cmd.argv[1:] if not a.startswith("-")]
    if ops and _ROOT_CAPS.search(ops[0]) and ("+" in ops[0] or "=" in ops[0]) and "-" not in ops[0].split("+")[0][-1:]:
        ctx.add(TAKEOVER, cmd.span, f"setcap {ops[0]} lets that program act as root")
    else:
        ctx.add(SYSTEM_CHANGE, cmd.span, "setcap changes a program's capabilities")


def launchctl(cmd: Cmd, ctx: Context) -> None:
    sub = next((a for a in cmd.argv[1:] if not a.startswith("-")), "")
    if sub in ("load", "bootstrap", "enable", "submit", "kickstart"):
        ctx.add(PERSISTENCE, cmd.span, f"launchctl {sub} starts a job that runs at login or on a schedule")
    elif sub in ("unload", "bootout", "disable", "remove", "stop", "kill"):
        ctx.add(PROCESSES, cmd.span, f"launchctl {sub} stops a job")


def machinectl(cmd: Cmd, ctx: Context) -> None:
    sub = next((a for a in cmd.argv[1:] if not a.startswith("-")), "")
    if sub in ("shell", "login"):
        ctx.add(PRIVILEGED, cmd.span, f"machinectl {sub} opens a shell as another user (root by default)")
    elif sub not in ("list", "status", "show", "list-images", "image-status", "show-image"):
        ctx.add(SYSTEM_CHANGE, cmd.span, f"machinectl {sub} changes a machine or image")


def history(cmd: Cmd, ctx: Context) -> None:
    flags, _, _ = short_flags(cmd.argv)
    if flags & {"-c", "-d", "-w", "-r", "-a", "-n", "-s"}:
        ctx.add(ERASE_TRACES, cmd.span, "history -c/-d/-w rewrites the shell history")


def crontab(cmd: Cmd, ctx: Context) -> None:
    args = cmd.argv[1:]
    opts, first = getopt(cmd.argv, 1, required="un")  # -u USER: a value, not the file to install
    given = {name for name, _ in opts}
    if args and "-l" in given and given <= {"-l", "-u"} and first >= len(cmd.argv):
        return
    ctx.add(PERSISTENCE, cmd.span, "crontab installs, edits or removes scheduled jobs")
    if cmd.stdin is not None and cmd.stdin.kind == "text" and (not args or "-" in args):
        from ccgpt.risk.rules.payloads import cron_commands

        for command in cron_commands(cmd.stdin.text):  # `echo '@reboot rm -rf /' | crontab -`
            ctx.nested(command, cmd.span)


# Query options that only read the package database, whatever operands follow them.
_QUERIES = {
    "dpkg": frozenset("-l -L -s -S -p -c -I --list --listfiles --status --search --print-avail --contents --info "
                      "--get-selections --print-architecture --print-foreign-architectures --audit -C --verify -V "
                      "--compare-versions".split()),
    "dpkg-query": frozenset("-l -L -s -S -p -W -f --list --listfiles --status --search --show --showformat".split()),
    "rpm": frozenset("-q -qa -qi -ql -qf -qc -qd -qR --query --verify -V --checksig -K".split()),
    "pacman": frozenset("-Q -Qi -Ql -Qs -Qe -Qo -Qk -Ss -Si -Sl -Sg -F -Fl -Fo".split()),
    "apk": frozenset("info search list -v --version".split()),
}
# Simulation flags: apt-get -s / --simulate / --dry-run / --just-print, dnf --assumeno.
_DRY_RUN = frozenset("-s --simulate --dry-run --just-print --no-act --recon --assumeno".split())


def packages(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    verbs = [x for x in cmd.argv[1:] if not x.startswith("-")]
    verb = verbs[0] if verbs else ""
    readonly = {"list", "search", "show", "info", "policy", "depends", "rdepends", "madison", "query", "-Q", "-Ss",
                "-Si", "-Qi", "-Ql", "list-installed", "history", "check-update", "provides", "whatprovides", "repolist",
                "showpkg", "stats", "pkgnames", "changelog", "showsrc", "dump", "dumpavail", "unmet", "find", "outdated", "leaves", "deps", "uses", "desc", "--version",
                "-l", "-L", "-s", "-S", "-q", "-qa", "-qi", "-ql", "-qf", "--list", "--status", "--search", "--listfiles"}
    if verb in readonly or not cmd.argv[1:] or all(x in readonly or x in ("-Q", "-Qs", "-Ss", "-Si", "-Qi", "-Ql", "-Qe") for x in cmd.argv[1:]):
        return
    if cmd.argv[1] in _QUERIES.get(prog, ()) or _DRY_RUN & set(cmd.argv[1:]):
        return  # `dpkg -L bash`, `dpkg --get-selections`, `rpm -qf FILE`, `apt-get -s install x`
    if prog == "brew":
        ctx.add(INSTALL_BUILD, cmd.span, f"brew {verb} changes installed software")
        return
    ctx.add(SYSTEM_PACKAGES, cmd.span, f"{prog} {verb} changes system packages")


def kernel(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    if prog == "sysctl":
        if any(x in ("-w", "--write", "-p", "--load", "--system") or "=" in x for x in cmd.argv[1:]):
            ctx.add(SYSTEM_CHANGE, cmd.span, "sysctl changes kernel settings")
        return
    if prog in ("lsmod", "modinfo"):
        return
    ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes the running kernel or system configuration")


# The short options that take a value, per program (shadow-utils; Debian's adduser takes long ones)
_UID_OPTIONS = {"useradd": "bcdefgGkKpsuRPZ", "usermod": "cdefgGlpsuRPZvwVW", "adduser": ""}


def _uid_zero(argv: list[str], values: str) -> bool:
    """`-u 0`, `-ou0`, `--uid=0`, `--uid 0`: the account gets uid 0."""
    from ccgpt.risk.commands import getopt

    opts, _ = getopt(argv, 1, values, "", frozenset({"--uid", "--home-dir", "--shell", "--gid", "--groups",
                                                     "--comment", "--expiredate", "--inactive", "--password",
                                                     "--root", "--prefix", "--login", "--skel", "--key",
                                                     "--base-dir", "--selinux-user"}), permute=True)
    return any(name in ("-u", "--uid") and (value or "").strip().lstrip("0") == "" and (value or "").strip()
               for name, value in opts)


def accounts(cmd: Cmd, ctx: Context) -> None:
    prog = cmd.argv[0]
    if prog == "passwd" and (len(cmd.argv) == 1 or cmd.argv[1:] == ["-S"]):
        ctx.add(SYSTEM_CHANGE, cmd.span, "changes your password")
        return
    if prog in _UID_OPTIONS and _uid_zero(cmd.argv, _UID_OPTIONS[prog]):
        ctx.add(TAKEOVER, cmd.span, "creates a second uid-0 (root) account")
        return
    ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes users, groups or passwords")


def misc_state(cmd: Cmd, ctx: Context) -> None:
    prog, args = cmd.argv[0], cmd.argv[1:]
    if prog == "journalctl" and any(x.startswith(("--vacuum", "--rotate", "--flush")) for x in args):
        ctx.add(ERASE_TRACES, cmd.span, "journalctl --vacuum deletes system logs")
    elif prog == "dmesg" and any(x in ("-c", "-C", "--clear", "--read-clear") for x in args):
        ctx.add(ERASE_TRACES, cmd.span, "dmesg -c clears the kernel log")
    elif prog == "hostname" and any(not x.startswith("-") for x in args):
        ctx.add(SYSTEM_CHANGE, cmd.span, "sets the host name")
    elif prog == "date" and any(x in ("-s", "--set") or x.startswith("--set=") for x in args):
        ctx.add(SYSTEM_CHANGE, cmd.span, "sets the system clock")
    elif prog in ("nmcli", "rfkill", "ifdown", "ifup", "nmtui"):
        network_manager(cmd, ctx)
    elif prog in ("ip", "ifconfig", "route") and any(x in ("set", "add", "del", "delete", "flush", "down", "up", "change", "replace", "modify", "connection") for x in args):
        ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} changes network configuration")
    elif prog in ("base64", "base32", "basenc") and any(x == "-o" or x.startswith(("-o", "--output")) for x in args):
        out = next((args[k + 1] if x in ("-o", "--output") and k + 1 < len(args) else x.split("=", 1)[-1] if "=" in x else x[2:]
                    for k, x in enumerate(args) if x in ("-o", "--output") or x.startswith(("-o", "--output="))), "")
        from ccgpt.risk.rules.files import write_target

        write_target(cmd, ctx, out or P.DYNAMIC, cmd.span)  # BSD `base64 -o FILE` (sort: outputfiles.py)


# nmcli OBJECT [COMMAND]: the read-only commands of each object (nmcli accepts any prefix of
# an object's or command's name: `nmcli n off`, `nmcli con show`).
_NMCLI_READ = {"general": ("status", "permissions"), "networking": ("connectivity",), "radio": (),
               "connection": ("show",), "device": ("status", "show", "lldp"), "monitor": (), "help": (),
               "agent": ()}
_NMCLI_PRINT_ALONE = ("hostname", "logging", "wifi", "wwan", "all")  # without a value they print it


def _nmcli_reads(words: list[str]) -> bool:
    obj = next((o for o in _NMCLI_READ if words and o.startswith(words[0])), None)
    if not words or obj in ("monitor", "help", "agent"):
        return True
    if obj is None:
        return False
    rest = words[1:]
    if not rest or any(r.startswith(rest[0]) for r in _NMCLI_READ[obj]):
        return True
    if obj == "device" and "wifi".startswith(rest[0]):
        return rest[1:2] in ([], ["list"])  # `nmcli device wifi list`; `… wifi connect` changes
    return len(rest) == 1 and any(p.startswith(rest[0]) for p in _NMCLI_PRINT_ALONE)


def network_manager(cmd: Cmd, ctx: Context) -> None:
    """nmcli, rfkill, ifdown/ifup: what cuts or changes the network is a system change
    (`nmcli networking off`, `nmcli radio all off`, `rfkill block all`, `ifdown eth0`)."""
    from ccgpt.risk.subcommands import positionals

    prog = cmd.argv[0]
    words = positionals(cmd.argv)
    if prog == "rfkill" and (not words or words[0] in ("list", "event", "help")):
        return
    if prog == "nmcli" and _nmcli_reads(words):
        return  # `nmcli`, `nmcli general status`, `nmcli con show`, `nmcli radio wifi` (prints the state)
    ctx.add(SYSTEM_CHANGE, cmd.span, f"{prog} {' '.join(words[:2])} changes or cuts the network connection")


PROGRAMS = {
    **{p: [chmod_like] for p in ("chmod", "chown", "chgrp", "setfacl", "chattr", "xattr", "setfattr")},
    "auditctl": [audit], "sudoedit": [sudoedit],
    **{p: [power] for p in ("shutdown", "reboot", "halt", "poweroff", "init", "telinit")},
    **{p: [kill] for p in ("kill", "killall", "pkill", "killall5", "skill")},
    "systemctl": [systemctl], "service": [service],
    **{p: [firewall] for p in ("ufw", "setenforce", "iptables", "ip6tables", "nft", "firewall-cmd", "ebtables",
                                "iptables-restore", "aa-disable", "aa-complain", "apparmor_parser", "aa-teardown")},
    "setcap": [setcap], "launchctl": [launchctl], "machinectl": [machinectl],
    "history": [history], "crontab": [crontab],
    **{p: [packages] for p in ("apt", "apt-get", "aptitude", "dpkg", "dnf", "yum", "rpm", "pacman", "zypper", "apk",
                                "snap", "flatpak", "emerge", "brew", "port", "nix-env", "apt-cache", "apt-file", "dpkg-query")},
    **{p: [kernel] for p in ("sysctl", "modprobe", "insmod", "rmmod", "kexec", "update-grub", "grub-install",
                              "update-initramfs", "dracut", "visudo", "chpasswd", "lsmod", "modinfo")},
    **{p: [accounts] for p in ("passwd", "useradd", "userdel", "usermod", "adduser", "deluser", "groupadd",
                                "groupdel", "gpasswd", "chsh", "chage")},
    **{p: [misc_state] for p in ("journalctl", "dmesg", "hostname", "date", "ip", "ifconfig", "route", "nmcli", "rfkill",
                                  "ifdown", "ifup", "sort", "base64",
                                  "base32", "basenc")},
}
GENERIC: list = []
