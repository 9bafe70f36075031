"""Schema migrations, applied in order; `PRAGMA user_version` records how far a store is.

Append new steps at the end; never edit a step that has shipped.
"""

MIGRATIONS: list[str] = [
    # 1: every model interaction, chat sessions, the audit trail, gateway keys, man-page cache
    """
    CREATE TABLE interactions (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        command TEXT NOT NULL,            -- ask | chat | suggest | script | explain | eval
        model TEXT, backend TEXT,
        system TEXT, prompt TEXT NOT NULL, response TEXT,
        prompt_tokens INTEGER, completion_tokens INTEGER,
        duration_ms REAL, first_token_ms REAL,
        session_id INTEGER REFERENCES chat_sessions(id) ON DELETE SET NULL,
        error TEXT
    );
    CREATE INDEX interactions_ts ON interactions(ts);
    CREATE VIRTUAL TABLE interactions_fts USING fts5(prompt, response, content='interactions', content_rowid='id');
    CREATE TRIGGER interactions_ai AFTER INSERT ON interactions BEGIN
        INSERT INTO interactions_fts(rowid, prompt, response) VALUES (new.id, new.prompt, new.response);
    END;
    CREATE TRIGGER interactions_ad AFTER DELETE ON interactions BEGIN
        INSERT INTO interactions_fts(interactions_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, old.response);
    END;
    CREATE TRIGGER interactions_au AFTER UPDATE ON interactions BEGIN
        INSERT INTO interactions_fts(interactions_fts, rowid, prompt, response) VALUES ('delete', old.id, old.prompt, old.response);
        INSERT INTO interactions_fts(rowid, prompt, response) VALUES (new.id, new.prompt, new.response);
    END;

    CREATE TABLE chat_sessions (
        id INTEGER PRIMARY KEY,
        created REAL NOT NULL, updated REAL NOT NULL,
        title TEXT, model TEXT, backend TEXT
    );
    CREATE TABLE chat_messages (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
        ts REAL NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL
    );
    CREATE INDEX chat_messages_session ON chat_messages(session_id, id);

    -- The audit trail: what was proposed, what the person decided, what happened.
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        ts REAL NOT NULL,
        kind TEXT NOT NULL,               -- suggest | run | script | explain
        task TEXT,                        -- natural-language task, when there is one
        command TEXT,                     -- the command or script path concerned
        level TEXT,                       -- safe | review | dangerous | blocked
        findings TEXT,                    -- JSON list of findings
        decision TEXT,                    -- run | edit | copy | refused | quit | saved | ...
        exit_code INTEGER,
        duration_ms REAL,
        detail TEXT                       -- JSON: sandbox backend, candidates, model, ...
    );
    CREATE INDEX audit_ts ON audit(ts);
    CREATE VIRTUAL TABLE audit_fts USING fts5(task, command, decision, content='audit', content_rowid='id');
    CREATE TRIGGER audit_ai AFTER INSERT ON audit BEGIN
        INSERT INTO audit_fts(rowid, task, command, decision) VALUES (new.id, new.task, new.command, new.decision);
    END;
    CREATE TRIGGER audit_ad AFTER DELETE ON audit BEGIN
        INSERT INTO audit_fts(audit_fts, rowid, task, command, decision) VALUES ('delete', old.id, old.task, old.command, old.decision);
    END;
    CREATE TRIGGER audit_au AFTER UPDATE ON audit BEGIN
        INSERT INTO audit_fts(audit_fts, rowid, task, command, decision) VALUES ('delete', old.id, old.task, old.command, old.decision);
        INSERT INTO audit_fts(rowid, task, command, decision) VALUES (new.id, new.task, new.command, new.decision);
    END;

    -- Gateway API keys: only a salted hash is kept; the key is shown once at creation.
    CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,             -- first characters, to recognise a key in a list
        hash TEXT NOT NULL,
        created REAL NOT NULL,
        revoked REAL,
        models TEXT,                      -- JSON list of allowed models, NULL = all
        rpm INTEGER, tpm INTEGER,         -- limits, NULL = unlimited
        admin INTEGER NOT NULL DEFAULT 0,
        last_used REAL
    );

    -- Parsed man pages, keyed by file path and modification time.
    CREATE TABLE man_cache (
        path TEXT PRIMARY KEY,
        mtime REAL NOT NULL,
        data TEXT NOT NULL                -- JSON
    );
    """,
    # 2: facts the user asked ccgpt to remember (`ccgpt memory`), searchable by full text
    """
    CREATE TABLE memories (
        id INTEGER PRIMARY KEY,
        created REAL NOT NULL,
        text TEXT NOT NULL                -- redacted of secrets before it is stored
    );
    CREATE VIRTUAL TABLE memories_fts USING fts5(text, content='memories', content_rowid='id', tokenize='porter unicode61');
    CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
        INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER memories_au AFTER UPDATE ON memories BEGIN
        INSERT INTO memories_fts(memories_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO memories_fts(rowid, text) VALUES (new.id, new.text);
    END;
    """,
    # 3: gateway usage per key and day (UTC), written in batches by `ccgpt serve`, read by
    # `ccgpt keys usage`. The same table exists in PostgreSQL (store/pg_keys.py).
    """
    CREATE TABLE key_usage (
        key_name TEXT NOT NULL,
        day TEXT NOT NULL,                -- YYYY-MM-DD, UTC
        requests INTEGER NOT NULL DEFAULT 0,
        prompt_tokens INTEGER NOT NULL DEFAULT 0,
        completion_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (key_name, day)
    );
    """,
]
