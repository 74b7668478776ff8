-- Dispatchers say they are alive at every lease round, so each can take its fair share of the
-- lanes with work (dispatch/leases.ts) instead of the first one holding them all.
CREATE TABLE dispatch_workers (
  worker_id text PRIMARY KEY,
  seen_at timestamptz NOT NULL
);
