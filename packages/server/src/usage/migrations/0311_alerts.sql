-- Alert rules (per tenant, or global: tenant_id NULL = every tenant) and the alerts they
-- raise. Evaluated by the periodic `alerts.evaluate` job over messages, lanes and usage.
CREATE TABLE alert_rules (
  id text PRIMARY KEY,
  tenant_id text REFERENCES tenants (id),
  kind text NOT NULL CHECK (kind IN ('delivery_rate_below', 'error_code_spike', 'daily_cap_usage')),
  -- delivery_rate_below: percent; error_code_spike: failures in the window; daily_cap_usage: percent of the cap.
  threshold numeric(12, 3) NOT NULL CHECK (threshold >= 0),
  window_minutes integer NOT NULL DEFAULT 60 CHECK (window_minutes BETWEEN 5 AND 10080),
  -- delivery_rate_below: too few finished messages say nothing.
  min_messages integer NOT NULL DEFAULT 20 CHECK (min_messages >= 1),
  -- error_code_spike: one Twilio error code, or NULL for any.
  error_code integer,
  description text,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz
);
CREATE INDEX alert_rules_by_tenant ON alert_rules (tenant_id) WHERE deleted_at IS NULL;

CREATE TABLE alerts (
  id text PRIMARY KEY,
  rule_id text NOT NULL REFERENCES alert_rules (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL,
  state text NOT NULL CHECK (state IN ('open', 'resolved')),
  value numeric(14, 3) NOT NULL,
  threshold numeric(12, 3) NOT NULL,
  message text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  triggered_at timestamptz NOT NULL,
  resolved_at timestamptz,
  event_id text
);
-- At most one open alert per rule and tenant: a condition that persists is one alert.
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule_id, tenant_id) WHERE state = 'open';
CREATE INDEX alerts_by_tenant ON alerts (tenant_id, id DESC);
