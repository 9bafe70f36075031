"""`ccgpt audit`: a security self-check of this installation.

Each `checks_*` module looks at one thing and returns `Finding`s; `run_audit` runs them all
against an `AuditContext`, and `report` renders the result as text, JSON or SARIF.
"""

from __future__ import annotations

import os
from pathlib import Path

from ccgpt.security.audit.findings import AuditContext, ChmodFix, Finding, sort_findings

__all__ = ["AuditContext", "ChmodFix", "Finding", "build_context", "run_audit", "has_high"]


def build_context(config: str | None = None, project_dir: Path | None = None, *, probe_network: bool = True) -> AuditContext:
    from ccgpt import paths
    from ccgpt.config import find_config_file, load_config
    from ccgpt.errors import CcgptError

    path, _why = find_config_file(config)
    cfg = None
    error = None
    try:
        cfg = load_config(config, warn=False)
    except CcgptError as exc:
        error = str(exc)
    return AuditContext(
        config_path=path,
        config=cfg,
        config_error=error,
        project_dir=Path(project_dir or Path.cwd()),
        env=dict(os.environ),
        config_dir=paths.config_dir(),
        data_dir=paths.data_dir(),
        store_file=paths.store_file(),
        probe_network=probe_network,
    )


def run_audit(ctx: AuditContext) -> list[Finding]:
    from ccgpt.security.audit import (
        checks_config,
        checks_dbgpt,
        checks_docker,
        checks_gateway,
        checks_ollama,
        checks_sandbox,
        checks_store,
    )

    findings: list[Finding] = []
    for module in (checks_config, checks_dbgpt, checks_store, checks_ollama, checks_gateway, checks_sandbox,
                   checks_docker):
        findings += module.check(ctx)
    return sort_findings(findings)


def has_high(findings: list[Finding]) -> bool:
    return any(f.severity == "high" for f in findings)
