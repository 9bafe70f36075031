"""Who is calling: API keys from `Authorization: Bearer`, the per-key model allow-list, admin.

Policy (documented in docs/gateway.md):
- As soon as one active key exists, or the gateway is bound to a non-loopback address, every
  API request needs a valid key.
- With no key at all on loopback, requests are accepted without one (so `ccgpt` and local
  tools work out of the box); such anonymous callers are not admins unless
  `anonymous_admin = true`, and any Authorization header they send is ignored (the `openai`
  client insists on sending some key).
- SQLite keys are re-read when the database changes (`PRAGMA data_version`, one cheap query
  per request), so `ccgpt keys revoke` takes effect on the very next request of a running
  server. A PostgreSQL store cannot be probed per request: `keywatch.py` re-reads it twice a
  second and at once when a change is published on Redis.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ccgpt.gateway.errors import GatewayError
from ccgpt.gateway.upstreams.base import norm_model
from ccgpt.store.keys import KeyRecord, KeyStore, find_key

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ccgpt"'}


@dataclass(frozen=True)
class Identity:
    name: str
    admin: bool = False
    models: frozenset[str] | None = None
    rpm: int | None = None
    tpm: int | None = None
    anonymous: bool = False

    def may_use(self, model: str) -> bool:
        return self.models is None or norm_model(model) in self.models


def _identity(rec: KeyRecord) -> Identity:
    models = frozenset(norm_model(m) for m in rec.models) if rec.models is not None else None
    return Identity(rec.name, rec.admin, models, rec.rpm, rec.tpm)


class Authenticator:
    def __init__(self, keystore: KeyStore | Any | None, *, loopback: bool, anonymous_admin: bool = False) -> None:
        self.keystore = keystore
        self.loopback = loopback
        self.anonymous = Identity("anonymous", admin=anonymous_admin, anonymous=True)
        self._version: int | None = None
        self._records: list[KeyRecord] = []
        self._identities: dict[str, Identity] = {}
        self.refresh()

    def refresh(self) -> None:
        """Re-read the keys (for a store that is not local, from a thread: the swap is atomic)."""
        if self.keystore is None:
            return
        records = self.keystore.list(include_revoked=False)
        self._identities, self._records = {r.name: _identity(r) for r in records}, records

    def invalidate(self) -> None:
        """Re-read a local store now (a change was announced); others are re-read by keywatch."""
        self._version = None
        self._refresh()

    def _refresh(self) -> None:
        if self.keystore is None or not getattr(self.keystore, "local", True):
            return
        v = self.keystore.data_version()
        if v != self._version:
            self._version = v
            self.refresh()

    @property
    def required(self) -> bool:
        self._refresh()
        return bool(self._records) or not self.loopback

    def authenticate(self, headers: Mapping[str, str]) -> Identity:
        self._refresh()
        if not self._records and self.loopback:
            return self.anonymous
        raw = headers.get("authorization")
        if not raw:
            raise GatewayError(401, "missing API key: send 'Authorization: Bearer ccgpt_…' "
                               "(create one with `ccgpt keys create --name NAME`)", code="missing_api_key",
                               headers=_CHALLENGE)
        scheme, _, token = raw.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise GatewayError(401, "malformed Authorization header: expected 'Bearer <key>'", code="invalid_api_key",
                               headers=_CHALLENGE)
        records, identities = self._records, self._identities
        rec = find_key(records, token) if len(token) <= 512 else None
        if rec is None or rec.name not in identities:
            # Same answer for unknown and revoked keys: nothing to learn from the difference.
            raise GatewayError(401, "invalid or revoked API key", code="invalid_api_key", headers=_CHALLENGE)
        return identities[rec.name]

    @staticmethod
    def check_model(ident: Identity, model: str) -> None:
        if not ident.may_use(model):
            raise GatewayError(403, f"this key may not use model {model!r}", code="model_not_allowed", param="model")

    @staticmethod
    def check_admin(ident: Identity) -> None:
        if not ident.admin:
            raise GatewayError(403, "this operation needs an admin key", code="admin_required")
