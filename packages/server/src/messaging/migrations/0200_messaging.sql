-- Messaging: lanes, messages and their attempts and events, opt-outs, keyword replies,
-- per-tenant settings, carrier lookups (docs/messaging.md).

-- A throughput lane: one 10DLC campaign (the tenant's messaging service) or one toll-free
-- number. The rate, burst and caps are the effective values (lanes.ts, then `overrides` from
-- PATCH /v1/lanes/{id}). The GCRA state (`tat_ms`, epoch ms of our clock) lives in the row and
-- the lane is dispatched only by the worker holding its lease, so a new owner continues the
-- shaping exactly where the previous one stopped (see dispatch/leases.ts).
CREATE TABLE lanes (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  key text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('10dlc_campaign', 'toll_free_number')),
  rate_kind text NOT NULL,
  brand_id text,
  trust_score integer,
  messaging_service_sid text,
  sender text,
  mps double precision NOT NULL,
  burst integer NOT NULL,
  daily_cap integer,
  tmobile_daily_cap integer,
  overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
  tat_ms double precision,
  -- The earliest not_before among its queued messages (a hint: lowered on insert and requeue,
  -- recomputed after each claim and by the sweep).
  next_due_at timestamptz,
  held_until timestamptz,
  held_reason text,
  lease_owner text,
  lease_until timestamptz,
  last_dispatch_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key)
);
CREATE INDEX lanes_due ON lanes (next_due_at) WHERE next_due_at IS NOT NULL;

-- Segments sent per brand and Pacific day, for the daily caps (total and toward T-Mobile).
CREATE TABLE brand_daily_usage (
  brand_id text NOT NULL,
  day date NOT NULL,
  segments integer NOT NULL DEFAULT 0,
  tmobile_segments integer NOT NULL DEFAULT 0,
  PRIMARY KEY (brand_id, day)
);

CREATE TABLE messages (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  direction text NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  channel text NOT NULL,
  status text NOT NULL CHECK (status IN
    ('scheduled', 'queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'canceled', 'received')),
  lane_id text REFERENCES lanes (id),
  to_number text NOT NULL,
  from_number text,
  messaging_service_sid text,
  body text,
  media_urls jsonb NOT NULL DEFAULT '[]'::jsonb,
  content_sid text,
  content_variables jsonb,
  segments integer NOT NULL,
  encoding text NOT NULL,
  smart_encoded boolean NOT NULL DEFAULT false,
  segments_saved integer NOT NULL DEFAULT 0,
  price_estimate numeric(14, 6),
  metadata jsonb,
  idempotency_key text,
  request_hash text,
  send_at timestamptz,
  not_before timestamptz NOT NULL,
  held_reason text,
  attempts integer NOT NULL DEFAULT 0,
  twilio_sid text UNIQUE,
  twilio_status text,
  error_code integer,
  error_message text,
  usage_recorded boolean NOT NULL DEFAULT false,
  status_checked_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  sent_at timestamptz,
  completed_at timestamptz,
  body_redacted_at timestamptz
);
CREATE UNIQUE INDEX messages_idempotency ON messages (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX messages_by_tenant ON messages (tenant_id, id);
-- The dispatcher's FIFO per lane.
CREATE INDEX messages_queued ON messages (lane_id, id) WHERE status = 'queued';
CREATE INDEX messages_queued_due ON messages (lane_id, not_before) WHERE status = 'queued';
CREATE INDEX messages_scheduled ON messages (not_before) WHERE status = 'scheduled';
-- Messages whose final status has not come back (reconciliation).
CREATE INDEX messages_open ON messages (updated_at) WHERE status IN ('sending', 'sent');
CREATE INDEX messages_to ON messages (tenant_id, to_number, id);
CREATE INDEX messages_retention ON messages (tenant_id, created_at) WHERE body_redacted_at IS NULL;

-- One call to Twilio's messages.create, recorded BEFORE the call: a pending attempt whose
-- worker died is how a crash after sending is detected (then reconciled, never blindly resent).
CREATE TABLE message_attempts (
  id text PRIMARY KEY,
  message_id text NOT NULL REFERENCES messages (id),
  tenant_id text NOT NULL,
  n integer NOT NULL,
  worker_id text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN
    ('pending', 'accepted', 'retry', 'ambiguous', 'failed', 'found', 'absent')),
  started_at timestamptz NOT NULL,
  finished_at timestamptz,
  http_status integer,
  error_code integer,
  error_message text,
  twilio_sid text,
  UNIQUE (message_id, n)
);
CREATE INDEX message_attempts_pending ON message_attempts (started_at) WHERE outcome IN ('pending', 'ambiguous');

-- The timeline of a message: each status reached once (callbacks replayed or reordered add
-- nothing), plus attempts, retries and reconciliations.
CREATE TABLE message_events (
  id text PRIMARY KEY,
  message_id text NOT NULL REFERENCES messages (id),
  kind text NOT NULL CHECK (kind IN ('status', 'attempt', 'note')),
  name text NOT NULL,
  at timestamptz NOT NULL,
  data jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE UNIQUE INDEX message_events_status_once ON message_events (message_id, name) WHERE kind = 'status';
CREATE INDEX message_events_by_message ON message_events (message_id, at, id);

-- The suppression list. scope: 'all' (every sender of the tenant), a messaging service (MG…)
-- or a sender number (+1…), as Twilio scopes opt-outs to a service or a number.
CREATE TABLE opt_outs (
  tenant_id text NOT NULL REFERENCES tenants (id),
  phone text NOT NULL,
  scope text NOT NULL,
  source text NOT NULL CHECK (source IN ('keyword', 'api', 'import', 'twilio_21610')),
  keyword text,
  reason text,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, phone, scope)
);

-- Who opted whom out or in, when and why; never deleted.
CREATE TABLE opt_out_audit (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  phone text NOT NULL,
  scope text NOT NULL,
  action text NOT NULL CHECK (action IN ('opt_out', 'opt_in')),
  source text NOT NULL CHECK (source IN ('keyword', 'api', 'import', 'twilio_21610')),
  keyword text,
  reason text,
  actor text,
  at timestamptz NOT NULL
);
CREATE INDEX opt_out_audit_by_phone ON opt_out_audit (tenant_id, phone, id);

-- Custom keywords and replies per tenant and messaging service ('default' = every service).
CREATE TABLE keyword_configs (
  tenant_id text NOT NULL REFERENCES tenants (id),
  scope text NOT NULL,
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, scope)
);

CREATE TABLE messaging_settings (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  retention_days integer,
  quiet_hours jsonb,
  carrier_lookup boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Line type and carrier per number from Twilio Lookup (line_type_intelligence), cached.
CREATE TABLE phone_lookups (
  phone text PRIMARY KEY,
  carrier text,
  line_type text,
  looked_up_at timestamptz NOT NULL
);
