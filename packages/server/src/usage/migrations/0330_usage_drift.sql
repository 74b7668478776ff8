-- Drift between what Subtext metered and what Twilio billed (usage/drift.ts): one row per tenant,
-- UTC day and Twilio usage category while they differ; resolved once they agree again. The daily
-- `usage.drift` job (and POST /v1/usage/drift/check) writes it.
CREATE TABLE usage_drift (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  day date NOT NULL,
  -- Twilio's category: sms-outbound, sms-inbound, mms-outbound, mms-inbound.
  category text NOT NULL,
  -- What both counts are in: segments (SMS) or messages (MMS).
  unit text NOT NULL CHECK (unit IN ('segments', 'messages')),
  subtext_count bigint NOT NULL,
  twilio_count bigint NOT NULL,
  -- USD: Subtext's metered cost, Twilio's price.
  subtext_cost numeric(20, 6) NOT NULL,
  twilio_price numeric(20, 6) NOT NULL,
  -- Which of them differ: count, price (beyond the tolerance).
  reasons text[] NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'resolved')),
  detected_at timestamptz NOT NULL,
  checked_at timestamptz NOT NULL,
  resolved_at timestamptz,
  -- The usage.drift event that announced it.
  event_id text
);
-- One open difference per tenant, day and category: a difference that persists is one row.
CREATE UNIQUE INDEX usage_drift_one_open ON usage_drift (tenant_id, day, category) WHERE state = 'open';
CREATE INDEX usage_drift_by_tenant ON usage_drift (tenant_id, id DESC);
