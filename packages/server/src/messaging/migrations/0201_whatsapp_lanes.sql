-- WhatsApp messages go through /v1/messages too: one lane per WhatsApp sender (issue 6).
ALTER TABLE lanes DROP CONSTRAINT lanes_kind_check;
ALTER TABLE lanes ADD CONSTRAINT lanes_kind_check
  CHECK (kind IN ('10dlc_campaign', 'toll_free_number', 'whatsapp_sender'));
