"""The local SQLite store: one file, WAL journal, owner-only permissions, forward migrations.

WAL plus `synchronous=NORMAL` means a process killed mid-write (even SIGKILL) leaves a
database that opens and passes `PRAGMA integrity_check`: the unfinished transaction is
simply not there. Every write goes through `transaction()`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

from ccgpt.errors import CcgptError
from ccgpt.paths import ensure_private_dir, store_file
from ccgpt.store.migrations import MIGRATIONS


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


def _migrate(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise CcgptError(
            f"the history database was written by a newer ccgpt (schema {version}); upgrade ccgpt"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        # executescript commits first, so each step is wrapped explicitly to stay atomic.
        conn.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating and migrating if needed) the store. `:memory:` is accepted for tests."""
    if path == ":memory:":
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        _migrate(conn)
        return Store(conn, None)
    target = Path(path) if path else store_file()
    try:
        ensure_private_dir(target.parent)
        if not target.exists():
            # Create it owner-only before SQLite writes a byte: history holds prompts and answers.
            fd = os.open(target, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
    except OSError as exc:  # a read-only or foreign home directory: say so in one line
        reason = (exc.strerror or str(exc)).lower()
        raise CcgptError(f"cannot write the history store in {target.parent}: {reason} "
                         f"(make it writable, or set CCGPT_DATA_DIR to a writable directory)") from None
    try:
        conn = sqlite3.connect(target, timeout=10, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn)
    except sqlite3.DatabaseError as exc:
        raise CcgptError(f"cannot open the history database {target}: {exc}") from exc
    return Store(conn, target)


def now() -> float:
    return time.time()
