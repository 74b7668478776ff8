-- Short code applications (docs/international.md, "Short codes"). Twilio has no API to apply:
-- the application goes to Twilio and the carriers, whose review takes weeks, and the approved
-- short code then appears in the tenant's subaccount. Subtext tracks the application
-- (submitted → in_carrier_review → live, or rejected), finds the short code once it is there
-- (a polling job, or the operator naming its SID) and adds it to a Messaging Service; messaging
-- gives each live short code a lane of its own at the short code's rate.
CREATE TABLE short_codes (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  country text NOT NULL,
  state text NOT NULL CHECK (state IN ('submitted', 'in_carrier_review', 'live', 'rejected')),
  -- What the tenant applied with: use case, message samples, opt-in flow, expected volume…
  application jsonb NOT NULL,
  messaging_service_sid text NOT NULL,
  -- Known once the short code is provisioned in the subaccount.
  short_code text,
  short_code_sid text,
  attached boolean NOT NULL DEFAULT false,
  failure jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  review_started_at timestamptz,
  live_at timestamptz
);
CREATE UNIQUE INDEX short_codes_one_sid ON short_codes (short_code_sid) WHERE short_code_sid IS NOT NULL;
CREATE INDEX short_codes_by_tenant ON short_codes (tenant_id, id);
-- A short code going live changes its tenant's sending profile (cache/changes.ts).
CREATE TRIGGER short_codes_announce AFTER INSERT OR UPDATE OR DELETE ON short_codes
  FOR EACH ROW EXECUTE FUNCTION subtext_announce('sending-profile', 'tenant_id');
