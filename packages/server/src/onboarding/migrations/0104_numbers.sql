-- The tenant's phone numbers as a resource (docs/onboarding.md, "Numbers"): bought by a
-- registration's flow or through /v1/numbers, attached to one of the tenant's Messaging
-- Services (a campaign's sender pool) or to none (voice only), released when no longer needed.
-- A toll-free number carries its own verification: toll-free throughput is granted per number.
CREATE TABLE numbers (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  -- Null until a purchase that searches (rather than names a number) has bought one.
  phone_number text,
  -- Null while a purchase is under way (the row is written before Twilio is asked).
  phone_number_sid text,
  country text NOT NULL,
  type text NOT NULL CHECK (type IN ('local', 'mobile', 'toll_free')),
  capabilities jsonb,
  messaging_service_sid text,
  -- The registration whose flow bought it, or whose toll-free verification data verifies it.
  registration_id text REFERENCES registrations (id),
  state text NOT NULL CHECK (state IN ('buying', 'active', 'released', 'failed')),
  -- What a purchase asked for (the search), so a retried purchase buys the same kind of number.
  request jsonb,
  tollfree_verification_sid text,
  tollfree_status text,
  failure jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  released_at timestamptz
);
CREATE UNIQUE INDEX numbers_live_sid ON numbers (phone_number_sid)
  WHERE phone_number_sid IS NOT NULL AND state IN ('buying', 'active');
CREATE INDEX numbers_by_tenant ON numbers (tenant_id, created_at, id);
CREATE INDEX numbers_by_service ON numbers (messaging_service_sid) WHERE state = 'active';

-- The numbers registrations bought before this table existed.
INSERT INTO numbers (id, tenant_id, phone_number, phone_number_sid, country, type, capabilities,
    messaging_service_sid, registration_id, state, tollfree_verification_sid, tollfree_status,
    created_at, updated_at)
  SELECT 'num_' || substr(r.id, 5), r.tenant_id, r.phone_number, r.phone_number_sid, 'US',
    CASE WHEN r.channel = 'toll_free' THEN 'toll_free' ELSE 'local' END, NULL,
    CASE WHEN r.sender_attached THEN r.messaging_service_sid END, r.id, 'active',
    r.tollfree_verification_sid, r.tollfree_status, r.updated_at, r.updated_at
  FROM registrations r WHERE r.phone_number_sid IS NOT NULL AND r.phone_number IS NOT NULL;

-- A number's changes change its tenant's sending profile (cache/changes.ts).
CREATE TRIGGER numbers_announce AFTER INSERT OR UPDATE OR DELETE ON numbers
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
