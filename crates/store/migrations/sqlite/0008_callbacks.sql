-- Callbacks (SPEC-VAN 20): registrations, and the queue of deliveries written in the
-- transaction of the event each reports. Times are Unix ms.

CREATE TABLE callback_registrations (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    -- What events are matched on: 'n:<network>', 'm:<mailbox>' or 'e:<ECGridID>'.
    scope_key      TEXT NOT NULL,
    network_id     INTEGER NOT NULL,
    mailbox_id     INTEGER NOT NULL DEFAULT 0,
    ecgrid_id      INTEGER NOT NULL DEFAULT 0,
    event          TEXT NOT NULL,
    url            TEXT NOT NULL,
    auth_user      TEXT NOT NULL DEFAULT '',
    -- Kept as given: the server sends it (HTTP Basic); never listed.
    auth_password  TEXT NOT NULL DEFAULT '',
    retries        INTEGER NOT NULL,
    -- The Standard Webhooks signing key ('whsec_' and base64): a key, not a password.
    secret         TEXT NOT NULL,
    status         TEXT NOT NULL,
    created_by     INTEGER NOT NULL,
    created_ms     INTEGER NOT NULL,
    modified_ms    INTEGER NOT NULL
);

-- The match inside an upload's transaction: a probe per scope key of active ones, so that
-- an upload without registrations costs a look into an empty index.
CREATE INDEX callback_registrations_match ON callback_registrations (scope_key, event)
    WHERE status = 'Active';
CREATE INDEX callback_registrations_network ON callback_registrations (network_id, id);

CREATE TABLE callback_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id  INTEGER NOT NULL REFERENCES callback_registrations (id),
    event            TEXT NOT NULL,
    network_id       INTEGER NOT NULL,
    mailbox_id       INTEGER NOT NULL,
    ecgrid_id        INTEGER NOT NULL,
    parcel_id        INTEGER NOT NULL,
    file_name        TEXT NOT NULL,
    test             BOOLEAN NOT NULL DEFAULT FALSE,
    -- Pending, Sending (claimed until next_ms), Delivered, Failed, Canceled.
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    calls_remaining  INTEGER NOT NULL,
    next_ms          INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL,
    last_attempt_ms  INTEGER,
    last_http        INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT ''
);

-- The workers' claim: what is due, oldest first, whatever has been delivered before.
CREATE INDEX callback_deliveries_due ON callback_deliveries (next_ms)
    WHERE status IN ('Pending', 'Sending');
CREATE INDEX callback_deliveries_registration ON callback_deliveries (registration_id, id);
CREATE INDEX callback_deliveries_mailbox ON callback_deliveries (mailbox_id, id);
CREATE INDEX callback_deliveries_network ON callback_deliveries (network_id, id);
CREATE INDEX callback_deliveries_status ON callback_deliveries (status, created_ms);

-- A delivery as lists read it: with its registration's URL.
CREATE VIEW callback_delivery_rows AS
    SELECT d.*, r.url AS url
    FROM callback_deliveries d JOIN callback_registrations r ON r.id = d.registration_id;
