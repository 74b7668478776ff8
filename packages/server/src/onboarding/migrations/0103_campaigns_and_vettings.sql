-- Several campaigns per brand, and secondary vetting (docs/onboarding.md, "Several campaigns"
-- and "Leaving low-volume standard").
--
-- A campaign added to an approved 10DLC registration is a row of its own, with its own flow,
-- Messaging Service, number and campaign, pointing at the registration that holds the brand
-- (parent_id). The brand's columns stay on the parent; the gate reads them from there.
ALTER TABLE registrations ADD COLUMN parent_id text REFERENCES registrations (id);
-- A deleted campaign keeps its row (and its service and number) for the record.
ALTER TABLE registrations ADD COLUMN deleted_at timestamptz;
DROP INDEX registrations_one_per_channel;
CREATE UNIQUE INDEX registrations_one_per_channel ON registrations (tenant_id, channel) WHERE parent_id IS NULL;
-- One live added campaign per brand and use case: a send that names a use case finds one service.
CREATE UNIQUE INDEX registrations_campaign_use_case ON registrations (parent_id, (document->'campaign'->>'use_case'))
  WHERE parent_id IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX registrations_by_parent ON registrations (parent_id) WHERE parent_id IS NOT NULL;

-- A brand vetting asked for a registration: Aegis (secondary vetting: a new trust score) or a
-- Campaign Verify token (political campaigns). Followed by a durable job until Twilio is done.
CREATE TABLE registration_vettings (
  id text PRIMARY KEY,
  registration_id text NOT NULL REFERENCES registrations (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  provider text NOT NULL CHECK (provider IN ('aegis', 'campaign-verify')),
  -- The Campaign Verify token, sent to Twilio as VettingId; never shown back in full.
  vetting_token text,
  state text NOT NULL CHECK (state IN ('in_progress', 'succeeded', 'failed')),
  vetting_sid text UNIQUE,
  vetting_status text,
  vetting_class text,
  trust_score_before integer,
  trust_score integer,
  kind_before text NOT NULL,
  kind_after text,
  failure jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
-- One vetting under way per registration and provider.
CREATE UNIQUE INDEX registration_vettings_one_open ON registration_vettings (registration_id, provider)
  WHERE state = 'in_progress';
CREATE INDEX registration_vettings_by_registration ON registration_vettings (registration_id, created_at);
