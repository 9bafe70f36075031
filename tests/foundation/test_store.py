"""The SQLite store: permissions, migrations, full-text search, and crash safety."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

from ccgpt.store import audit, chats
from ccgpt.store.db import open_store
from ccgpt.store.interactions import log_interaction, search_interactions
from ccgpt.store.migrations import MIGRATIONS


def test_store_is_private_and_migrated(tmp_path):
    path = tmp_path / "sub" / "ccgpt.db"
    store = open_store(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()
    # reopening does not re-run migrations
    open_store(path).close()


def test_interactions_are_redacted_and_searchable(tmp_path):
    store = open_store(tmp_path / "s.db")
    log_interaction(store, "ask", "deploy with key sk-abcdefghijklmnopqrstuvwx", "use kubectl rollout", model="m", backend="ollama")
    log_interaction(store, "ask", "what is the capital of France", "Paris", model="m", backend="ollama")
    found = search_interactions(store, "kubectl")
    assert [i.response for i in found] == ["use kubectl rollout"]
    assert "sk-abcdefghijklmnopqrstuvwx" not in found[0].prompt
    assert [i.prompt for i in search_interactions(store, "capital France")] == ["what is the capital of France"]
    # FTS syntax in a user's query is treated as words, not as a query language
    assert search_interactions(store, 'rm -rf "~" OR') == []


def test_audit_trail_round_trip(tmp_path):
    store = open_store(tmp_path / "s.db")
    event = audit.record(store, "suggest", task="free disk space", command="du -sh *", level="safe", findings=[])
    audit.update(store, event, decision="run", exit_code=0, duration_ms=12.5)
    [row] = audit.search(store, "disk")
    assert (row.decision, row.exit_code, row.level) == ("run", 0, "safe")
    assert audit.search(store, "nothing-like-this") == []


def test_chat_sessions(tmp_path):
    store = open_store(tmp_path / "s.db")
    sid = chats.create_session(store, "m", "embedded")
    chats.add_message(store, sid, "user", "hello")
    chats.add_message(store, sid, "assistant", "hi there")
    assert chats.latest_session(store) == sid
    assert chats.messages(store, sid) == [("user", "hello"), ("assistant", "hi there")]


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.db"
    open_store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    import pytest

    from ccgpt.errors import CcgptError

    with pytest.raises(CcgptError, match="newer ccgpt"):
        open_store(path)


WRITER = textwrap.dedent(
    """
    import sys
    from ccgpt.store.db import open_store
    from ccgpt.store.interactions import log_interaction
    store = open_store(sys.argv[1])
    print("ready", flush=True)
    i = 0
    while True:
        log_interaction(store, "ask", "prompt %d " % i + "x" * 4000, "answer " * 500, model="m")
        i += 1
    """
)


def test_store_survives_sigkill_mid_write(tmp_path):
    path = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    for _ in range(3):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, env=env)
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.3)  # let it get deep into a stream of write transactions
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT count(*) FROM interactions").fetchone()[0]
        fts = conn.execute("SELECT count(*) FROM interactions_fts").fetchone()[0]
        assert rows > 0 and rows == fts
        conn.close()
    store = open_store(path)  # and the app can still open and use it
    log_interaction(store, "ask", "after the crash", "fine")
    assert search_interactions(store, "crash")[0].response == "fine"
