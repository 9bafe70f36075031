"""`ccgpt history`: full-text search over the audit trail and the interactions, --json, sanitised."""

from __future__ import annotations

import json

from ccgpt.store import audit
from ccgpt.store.db import open_store
from ccgpt.store.interactions import log_interaction


def seed():
    store = open_store()
    audit.record(store, "suggest", task="list the files here", command="ls -la", level="safe", decision="run",
                 exit_code=0, duration_ms=12.0)
    audit.record(store, "suggest", task="wipe it all", command="rm -rf ~", level="blocked", decision="refused-blocked",
                 findings=[{"rule": "wipe-home", "level": "blocked", "message": "m", "span": [0, 8]}])
    audit.record(store, "script", task="back up notes", command="back-up-notes.sh", level="review", decision="saved")
    log_interaction(store, "suggest", "count python lines", "```bash\nfind . -name '*.py' | xargs wc -l\n```\x1b[2J",
                    model="tiny", backend="embedded")
    store.close()


def test_search_audit_and_interactions(ccgpt):
    seed()
    r = ccgpt("history", "--json", "rm -rf")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert [e["command"] for e in j["audit"]] == ["rm -rf ~"]
    assert j["audit"][0]["decision"] == "refused-blocked" and j["audit"][0]["findings"][0]["rule"] == "wipe-home"
    r = ccgpt("history", "--json", "python")
    j = json.loads(r.stdout)
    assert j["audit"] == [] and len(j["interactions"]) == 1 and j["interactions"][0]["model"] == "tiny"


def test_listing_newest_first_and_kind_filter(ccgpt):
    seed()
    r = ccgpt("history")
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].startswith("audit trail")
    assert "back-up-notes.sh" in lines[1] and "rm -rf ~" in lines[2] and "ls -la" in lines[3]
    assert "exit 0" in lines[3] and "\x1b" not in r.stdout  # the stored escape is not replayed
    r = ccgpt("history", "--kind", "script", "--json")
    assert [e["kind"] for e in json.loads(r.stdout)["audit"]] == ["script"]


def test_no_match_and_bad_limit(ccgpt):
    seed()
    r = ccgpt("history", "nothing-like-this")
    assert r.returncode == 0 and "no matching history" in r.stdout
    r = ccgpt("history", "--limit", "0")
    assert r.returncode == 2 and "limit" in r.stderr and "Traceback" not in r.stderr


def test_fts_syntax_in_query_is_harmless(ccgpt):
    seed()
    r = ccgpt("history", 'AND OR "( NEAR')
    assert r.returncode == 0, r.stderr
