"""The man_cache table: parsed man pages and `man -w` answers, keyed by a path or `which:NAME`.

Rows carry the modification time they were computed from; the caller (explain's ManCache)
decides whether a row is still valid. A failing read or write is not an error: the cache is
only a speed-up, an unwritable store must not stop an explanation.
"""

from __future__ import annotations

import json
import sqlite3

from ccgpt.store.db import Store


def get_entry(store: Store, key: str) -> tuple[float, object] | None:
    """(mtime, decoded data) of a row, or None when there is none (or it cannot be read)."""
    try:
        row = store.conn.execute("SELECT mtime, data FROM man_cache WHERE path = ?", (key,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None
    except (sqlite3.Error, ValueError):
        return None


def put_entry(store: Store, key: str, mtime: float, data: object) -> None:
    try:
        with store.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO man_cache(path, mtime, data) VALUES (?, ?, ?)",
                         (key, mtime, json.dumps(data)))
    except sqlite3.Error:
        pass
