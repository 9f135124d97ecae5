-- Parcels and interchanges (SPEC-VAN 15–19). A parcel is one upload (direction 'OutBox',
-- in the sender's mailbox) or one delivery made from it (direction 'InBox', in the
-- receiver's). Content lives in a table of its own, so that lists never read it; its
-- SHA-256 is kept with the parcel and checked on every read. Times are Unix milliseconds.
-- ParcelIDs and InterchangeIDs come from identity sequences: unique, increasing, never reused.

CREATE TABLE parcels (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1000001) PRIMARY KEY,
    direction                TEXT NOT NULL,
    network_id               INTEGER NOT NULL,
    mailbox_id               INTEGER NOT NULL REFERENCES mailboxes (id),
    peer_network_id          INTEGER NOT NULL DEFAULT 0,
    peer_mailbox_id          INTEGER NOT NULL DEFAULT 0,
    ecgrid_from              INTEGER NOT NULL DEFAULT 0,
    ecgrid_to                INTEGER NOT NULL DEFAULT 0,
    file_name                TEXT COLLATE "C" NOT NULL DEFAULT '',
    bytes                    BIGINT NOT NULL,
    declared_bytes           BIGINT NOT NULL,
    sha256                   BYTEA NOT NULL,
    standard                 TEXT NOT NULL,
    state                    TEXT NOT NULL,
    valid                    TEXT NOT NULL,
    problem                  TEXT NOT NULL DEFAULT '',
    mailbag_control_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
    source_id                BIGINT REFERENCES parcels (id),
    uploaded_by              INTEGER NOT NULL DEFAULT 0,
    created_ms               BIGINT NOT NULL,
    state_changed_ms         BIGINT NOT NULL,
    downloaded_ms            BIGINT,
    archived_ms              BIGINT,
    content_removed          BOOLEAN NOT NULL DEFAULT FALSE,
    local_status             INTEGER NOT NULL DEFAULT 0,
    local_status_changed_ms  BIGINT,
    interchange_count        INTEGER NOT NULL DEFAULT 0
);

-- Every list: one mailbox's (or network's, or everyone's) box, in one state or any, by
-- creation time. The last columns give the order, so a page is read off the index.
CREATE INDEX parcels_by_mailbox_state ON parcels (mailbox_id, direction, state, created_ms, id);
CREATE INDEX parcels_by_mailbox ON parcels (mailbox_id, direction, created_ms, id);
CREATE INDEX parcels_by_network_state ON parcels (network_id, direction, state, created_ms, id);
CREATE INDEX parcels_by_network ON parcels (network_id, direction, created_ms, id);
CREATE INDEX parcels_by_state ON parcels (direction, state, created_ms, id);
CREATE INDEX parcels_by_source ON parcels (source_id);
CREATE INDEX parcels_by_mailbag ON parcels (mailbox_id, direction, mailbag_control_id);

CREATE TABLE parcel_content (
    parcel_id  BIGINT PRIMARY KEY REFERENCES parcels (id),
    content    BYTEA NOT NULL
);

-- A parcel with the names of both sides, as every read returns it.
CREATE VIEW parcel_rows AS
SELECT p.*, n.name AS network_name, m.name AS mailbox_name,
       pn.name AS peer_network_name, pm.name AS peer_mailbox_name
FROM parcels p
LEFT JOIN networks n ON n.id = p.network_id
LEFT JOIN mailboxes m ON m.id = p.mailbox_id
LEFT JOIN networks pn ON pn.id = p.peer_network_id
LEFT JOIN mailboxes pm ON pm.id = p.peer_mailbox_id;

CREATE TABLE interchanges (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY (START WITH 1000001) PRIMARY KEY,
    outbound_id        BIGINT NOT NULL REFERENCES parcels (id),
    position           INTEGER NOT NULL,
    inbound_id         BIGINT REFERENCES parcels (id),
    status             TEXT NOT NULL,
    reason             TEXT NOT NULL DEFAULT '',
    duplicate          BOOLEAN NOT NULL DEFAULT FALSE,
    standard           TEXT NOT NULL,
    sender             TEXT NOT NULL DEFAULT '',
    receiver           TEXT NOT NULL DEFAULT '',
    ecgrid_from        INTEGER NOT NULL DEFAULT 0,
    ecgrid_to          INTEGER NOT NULL DEFAULT 0,
    network_from       INTEGER NOT NULL DEFAULT 0,
    mailbox_from       INTEGER NOT NULL DEFAULT 0,
    network_to         INTEGER NOT NULL DEFAULT 0,
    mailbox_to         INTEGER NOT NULL DEFAULT 0,
    control_number     TEXT NOT NULL DEFAULT '',
    envelope_date      TEXT NOT NULL DEFAULT '',
    document_type      TEXT NOT NULL DEFAULT '',
    header             TEXT NOT NULL DEFAULT '',
    findings           TEXT NOT NULL DEFAULT '',
    byte_offset        BIGINT NOT NULL,
    byte_length        BIGINT NOT NULL,
    created_ms         BIGINT NOT NULL,
    status_changed_ms  BIGINT NOT NULL
);

CREATE INDEX interchanges_by_outbound ON interchanges (outbound_id, position);
CREATE INDEX interchanges_by_inbound ON interchanges (inbound_id, position);
-- Duplicates (SPEC-VAN 16): the same sender, receiver and control number lately.
CREATE INDEX interchanges_by_control ON interchanges (ecgrid_from, ecgrid_to, control_number, created_ms);
CREATE INDEX interchanges_by_mailbox_from ON interchanges (mailbox_from, created_ms, id);
CREATE INDEX interchanges_by_mailbox_to ON interchanges (mailbox_to, created_ms, id);
CREATE INDEX interchanges_by_network_from ON interchanges (network_from, created_ms, id);
CREATE INDEX interchanges_by_network_to ON interchanges (network_to, created_ms, id);

CREATE TABLE parcel_manifest (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parcel_id       BIGINT NOT NULL REFERENCES parcels (id),
    interchange_id  BIGINT,
    at_ms           BIGINT NOT NULL,
    network_id      INTEGER NOT NULL DEFAULT 0,
    kind            TEXT NOT NULL,
    status_code     TEXT NOT NULL DEFAULT '',
    message         TEXT NOT NULL DEFAULT '',
    user_id         INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX parcel_manifest_by_parcel ON parcel_manifest (parcel_id, id);
CREATE INDEX parcel_manifest_by_interchange ON parcel_manifest (interchange_id, id);

CREATE TABLE parcel_notes (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parcel_id       BIGINT NOT NULL REFERENCES parcels (id),
    interchange_id  BIGINT,
    at_ms           BIGINT NOT NULL,
    status_code     TEXT NOT NULL DEFAULT '',
    posted_by       TEXT NOT NULL DEFAULT '',
    user_id         INTEGER NOT NULL DEFAULT 0,
    subject         TEXT NOT NULL DEFAULT '',
    note            TEXT NOT NULL DEFAULT ''
);

CREATE INDEX parcel_notes_by_parcel ON parcel_notes (parcel_id, id);

-- An interchange with the state of the inbound parcel it is in, for lists that ask for it.
CREATE VIEW interchange_rows AS
SELECT i.*, ip.state AS inbound_state
FROM interchanges i
LEFT JOIN parcels ip ON ip.id = i.inbound_id;
