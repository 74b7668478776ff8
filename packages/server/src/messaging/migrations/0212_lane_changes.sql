-- A lane's history (GET /v1/lanes/{id}: `history`): every change of its limits, with what caused
-- it (the lane created, the registration's brand type or trust score changed, an operator's
-- override), so an upgrade of a brand shows where its rate went up.
CREATE TABLE lane_changes (
  id text PRIMARY KEY,
  lane_id text NOT NULL REFERENCES lanes (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  at timestamptz NOT NULL,
  reason text NOT NULL CHECK (reason IN ('created', 'registration', 'overrides')),
  rate_kind text NOT NULL,
  trust_score integer,
  mps double precision NOT NULL,
  burst integer NOT NULL,
  daily_cap integer,
  tmobile_daily_cap integer,
  previous jsonb
);
CREATE INDEX lane_changes_by_lane ON lane_changes (lane_id, at);
