"""Gateway keys and the usage log in PostgreSQL, for replicas on several machines.

`[ccgpt.gateway] database_url = "postgresql://…"` (or `CCGPT_DATABASE_URL`) selects it; without
it the SQLite store is used, as before. The tables are those of SQLite (`api_keys`, `key_usage`),
created by forward migrations run under an advisory lock, so two replicas starting at once do
not race. psycopg 3 with its pool (the `team` extra), imported only here.

Same interface as `KeyStore`. It is not `local`: a gateway cannot probe it on every request, so
it polls it (and listens for a Redis notice, see gateway/keywatch.py).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, List

from ccgpt.errors import CcgptError, UsageError
from ccgpt.store.keys import (USAGE_UPSERT, KeyRecord, UsageCounts, UsageRow, _COLUMNS, _row, prepare,
                              usage_query)

_LOCK = 0x63637074  # "ccpt": one advisory lock id for ccgpt's migrations

MIGRATIONS = [
    """
    CREATE TABLE api_keys (
        id BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        hash TEXT NOT NULL,
        created DOUBLE PRECISION NOT NULL,
        revoked DOUBLE PRECISION,
        models TEXT,
        rpm INTEGER, tpm INTEGER,
        admin BOOLEAN NOT NULL DEFAULT FALSE,
        last_used DOUBLE PRECISION
    );
    CREATE TABLE key_usage (
        key_name TEXT NOT NULL,
        day TEXT NOT NULL,
        requests BIGINT NOT NULL DEFAULT 0,
        prompt_tokens BIGINT NOT NULL DEFAULT 0,
        completion_tokens BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (key_name, day)
    );
    """,
]


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


class PgKeyStore:
    local = False

    def __init__(self, url: str, *, max_size: int = 4, timeout: float = 5.0) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise CcgptError("database_url needs psycopg: pip install 'codexcontinue[team]'") from None
        self.url = url
        self._errors: tuple[type[Exception], ...] = (psycopg.Error,)
        self._pool = ConnectionPool(url, min_size=1, max_size=max_size, timeout=timeout, open=False,
                                    check=ConnectionPool.check_connection,
                                    kwargs={"autocommit": True, "connect_timeout": max(1, int(timeout))})
        try:
            self._pool.open(wait=True, timeout=timeout)
            self._migrate()
        except Exception as exc:
            self._pool.close()
            raise self._unreachable(exc) from None

    def _unreachable(self, exc: Exception) -> CcgptError:
        detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        return CcgptError(f"cannot use the PostgreSQL key store at {safe_url(self.url)}: {detail}")

    def _run(self, fn: Any) -> Any:
        """fn(connection) with one clear error for a database that cannot be reached."""
        try:
            with self._pool.connection() as conn:
                return fn(conn)
        except UsageError:
            raise
        except Exception as exc:
            if isinstance(exc, self._errors) or type(exc).__name__ == "PoolTimeout":
                raise self._unreachable(exc) from None
            raise

    def _migrate(self) -> None:
        def step(conn: Any) -> None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
                conn.execute("CREATE TABLE IF NOT EXISTS ccgpt_schema (version INTEGER NOT NULL)")
                row = conn.execute("SELECT max(version) FROM ccgpt_schema").fetchone()
                version = row[0] or 0
                if version > len(MIGRATIONS):
                    raise CcgptError(f"the key database was written by a newer ccgpt (schema {version}); upgrade ccgpt")
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    conn.execute(script)
                    conn.execute("INSERT INTO ccgpt_schema (version) VALUES (%s)", (number,))

        with self._pool.connection() as conn:
            step(conn)

    def create(self, name: str, *, models: list[str] | str | None = None, rpm: int | None = None,
               tpm: int | None = None, admin: bool = False) -> tuple[KeyRecord, str]:
        models, rpm, tpm, key, prefix, digest = prepare(name, models, rpm, tpm)

        def insert(conn: Any) -> Any:
            with conn.transaction():
                if conn.execute("SELECT 1 FROM api_keys WHERE name = %s", (name,)).fetchone():
                    raise UsageError(f"a key named {name!r} already exists (revoked keys keep their name)")
                return conn.execute(
                    f"INSERT INTO api_keys (name, prefix, hash, created, models, rpm, tpm, admin) "
                    f"VALUES (%s,%s,%s,%s,%s,%s,%s,%s) RETURNING {_COLUMNS}",
                    (name, prefix, digest, time.time(), json.dumps(models) if models is not None else None,
                     rpm, tpm, bool(admin))).fetchone()

        return _row(self._run(insert)), key

    def list(self, include_revoked: bool = True) -> list[KeyRecord]:
        sql = f"SELECT {_COLUMNS} FROM api_keys" + ("" if include_revoked else " WHERE revoked IS NULL")
        return [_row(r) for r in self._run(lambda c: c.execute(sql + " ORDER BY id").fetchall())]

    def get(self, name: str) -> KeyRecord | None:
        r = self._run(lambda c: c.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE name = %s", (name,)).fetchone())
        return _row(r) if r else None

    def revoke(self, name: str) -> KeyRecord:
        def update(conn: Any) -> Any:
            r = conn.execute("UPDATE api_keys SET revoked = coalesce(revoked, %s) WHERE name = %s "
                             f"RETURNING {_COLUMNS}", (time.time(), name)).fetchone()
            if r is None:
                raise UsageError(f"no key named {name!r} (see `ccgpt keys list`)")
            return r

        return _row(self._run(update))

    def record_usage(self, used: dict[str, float], counts: UsageCounts) -> None:
        def write(conn: Any) -> None:
            with conn.transaction(), conn.cursor() as cur:
                cur.executemany("UPDATE api_keys SET last_used = greatest(coalesce(last_used, 0), %s) WHERE name = %s",
                                [(ts, name) for name, ts in used.items()])
                cur.executemany(USAGE_UPSERT.format(p="%s"), [(n, d, *c) for (n, d), c in counts.items()])

        self._run(write)

    def touch(self, used: dict[str, float]) -> None:
        self.record_usage(used, {})

    def usage(self, name: str | None = None, since: str | None = None) -> List[UsageRow]:  # noqa: UP006 (list is a method here)
        sql, args = usage_query(name, since, "%s")
        return [UsageRow(r[0], r[1], int(r[2]), int(r[3]), int(r[4]))
                for r in self._run(lambda c: c.execute(sql, args).fetchall())]

    def close(self) -> None:
        self._pool.close()
