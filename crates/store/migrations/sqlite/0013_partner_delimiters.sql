-- The X12 delimiters a trading-partner ID imposes on what it receives, as the mailboxes and
-- networks keep theirs: one byte each, 0 where unset (the ID then takes its mailbox's, then
-- its network's).
ALTER TABLE partners ADD COLUMN x12_segment INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN x12_element INTEGER NOT NULL DEFAULT 0;
ALTER TABLE partners ADD COLUMN x12_sub_element INTEGER NOT NULL DEFAULT 0;
