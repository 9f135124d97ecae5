-- Calls made in a session (the deployed dialect's SessionLogInfo.Events). Nodes buffer them
-- and write them in batches; only the last ones per session are kept, while `calls` on the
-- session counts every call ever made in it.
ALTER TABLE sessions ADD COLUMN calls BIGINT NOT NULL DEFAULT 0;

CREATE TABLE session_events (
    id            BIGSERIAL PRIMARY KEY,
    session_hash  BYTEA NOT NULL,
    at_ms         BIGINT NOT NULL,
    operation     TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    client_ip     TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT ''
);

CREATE INDEX session_events_by_session ON session_events (session_hash, id);
CREATE INDEX users_by_lockout ON users (locked_until_ms) WHERE locked_until_ms IS NOT NULL;
