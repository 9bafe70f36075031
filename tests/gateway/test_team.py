"""Team scale for real: two gateway replicas sharing a redis-server and a PostgreSQL started by
the test on loopback ports (team_servers.py), in front of one fake Ollama.

Covered: one limit shared by both replicas (and enforced atomically), a key created through one
store seen by both, a revocation seen by both within a second, Redis killed and restarted
mid-test (503 for limited keys, or fail-open; back by itself), PostgreSQL restarted mid-test
(known keys keep working, usage counted meanwhile is written afterwards), `ccgpt keys usage`
on both stores.
"""

from __future__ import annotations

import json
import time

import pytest
from tests.helpers.gateway import ServerThread, client
from tests.helpers.team_servers import PostgresServer, RedisServer

from ccgpt.gateway.app import Settings, create_gateway
from ccgpt.gateway.keywatch import publish_change
from ccgpt.store.pg_keys import PgKeyStore

pytestmark = pytest.mark.slow

CHAT = {"model": "llama3.2", "messages": [{"role": "user", "content": "hi"}], "stream": False}


@pytest.fixture(scope="module")
def redis_server():
    r = RedisServer().start()
    yield r
    r.stop()


@pytest.fixture(scope="module")
def pg_server():
    p = PostgresServer().start()
    yield p
    p.destroy()


class Replicas:
    """Two (or more) gateways, each with its own uvicorn, event loop and key store connection."""

    def __init__(self, fake, pg, redis_url, n=2, **kw):
        self.stores = [PgKeyStore(pg.url) for _ in range(n)]
        self.servers = []
        for ks in self.stores:
            _, app = create_gateway([{"name": "a", "kind": "ollama", "url": fake.url}], keystore=ks,
                                    settings=Settings(usage_flush_s=0.2, key_poll_s=0.5), connect_timeout=2,
                                    read_timeout=30, health_interval=0, redis_url=redis_url, **kw)
            self.servers.append(ServerThread(app).__enter__())
        self.urls = [s.url for s in self.servers]

    def close(self):
        for s in self.servers:
            s.__exit__(None, None, None)
        for ks in self.stores:
            ks.close()


@pytest.fixture
def replicas(fake, pg_server, redis_server):
    made = []

    def make(n=2, redis=True, **kw):
        r = Replicas(fake, pg_server, redis_server.url if redis else None, n, **kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


@pytest.fixture
def admin_store(pg_server):
    """What `ccgpt keys` on any machine talks to: the same PostgreSQL. One key stays active
    throughout: with none at all, a loopback gateway accepts requests without a key (the
    documented out-of-the-box mode), which would hide a revocation."""
    ks = PgKeyStore(pg_server.url)
    ks.create(f"keeper-{time.monotonic_ns()}")
    yield ks
    for rec in ks.list(include_revoked=False):
        ks.revoke(rec.name)
    ks.close()


def status(url, key, body=CHAT):
    with client(url, key) as c:
        return c.post("/api/chat", json=body).status_code


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return time.monotonic()
        time.sleep(0.02)
    return None


def test_two_replicas_share_one_limit(replicas, admin_store):
    _, key = admin_store.create("shared-limit", rpm=10)
    r = replicas()
    assert wait_for(lambda: all(status(u, key, {"model": "nosuch"}) == 404 for u in r.urls), 3)
    # the two 404 probes above took 2 of the 10
    codes = [status(r.urls[i % 2], key) for i in range(30)]
    assert codes.count(200) == 8 and codes.count(429) == 22, codes
    assert codes[:8] == [200] * 8


def test_a_concurrent_burst_on_two_replicas_gets_exactly_the_limit(replicas, admin_store):
    """30 requests at once, half on each replica: the Lua script takes a unit atomically, so
    neither replica can hand out the same last one."""
    from concurrent.futures import ThreadPoolExecutor

    _, key = admin_store.create("burst", rpm=10)
    r = replicas()
    assert wait_for(lambda: all(status(u, key, {"model": "nosuch"}) == 404 for u in r.urls), 3)  # 2 taken
    with ThreadPoolExecutor(30) as pool:
        codes = list(pool.map(lambda i: status(r.urls[i % 2], key), range(30)))
    assert codes.count(200) == 8 and codes.count(429) == 22, codes


def test_key_created_through_one_store_is_used_on_both_and_revocation_reaches_both_within_a_second(
        replicas, admin_store, redis_server):
    r = replicas()
    rec, key = admin_store.create("alice")
    assert wait_for(lambda: all(status(u, key) == 200 for u in r.urls), 2), "a new key reaches both replicas"
    admin_store.revoke("alice")
    assert publish_change(redis_server.url, "revoked alice")
    done = wait_for(lambda: all(status(u, key) == 401 for u in r.urls), 1.0)
    assert done is not None, "both replicas refuse a revoked key within one second"


def test_revocation_reaches_replicas_without_redis_too(replicas, admin_store):
    r = replicas(redis=False)
    _, key = admin_store.create("no-redis")
    assert wait_for(lambda: all(status(u, key) == 200 for u in r.urls), 2)
    admin_store.revoke("no-redis")  # nobody publishes: the replicas poll PostgreSQL
    assert wait_for(lambda: all(status(u, key) == 401 for u in r.urls), 1.0)


def test_redis_killed_mid_test(replicas, admin_store, redis_server):
    _, limited = admin_store.create("limited", rpm=1000)
    _, free = admin_store.create("unlimited")
    strict = replicas(n=1)
    lenient = replicas(n=1, redis_fail_open=True)
    urls = strict.urls + lenient.urls
    assert wait_for(lambda: all(status(u, limited) == 200 and status(u, free) == 200 for u in urls), 3)
    redis_server.stop()
    try:
        with client(strict.urls[0], limited) as c:
            r = c.post("/v1/chat/completions", json={"model": "llama3.2", "messages": [{"role": "user", "content": "x"}]})
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert "cannot reach Redis" in r.json()["error"]["message"]
        assert status(strict.urls[0], free) == 200  # no limit, no Redis needed
        assert status(lenient.urls[0], limited) == 200  # redis_fail_open = true
    finally:
        redis_server.start()  # same port: the replicas reconnect by themselves
    assert wait_for(lambda: status(strict.urls[0], limited) == 200, 5)


def test_postgres_restarted_mid_test(replicas, admin_store, pg_server):
    r = replicas()
    _, key = admin_store.create("survivor")
    assert wait_for(lambda: all(status(u, key) == 200 for u in r.urls), 2)
    pg_server.stop()
    try:
        # the keys read last stay valid while the store is down; usage is kept for later
        assert [status(u, key) for u in r.urls * 3] == [200] * 6
    finally:
        pg_server.start()
    _, after = admin_store.create("after-restart")  # the admin's pool reconnects by itself
    assert wait_for(lambda: all(status(u, after) == 200 for u in r.urls), 5)
    assert wait_for(lambda: sum(u.requests for u in admin_store.usage("survivor")) >= 8, 5), \
        admin_store.usage("survivor")


def test_keys_usage_cli_reads_postgresql(ccgpt, tmp_path, replicas, admin_store, pg_server):
    r = replicas(redis=False)
    _, key = admin_store.create("counted")
    assert wait_for(lambda: status(r.urls[0], key) == 200, 2)
    for u in r.urls:
        status(u, key)
    env = {"CCGPT_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "CCGPT_DATABASE_URL": pg_server.url}

    def rows():
        out = ccgpt("keys", "usage", "counted", "--since", "1d", "--json", env=env)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    assert wait_for(lambda: sum(u.requests for u in admin_store.usage("counted")) >= 3, 5), admin_store.usage()
    [row] = rows()
    assert row["requests"] == 3, row
    assert row["name"] == "counted" and row["prompt_tokens"] == 3 and row["completion_tokens"] == 6
    listed = ccgpt("keys", "list", "--json", env=env)
    assert "counted" in [k["name"] for k in json.loads(listed.stdout)]


def test_ccgpt_keys_revoke_publishes_the_change(ccgpt, tmp_path, replicas, admin_store, pg_server, redis_server):
    """The CLI a person runs on any machine: create and revoke against PostgreSQL, with the change
    published on Redis; both replicas follow within a second of the command's end."""
    r = replicas()
    env = {"CCGPT_DATA_DIR": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "CCGPT_DATABASE_URL": pg_server.url, "CCGPT_REDIS_URL": redis_server.url}
    out = ccgpt("keys", "create", "--name", "bob", "--json", env=env)
    assert out.returncode == 0, out.stderr
    key = json.loads(out.stdout)["key"]
    assert wait_for(lambda: all(status(u, key) == 200 for u in r.urls), 1.0)
    assert ccgpt("keys", "revoke", "bob", env=env).returncode == 0
    assert wait_for(lambda: all(status(u, key) == 401 for u in r.urls), 1.0)
