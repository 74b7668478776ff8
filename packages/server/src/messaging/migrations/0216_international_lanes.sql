-- A send abroad goes on a lane of its own per international sender (an alphanumeric sender ID
-- in a country, or a number of the tenant abroad): docs/international.md, "Sending abroad".
ALTER TABLE lanes DROP CONSTRAINT lanes_kind_check;
ALTER TABLE lanes ADD CONSTRAINT lanes_kind_check
  CHECK (kind IN ('10dlc_campaign', 'toll_free_number', 'whatsapp_sender', 'intl_sender'));
