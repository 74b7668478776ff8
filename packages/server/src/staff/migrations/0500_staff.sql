-- Staff: the ISV's own people who sign in to the dashboard (password + TOTP), with a role,
-- optionally scoped to one tenant (a customer's view). Not tenants' API keys: those are sk_….

CREATE TABLE staff_users (
  id text PRIMARY KEY,
  -- Stored lower-cased; the unique index is what stops two accounts for one address.
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'billing', 'read_only')),
  -- Set = a customer user: acts as this tenant only, like its sk_ key would.
  tenant_id text REFERENCES tenants (id),
  -- scrypt$N$r$p$salt$hash (staff/password.ts).
  password_hash text NOT NULL,
  -- The TOTP shared secret lives in the vault; enabled once the user proved a first code.
  totp_secret_id text REFERENCES secrets (id),
  totp_enabled_at timestamptz,
  -- The last accepted 30-second step: a code is never accepted twice (RFC 6238 §5.2).
  totp_last_step bigint,
  failed_attempts integer NOT NULL DEFAULT 0,
  locked_until timestamptz,
  disabled_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (tenant_id IS NULL OR role <> 'owner')
);
CREATE INDEX staff_users_by_tenant ON staff_users (tenant_id) WHERE tenant_id IS NOT NULL;

-- Sign-in state. A 'challenge' is what a correct password buys: it can only be exchanged for
-- a 'session' with a TOTP code, within minutes. Only the SHA-256 of each token is stored.
CREATE TABLE staff_sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES staff_users (id),
  kind text NOT NULL CHECK (kind IN ('challenge', 'session')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_seen_at timestamptz,
  revoked_at timestamptz,
  user_agent text,
  ip text
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id) WHERE revoked_at IS NULL;
