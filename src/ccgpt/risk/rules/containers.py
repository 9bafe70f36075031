"""Containers and clusters: docker/podman/nerdctl, kubectl/oc, helm; and the commands they run
inside a container (`docker exec c CMD`, `docker run IMG CMD`, `kubectl exec POD -- CMD`).

The policy does not name commands run inside a container. Reading: the inner command is
classified like any other, but what it destroys is the container's filesystem, not the host's,
so its level is capped at `dangerous` (`docker exec c rm -rf /` is destructive and hard to
undo, not a wipe of this machine). The cap does not apply when the container can reach the
host: a bind mount of `/`, a system directory, the home directory or the Docker socket
(`docker run -v /:/host img rm -rf /host` is `rm -rf /` on the host: container paths under the
mount are read as the host paths they are), or `--privileged`/`--pid=host` (host devices and
processes)."""

from __future__ import annotations

import re

from ccgpt.risk import paths as P
from ccgpt.risk.commands import short_flags
from ccgpt.risk.levels import Level
from ccgpt.risk.model import Cmd
from typing import TYPE_CHECKING

from ccgpt.risk.rules.catalog import rule

if TYPE_CHECKING:
    from ccgpt.risk.context import Context

CONTAINER_DESTRUCTIVE = rule("container-destructive")
CONTAINER_CHANGE = rule("container-change")
PRIVILEGED = rule("privileged")


_DOCKER_BOOL = frozenset("-d -i -t -P --rm --privileged --init --read-only --detach --interactive --tty "
                         "--publish-all --no-healthcheck --oom-kill-disable --help -q --quiet --no-deps "
                         "--service-ports --remove-orphans -T --no-TTY".split())
_DOCKER_BOOL_LETTERS = frozenset("ditPqT")


def _docker_inner(args: list[str], sub: str) -> tuple[list[str], list[tuple[str, str]], set[str]]:
    """The command of `run IMAGE CMD…` / `exec CONTAINER CMD…` (after the options), the bind
    mounts (host, container) and the option names given."""
    mounts: list[tuple[str, str]] = []
    seen: set[str] = set()
    entry: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            i += 1
            break
        if not a.startswith("-") or a == "-":
            break
        name, value = (a.split("=", 1) + [None])[:2] if a.startswith("--") else (a, None)
        if not a.startswith("--") and len(a) > 2:  # a cluster: -it, -dit, -v/x:/y, -eFOO=1
            if set(a[1:]) <= _DOCKER_BOOL_LETTERS:
                seen.update("-" + ch for ch in a[1:])
                i += 1
                continue
            k = next(k for k in range(1, len(a)) if a[k] not in _DOCKER_BOOL_LETTERS)
            name, value = "-" + a[k], a[k + 1:] or None
        seen.add(name or a)
        if name in _DOCKER_BOOL:
            i += 1
            continue
        if value is None:
            value = args[i + 1] if i + 1 < len(args) else ""
            i += 2
        else:
            i += 1
        seen.add(f"{name}={value}")
        if name == "--device":  # `--device=/dev/sda[:/dev/xvda[:rwm]]`: the host's device inside
            parts = value.split(":")
            mounts.append((parts[0], parts[1] if len(parts) > 1 and parts[1].startswith("/") else parts[0]))
        elif name in ("-v", "--volume"):
            parts = value.split(":")
            if len(parts) >= 2:
                mounts.append((parts[0], parts[1]))
        elif name == "--mount":
            kv = dict(x.split("=", 1) for x in value.split(",") if "=" in x)
            src = kv.get("source") or kv.get("src")
            dst = kv.get("target") or kv.get("destination") or kv.get("dst")
            if src and dst:
                mounts.append((src, dst))
        elif name == "--entrypoint":
            entry = [value]
    rest = args[i + 1:] if i < len(args) else []  # args[i] is the image or container
    return entry + rest, mounts, seen


# Capabilities that reach past the container: mounting, loading modules, raw devices, reading
# any file by handle (the "shocker" escape), tracing host processes
_HOST_CAPS = frozenset("ALL SYS_ADMIN SYS_MODULE SYS_RAWIO DAC_READ_SEARCH SYS_PTRACE BPF".split())


def host_root(seen: set[str]) -> bool:
    """`--privileged`, a host namespace (`--pid=host`, `--userns=host` with caps), a capability in
    _HOST_CAPS (`--cap-add=all`, `--cap-add CAP_SYS_ADMIN`) or a confinement switched off
    (`--security-opt apparmor=unconfined`, `seccomp=unconfined`, `label=disable`)."""
    if "--privileged" in seen or "--pid=host" in seen:
        return True
    for item in seen:
        name, _, value = item.partition("=")
        if name == "--cap-add" and any(c.upper().removeprefix("CAP_") in _HOST_CAPS for c in value.split(",")):
            return True
        if name == "--security-opt" and (value.endswith("=unconfined") or value.endswith(":unconfined")
                                         or value.replace(":", "=") == "label=disable"):
            return True
    return False


def _host_reaching(src: str) -> bool:
    return P.kind(src) in (P.ROOT, P.HOME, P.SYSTEM) or src.endswith("docker.sock") or P.in_system(src)


def _translate(words: list[str], mounts: list[tuple[str, str]]) -> list[str]:
    """Container paths under a bind mount are the host paths they mirror, also inside a word
    that is code (`sh -c 'rm -rf /host/*'`)."""
    for src, dst in mounts:
        dst = dst.rstrip("/")
        if not dst.startswith("/"):
            continue
        rx = re.compile(r"(?<![\w.~/-])" + re.escape(dst) + r"(?=/|$|[\s'\";|&)<>])")
        host = src.rstrip("/")

        def sub(m: re.Match, host=host) -> str:
            following = m.string[m.end():m.end() + 1]
            return host if following == "/" else (host or "/")  # `/host` alone is `/`

        words = [rx.sub(sub, w) for w in words]
    return words


def run_inside(cmd: Cmd, ctx: Context, inner: list[str], *, cap: bool, where: str) -> None:
    """Classify `inner` as a command run in a container; cap what it reaches at dangerous."""
    if not inner:
        return
    before = ctx.mark()
    sub = Cmd(list(inner), [cmd.span] * len(inner), cmd.span, [], None, True, None)
    sub.bases = [cmd.span] * len(inner)  # type: ignore[attr-defined]
    cmd.inner_output = ctx.run(sub)  # what the host pipes on
    if not cap:
        return
    ctx.cap(before, Level.DANGEROUS, f"inside {where} (not this machine)")


def containers(cmd: Cmd, ctx: Context) -> None:
    from ccgpt.risk.dryrun import dry_run
    from ccgpt.risk.subcommands import positional_indexes

    prog, args = cmd.argv[0], cmd.argv[1:]
    if prog in ("docker-compose", "podman-compose"):  # the v1 spelling of `docker compose`
        prog, args = prog.split("-")[0], ["compose"] + args
    where = positional_indexes([prog] + args)  # `kubectl -n prod delete …`: `prod` is -n's value
    words = [args[k - 1] for k in where]
    flags, _, _ = short_flags(args, where[0] if where else 0)  # the subcommand's own flags
    sub = words[0] if words else ""
    sub2 = words[1] if len(words) > 1 else ""
    if prog in ("kubectl", "oc", "helm"):
        if dry_run(prog, flags, args) and sub not in ("exec", "debug", "attach", "cp"):  # those have none
            return  # `kubectl delete --dry-run=client`, `helm uninstall --dry-run`: nothing applied
        if sub in ("delete", "drain", "uninstall", "replace") or (sub == "scale" and _replicas(args) == "0"):
            ctx.add(CONTAINER_DESTRUCTIVE, cmd.span, f"{prog} {sub} removes cluster resources")
        elif sub in ("get", "describe", "logs", "top", "version", "explain", "api-resources", "cluster-info", "list", "status", "history", "auth") or (sub == "config" and sub2 in ("view", "get-contexts", "current-context")):
            return
        else:
            ctx.add(CONTAINER_CHANGE, cmd.span, f"{prog} {sub} changes the cluster")
            if prog != "helm" and sub in ("exec", "debug", "run"):
                _kube_inner(cmd, ctx, args)
        return
    if sub == "compose" and sub2 == "down" and flags & {"-v", "--volumes", "--rmi"}:
        ctx.add(CONTAINER_DESTRUCTIVE, cmd.span, f"{prog} compose down -v deletes the project's volumes and their data")
    elif sub in ("system", "image", "container", "volume", "network", "builder") and sub2 in ("prune", "rm", "remove"):
        ctx.add(CONTAINER_DESTRUCTIVE, cmd.span, f"{prog} {sub} {sub2} deletes containers, images or volumes")
    elif sub in ("rm", "rmi", "kill") and (flags & {"-f", "--force"} or sub == "kill"):
        ctx.add(CONTAINER_DESTRUCTIVE, cmd.span, f"{prog} {sub} -f force-removes containers")
    elif sub in ("ps", "images", "logs", "inspect", "version", "info", "stats", "top", "history", "port", "diff", "search") or (sub in ("image", "container", "volume", "network", "compose") and sub2 in ("ls", "list", "inspect", "ps", "logs")):
        return
    else:
        ctx.add(CONTAINER_CHANGE, cmd.span, f"{prog} {sub} changes containers or images")
    _docker_exec(cmd, ctx, prog, args)


def _replicas(args: list[str]) -> str | None:
    """The value of `--replicas=N` / `--replicas N` (the last one given)."""
    found = None
    for k, a in enumerate(args):
        if a.startswith("--replicas="):
            found = a.split("=", 1)[1]
        elif a == "--replicas" and k + 1 < len(args):
            found = args[k + 1]
    return found


def _docker_exec(cmd: Cmd, ctx: Context, prog: str, args: list[str]) -> None:
    """`docker [container|compose] run|exec [OPTS] NAME CMD…`."""
    from ccgpt.risk.subcommands import positional_indexes

    where = [k - 1 for k in positional_indexes([prog] + args)]  # global options skipped
    if where and args[where[0]] in ("container", "compose"):
        where = where[1:]  # `docker compose -f FILE run …`
    k = where[0] if where else len(args)
    if k >= len(args) or args[k] not in ("run", "exec", "create"):
        return
    sub = args[k]
    inner, mounts, seen = _docker_inner(args[k + 1:], sub)
    reach = [(s, d) for s, d in mounts if _host_reaching(s)]
    privileged = host_root(seen)
    if reach or privileged:
        ctx.add(PRIVILEGED, cmd.span, f"{cmd.argv[0]} {sub} gives the container the host's root")
    if sub != "create":
        run_inside(cmd, ctx, _translate(inner, mounts), cap=not (reach or privileged), where="a container")


def _kube_inner(cmd: Cmd, ctx: Context, args: list[str]) -> None:
    """`kubectl exec POD [-c C] -- CMD…` (or the old form without `--`). `kubectl debug node/N`
    runs in the host's namespaces with the host's root mounted at /host: not capped."""
    from ccgpt.risk.subcommands import positional_indexes

    if "--" in args:
        inner = args[args.index("--") + 1:]
    else:
        ops = positional_indexes(["kubectl"] + args)  # exec POD CMD…, options and their values skipped
        inner = args[ops[1]:] if len(ops) > 2 and args[ops[0] - 1] == "exec" else []
    node = "debug" in args and any(x.startswith(("node/", "nodes/")) for x in args)
    if node:
        ctx.add(PRIVILEGED, cmd.span, "kubectl debug node/… runs with the node's root filesystem at /host")
    run_inside(cmd, ctx, _translate(inner, [("/", "/host")]) if node else inner, cap=not node, where="a pod")


PROGRAMS = {p: [containers] for p in ("docker", "podman", "nerdctl", "kubectl", "oc", "helm", "docker-compose",
                                      "podman-compose")}
GENERIC: list = []
