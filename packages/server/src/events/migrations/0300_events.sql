-- Events and outbound webhooks (Standard Webhooks): what happened per tenant, where each
-- tenant wants to hear about it, and every delivery attempt.

-- One row per thing that happened. `data` is the payload delivered as is.
CREATE TABLE events (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  type text NOT NULL,
  -- Deliveries sharing a key go out in order per endpoint (e.g. the message id).
  ordering_key text,
  data jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_by_tenant ON events (tenant_id, id DESC);
CREATE INDEX events_by_tenant_type ON events (tenant_id, type, id DESC);

-- A tenant's receiver. The signing secret lives in the vault (`secrets`); during a rotation
-- the previous one keeps signing too until previous_secret_expires_at, so receivers can
-- switch without losing a delivery (Standard Webhooks allows several signatures).
CREATE TABLE webhook_endpoints (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  url text NOT NULL,
  description text,
  -- NULL = every event type.
  event_types text[],
  enabled boolean NOT NULL DEFAULT true,
  disabled_reason text,
  disabled_at timestamptz,
  secret_id text NOT NULL REFERENCES secrets (id),
  previous_secret_id text REFERENCES secrets (id),
  previous_secret_expires_at timestamptz,
  -- The current failure streak: reset by any 2xx; drives the automatic disable.
  consecutive_failures integer NOT NULL DEFAULT 0,
  failing_since timestamptz,
  last_success_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  CHECK (enabled OR disabled_at IS NOT NULL)
);
CREATE INDEX webhook_endpoints_by_tenant ON webhook_endpoints (tenant_id, id) WHERE deleted_at IS NULL;

-- One event going to one endpoint (a replay is a new delivery of the same event).
-- seq orders deliveries for the per-key ordering rule (ids from several processes may tie).
CREATE TABLE webhook_deliveries (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  event_id text NOT NULL REFERENCES events (id),
  endpoint_id text NOT NULL REFERENCES webhook_endpoints (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  ordering_key text,
  replay boolean NOT NULL DEFAULT false,
  -- Waiting for this earlier delivery with the same ordering key to finish (no job meanwhile;
  -- the earlier one's completion wakes it).
  blocked_by text,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'retrying', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  -- NULL while pending (due now) and once finished; the scheduled retry while retrying.
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_status_code integer,
  last_latency_ms integer,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, seq DESC);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_blocked ON webhook_deliveries (blocked_by) WHERE blocked_by IS NOT NULL;
CREATE INDEX webhook_deliveries_open_by_key ON webhook_deliveries (endpoint_id, ordering_key, seq)
  WHERE status IN ('pending', 'retrying') AND ordering_key IS NOT NULL;

-- The delivery log: every HTTP attempt with its outcome.
CREATE TABLE webhook_attempts (
  delivery_id text NOT NULL REFERENCES webhook_deliveries (id),
  attempt integer NOT NULL,
  started_at timestamptz NOT NULL,
  status_code integer,
  latency_ms integer NOT NULL,
  error text,
  -- The start of the receiver's answer, for debugging (never our payload).
  response_excerpt text,
  PRIMARY KEY (delivery_id, attempt)
);
