"""The configuration file: who may read it, who owns it, and whether it holds secrets."""

from __future__ import annotations

import re
from pathlib import Path

from ccgpt.security.audit.findings import AuditContext, Finding, chmod_finding
from ccgpt.security.audit.perms import current_uid, group_or_other_access, mode_of, owner_name, owner_of, world_writable


def check(ctx: AuditContext) -> list[Finding]:
    path = ctx.config_path
    if path is None:
        return [
            Finding(
                "config-none",
                "info",
                "no configuration file: the built-in defaults apply",
                "the defaults bind everything to loopback and hold no secrets",
                "create one with `ccgpt config init` when you need to change a setting",
            )
        ]
    if not path.exists():
        return [
            Finding(
                "config-missing",
                "medium",
                f"the configuration file {path} does not exist",
                "ccgpt refuses to start with a configuration it cannot read",
                "create it with `ccgpt config init`, or fix --config / $CCGPT_CONFIG",
                path=str(path),
            )
        ]
    findings = _permission_findings(path)
    spath = str(path)
    if ctx.config_error:
        findings.append(
            Finding(
                "config-invalid",
                "medium",
                f"the configuration cannot be loaded: {ctx.config_error}",
                "every ccgpt command stops on it; the other checks used the built-in defaults",
                "fix the file, or recreate it with `ccgpt config init --force`",
                path=spath,
            )
        )
    cfg = ctx.config
    text = _read(path)
    for secret in getattr(cfg, "literal_secrets", []) or []:
        env_name = _env_name(secret.suggestion)
        findings.append(
            Finding(
                "config-literal-secret",
                "high",
                f"{secret.key} is a literal secret in the configuration file",
                "a key written in a file ends up in backups, dotfile repositories and bug reports",
                f"write {secret.suggestion} in the file and set it in your environment: export {env_name}=…",
                path=spath,
                line=_line_of(text, secret.key),
            )
        )
    return findings


def _permission_findings(path: Path) -> list[Finding]:
    """Who may write, read and own the configuration file."""
    findings: list[Finding] = []
    spath = str(path)
    mode = mode_of(path)
    if mode is not None and world_writable(mode):
        findings.append(
            chmod_finding(
                "config-world-writable",
                "high",
                f"the configuration file is writable by every user (mode {mode:o})",
                "anyone on this machine can point ccgpt at a model server of their choosing and read your prompts",
                path,
                0o600,
            )
        )
    elif mode is not None and group_or_other_access(mode):
        findings.append(
            chmod_finding(
                "config-permissions",
                "medium",
                f"the configuration file is readable by other users (mode {mode:o}, should be 600)",
                "it names your model servers and may hold keys; other accounts should not read it",
                path,
                0o600,
            )
        )
    uid = owner_of(path)
    if uid is not None and uid != current_uid():
        findings.append(
            Finding(
                "config-owner",
                "high",
                f"the configuration file is owned by {owner_name(uid)}, not by you ({owner_name(current_uid())})",
                "its owner decides where your prompts go and which rules apply",
                f"review it, then take it over: cp {spath} {spath}.mine && mv {spath}.mine {spath} && chmod 600 {spath}",
                path=spath,
            )
        )
    return findings


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _env_name(suggestion: str) -> str:
    m = re.search(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)", suggestion)
    return m.group(1) if m else "NAME"


def _line_of(text: str, dotted_key: str) -> int | None:
    """The line where the last part of a dotted key is assigned (first match is good enough)."""
    leaf = dotted_key.rsplit(".", 1)[-1]
    pattern = re.compile(rf"^\s*{re.escape(leaf)}\s*=", re.MULTILINE)
    m = pattern.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else None
