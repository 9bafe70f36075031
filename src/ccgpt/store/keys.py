"""Gateway API keys: create (shown once), list, revoke, verify.

A key is `ccgpt_` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored.
Why no per-key salt or slow KDF: salts and stretching defend low-entropy secrets (passwords)
against dictionary attacks; a 256-bit random key cannot be guessed, so a plain SHA-256 is as
strong and lets the gateway verify a key in microseconds on every request. The stored hash is
still "salted" by a fixed, versioned domain string so a leaked table cannot be matched
against hashes of keys used elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import List

from ccgpt.errors import UsageError

KEY_PREFIX = "ccgpt_"
_DOMAIN = b"ccgpt-gateway-key-v1:"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Model names as Ollama and OpenAI-compatible servers spell them (namespace/name:tag).
_MODEL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]{0,199}$")


@dataclass
class KeyRecord:
    id: int
    name: str
    prefix: str
    hash: str
    created: float
    revoked: float | None = None
    models: list[str] | None = None  # None: every model
    rpm: int | None = None
    tpm: int | None = None
    admin: bool = False
    last_used: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.revoked is None

    def public(self) -> dict:
        """What `keys list --json` shows: never the hash."""
        return {
            "name": self.name,
            "prefix": self.prefix,
            "created": self.created,
            "revoked": self.revoked,
            "models": self.models,
            "rpm": self.rpm,
            "tpm": self.tpm,
            "admin": self.admin,
            "last_used": self.last_used,
        }


def hash_key(key: str) -> str:
    return hashlib.sha256(_DOMAIN + key.encode("utf-8", "surrogatepass")).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise UsageError(
            f"invalid key name {name!r}: 1-64 characters, letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return name


def normalize_models(models: list[str] | str | None) -> list[str] | None:
    if models is None:
        return None
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",")]
    out = [m for m in models if m]
    for m in out:
        if not _MODEL_RE.match(m):
            raise UsageError(f"invalid model name {m!r} in --models")
    if not out:
        raise UsageError("--models needs at least one model name (omit it to allow every model)")
    return out


def _positive(value, flag: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UsageError(f"{flag} must be a positive integer")
    return value


def _row(r) -> KeyRecord:
    models = None
    if r[6] is not None:
        try:
            parsed = json.loads(r[6])
            models = [str(m) for m in parsed] if isinstance(parsed, list) else None
        except ValueError:
            models = []  # unreadable allow-list: fail closed, allow nothing
    return KeyRecord(
        id=r[0], name=r[1], prefix=r[2], hash=r[3], created=r[4], revoked=r[5], models=models,
        rpm=r[7], tpm=r[8], admin=bool(r[9]), last_used=r[10],
    )


_COLUMNS = "id, name, prefix, hash, created, revoked, models, rpm, tpm, admin, last_used"


@dataclass(frozen=True)
class UsageRow:
    name: str
    day: str  # YYYY-MM-DD, UTC
    requests: int
    prompt_tokens: int
    completion_tokens: int

    def public(self) -> dict:
        return {"name": self.name, "day": self.day, "requests": self.requests,
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens}


# (key name, day) -> [requests, prompt tokens, completion tokens]
UsageCounts = dict[tuple[str, str], list[int]]

USAGE_UPSERT = (
    "INSERT INTO key_usage (key_name, day, requests, prompt_tokens, completion_tokens) VALUES ({p}, {p}, {p}, {p}, {p}) "
    "ON CONFLICT (key_name, day) DO UPDATE SET requests = key_usage.requests + excluded.requests, "
    "prompt_tokens = key_usage.prompt_tokens + excluded.prompt_tokens, "
    "completion_tokens = key_usage.completion_tokens + excluded.completion_tokens"
)


def usage_query(name: str | None, since: str | None, p: str) -> tuple[str, list]:
    sql = "SELECT key_name, day, requests, prompt_tokens, completion_tokens FROM key_usage WHERE 1 = 1"
    args: list = []
    if name:
        sql += f" AND key_name = {p}"
        args.append(name)
    if since:
        sql += f" AND day >= {p}"
        args.append(since)
    return sql + " ORDER BY day, key_name", args


def prepare(name: str, models: list[str] | str | None, rpm: int | None, tpm: int | None) -> tuple:
    """Validated values for a new key, and the key itself: (models, rpm, tpm, key, prefix, hash)."""
    validate_name(name)
    models = normalize_models(models)
    rpm = _positive(rpm, "--rpm")
    tpm = _positive(tpm, "--tpm")
    key = new_key()
    return models, rpm, tpm, key, key[: len(KEY_PREFIX) + 6], hash_key(key)


class KeyStore:
    """Key operations on an open `ccgpt.store.db.Store` (SQLite, the zero-setup default)."""

    local = True  # a cheap per-request change probe (data_version); PgKeyStore is polled instead

    def __init__(self, store):
        self.store = store

    def create(
        self,
        name: str,
        *,
        models: list[str] | str | None = None,
        rpm: int | None = None,
        tpm: int | None = None,
        admin: bool = False,
    ) -> tuple[KeyRecord, str]:
        """Create a key; returns the record and the plaintext key (the only time it exists)."""
        models, rpm, tpm, key, prefix, digest = prepare(name, models, rpm, tpm)
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM api_keys WHERE name = ?", (name,)).fetchone():
                raise UsageError(f"a key named {name!r} already exists (revoked keys keep their name)")
            cur = conn.execute(
                "INSERT INTO api_keys (name, prefix, hash, created, models, rpm, tpm, admin) VALUES (?,?,?,?,?,?,?,?)",
                (name, prefix, digest, time.time(), json.dumps(models) if models is not None else None,
                 rpm, tpm, int(bool(admin))),
            )
            row = conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _row(row), key

    def list(self, include_revoked: bool = True) -> list[KeyRecord]:
        sql = f"SELECT {_COLUMNS} FROM api_keys"
        if not include_revoked:
            sql += " WHERE revoked IS NULL"
        return [_row(r) for r in self.store.conn.execute(sql + " ORDER BY id")]

    def get(self, name: str) -> KeyRecord | None:
        r = self.store.conn.execute(f"SELECT {_COLUMNS} FROM api_keys WHERE name = ?", (name,)).fetchone()
        return _row(r) if r else None

    def revoke(self, name: str) -> KeyRecord:
        with self.store.transaction() as conn:
            r = conn.execute("SELECT revoked FROM api_keys WHERE name = ?", (name,)).fetchone()
            if r is None:
                raise UsageError(f"no key named {name!r} (see `ccgpt keys list`)")
            if r[0] is None:
                conn.execute("UPDATE api_keys SET revoked = ? WHERE name = ?", (time.time(), name))
        rec = self.get(name)
        assert rec is not None
        return rec

    def touch(self, used: dict[str, float]) -> None:
        """Record last-use times (batched by the gateway, never once per request)."""
        if not used:
            return
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE api_keys SET last_used = max(coalesce(last_used, 0), ?) WHERE name = ?",
                [(ts, name) for name, ts in used.items()],
            )

    def record_usage(self, used: dict[str, float], counts: UsageCounts) -> None:
        """Last-use times and per-day counters, in one transaction (batched by the gateway)."""
        with self.store.transaction() as conn:
            conn.executemany(
                "UPDATE api_keys SET last_used = max(coalesce(last_used, 0), ?) WHERE name = ?",
                [(ts, name) for name, ts in used.items()],
            )
            conn.executemany(USAGE_UPSERT.format(p="?"), [(n, d, *c) for (n, d), c in counts.items()])

    def usage(self, name: str | None = None, since: str | None = None) -> List[UsageRow]:  # noqa: UP006 (list is a method here)
        sql, args = usage_query(name, since, "?")
        return [UsageRow(*r) for r in self.store.conn.execute(sql, args)]

    def close(self) -> None:
        self.store.close()

    def data_version(self) -> int:
        """Changes whenever another connection commits: a cheap 'did keys change?' probe."""
        return self.store.conn.execute("PRAGMA data_version").fetchone()[0]


def find_key(records: list[KeyRecord], presented: str) -> KeyRecord | None:
    """The record whose hash matches, compared in constant time against every active key."""
    digest = hash_key(presented)
    found = None
    for rec in records:
        # No early exit: the time taken does not depend on which key (if any) matched.
        if hmac.compare_digest(rec.hash, digest) and rec.active:
            found = rec
    return found
