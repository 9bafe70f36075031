"""The config and data directories and the store: private to you, nothing world-writable."""

from __future__ import annotations

from pathlib import Path

from ccgpt.security.audit.findings import AuditContext, Finding, chmod_finding
from ccgpt.security.audit.perms import group_or_other_access, mode_of, world_writable_under


def check(ctx: AuditContext) -> list[Finding]:
    findings: list[Finding] = []
    for label, directory in (("configuration", ctx.config_dir), ("data", ctx.data_dir)):
        mode = mode_of(directory)
        if mode is None:
            continue
        if group_or_other_access(mode):
            findings.append(
                chmod_finding(
                    "dir-permissions",
                    "medium",
                    f"the {label} directory {directory} is open to other users (mode {mode:o}, should be 700)",
                    "it holds your history, keys and settings; other accounts should not list or enter it",
                    directory,
                    0o700,
                )
            )
    store = ctx.store_file
    for f in (store, store.with_name(store.name + "-wal"), store.with_name(store.name + "-shm")):
        mode = mode_of(f)
        if mode is not None and group_or_other_access(mode) and not (mode & 0o002):
            findings.append(
                chmod_finding(
                    "store-permissions",
                    "medium",
                    f"the store {f} is readable by other users (mode {mode:o}, should be 600)",
                    "it holds every prompt, answer and command ccgpt recorded",
                    f,
                    0o600,
                )
            )
    seen: set[Path] = set()
    for directory in (ctx.config_dir, ctx.data_dir):
        if not directory.is_dir():
            continue
        for p in world_writable_under(directory):
            if p in seen:
                continue
            seen.add(p)
            target = 0o700 if p.is_dir() else 0o600
            findings.append(
                chmod_finding(
                    "world-writable",
                    "high",
                    f"{p} is writable by every user",
                    "anyone on this machine could change what ccgpt reads: settings, rules, history, keys",
                    p,
                    target,
                )
            )
    return findings
