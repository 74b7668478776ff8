-- Onboarding: A2P 10DLC and toll-free registrations as durable workflows (docs/onboarding.md).

-- One tenant's registration for one sender channel. The document is the submitted business
-- data (edited by PATCH); the typed columns are what the gate and the messaging module read,
-- written in the same transaction as the step that learned them.
CREATE TABLE registrations (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  kind text NOT NULL CHECK (kind IN ('standard', 'low_volume_standard', 'sole_proprietor', 'toll_free')),
  channel text NOT NULL CHECK (channel IN ('10dlc', 'toll_free')),
  state text NOT NULL CHECK (state IN
    ('submitted', 'in_progress', 'in_review', 'awaiting_otp', 'approved', 'failed', 'suspended')),
  document jsonb NOT NULL,
  -- Bumped by each resubmission: jobs of an older generation stop instead of advancing.
  generation integer NOT NULL DEFAULT 0,
  -- Values TCR limits across brands (normalized), counted across all tenants before submission.
  reuse_mobile text,
  reuse_email text,
  reuse_address text,
  -- The failed stage and Twilio's reasons with our hints, while state = 'failed' or 'suspended'.
  failure jsonb,
  customer_profile_sid text UNIQUE,
  trust_product_sid text UNIQUE,
  brand_sid text UNIQUE,
  brand_status text,
  brand_identity_status text,
  trust_score integer,
  messaging_service_sid text UNIQUE,
  campaign_status text,
  -- TCR's campaign id; together with the service it names one campaign: never two tenants'.
  campaign_id text UNIQUE,
  campaign_submitted_at timestamptz,
  phone_number_sid text UNIQUE,
  phone_number text,
  sender_attached boolean NOT NULL DEFAULT false,
  tollfree_verification_sid text UNIQUE,
  tollfree_status text,
  -- Sole proprietor OTP: when the last one was sent (by approval or a retrigger), verified, how often.
  otp_sent_at timestamptz,
  otp_verified_at timestamptz,
  otp_deadline timestamptz,
  otp_retriggers integer NOT NULL DEFAULT 0,
  brand_submitted_at timestamptz,
  review_started_at timestamptz,
  approved_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- One registration per tenant and channel: remediation edits it, it is never duplicated.
CREATE UNIQUE INDEX registrations_one_per_channel ON registrations (tenant_id, channel);
CREATE INDEX registrations_reuse_mobile ON registrations (reuse_mobile) WHERE reuse_mobile IS NOT NULL;
CREATE INDEX registrations_reuse_email ON registrations (reuse_email) WHERE reuse_email IS NOT NULL;
CREATE INDEX registrations_reuse_address ON registrations (reuse_address) WHERE reuse_address IS NOT NULL;

-- The steps of a registration's flow, in order. A step that creates a Twilio resource stores
-- its SID in the same transaction that marks it done, so a resumed flow never creates it twice.
CREATE TABLE registration_steps (
  registration_id text NOT NULL REFERENCES registrations (id),
  name text NOT NULL,
  position integer NOT NULL,
  stage text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'running', 'waiting', 'done', 'failed')),
  sid text,
  twilio_status text,
  attempts integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  completed_at timestamptz,
  wait_until timestamptz,
  last_error jsonb,
  data jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (registration_id, name),
  UNIQUE (registration_id, position)
);

-- Paces calls Twilio asks to keep at ≤ 1 per second per parent account (brand and campaign
-- registration): the next free slot, shared by every worker.
CREATE TABLE onboarding_pacers (
  key text PRIMARY KEY,
  next_at timestamptz NOT NULL
);
