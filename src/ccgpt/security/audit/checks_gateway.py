"""The gateway (`ccgpt serve`) settings: where it listens, with which keys, TLS and CORS."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ccgpt.security.audit.findings import AuditContext, Finding, chmod_finding
from ccgpt.security.audit.network import is_loopback_host
from ccgpt.security.audit.perms import group_or_other_access, mode_of


def active_keys(store_file: Path) -> int | None:
    """Unrevoked gateway keys in the store; None when the store or its table does not exist.

    Opened read-only: the audit must not create or migrate a store as a side effect.
    """
    if not store_file.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{store_file}?mode=ro", uri=True, timeout=2)
        try:
            return int(conn.execute("SELECT count(*) FROM api_keys WHERE revoked IS NULL").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def check(ctx: AuditContext) -> list[Finding]:
    cfg = ctx.config
    gw = cfg.section("gateway") if cfg is not None else {}
    host = str(gw.get("host") or "127.0.0.1")
    port = gw.get("port", 11435)
    where = str(ctx.config_path) if ctx.config_path else None
    findings: list[Finding] = []
    loopback = is_loopback_host(host)
    tls = bool(gw.get("tls_cert")) and bool(gw.get("tls_key"))
    if not loopback:
        keys = active_keys(ctx.store_file)
        if not keys:
            findings.append(
                Finding(
                    "gateway-no-keys",
                    "high",
                    f"the gateway is set to listen on {host}:{port} and no API key exists",
                    "with no key, `ccgpt serve` on a network address would hand your models to anyone who reaches it",
                    "create a key per person: ccgpt keys create NAME (or set [ccgpt.gateway] host = \"127.0.0.1\")",
                    path=where,
                )
            )
        if not tls:
            findings.append(
                Finding(
                    "gateway-no-tls",
                    "medium",
                    f"the gateway is set to listen on {host}:{port} without TLS",
                    "API keys, prompts and answers would cross the network in clear text",
                    "set [ccgpt.gateway] tls_cert and tls_key (see docs/docker.md), or terminate TLS in a reverse proxy",
                    path=where,
                )
            )
    origins = gw.get("cors_origins") or []
    if isinstance(origins, str):
        origins = [origins]
    if "*" in origins:
        findings.append(
            Finding(
                "gateway-cors-any",
                "high" if not loopback else "medium",
                "the gateway allows cross-origin requests from every web site (cors_origins = [\"*\"])",
                "any page open in your browser could call the gateway, and on loopback it needs no key",
                "list only the origins you use: cors_origins = [\"http://localhost:3000\"]",
                path=where,
            )
        )
    if gw.get("log_content"):
        findings.append(
            Finding(
                "gateway-log-content",
                "low",
                "the gateway records prompt and answer text (log_content = true)",
                "everyone's prompts end up in the local store, readable by whoever can read it",
                "set [ccgpt.gateway] log_content = false unless you need it",
                path=where,
            )
        )
    findings += _tls_key_findings(gw.get("tls_key"), where)
    return findings


def _tls_key_findings(key_file, where: str | None) -> list[Finding]:
    """The TLS private key named by [ccgpt.gateway] tls_key: present, and readable by its owner only."""
    findings: list[Finding] = []
    if key_file:
        kp = Path(str(key_file)).expanduser()
        mode = mode_of(kp)
        if mode is None:
            findings.append(
                Finding(
                    "gateway-tls-missing",
                    "medium",
                    f"the TLS key file {kp} does not exist",
                    "`ccgpt serve` cannot start with TLS",
                    "point tls_key at the private key of your certificate",
                    path=where,
                )
            )
        elif group_or_other_access(mode):
            findings.append(
                chmod_finding(
                    "gateway-tls-key-permissions",
                    "high",
                    f"the TLS private key {kp} is readable by other users (mode {mode:o})",
                    "whoever reads it can impersonate the gateway and read its traffic",
                    kp,
                    0o600,
                )
            )
    return findings
