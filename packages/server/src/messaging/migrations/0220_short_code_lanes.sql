-- A live short code's own lane (onboarding short codes): throughput is granted per short code.
ALTER TABLE lanes DROP CONSTRAINT lanes_kind_check;
ALTER TABLE lanes ADD CONSTRAINT lanes_kind_check
  CHECK (kind IN ('10dlc_campaign', 'toll_free_number', 'whatsapp_sender', 'intl_sender', 'short_code'));
