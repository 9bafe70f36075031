"""Ollama: reachable beyond loopback, CORS open to every site, a version with published CVEs."""

from __future__ import annotations

import datetime as _dt

from ccgpt.security.audit import network
from ccgpt.security.audit.environment import WHY_EXPOSED, bind_all_finding, check_environment
from ccgpt.security.audit.findings import AuditContext, Finding
from ccgpt.security.audit.vulndb import affecting, load_table, parse_version


def ollama_url(ctx: AuditContext) -> str:
    """Where ccgpt talks to Ollama: the config's proxy/ollama api_base, else OLLAMA_HOST."""
    cfg = ctx.config
    for entry in getattr(cfg, "llms", []) or []:
        if isinstance(entry, dict) and str(entry.get("provider", "")).endswith("ollama") and entry.get("api_base"):
            return str(entry["api_base"])
    return ctx.env.get("OLLAMA_HOST", "")


def check(ctx: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    env_host = ctx.env.get("OLLAMA_HOST")
    target = network.parse_ollama_host(ollama_url(ctx))
    findings += check_environment(ctx.env)  # OLLAMA_HOST=0.0.0.0, OLLAMA_ORIGINS=*
    if env_host is not None:
        findings += _check_env_host(network.parse_ollama_host(env_host), env_host)
    findings += _check_listeners(ctx, target.port)
    if not target.is_loopback and not target.binds_everywhere and target.scheme == "http":
        findings.append(
            Finding(
                "ollama-remote-plaintext",
                "medium",
                f"ccgpt talks to a remote Ollama over plain HTTP ({target.client_url()})",
                "prompts, answers and files you pass as context cross the network unencrypted and unauthenticated",
                "put `ccgpt serve` with keys and TLS in front of that Ollama (see docs/docker.md), or use an SSH tunnel: "
                f"ssh -N -L 11434:127.0.0.1:{target.port} {target.host}",
            )
        )
    findings += _check_version(ctx, target.client_url())
    return findings


def _check_env_host(hp: network.HostPort, raw: str) -> list[Finding]:
    """A specific address of this machine is as exposed as 0.0.0.0 (the wildcard case is the
    shared environment check's)."""
    if not hp.binds_everywhere and not hp.is_loopback and hp.host in network.local_addresses():
        return [bind_all_finding(raw, what="a network address")]
    return []


def _check_listeners(ctx: AuditContext, port: int) -> list[Finding]:
    wide = network.wide_listeners(port)
    answering: list[str] = []
    if ctx.probe_network:
        for addr in network.local_addresses():
            host = f"[{addr}]" if ":" in addr else addr
            if network.ollama_version(f"http://{host}:{port}", ctx.probe_timeout):
                answering.append(addr)
    if answering:
        return [
            Finding(
                "ollama-exposed",
                "high",
                f"Ollama answers on this machine's network address(es) {', '.join(answering)} port {port}",
                WHY_EXPOSED,
                "bind it to loopback: OLLAMA_HOST=127.0.0.1:11434 (systemd: sudo systemctl edit ollama), "
                f"or block the port: sudo ufw deny {port}/tcp",
            )
        ]
    if wide:
        return [
            Finding(
                "ollama-port-listening",
                "medium",
                f"a process listens on port {port} on {', '.join(wide)} (not only loopback)",
                "if it is Ollama, " + WHY_EXPOSED[0].lower() + WHY_EXPOSED[1:],
                f"find it with: ss -ltnp 'sport = :{port}'; bind Ollama to 127.0.0.1",
            )
        ]
    return []


def _check_version(ctx: AuditContext, url: str) -> list[Finding]:
    table = load_table()
    findings: list[Finding] = []
    age = (_dt.date.today() - table.updated).days
    if age > 365:
        findings.append(
            Finding(
                "ollama-vulndb-stale",
                "low",
                f"the table of Ollama vulnerabilities is {age} days old (updated {table.updated})",
                "newer advisories are not in it, so a clean version check means less",
                "upgrade ccgpt: pip install -U codexcontinue",
            )
        )
    if not ctx.probe_network:
        return findings
    version = network.ollama_version(url, ctx.probe_timeout)
    if version is None:
        findings.append(
            Finding(
                "ollama-unreachable",
                "info",
                f"no Ollama answered at {url}; its version was not checked",
                "the version check needs the server running",
                "start Ollama (ollama serve) and run ccgpt audit again",
            )
        )
        return findings
    try:
        vulns = affecting(version, table)
    except ValueError:
        return findings + [
            Finding(
                "ollama-version-unknown",
                "low",
                f"Ollama at {url} reports version {version!r}, which cannot be compared",
                "development builds cannot be matched against published advisories",
                "run a released version: https://github.com/ollama/ollama/releases",
            )
        ]
    if parse_version(version)[:3] == (0, 0, 0):
        return findings + [
            Finding(
                "ollama-version-unknown",
                "low",
                f"Ollama at {url} is a development build (version {version})",
                "development builds cannot be matched against published advisories",
                "run a released version: https://github.com/ollama/ollama/releases",
            )
        ]
    if not vulns:
        findings.append(
            Finding(
                "ollama-version",
                "info",
                f"Ollama {version} at {url}: no published vulnerability in the table (updated {table.updated})",
                "recorded so the report shows what was checked",
                "keep Ollama updated: https://github.com/ollama/ollama/releases",
            )
        )
        return findings
    findings.append(_vulnerable_finding(version, url, vulns))
    return findings


def _vulnerable_finding(version: str, url: str, vulns) -> Finding:
    severity = "high" if any(v.severity == "high" for v in vulns) else "medium"
    fixed = [v.fixed for v in vulns if v.fixed]
    upgrade = max(fixed, key=parse_version) if fixed else None
    ids = ", ".join(f"{v.id}{f' ({v.name})' if v.name else ''}" for v in vulns)
    unfixed = [v.id for v in vulns if not v.fixed]
    fix = f"upgrade Ollama to {upgrade} or later: curl -fsSL https://ollama.com/install.sh | sh" if upgrade else (
        "upgrade Ollama to the latest release: curl -fsSL https://ollama.com/install.sh | sh"
    )
    if unfixed:
        fix += f"; keep it on loopback ({', '.join(unfixed)} name no fixed release)"
    return Finding(
        "ollama-vulnerable-version",
        severity,
        f"Ollama {version} at {url} has published vulnerabilities: {ids}",
        "; ".join(f"{v.id}: {v.summary}" for v in vulns),
        fix,
    )
