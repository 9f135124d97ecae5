-- The login throttle's state per client address (GCRA): the theoretical arrival time of the
-- next attempt, in Unix milliseconds. Kept here so that every node decides alike.
CREATE TABLE login_throttle (
    client  TEXT PRIMARY KEY,
    tat_ms  BIGINT NOT NULL
);
