"""The audit trail: what was proposed, what the person decided, what ran and how it ended.

Written by suggest, script, run and explain; read by `ccgpt history`. Findings and details
are stored as JSON text; command text is redacted of secrets before it is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ccgpt.store.db import Store, now


@dataclass
class AuditEvent:
    id: int
    ts: float
    kind: str
    task: str | None
    command: str | None
    level: str | None
    findings: list
    decision: str | None
    exit_code: int | None
    duration_ms: float | None
    detail: dict


def record(
    store: Store,
    kind: str,
    *,
    task: str | None = None,
    command: str | None = None,
    level: str | None = None,
    findings: list | None = None,
    decision: str | None = None,
    exit_code: int | None = None,
    duration_ms: float | None = None,
    detail: dict | None = None,
) -> int:
    """Insert one event and return its id (update it later with `update`)."""
    from ccgpt.security.redact import redact

    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO audit(ts, kind, task, command, level, findings, decision, exit_code, duration_ms, detail)"
            " VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                now(),
                kind,
                redact(task) if task else task,
                redact(command) if command else command,
                level,
                json.dumps(findings or []),
                decision,
                exit_code,
                duration_ms,
                json.dumps(detail or {}),
            ),
        )
        return int(cur.lastrowid)


def update(store: Store, event_id: int, **fields) -> None:
    """Set decision / exit_code / duration_ms / detail on an existing event."""
    allowed = {"decision", "exit_code", "duration_ms", "detail", "level", "findings", "command"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update audit fields {sorted(unknown)}")
    if not fields:
        return
    values = [json.dumps(v) if k in ("detail", "findings") else v for k, v in fields.items()]
    assignments = ", ".join(f"{k} = ?" for k in fields)
    with store.transaction() as conn:
        conn.execute(f"UPDATE audit SET {assignments} WHERE id = ?", (*values, event_id))


def _row(r) -> AuditEvent:
    return AuditEvent(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6] or "[]"), r[7], r[8], r[9], json.loads(r[10] or "{}"))


_COLUMNS = "a.id, a.ts, a.kind, a.task, a.command, a.level, a.findings, a.decision, a.exit_code, a.duration_ms, a.detail"


def search(store: Store, query: str | None = None, *, kind: str | None = None, limit: int = 50) -> list[AuditEvent]:
    """Newest first. `query` is full-text (FTS5) over task, command and decision."""
    where, params = [], []
    if query:
        where.append("a.id IN (SELECT rowid FROM audit_fts WHERE audit_fts MATCH ?)")
        params.append(fts_query(query))
    if kind:
        where.append("a.kind = ?")
        params.append(kind)
    sql = f"SELECT {_COLUMNS} FROM audit a"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.id DESC LIMIT ?"
    return [_row(r) for r in store.conn.execute(sql, (*params, limit))]


def fts_query(text: str) -> str:
    """Turn free text into a safe FTS5 query: every word quoted, all must match.

    Raw user text would otherwise be FTS5 syntax (`rm -rf` is a parse error there).
    """
    words = [w for w in text.replace('"', " ").split() if w]
    return " ".join(f'"{w}"' for w in words) or '""'
