-- REST bearer tokens are handles on sessions: a token is valid only while its generation is
-- the session's current one; refreshing moves the generation on.
ALTER TABLE sessions ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0;

-- One active API key per user, kept as the SHA-256 of the key.
CREATE TABLE api_keys (
    user_id     INTEGER PRIMARY KEY REFERENCES users (id),
    hash        BYTEA NOT NULL UNIQUE,
    prefix      TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);
