-- The directory (SPEC-VAN 13): every field of networks, mailboxes and users, and the
-- trading-partner IDs. Rows from before keep working: new columns have defaults (times 0
-- where nothing better is known). Bytes (X12 delimiters) and small numbers are INTEGER.
--
-- Text that lists filter (lower(...) LIKE) or sort by uses the "C" collation: lower() then
-- folds ASCII only and ORDER BY compares code points, exactly as SQLite does, so that both
-- databases answer a name filter or an ordered page alike.

ALTER TABLE networks ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE mailboxes ALTER COLUMN name TYPE TEXT COLLATE "C";
ALTER TABLE users ALTER COLUMN login TYPE TEXT COLLATE "C";
ALTER TABLE users ALTER COLUMN first_name TYPE TEXT COLLATE "C";
ALTER TABLE users ALTER COLUMN last_name TYPE TEXT COLLATE "C";

ALTER TABLE networks ADD COLUMN unique_id TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN address1 TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN address2 TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN zip TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN admin_email TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN website_home TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN website_support TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN website_login TEXT NOT NULL DEFAULT '';
ALTER TABLE networks ADD COLUMN contact_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_interconnects INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_notices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_reports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_accounting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN contact_customer_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN x12_segment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN x12_element INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN x12_sub_element INTEGER NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN delete_on_download BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE networks ADD COLUMN created_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE networks ADD COLUMN modified_ms BIGINT NOT NULL DEFAULT 0;

ALTER TABLE mailboxes ADD COLUMN unique_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN description TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN address1 TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN address2 TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN city TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN zip TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN admin_email TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN contact_owner INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_errors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_interconnects INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_notices INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_reports INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_accounting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN contact_customer_service INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN managed BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN use_type TEXT NOT NULL DEFAULT 'Undefined';
ALTER TABLE mailboxes ADD COLUMN inbox_timeout_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN x12_segment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN x12_element INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN x12_sub_element INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN ebcdic_filter INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN ftp_ascii_filter BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN low_pass_filter BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN mailbag_pass_through BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN delete_on_download BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN strip_directed_envelope BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN notify_email TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN notify_on_inbox BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE mailboxes ADD COLUMN default_as2_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mailboxes ADD COLUMN created_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mailboxes ADD COLUMN modified_ms BIGINT NOT NULL DEFAULT 0;

CREATE INDEX mailboxes_by_network ON mailboxes (network_id, id);
-- UniqueID is unique in its network, compared case-insensitively, when given.
CREATE UNIQUE INDEX mailboxes_unique_id ON mailboxes (network_id, lower(unique_id))
    WHERE unique_id <> '';

ALTER TABLE users ADD COLUMN cell_phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN cell_carrier TEXT NOT NULL DEFAULT 'Undefined';
ALTER TABLE users ADD COLUMN time_zone_offset INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN recovery_question TEXT NOT NULL DEFAULT '';
-- Argon2id PHC string of the recovery answer; NULL when none was given.
ALTER TABLE users ADD COLUMN recovery_answer_hash TEXT;
ALTER TABLE users ADD COLUMN modified_ms BIGINT NOT NULL DEFAULT 0;
UPDATE users SET modified_ms = created_ms;

CREATE INDEX users_by_network ON users (network_id, id);
CREATE INDEX users_by_mailbox ON users (mailbox_id, id);

-- Trading-partner IDs. ECGridIDs come from an identity sequence, which never hands out a
-- number again, starting at 100000. The qualifier and ID are kept as given and compared by
-- their keys: the qualifier upper-case, the ID without trailing spaces, upper-case.
CREATE TABLE partners (
    ecgrid_id      INTEGER GENERATED ALWAYS AS IDENTITY (START WITH 100000) PRIMARY KEY,
    network_id     INTEGER NOT NULL,
    mailbox_id     INTEGER NOT NULL REFERENCES mailboxes (id),
    qualifier      TEXT COLLATE "C" NOT NULL,
    id             TEXT COLLATE "C" NOT NULL,
    qualifier_key  TEXT COLLATE "C" NOT NULL,
    id_key         TEXT COLLATE "C" NOT NULL,
    description    TEXT COLLATE "C" NOT NULL DEFAULT '',
    status         TEXT NOT NULL,
    data_email     TEXT NOT NULL DEFAULT '',
    routing_group  TEXT NOT NULL,
    is_default     BOOLEAN NOT NULL DEFAULT FALSE,
    owner          INTEGER NOT NULL DEFAULT 0,
    van            BOOLEAN NOT NULL DEFAULT FALSE,
    simulated      BOOLEAN NOT NULL DEFAULT FALSE,
    created_ms     BIGINT NOT NULL,
    modified_ms    BIGINT NOT NULL
);

CREATE INDEX partners_by_key ON partners (id_key, qualifier_key);
-- At most one registration of a pair that is not terminated (active or suspended).
CREATE UNIQUE INDEX partners_live_pair ON partners (qualifier_key, id_key)
    WHERE status <> 'Terminated';
CREATE INDEX partners_by_mailbox ON partners (mailbox_id, ecgrid_id);
CREATE INDEX partners_by_network ON partners (network_id, ecgrid_id);
CREATE INDEX partners_by_owner ON partners (owner, ecgrid_id);
