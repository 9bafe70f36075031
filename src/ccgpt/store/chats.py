"""Chat sessions and their messages, so a conversation can be resumed (`ccgpt chat -c`)."""

from __future__ import annotations

from ccgpt.store.db import Store, now


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

    with store.transaction() as conn:
        t = now()
        conn.execute(
            "INSERT INTO chat_messages(session_id, ts, role, content) VALUES (?,?,?,?)",
            (session_id, t, role, redact(content)),
        )
        conn.execute(
            "UPDATE chat_sessions SET updated = ?, title = COALESCE(title, ?) WHERE id = ?",
            (t, content[:60] if role == "user" else None, session_id),
        )


def messages(store: Store, session_id: int) -> list[tuple[str, str]]:
    rows = store.conn.execute(
        "SELECT role, content FROM chat_messages WHERE session_id = ? ORDER BY id", (session_id,)
    )
    return [(r[0], r[1]) for r in rows]


def clear(store: Store, session_id: int) -> None:
    with store.transaction() as conn:
        conn.execute("DELETE FROM chat_messages WHERE session_id = ?", (session_id,))
