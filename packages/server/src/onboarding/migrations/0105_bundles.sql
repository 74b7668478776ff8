-- Regulatory bundles (docs/international.md, "Regulatory bundles"): what buying a number in
-- another country needs. The end user's data and documents are sealed in `secrets` (the vault);
-- this row keeps only what Twilio answered and where the flow is.
CREATE TABLE regulatory_bundles (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  country text NOT NULL,
  number_type text NOT NULL CHECK (number_type IN ('local', 'mobile', 'toll_free')),
  end_user_type text NOT NULL CHECK (end_user_type IN ('business', 'individual')),
  regulation_sid text NOT NULL,
  -- The end user, documents and address as submitted (JSON), sealed: a new secret per edit.
  data_secret_id text NOT NULL REFERENCES secrets (id),
  state text NOT NULL CHECK (state IN ('submitted', 'in_review', 'approved', 'rejected')),
  -- Each submission's items at Twilio are named after it, so a retried job finds them.
  generation integer NOT NULL DEFAULT 1,
  bundle_sid text,
  address_sid text,
  end_user_sid text,
  document_sids jsonb NOT NULL DEFAULT '[]',
  twilio_status text,
  -- Why Twilio (or its evaluation) refused it: [{ code, message, document?, twilio_code }].
  failure jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  submitted_at timestamptz,
  completed_at timestamptz
);
CREATE INDEX regulatory_bundles_by_tenant ON regulatory_bundles (tenant_id, created_at, id);
CREATE INDEX regulatory_bundles_approved ON regulatory_bundles (tenant_id, country, number_type)
  WHERE state = 'approved';
