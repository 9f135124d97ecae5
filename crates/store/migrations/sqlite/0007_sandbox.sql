-- Sandbox partners (SPEC-VAN 21). The simulated flag itself is the directory's
-- (partners.simulated); this table keeps, per ID that took a control number or answered,
-- its own control-number sequence and counts of what it answered. Times are Unix ms.

CREATE TABLE sandbox_partners (
    ecgrid_id         INTEGER PRIMARY KEY REFERENCES partners (ecgrid_id),
    -- The last control number taken; the next is one more.
    control_number    INTEGER NOT NULL DEFAULT 0,
    parcels           INTEGER NOT NULL DEFAULT 0,
    interchanges      INTEGER NOT NULL DEFAULT 0,
    acknowledgments   INTEGER NOT NULL DEFAULT 0,
    last_answered_ms  INTEGER
);

-- The answering worker's look-up: the few simulated IDs, then each one's ready parcels,
-- so that a pass costs what is waiting, whatever else is stored. The direction and state
-- are columns of the partial index too, so that SQLite's planner, which has no statistics,
-- sees it match more of the look-up's terms than the lists' indexes do.
CREATE INDEX partners_simulated ON partners (ecgrid_id) WHERE simulated;
CREATE INDEX parcels_ready_by_receiver ON parcels (ecgrid_to, direction, state, id)
    WHERE direction = 'InBox' AND state = 'InBoxReady';
