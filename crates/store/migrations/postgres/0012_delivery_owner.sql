-- A delivery as lists read it: with its registration's URL and the mailbox the registration
-- was made for (0 for a network's), so that a mailbox's lists leave out the deliveries of
-- its network's registrations, whose URLs it may not see.
CREATE OR REPLACE VIEW callback_delivery_rows AS
    SELECT d.*, r.url AS url, r.mailbox_id AS registration_mailbox_id
    FROM callback_deliveries d JOIN callback_registrations r ON r.id = d.registration_id;
