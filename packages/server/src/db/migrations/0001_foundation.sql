-- Foundation: settings, the credential vault, tenants, platform API keys, durable jobs.

-- Small process-wide settings (e.g. the admin token's hash).
CREATE TABLE system_settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every secret the platform must be able to read back (Twilio auth tokens and key secrets,
-- webhook signing secrets…), encrypted with AES-256-GCM. One table so that
-- `subtext rotate-master-key` re-encrypts everything without knowing each module.
CREATE TABLE secrets (
  id text PRIMARY KEY,
  purpose text NOT NULL,
  key_id text NOT NULL,
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  rotated_at timestamptz
);
CREATE INDEX secrets_by_key ON secrets (key_id);

-- A tenant is one of the ISV's customers, with its own Twilio subaccount and API key.
-- 'provisioning' until the subaccount and key exist (creation resumes after a crash).
CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  environment text NOT NULL CHECK (environment IN ('production', 'staging', 'development')),
  status text NOT NULL CHECK (status IN ('provisioning', 'active', 'suspended', 'closed')),
  -- The subaccount's FriendlyName, chosen before it is created so a retry can find it.
  friendly_name text NOT NULL UNIQUE,
  subaccount_sid text UNIQUE,
  subaccount_auth_token_secret_id text REFERENCES secrets (id),
  twilio_key_sid text UNIQUE,
  twilio_key_secret_id text REFERENCES secrets (id),
  provisioning_error jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  CHECK ((subaccount_sid IS NULL) = (subaccount_auth_token_secret_id IS NULL)),
  CHECK ((twilio_key_sid IS NULL) = (twilio_key_secret_id IS NULL)),
  CHECK (status IN ('provisioning', 'closed') OR twilio_key_sid IS NOT NULL)
);

-- Platform API keys (sk_…): only a SHA-256 hash is stored; the key is shown once.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text,
  prefix text NOT NULL,
  hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant_id, id);

-- Durable timers and retries. A row is work to do at run_at; a worker leases it
-- (locked_by/locked_until), deletes it on success, reschedules it on failure. A lease
-- that expires (crashed worker) makes the row claimable again. failed_at marks a job
-- that ran out of attempts (kept for inspection, never claimed).
CREATE TABLE jobs (
  id text PRIMARY KEY,
  kind text NOT NULL,
  key text UNIQUE,
  run_at timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  locked_by text,
  locked_until timestamptz,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_error text,
  failed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due ON jobs (run_at) WHERE failed_at IS NULL;
