"""store.man_cache: the only SQL behind explain's man-page cache."""

from __future__ import annotations

from ccgpt.store.db import open_store
from ccgpt.store.man_cache import get_entry, put_entry


def test_entries_round_trip_and_replace(tmp_path):
    store = open_store(tmp_path / "s.db")
    assert get_entry(store, "which:ls") is None
    put_entry(store, "which:ls", 12.5, "/usr/share/man/man1/ls.1.gz")
    put_entry(store, "/p/ls.1.gz", 3.0, {"name": "ls", "items": [[["-a"], None, "all", "-a", ""]]})
    assert get_entry(store, "which:ls") == (12.5, "/usr/share/man/man1/ls.1.gz")
    put_entry(store, "which:ls", 13.0, None)  # a later "no page" answer replaces the row
    assert get_entry(store, "which:ls") == (13.0, None)
    assert get_entry(store, "/p/ls.1.gz")[1]["items"][0][0] == ["-a"]
    store.close()


def test_a_damaged_row_or_a_closed_store_is_a_miss_not_an_error(tmp_path):
    store = open_store(tmp_path / "s.db")
    with store.transaction() as conn:
        conn.execute("INSERT INTO man_cache(path, mtime, data) VALUES ('k', 1, '{not json')")
    assert get_entry(store, "k") is None
    store.close()
    put_entry(store, "k2", 1.0, [1])  # closed connection: silently not cached
    assert get_entry(store, "k2") is None
