-- Sign-in throttling (staff/throttle.ts) replaces the per-account lock: a lock let anyone keep
-- an owner out with ten wrong passwords, and told a real account (locked) from an unknown one.
-- One row per counter: 'source:<address>', 'account:<sha256 of the email>', 'totp:<user id>'.
CREATE TABLE staff_login_throttles (
  key text PRIMARY KEY,
  -- Failures, fading by half over the counter's half-life (computed when the next one lands).
  score double precision NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Set once past the free failures: until then the counter's requests are refused unread.
  blocked_until timestamptz
);
CREATE INDEX staff_login_throttles_by_age ON staff_login_throttles (updated_at);

ALTER TABLE staff_users DROP COLUMN failed_attempts;
ALTER TABLE staff_users DROP COLUMN locked_until;
