-- Times are Unix milliseconds (UTC). Secrets are never stored: sessions are keyed by the
-- SHA-256 of their SessionID, passwords are Argon2id PHC strings.

CREATE TABLE networks (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL,
    status  TEXT NOT NULL
);

CREATE TABLE mailboxes (
    id          INTEGER PRIMARY KEY,
    network_id  INTEGER NOT NULL REFERENCES networks (id),
    name        TEXT NOT NULL,
    status      TEXT NOT NULL
);

CREATE TABLE users (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    login              TEXT NOT NULL,
    login_key          TEXT NOT NULL UNIQUE,
    password_hash      TEXT NOT NULL,
    network_id         INTEGER NOT NULL REFERENCES networks (id),
    mailbox_id         INTEGER NOT NULL REFERENCES mailboxes (id),
    auth_level         TEXT NOT NULL,
    status             TEXT NOT NULL,
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    company            TEXT NOT NULL DEFAULT '',
    phone              TEXT NOT NULL DEFAULT '',
    idle_timeout_secs  INTEGER,
    max_sessions       INTEGER,
    created_ms         INTEGER NOT NULL,
    last_login_ms      INTEGER,
    failed_logins      INTEGER NOT NULL DEFAULT 0,
    locked_until_ms    INTEGER
);

CREATE TABLE sessions (
    hash               BLOB PRIMARY KEY,
    prefix             TEXT NOT NULL,
    user_id            INTEGER NOT NULL REFERENCES users (id),
    network_id         INTEGER NOT NULL,
    mailbox_id         INTEGER NOT NULL,
    created_ms         INTEGER NOT NULL,
    expires_ms         INTEGER NOT NULL,
    max_expires_ms     INTEGER NOT NULL,
    idle_timeout_secs  INTEGER NOT NULL,
    last_used_ms       INTEGER NOT NULL,
    ended_ms           INTEGER,
    end_reason         TEXT,
    client_ip          TEXT NOT NULL,
    protocol           TEXT NOT NULL,
    sender_solution    TEXT NOT NULL DEFAULT '',
    sender_version     TEXT NOT NULL DEFAULT '',
    sender_company     TEXT NOT NULL DEFAULT '',
    sender_contact     TEXT NOT NULL DEFAULT '',
    sender_email       TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

CREATE INDEX sessions_by_user ON sessions (user_id, created_ms DESC);
CREATE INDEX sessions_by_prefix ON sessions (prefix);
CREATE INDEX sessions_by_expiry ON sessions (expires_ms);
CREATE INDEX sessions_by_end ON sessions (ended_ms) WHERE ended_ms IS NOT NULL;

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
