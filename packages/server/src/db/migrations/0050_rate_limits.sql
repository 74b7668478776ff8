-- Rate limits at the door (http/rate-limit.ts). A tenant's own limits, set by the operator;
-- NULL means the deployment's default (SUBTEXT_RATE_LIMIT_*), 0 means no limit.
ALTER TABLE tenants
  ADD COLUMN rate_limit_requests_per_second integer CHECK (rate_limit_requests_per_second >= 0),
  ADD COLUMN rate_limit_messages_per_minute integer CHECK (rate_limit_messages_per_minute >= 0);

-- Fixed-window counters shared by every API process on PostgreSQL: one row per limited key
-- (an API key, a tenant), overwritten when its window ends, so the table never grows past the
-- number of keys. `hits` counts what processes were granted (each takes a slice of the window
-- and spends it locally); `granted` is the last take's slice. UNLOGGED: a counter needs no WAL write or fsync per request, and losing the
-- counts of the current window in a database crash only forgets at most one window.
CREATE UNLOGGED TABLE rate_limit_windows (
  key text PRIMARY KEY,
  window_start bigint NOT NULL,
  hits bigint NOT NULL,
  admitted boolean NOT NULL,
  granted bigint NOT NULL DEFAULT 0
);
