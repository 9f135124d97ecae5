-- An inbox or outbox list of one mailbox also filters on its network (the caller's scope),
-- and its answer carries the number of matching parcels. With network_id in the mailbox
-- indexes that count reads the index alone; before, it read every matching parcel's row
-- (9 ms for 1,500 waiting parcels on SQLite, against 0.3 ms from the index).
DROP INDEX parcels_by_mailbox_state;
DROP INDEX parcels_by_mailbox;
CREATE INDEX parcels_by_mailbox_state ON parcels (mailbox_id, direction, state, created_ms, id, network_id);
CREATE INDEX parcels_by_mailbox ON parcels (mailbox_id, direction, created_ms, id, network_id);
