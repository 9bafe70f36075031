"""Facts the user asked ccgpt to remember (`ccgpt memory`), with full-text search.

Text is redacted of secrets before it is stored, by the same redactor as the history: a
fact such as "the deploy token is ghp_…" keeps its meaning and loses its secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ccgpt.store.db import Store, now

# Words shorter than this, and these common ones, never make a fact "relevant": otherwise
# every question containing "the" would pull in every fact.
_MIN_WORD = 3
_STOP = frozenset(
    "the and for are but not you your with this that from have has was were what when where which who how why "
    "can could should would will shall may might must does did done into onto over under about than then them "
    "they there these those its it's our out all any some one two use using used get got make made like just "
    "also very more most much many here each only own same such too via per please tell show give me my".split()
)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Memory:
    id: int
    text: str
    created: float
    rank: float = 0.0  # bm25 score of a search (lower is better); 0 for plain listings

    def to_json(self) -> dict:
        return {"id": self.id, "text": self.text, "created": self.created}


def add(store: Store, text: str) -> Memory:
    from ccgpt.security.redact import redact

    clean = redact(text.strip())
    with store.transaction() as conn:
        t = now()
        cur = conn.execute("INSERT INTO memories(created, text) VALUES (?, ?)", (t, clean))
        return Memory(int(cur.lastrowid), clean, t)


def all_memories(store: Store) -> list[Memory]:
    rows = store.conn.execute("SELECT id, text, created FROM memories ORDER BY id")
    return [Memory(r[0], r[1], r[2]) for r in rows]


def forget(store: Store, memory_id: int) -> bool:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,)).rowcount > 0


def clear(store: Store) -> int:
    with store.transaction() as conn:
        return conn.execute("DELETE FROM memories").rowcount


def query_words(text: str) -> list[str]:
    """The words of `text` that can make a fact relevant (lower case, unique, in order)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= _MIN_WORD and word not in _STOP and not word.isdigit():
            seen.setdefault(word, None)
    return list(seen)


def search(store: Store, text: str, limit: int = 20) -> list[Memory]:
    """Facts sharing at least one meaningful word with `text`, best match (bm25) first."""
    words = query_words(text)[:64]
    if not words:
        return []
    # Every word quoted: user text is never FTS5 syntax. OR: one shared word is a match.
    match = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
    rows = store.conn.execute(
        "SELECT m.id, m.text, m.created, bm25(memories_fts) AS score FROM memories_fts"
        " JOIN memories m ON m.id = memories_fts.rowid WHERE memories_fts MATCH ? ORDER BY score, m.id LIMIT ?",
        (match, limit),
    )
    return [Memory(r[0], r[1], r[2], r[3]) for r in rows]
