"""Chat sessions and their messages, so a conversation can be resumed (`ccgpt chat -c`)."""

from __future__ import annotations

from dataclasses import dataclass

from ccgpt.store.db import Store, now


@dataclass(frozen=True)
class Session:
    id: int
    created: float
    updated: float
    title: str | None  # the first line of the first message
    model: str | None
    backend: str | None
    messages: int


def create_session(store: Store, model: str, backend: str, title: str | None = None) -> int:
    with store.transaction() as conn:
        t = now()
        cur = conn.execute(
            "INSERT INTO chat_sessions(created, updated, title, model, backend) VALUES (?,?,?,?,?)",
            (t, t, title, model, backend),
        )
        return int(cur.lastrowid)


def latest_session(store: Store) -> int | None:
    row = store.conn.execute("SELECT id FROM chat_sessions ORDER BY updated DESC, id DESC LIMIT 1").fetchone()
    return row[0] if row else None


def session_exists(store: Store, session_id: int) -> bool:
    return store.conn.execute("SELECT 1 FROM chat_sessions WHERE id = ?", (session_id,)).fetchone() is not None


def add_message(store: Store, session_id: int, role: str, content: str) -> None:
    from ccgpt.security.redact import redact

    content = redact(content)  # the title is cut from it: redacted too
    with store.transaction() as conn:
        t = now()
        conn.execute(
            "INSERT INTO chat_messages(session_id, ts, role, content) VALUES (?,?,?,?)",
            (session_id, t, role, content),
        )
        conn.execute(
            "UPDATE chat_sessions SET updated = ?, title = COALESCE(title, ?) WHERE id = ?",
            (t, content.strip().split("\n", 1)[0][:60] if role == "user" else None, session_id),
        )


def messages(store: Store, session_id: int) -> list[tuple[str, str]]:
    rows = store.conn.execute(
        "SELECT role, content FROM chat_messages WHERE session_id = ? ORDER BY id", (session_id,)
    )
    return [(r[0], r[1]) for r in rows]


def clear(store: Store, session_id: int) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM chat_messages WHERE session_id = ?", (session_id,))


def sessions(store: Store, limit: int = 20, query: str | None = None) -> list[Session]:
    """Conversations with at least one message, most recently used first; `query` matches
    the words of any message (every word, case-insensitive)."""
    sql = ("SELECT s.id, s.created, s.updated, s.title, s.model, s.backend, COUNT(m.id) FROM chat_sessions s "
           "JOIN chat_messages m ON m.session_id = s.id")
    params: list = []
    words = (query or "").split()
    if words:
        sql += " WHERE " + " AND ".join(
            "EXISTS (SELECT 1 FROM chat_messages q WHERE q.session_id = s.id AND q.content LIKE ? ESCAPE '\\')"
            for _ in words)
        params += ["%" + w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%" for w in words]
    sql += " GROUP BY s.id ORDER BY s.updated DESC, s.id DESC LIMIT ?"
    return [Session(*row) for row in store.conn.execute(sql, (*params, limit))]


def delete_if_empty(store: Store, session_id: int) -> bool:
    """Forget a conversation that never got a message (one opened and left at once)."""
    with store.transaction() as conn:
        cur = conn.execute("DELETE FROM chat_sessions WHERE id = ? AND NOT EXISTS "
                           "(SELECT 1 FROM chat_messages WHERE session_id = ?)", (session_id, session_id))
        return cur.rowcount > 0
