-- Relationships between trading partners (SPEC-VAN 20): carbon-copy rules and interconnects.
-- Times are Unix milliseconds.

-- A carbon-copy rule. `mailbox_id` is the mailbox whose traffic it watches (the mailbox of
-- `ecgrid_from` for a rule made from ECGridIDs); `direction` says which side of it
-- ('OutBox': what it sends, 'InBox': what it receives, 'NoDir': both). An ECGridID of 0 in
-- `ecgrid_from`/`ecgrid_to` matches any; a `cc_from`/`cc_to` of 0 leaves the envelope as it
-- is. Copies go to `cc_mailbox_id`.
CREATE TABLE carbon_copies (
    id               INTEGER GENERATED ALWAYS AS IDENTITY (START WITH 301) PRIMARY KEY,
    network_id       INTEGER NOT NULL,
    mailbox_id       INTEGER NOT NULL REFERENCES mailboxes (id),
    direction        TEXT NOT NULL,
    ecgrid_from      INTEGER NOT NULL DEFAULT 0,
    ecgrid_to        INTEGER NOT NULL DEFAULT 0,
    cc_from          INTEGER NOT NULL DEFAULT 0,
    cc_to            INTEGER NOT NULL DEFAULT 0,
    cc_mailbox_id    INTEGER NOT NULL REFERENCES mailboxes (id),
    gs_from          TEXT NOT NULL DEFAULT '',
    gs_to            TEXT NOT NULL DEFAULT '',
    transaction_set  TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL,
    created_by       INTEGER NOT NULL DEFAULT 0,
    created_ms       BIGINT NOT NULL,
    modified_ms      BIGINT NOT NULL
);

-- Every upload asks for the active rules of the mailboxes it sends from and delivers to.
CREATE INDEX carbon_copies_by_mailbox ON carbon_copies (mailbox_id, status);
CREATE INDEX carbon_copies_by_copy_mailbox ON carbon_copies (cc_mailbox_id, status);

-- An interconnect: `ecgrid_id1` asked for it, `ecgrid_id2` is the partner whose side
-- accepts ('Completed') or either side cancels ('Canceled').
CREATE TABLE interconnects (
    id               INTEGER GENERATED ALWAYS AS IDENTITY (START WITH 9001) PRIMARY KEY,
    unique_id        TEXT NOT NULL UNIQUE,
    ecgrid_id1       INTEGER NOT NULL REFERENCES partners (ecgrid_id),
    ecgrid_id2       INTEGER NOT NULL REFERENCES partners (ecgrid_id),
    reference1       TEXT NOT NULL DEFAULT '',
    reference2       TEXT NOT NULL DEFAULT '',
    contact_name     TEXT NOT NULL DEFAULT '',
    contact_email    TEXT NOT NULL DEFAULT '',
    requested_by     INTEGER NOT NULL DEFAULT 0,
    accepted_by      INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL,
    created_ms       BIGINT NOT NULL,
    modified_ms      BIGINT NOT NULL,
    completed_ms     BIGINT
);

-- Routing asks, per pair of IDs on different networks, whether one is completed.
CREATE INDEX interconnects_by_pair ON interconnects (ecgrid_id1, ecgrid_id2, status);
CREATE INDEX interconnects_by_partner ON interconnects (ecgrid_id2, status);
CREATE INDEX interconnects_by_status ON interconnects (status, created_ms);

CREATE TABLE interconnect_notes (
    id               INTEGER GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    interconnect_id  INTEGER NOT NULL REFERENCES interconnects (id),
    at_ms            BIGINT NOT NULL,
    status           TEXT NOT NULL,
    posted_by        TEXT NOT NULL DEFAULT '',
    user_id          INTEGER NOT NULL DEFAULT 0,
    mail_to          TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    attachment_name  TEXT NOT NULL DEFAULT '',
    attachment       BYTEA
);

CREATE INDEX interconnect_notes_by_interconnect ON interconnect_notes (interconnect_id, id);
