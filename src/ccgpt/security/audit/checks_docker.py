"""Dockerfiles and compose files of the current project.

Rules (rule id: severity):
  docker-root-user: high        the final stage runs as root (no USER, or USER root/0)
  docker-unpinned-image: medium a FROM image is not pinned by digest (@sha256:…)
  docker-no-healthcheck: low    the final stage has no HEALTHCHECK
  compose-privileged: high      privileged: true
  compose-docker-socket: high   the Docker socket is mounted (root on the host)
  compose-ollama-published: high/low  Ollama's port published (all interfaces / loopback)
  compose-port-all-interfaces: medium  another port published on every interface
  compose-network-host: medium  network_mode: host (no port isolation at all)
  compose-no-new-privileges: medium   security_opt lacks no-new-privileges:true
  compose-no-limits: medium     missing memory, cpu or pids limit
  compose-root-user: high/medium      user: root, or an image whose default user is unknown
  compose-unpinned-image: medium      image without a digest
  compose-cap-drop: low         capabilities not dropped (cap_drop: [ALL])
  compose-not-read-only: low    root filesystem writable (read_only: true)
  ollama-origins-any, ollama-bind-all, env-literal-secret   a service's `environment:` or a
                                Dockerfile's ENV (the shared check of audit/environment.py)
"""

from __future__ import annotations

import os
from pathlib import Path

from ccgpt.security.audit import compose, dockerfile
from ccgpt.security.audit.environment import check_environment, compose_environment
from ccgpt.security.audit.findings import AuditContext, Finding

OLLAMA_PORT = 11434
_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache", "site-packages"}
_COMPOSE_NAMES = {"compose.yml", "compose.yaml", "docker-compose.yml", "docker-compose.yaml"}
_PIN_HOW = "pin it: docker buildx imagetools inspect IMAGE:TAG, then write IMAGE:TAG@sha256:DIGEST (docs/docker.md)"


def find_files(root: Path, max_depth: int = 3) -> tuple[list[Path], list[Path]]:
    dockerfiles: list[Path] = []
    composes: list[Path] = []
    root = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not (depth >= max_depth))
        for name in sorted(filenames):
            lower = name.lower()
            path = Path(dirpath) / name
            if lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile.") or lower.endswith(".dockerfile"):
                dockerfiles.append(path)
            elif lower in _COMPOSE_NAMES or (
                lower.startswith(("docker-compose.", "compose.")) and lower.endswith((".yml", ".yaml"))
            ):
                composes.append(path)
    return dockerfiles, composes


def check(ctx: AuditContext) -> list[Finding]:
    dockerfiles, composes = find_files(ctx.project_dir)
    findings: list[Finding] = []
    exposure = built_by_compose(composes)
    for path in dockerfiles:
        findings += check_dockerfile(path, _rel(path, ctx.project_dir), exposed=exposure.get(path.resolve()))
    for path in composes:
        findings += check_compose(path, _rel(path, ctx.project_dir))
    return findings


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def final_user(path: Path) -> tuple[str | None, bool]:
    """(the final stage's USER or None, whether the file could be read)."""
    text = _read(path)
    if text is None:
        return None, False
    st = dockerfile.stages(text)
    if not st:
        return None, True
    user = st[-1].last("USER")
    return (user.args if user else None), True


def built_by_compose(composes: list[Path]) -> dict[Path, bool]:
    """The Dockerfiles compose services build, each with whether one of those services is
    reachable from outside (what decides how bad an ENV OLLAMA_HOST=0.0.0.0 in it is)."""
    exposure: dict[Path, bool] = {}
    for path in composes:
        text = _read(path)
        try:
            services = compose.load_services(text) if text is not None else []
        except Exception:  # reported by check_compose; nothing to learn from it here
            continue
        for svc in services:
            df = _built_dockerfile(svc.data, path)
            if df is not None:
                exposure[df] = exposure.get(df, False) or _reachable_from_outside(svc.data)
    return exposure


def _built_dockerfile(d: dict, compose_path: Path) -> Path | None:
    build = d.get("build")
    if not build:
        return None
    context = build if isinstance(build, str) else str(build.get("context") or ".")
    name = "Dockerfile" if isinstance(build, str) else str(build.get("dockerfile") or "Dockerfile")
    return (compose_path.parent / context / name).resolve()


def check_dockerfile(path: Path, shown: str, *, exposed: bool | None = None) -> list[Finding]:
    """`exposed`: whether a compose service building this file is reachable from outside (None:
    no compose service of the project builds it)."""
    text = _read(path)
    if text is None:
        return []
    st = dockerfile.stages(text)
    if not st:
        return []
    findings: list[Finding] = []
    names = {s.name for s in st if s.name}
    for stage in st:
        image = stage.image
        if image.lower() == "scratch" or image in names or "@sha256:" in image:
            continue
        findings.append(
            Finding(
                "docker-unpinned-image",
                "medium",
                f"FROM {image} is not pinned by digest",
                "a tag can be moved to different content at any time; a digest names exactly the image you reviewed",
                _PIN_HOW,
                path=shown,
                line=stage.line,
            )
        )
    for env in dockerfile.env_settings(text):
        # One pair at a time, so that each finding names the line its variable is set on.
        findings += check_environment({env.name: env.value}, f"ENV in {shown}", path=shown, line=env.line,
                                      exposed=exposed)
    final = st[-1]
    user = final.last("USER")
    if user is None or dockerfile.is_root_user(user.args):
        findings.append(
            Finding(
                "docker-root-user",
                "high",
                "the image runs as root" + (f" (USER {user.args})" if user else " (no USER in the final stage)"),
                "a process escaping the application starts as root inside the container, one kernel bug away from the host",
                "add a user and switch to it: RUN useradd --uid 10001 --no-create-home app, then USER 10001",
                path=shown,
                line=user.line if user else final.line,
            )
        )
    if final.last("HEALTHCHECK") is None:
        findings.append(
            Finding(
                "docker-no-healthcheck",
                "low",
                "the final stage has no HEALTHCHECK",
                "without it a hung service looks healthy to Docker and to compose's depends_on",
                "add one, e.g. HEALTHCHECK CMD python -c \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:PORT/healthz')\"",
                path=shown,
                line=final.line,
            )
        )
    return findings


def check_compose(path: Path, shown: str) -> list[Finding]:
    text = _read(path)
    if text is None:
        return []
    try:
        services = compose.load_services(text)
    except compose.ComposeUnavailable:
        return [
            Finding(
                "compose-unchecked",
                "info",
                f"{shown} was not checked: PyYAML is not installed",
                "compose files are YAML",
                "pip install pyyaml",
                path=shown,
            )
        ]
    except Exception as exc:  # yaml.YAMLError and friends: report, never crash the audit
        return [
            Finding(
                "compose-invalid",
                "medium",
                f"{shown} is not valid YAML: {str(exc).splitlines()[0]}",
                "docker compose will refuse it, and nothing in it could be checked",
                f"docker compose -f {shown} config",
                path=shown,
            )
        ]
    findings: list[Finding] = []
    for svc in services:
        findings += _check_service(svc, path, shown)
    return findings


def _f(rule: str, severity: str, svc: compose.Service, what: str, why: str, fix: str, shown: str) -> Finding:
    return Finding(rule, severity, f"service {svc.name}: {what}", why, fix, path=shown, line=svc.line)


def _check_service(svc: compose.Service, path: Path, shown: str) -> list[Finding]:
    d = svc.data
    out: list[Finding] = []
    image = str(d.get("image") or "")
    # ollama/ollama and derived images named after it; any port such a service publishes is its API.
    is_ollama = image.split("@")[0].rsplit("/", 1)[-1].lower().startswith("ollama")
    if d.get("privileged") is True:
        out.append(_f("compose-privileged", "high", svc, "privileged: true",
                      "a privileged container has every capability and every device: it is root on the host",
                      "remove privileged: true; add only the device or capability needed (devices:, cap_add:)", shown))
    for vol in d.get("volumes") or []:
        source = vol.get("source", "") if isinstance(vol, dict) else str(vol).split(":", 1)[0]
        if str(source).rstrip("/") in ("/var/run/docker.sock", "/run/docker.sock") or str(source).endswith("docker.sock"):
            out.append(_f("compose-docker-socket", "high", svc, f"mounts the Docker socket ({source})",
                          "whoever controls the socket can start a privileged container: it is root on the host",
                          "remove the docker.sock volume; if a tool needs the API, use a filtering socket proxy", shown))
    if d.get("network_mode") == "host":
        out.append(_f("compose-network-host", "medium", svc, "network_mode: host",
                      "the container shares the host's network: every port it opens is open on the host's interfaces",
                      "use the default bridge network and publish only what is needed on 127.0.0.1", shown))
    for entry in d.get("ports") or []:
        pub = compose.parse_port(entry)
        if pub is None:
            continue
        loopback = pub.host_ip in ("127.0.0.1", "::1", "localhost") or pub.host_ip.startswith("127.")
        if is_ollama or pub.container_port == OLLAMA_PORT:
            out.append(_f("compose-ollama-published", "low" if loopback else "high", svc,
                          f"publishes Ollama's port {OLLAMA_PORT} on " + (pub.host_ip if pub.host_ip else "every interface"),
                          "Ollama has no authentication; other containers reach it over the compose network without publishing",
                          "remove the ports: entry of the Ollama service and reach it through the gateway (http://ollama:11434 inside the network)",
                          shown))
        elif not loopback:
            out.append(_f("compose-port-all-interfaces", "medium", svc,
                          f"publishes port {pub.container_port} on {pub.host_ip or 'every interface'}",
                          "every machine that can reach this host can connect to it",
                          f"publish it on loopback: \"127.0.0.1:{pub.host_port or pub.container_port}:{pub.container_port}\"",
                          shown))
    sec = [str(s).replace("=", ":").replace(" ", "") for s in d.get("security_opt") or []]
    if not any(s in ("no-new-privileges:true", "no-new-privileges") for s in sec):
        out.append(_f("compose-no-new-privileges", "medium", svc, "no-new-privileges is not set",
                      "setuid binaries in the image can raise a compromised process's privileges",
                      "add security_opt: [\"no-new-privileges:true\"]", shown))
    limits = ((d.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    missing = []
    if not (d.get("mem_limit") or limits.get("memory")):
        missing.append("memory")
    if not (d.get("cpus") or limits.get("cpus")):
        missing.append("cpus")
    if not (d.get("pids_limit") or limits.get("pids")):
        missing.append("pids")
    if missing:
        out.append(_f("compose-no-limits", "medium", svc, f"no limit on {', '.join(missing)}",
                      "one runaway request or fork bomb can starve the whole host",
                      "set deploy.resources.limits (memory: 8g, cpus: \"4\", pids: 512) or mem_limit / cpus / pids_limit",
                      shown))
    out += check_environment(compose_environment(d.get("environment")), f"service {svc.name}",
                             path=shown, line=svc.line, exposed=_reachable_from_outside(d))
    out += _user_findings(svc, path, shown)
    if image and not d.get("build") and "@sha256:" not in image:
        out.append(_f("compose-unpinned-image", "medium", svc, f"image {image} is not pinned by digest",
                      "a tag can be moved to different content at any time; a digest names exactly the image you reviewed",
                      _PIN_HOW, shown))
    caps = [str(c).upper() for c in d.get("cap_drop") or []]
    if "ALL" not in caps:
        out.append(_f("compose-cap-drop", "low", svc, "capabilities are not dropped",
                      "the default capability set (chown, setuid, net_raw, ...) is more than a model server needs",
                      "add cap_drop: [ALL] (and cap_add: only what is proven necessary)", shown))
    if d.get("read_only") is not True:
        out.append(_f("compose-not-read-only", "low", svc, "the root filesystem is writable",
                      "an intruder can modify the container's own programs",
                      "add read_only: true with tmpfs: [/tmp] and volumes for data", shown))
    return out


def _reachable_from_outside(d: dict) -> bool:
    if d.get("network_mode") == "host":
        return True
    for entry in d.get("ports") or []:
        pub = compose.parse_port(entry)
        if pub is not None and not (pub.host_ip in ("127.0.0.1", "::1", "localhost") or pub.host_ip.startswith("127.")):
            return True
    return False


def _user_findings(svc: compose.Service, path: Path, shown: str) -> list[Finding]:
    d = svc.data
    user = d.get("user")
    if user is not None:
        if dockerfile.is_root_user(str(user)):
            return [_f("compose-root-user", "high", svc, f"runs as root (user: {user})",
                       "a process escaping the application starts as root, one kernel bug away from the host",
                       "set user: to an unprivileged uid, e.g. user: \"10001:10001\"", shown)]
        return []
    df = _built_dockerfile(d, path)
    if df is not None:
        final, readable = final_user(df)
        if readable:
            # The Dockerfile's own audit reports a root final stage; say nothing twice.
            return []
        return [_f("compose-root-user", "medium", svc, f"builds from {df.name}, which could not be read to find its user",
                   "an image without USER runs as root", "set user: \"10001:10001\" on the service", shown)]
    return [_f("compose-root-user", "medium", svc, "runs as the image's default user, which is often root",
               "a process escaping the application starts as root, one kernel bug away from the host",
               "set user: to an unprivileged uid (user: \"10001:10001\") or build a derived image with USER", shown)]
