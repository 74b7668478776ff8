-- Channels: Verify (OTP), WhatsApp and voice IVR per tenant (issue 6).

-- ── Verify ────────────────────────────────────────────────────────────────────────────────

-- The tenant's Twilio Verify service (VA…), created in its subaccount on first use.
CREATE TABLE verify_services (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  service_sid text NOT NULL UNIQUE,
  friendly_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Per-tenant overrides of the abuse limits and the fallback policy (defaults in verify/limits.ts).
CREATE TABLE verify_settings (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  settings jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Fixed-window counters behind the sliding-window estimate of verify/limits.ts. In the
-- database, not in a process, so every API process counts against the same limits.
-- key: "dest:<tenant>:<to>", "tenant:<tenant>", "ip:<tenant>:<ip>"; window_start: epoch ms of
-- the window's start on the platform clock.
CREATE TABLE verify_rate_counters (
  key text NOT NULL,
  window_start bigint NOT NULL,
  window_ms bigint NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (key, window_start)
);
CREATE INDEX verify_rate_counters_age ON verify_rate_counters (window_start);

-- One verification lifecycle as we see it. The code is generated and held by Verify, never here.
CREATE TABLE verifications (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  to_address text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('sms', 'call', 'email', 'whatsapp')),
  status text NOT NULL CHECK (status IN ('pending', 'approved', 'failed', 'expired', 'canceled')),
  twilio_sid text,
  locale text,
  client_ip text,
  -- Each send Verify accepted: [{channel, at, reason}] (reason: requested, resend, fallback).
  sends jsonb NOT NULL DEFAULT '[]'::jsonb,
  fallback_channel text,
  fallback_at timestamptz,
  failure_code text,
  check_attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  approved_at timestamptz
);
-- Verify keeps one pending lifecycle per (service, To); so do we.
CREATE UNIQUE INDEX verifications_one_pending ON verifications (tenant_id, to_address) WHERE status = 'pending';
CREATE INDEX verifications_by_tenant ON verifications (tenant_id, id DESC);

-- ── WhatsApp ──────────────────────────────────────────────────────────────────────────────

-- A number of the tenant's subaccount registered as its WhatsApp sender (whatsapp:+E164).
CREATE TABLE whatsapp_senders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  phone_number text NOT NULL UNIQUE,
  phone_number_sid text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX whatsapp_senders_by_tenant ON whatsapp_senders (tenant_id, id);

-- The customer-service window per (sender, contact): opened and renewed by the contact's
-- messages, closed early when Twilio answers 63016.
CREATE TABLE whatsapp_sessions (
  tenant_id text NOT NULL REFERENCES tenants (id),
  sender text NOT NULL,
  contact text NOT NULL,
  last_inbound_at timestamptz NOT NULL,
  closed_at timestamptz,
  PRIMARY KEY (tenant_id, sender, contact)
);

-- Opt-ins: explicit (API) or implicit (the contact wrote to us). revoked_at: STOP or DELETE.
CREATE TABLE whatsapp_opt_ins (
  tenant_id text NOT NULL REFERENCES tenants (id),
  contact text NOT NULL,
  source text NOT NULL CHECK (source IN ('api', 'inbound')),
  evidence text,
  opted_in_at timestamptz NOT NULL,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, contact)
);

-- Content templates (HX…) made through the tenant's subaccount, and their WhatsApp approval.
CREATE TABLE whatsapp_templates (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  content_sid text NOT NULL UNIQUE,
  name text NOT NULL,
  language text NOT NULL,
  category text NOT NULL CHECK (category IN ('UTILITY', 'MARKETING', 'AUTHENTICATION')),
  types jsonb NOT NULL,
  variables jsonb NOT NULL DEFAULT '{}'::jsonb,
  approval_status text NOT NULL,
  rejection_reason text,
  submitted_at timestamptz,
  status_checked_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tenant_id, name, language)
);

-- ── Voice ─────────────────────────────────────────────────────────────────────────────────

CREATE TABLE ivr_flows (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  definition jsonb NOT NULL,
  -- Warnings found when it was saved (errors refuse the save).
  findings jsonb NOT NULL DEFAULT '[]'::jsonb,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX ivr_flows_by_tenant ON ivr_flows (tenant_id, id);

-- A tenant number whose voice URL points at a flow (one flow per number).
CREATE TABLE ivr_flow_numbers (
  phone_number text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  flow_id text NOT NULL REFERENCES ivr_flows (id),
  phone_number_sid text NOT NULL,
  attached_at timestamptz NOT NULL
);
CREATE INDEX ivr_flow_numbers_by_flow ON ivr_flow_numbers (flow_id);

CREATE TABLE calls (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  twilio_sid text UNIQUE,
  from_number text NOT NULL,
  to_number text NOT NULL,
  flow_id text REFERENCES ivr_flows (id),
  say text,
  status text NOT NULL,
  duration_seconds integer,
  price text,
  error_code integer,
  error_message text,
  answered_at timestamptz,
  ended_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX calls_by_tenant ON calls (tenant_id, id DESC);

-- What happened during a call: nodes entered, inputs, retries, dial outcomes, statuses.
CREATE TABLE call_events (
  id text PRIMARY KEY,
  call_id text NOT NULL REFERENCES calls (id),
  kind text NOT NULL,
  node text,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL
);
CREATE INDEX call_events_by_call ON call_events (call_id, id);

CREATE TABLE call_recordings (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  call_id text NOT NULL REFERENCES calls (id),
  twilio_sid text NOT NULL UNIQUE,
  node text,
  url text NOT NULL,
  duration_seconds integer NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX call_recordings_by_call ON call_recordings (call_id);

CREATE TABLE call_transcriptions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  call_id text NOT NULL REFERENCES calls (id),
  recording_sid text NOT NULL,
  twilio_sid text NOT NULL UNIQUE,
  status text NOT NULL,
  text text,
  created_at timestamptz NOT NULL
);
CREATE INDEX call_transcriptions_by_call ON call_transcriptions (call_id);
