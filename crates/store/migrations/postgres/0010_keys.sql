-- Keys (SPEC-VAN 20): a small key-value store attached to an object of the directory
-- (`Objects` of the deployed WSDL: a user, network, mailbox, ECGridID or the system). A key
-- is named within its object and visibility; `owner` is the user ID for Private keys, the
-- session's hash for Session keys and '' for Shared and Public ones. Times are Unix
-- milliseconds; `expires_ms` NULL never expires. Sizes are bounded by the core.
CREATE TABLE object_keys (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    object_kind  TEXT NOT NULL,
    object_id    BIGINT NOT NULL,
    visibility   TEXT NOT NULL,
    owner        TEXT COLLATE "C" NOT NULL,
    name         TEXT COLLATE "C" NOT NULL,
    value        TEXT NOT NULL,
    meta         TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    expires_ms   BIGINT,
    network_id   INTEGER NOT NULL,
    mailbox_id   INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    UNIQUE (object_kind, object_id, visibility, owner, name)
);

-- Housekeeping removes expired keys by this index.
CREATE INDEX object_keys_by_expiry ON object_keys (expires_ms);

-- Reports (SPEC-VAN 20) over everyone's traffic: the parcel and interchange indexes of 0006
-- all open with a mailbox or network, so a report of the whole system reads these.
CREATE INDEX parcels_by_direction_time ON parcels (direction, created_ms);
CREATE INDEX interchanges_by_time ON interchanges (created_ms);
