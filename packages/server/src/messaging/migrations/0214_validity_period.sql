-- ValidityPeriod asked for on a send (seconds, 1–36000), passed to Twilio; null: Twilio's default.
ALTER TABLE messages ADD COLUMN validity_period integer CHECK (validity_period BETWEEN 1 AND 36000);
