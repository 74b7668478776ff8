-- Sending abroad (docs/international.md): a tenant's alphanumeric sender IDs, each on a
-- Messaging Service of its own in the tenant's subaccount, with a state per country (active at
-- once where the country allows IDs unregistered, a registration where it requires one), and the
-- countries a tenant declares it sends to (its subaccount's messaging geo permissions).
CREATE TABLE alpha_senders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  alpha_sender_id text NOT NULL,
  messaging_service_sid text,
  alpha_sender_sid text,
  -- The tenant's number that takes replies and STOP for this one-way sender, or null.
  fallback_number text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  deleted_at timestamptz
);
CREATE UNIQUE INDEX alpha_senders_live ON alpha_senders (tenant_id, upper(alpha_sender_id))
  WHERE deleted_at IS NULL;

CREATE TABLE alpha_sender_countries (
  alpha_sender_id text NOT NULL REFERENCES alpha_senders (id),
  tenant_id text NOT NULL REFERENCES tenants (id),
  country text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'registration_pending', 'registration_rejected')),
  registration text,
  reason text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (alpha_sender_id, country)
);

CREATE TABLE tenant_countries (
  tenant_id text PRIMARY KEY REFERENCES tenants (id),
  countries jsonb NOT NULL,
  -- Whether Twilio's geo permissions of the subaccount were set to match (false after a failure).
  synced boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL
);

-- Their changes change the tenant's senders abroad (cache/changes.ts).
CREATE TRIGGER alpha_senders_announce AFTER INSERT OR UPDATE OR DELETE ON alpha_senders
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
CREATE TRIGGER alpha_sender_countries_announce AFTER INSERT OR UPDATE OR DELETE ON alpha_sender_countries
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
CREATE TRIGGER tenant_countries_announce AFTER INSERT OR UPDATE OR DELETE ON tenant_countries
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
