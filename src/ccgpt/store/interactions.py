"""Every model interaction, logged for `ccgpt history` (prompts and answers redacted first)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from ccgpt.options import CommonOptions
from ccgpt.store.db import Store, now


@dataclass
class Interaction:
    id: int
    ts: float
    command: str
    model: str | None
    backend: str | None
    prompt: str
    response: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    duration_ms: float | None


def log_interaction(
    store: Store,
    command: str,
    prompt: str,
    response: str | None,
    *,
    model: str | None = None,
    backend: str | None = None,
    system: str | None = None,
    prompt_tokens: int | None = None,
    completion_tokens: int | None = None,
    duration_ms: float | None = None,
    first_token_ms: float | None = None,
    session_id: int | None = None,
    error: str | None = None,
) -> int:
    from ccgpt.security.redact import redact

    with store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO interactions(ts, command, model, backend, system, prompt, response, prompt_tokens,"
            " completion_tokens, duration_ms, first_token_ms, session_id, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                now(), command, model, backend,
                redact(system) if system else system,
                redact(prompt),
                redact(response) if response else response,
                prompt_tokens, completion_tokens, duration_ms, first_token_ms, session_id, error,
            ),
        )
        return int(cur.lastrowid)


def search_interactions(store: Store, query: str | None = None, limit: int = 50) -> list[Interaction]:
    from ccgpt.store.audit import fts_query

    sql = (
        "SELECT id, ts, command, model, backend, prompt, response, prompt_tokens, completion_tokens, duration_ms"
        " FROM interactions"
    )
    params: list = []
    if query:
        sql += " WHERE id IN (SELECT rowid FROM interactions_fts WHERE interactions_fts MATCH ?)"
        params.append(fts_query(query))
    sql += " ORDER BY id DESC LIMIT ?"
    return [Interaction(*row) for row in store.conn.execute(sql, (*params, limit))]


def logging_enabled(cfg, opts: CommonOptions) -> bool:
    return bool(cfg.get("log", True)) and not opts.no_log


def log_quietly(cfg, opts: CommonOptions, command: str, prompt: str, completion, **extra) -> None:
    """Log one interaction; a broken store warns on stderr but never costs the user the answer."""
    if not logging_enabled(cfg, opts):
        return
    from ccgpt.store.db import open_store

    try:
        store = open_store()
        try:
            log_interaction(
                store,
                command,
                prompt,
                getattr(completion, "text", None),
                model=getattr(completion, "model", None),
                backend=getattr(completion, "backend", None),
                prompt_tokens=getattr(completion, "prompt_tokens", None),
                completion_tokens=getattr(completion, "completion_tokens", None),
                duration_ms=(completion.duration_s * 1000) if getattr(completion, "duration_s", None) else None,
                first_token_ms=(completion.first_token_s * 1000) if getattr(completion, "first_token_s", None) else None,
                **extra,
            )
        finally:
            store.close()
    except Exception as exc:  # CcgptError, OSError, sqlite3.Error: the answer matters more than its log
        print(f"ccgpt: warning: not logged to history: {exc}", file=sys.stderr)
