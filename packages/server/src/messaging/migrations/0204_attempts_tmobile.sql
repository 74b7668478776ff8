-- Whether an attempt's segments counted toward the brand's T-Mobile daily cap, so that an
-- attempt reconciled as never taken by Twilio gives them back.
ALTER TABLE message_attempts ADD COLUMN tmobile boolean NOT NULL DEFAULT false;
